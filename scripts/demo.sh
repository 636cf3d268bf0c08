#!/usr/bin/env bash
# make demo: the provider against the bundled local AWS emulator.
# Starts the emulator on loopback, creates the platform objects an app team
# finds, applies examples/complete with an immutable image tag, shows two
# configurations the rules refuse at plan time, destroys, stops the emulator.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

step() { printf '\n==> %s\n' "$*"; }
# Prints the first diagnostic of rule $1 in file $2, up to its docs link.
show_rule() {
  awk -v id="$1" '$0 ~ "Error: " id { on = 1 } on { print "    " $0 } on && /docs\/guides\/rules.md/ { exit }' "$2"
}
py=$top/.venv/bin/python
tofu=$top/.tools/bin/tofu
version=$("$top/scripts/version.sh")
work=$(mktemp -d /tmp/talentbase-demo.XXXXXX)
emulator_pid=

cleanup() {
  if [ -n "$emulator_pid" ]; then
    kill "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
endpoint="http://127.0.0.1:$port"

step "starting the AWS emulator on $endpoint"
# The emulator runs no containers: it reports this many running tasks.
export MOTO_ECS_SERVICE_RUNNING=2
"$py" tests/acceptance/emulator/server.py --port "$port" >"$work/emulator.log" 2>&1 &
emulator_pid=$!
for _ in $(seq 1 100); do
  curl -fs "$endpoint/moto-api/" >/dev/null 2>&1 && break
  sleep 0.1
done

export AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo AWS_REGION=us-east-1
export AWS_ENDPOINT_URL=$endpoint AWS_EC2_METADATA_DISABLED=true
export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1

step "creating the shared platform: cluster, VPC, private subnets, security groups, ALB + listener, roles, secrets"
"$py" scripts/demo_platform.py --endpoint "$endpoint" >"$work/platform.auto.tfvars.json"
sed 's/^/    /' "$work/platform.auto.tfvars.json"

step "installing the provider into a filesystem mirror (the layout of a private registry)"
mirror=$work/mirror/registry.talentbase.internal/platform/talentbase/$version/linux_amd64
mkdir -p "$mirror"
cp build/terraform-provider-talentbase "$mirror/terraform-provider-talentbase_v$version"
cat >"$work/cli.tfrc" <<CFG
provider_installation {
  filesystem_mirror {
    path    = "$work/mirror"
    include = ["registry.talentbase.internal/*/*"]
  }
  direct {
    exclude = ["registry.talentbase.internal/*/*"]
  }
}
CFG
export TF_CLI_CONFIG_FILE=$work/cli.tfrc
cp examples/complete/*.tf "$work/"
cd "$work"

step "tofu init"
"$tofu" init -input=false -no-color | grep -E 'Installing|Installed|initialized' || true

tag="sha-$(git -C "$top" rev-parse --short=7 HEAD 2>/dev/null || echo 3f9c2e1)"
step "tofu apply -var image_tag=$tag"
"$tofu" apply -input=false -auto-approve -no-color -var "image_tag=$tag" | grep -E '^(talentbase_|Apply complete|Plan:)' || true

step "outputs"
"$tofu" output -no-color

step "second plan (expect no changes)"
"$tofu" plan -input=false -no-color -detailed-exitcode -var "image_tag=$tag" >"$work/plan2.txt" && echo "No changes." || {
  cat "$work/plan2.txt"; echo "demo: unexpected changes after apply" >&2; exit 1; }

step "refused at plan time: -var image_tag=latest"
if "$tofu" plan -input=false -no-color -var image_tag=latest >"$work/latest.txt" 2>&1; then
  echo "demo: image_tag=latest was not refused" >&2; exit 1
fi
show_rule TB001 "$work/latest.txt"

step "refused at plan time: a secret in plain environment"
if "$tofu" plan -input=false -no-color -var "image_tag=$tag" \
     -var 'extra_environment={"STRIPE_SECRET_KEY"="sk_live_51Habc"}' >"$work/secret.txt" 2>&1; then
  echo "demo: a secret in environment was not refused" >&2; exit 1
fi
show_rule TB002 "$work/secret.txt"
if grep -q 'sk_live_51Habc' "$work/secret.txt"; then
  echo "demo: the secret value leaked into the plan output" >&2; exit 1
fi

step "tofu destroy"
"$tofu" destroy -input=false -auto-approve -no-color -var "image_tag=$tag" | grep -E '^(Destroy complete)' || true

step "stopping the emulator"
echo "demo finished"
