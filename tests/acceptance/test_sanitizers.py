"""The sanitizer net itself (runs only with an ASan/UBSan build as the
provider under test, as `make testacc-sanitize` has it).

conftest.py points every provider process of a test at the test's
sanitizer/ directory and fails the test on any report there. That only
means something if a report really arrives: from a provider that the CLI
started (not the test), and from LeakSanitizer, which reports when the
process exits after the CLI's shutdown. A probe library preloaded into the
provider (it does nothing in a process without ASan, such as tofu) leaks one
block and overflows an int; the test expects both reports and then removes
them, so that only this test's deliberate reports are forgiven.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tbtest import hcl

PROBE_C = r"""
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *volatile tb_probe_sink;

__attribute__((noinline)) static void tb_probe_leak(void)
{
	tb_probe_sink = malloc(4242);
	tb_probe_sink = NULL;
}

/* Only in the provider: the CLI gets the library preloaded too. */
__attribute__((constructor)) static void tb_probe(void)
{
	volatile int big = INT_MAX;
	char exe[4096] = "";

	if (readlink("/proc/self/exe", exe, sizeof(exe) - 1) < 0 ||
	    strstr(exe, "terraform-provider-talentbase") == NULL)
		return;
	tb_probe_leak();
	tb_probe_sink = (void *)(long)(big + 1);
}
"""


@pytest.fixture
def probe(work_dir, provider_sanitized):
    if not provider_sanitized:
        pytest.skip("the provider under test is not a sanitizer build")
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        pytest.fail("no C compiler to build the probe library", pytrace=False)
    src = work_dir / "probe.c"
    src.write_text(PROBE_C)
    so = work_dir / "probe.so"
    subprocess.run([cc, "-shared", "-fPIC", "-O0", "-fsanitize=undefined", "-o", str(so),
                    str(src)], check=True)
    return so


def test_reports_of_a_provider_the_cli_started_are_collected(tf_factory, work_dir, probe):
    tf = tf_factory(cli="tofu", env={"LD_PRELOAD": str(probe)})
    tf.write(hcl.config(with_provider_block=False))
    tf.init().ok()
    tf.validate().ok()
    reports = sorted(p for p in (work_dir / "sanitizer").iterdir() if p.is_file())
    text = "\n".join(p.read_text(errors="replace") for p in reports)
    try:
        assert "ERROR: LeakSanitizer: detected memory leaks" in text, \
            f"no LeakSanitizer report at provider exit in {reports}:\n{text[:3000]}"
        assert "4242 byte(s)" in text and "tb_probe_leak" in text, text[:3000]
        assert "runtime error: signed integer overflow" in text, \
            f"no UBSan report in {reports}:\n{text[:3000]}"
    finally:
        for p in reports:
            p.unlink()
