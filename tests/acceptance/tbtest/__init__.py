"""Helpers of the acceptance suite (tests/acceptance/).

Fixtures (conftest.py) build on these modules:
  paths        where the repository, CLIs and provider binary are
  emulator     the moto-based AWS emulator: start, reset, boto3 clients,
               fault injection, call log
  cli          Tf: tofu/terraform in a working directory, Result
  hcl          configurations from Python values
  diagnostics  -json diagnostics, the attribute path they point at
  plugin       the provider binary as a go-plugin client starts it;
               grpc stubs generated from proto/
"""

from . import cli, diagnostics, emulator, hcl, paths, plugin  # noqa: F401
from .cli import Result, Tf  # noqa: F401
