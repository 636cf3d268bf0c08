"""talentbase_parameter against the emulator: the real CLIs create, read,
update, import and destroy SSM parameters; boto3 says what SSM holds.
Points 1-8 of shared/design/TESTING.md, and the values it refuses
(SecureString, credentials) with the message on the attribute.

    .venv/bin/python -m pytest tests/acceptance/test_parameter.py
"""

from __future__ import annotations

import re

from tbtest import secret as sec
from tbtest import service as svc

NAME = "/talentbase-dev/web/api-url"
ADDRESS = "talentbase_parameter.api_url"


def param(**changes) -> str:
    items = {"name": NAME, "value": "https://api.talentbase.example",
             "description": "API URL for the web application", "tags": {"Service": "web"}}
    items.update(changes)
    return sec.resource("api_url", "talentbase_parameter",
                        **{k: v for k, v in items.items() if v is not None})


def ssm_param(aws) -> dict | None:
    from botocore.exceptions import ClientError

    try:
        return aws("ssm").get_parameter(Name=NAME)["Parameter"]
    except ClientError as e:
        if e.response["Error"]["Code"] == "ParameterNotFound":
            return None
        raise


def ssm_meta(aws) -> dict:
    got = aws("ssm").describe_parameters(ParameterFilters=[
        {"Key": "Name", "Option": "Equals", "Values": [NAME]}])["Parameters"]
    assert len(got) == 1, got
    return got[0]


def ssm_tags(aws) -> dict:
    return {t["Key"]: t["Value"] for t in aws("ssm").list_tags_for_resource(
        ResourceType="Parameter", ResourceId=NAME)["TagList"]}


def test_create_update_and_no_perpetual_diff(tf, aws):
    """Create: value, type, description, tier and tags as configured,
    env_ref the parameter's ARN; a second plan is empty. An update of value,
    description and tags changes them in place with a new version."""
    tf.write(sec.config(param()))
    tf.init().ok()
    tf.apply().ok()
    p, v = ssm_param(aws), sec.values(tf, ADDRESS)
    assert (p["Value"], p["Type"]) == ("https://api.talentbase.example", "String")
    meta = ssm_meta(aws)
    assert meta.get("Description") == "API URL for the web application"
    assert meta.get("Tier") == "Standard"
    assert ssm_tags(aws) == {**sec.DEFAULT_TAGS, "Service": "web"}
    assert v["env_ref"] == v["arn"] == p["ARN"]
    assert v["arn"] == f"arn:aws:ssm:{sec.REGION}:{sec.ACCOUNT}:parameter/talentbase-dev/web/api-url"
    assert v["id"] == NAME and v["version"] == p["Version"] == 1
    tf.plan(detailed_exitcode=True).expect_rc(0)

    tf.write(sec.config(param(value="https://api.v2.talentbase.example",
                              description="API URL (v2)", tags={"Service": "web", "Team": "x"})))
    ch = svc.planned_changes(tf)[ADDRESS]
    assert ch.actions == ["update"] and not ch.replace_paths
    assert set(ch.changed()) == {"value", "description", "tags.Team", "tags_all.Team",
                                 "version"}, ch.changed()
    tf.apply().ok()
    p = ssm_param(aws)
    assert p["Value"] == "https://api.v2.talentbase.example" and p["Version"] == 2
    assert ssm_meta(aws)["Description"] == "API URL (v2)"
    assert ssm_tags(aws)["Team"] == "x"
    assert sec.values(tf, ADDRESS)["version"] == 2
    tf.plan(detailed_exitcode=True).expect_rc(0)


def test_drift_shows_on_the_attribute(tf, aws):
    tf.write(sec.config(param()))
    tf.init().ok()
    tf.apply().ok()
    aws("ssm").put_parameter(Name=NAME, Value="https://changed.example", Overwrite=True,
                             Type="String")
    aws("ssm").add_tags_to_resource(ResourceType="Parameter", ResourceId=NAME,
                                    Tags=[{"Key": "Service", "Value": "api"}])
    ch = svc.planned_changes(tf)[ADDRESS]
    changed = ch.changed()
    assert ch.actions == ["update"]
    assert changed["value"] == ("https://changed.example", "https://api.talentbase.example")
    assert changed["tags.Service"] == ("api", "web")
    tf.apply().ok()
    assert ssm_param(aws)["Value"] == "https://api.talentbase.example"
    assert ssm_tags(aws)["Service"] == "web"
    tf.plan(detailed_exitcode=True).expect_rc(0)


def test_import_by_name(tf, aws):
    aws("ssm").put_parameter(Name=NAME, Value="https://api.talentbase.example", Type="String",
                             Description="API URL for the web application",
                             Tags=[{"Key": "Project", "Value": "TalentBase"},
                                   {"Key": "ManagedBy", "Value": "Terraform"},
                                   {"Key": "Service", "Value": "web"}])
    tf.write(sec.config(param()))
    tf.init().ok()
    tf.import_(ADDRESS, NAME).ok()
    assert sec.values(tf, ADDRESS)["env_ref"] == ssm_param(aws)["ARN"]
    tf.plan(detailed_exitcode=True).expect_rc(0)


def test_deleted_out_of_band_is_created_again(tf, aws):
    tf.write(sec.config(param()))
    tf.init().ok()
    tf.apply().ok()
    aws("ssm").delete_parameter(Name=NAME)
    assert svc.planned_changes(tf)[ADDRESS].actions == ["create"]
    tf.apply().ok()
    assert ssm_param(aws) is not None
    tf.plan(detailed_exitcode=True).expect_rc(0)


def test_failure_after_put_is_in_the_state(tf, aws, moto):
    """PutParameter succeeds and reading it back fails: the diagnostic names
    the step, operation, code and request ID, the partial state records the
    parameter, and the next apply converges with one parameter in SSM."""
    tf.write(sec.config(param()))
    tf.init().ok()
    moto.inject_fault("GetParameters", code="AccessDeniedException", times=0)
    res = tf.apply(json=True).failed()
    res.assert_diagnostic(summary=re.compile(
        r'reading parameter for talentbase_parameter "/talentbase-dev/web/api-url": ssm '
        r"GetParameters: AccessDeniedException: .*\(request id [-0-9a-f]+\)"))
    assert ADDRESS in sec.addresses(tf), "the parameter that exists must be in the state"
    moto.clear_faults()
    tf.apply().ok()
    assert len(aws("ssm").describe_parameters()["Parameters"]) == 1
    tf.plan(detailed_exitcode=True).expect_rc(0)


def test_destroy_removes_it(tf, aws):
    tf.write(sec.config(param()))
    tf.init().ok()
    tf.apply().ok()
    tf.destroy().ok()
    assert ssm_param(aws) is None


def test_refused_values(tf, aws):
    """SecureString points at talentbase_secret; a credential-looking value
    is refused on value without being repeated; tier Advanced -> Standard
    replaces the parameter."""
    tf.write(sec.config(param(type="SecureString")))
    tf.init().ok()
    res = tf.plan(json=True).failed()
    d = res.assert_diagnostic(summary="SecureString belongs in talentbase_secret",
                              attribute="type")
    assert "talentbase_secret" in d.detail

    key = "sk_live_TbParameterCredential0001"
    tf.write(sec.config(param(value=key)))
    res = tf.plan(json=True).failed()
    d = res.assert_diagnostic(summary="The value looks like a credential", attribute="value")
    assert "Stripe live secret key" in d.detail and key not in d.detail

    tf.write(sec.config(param(tier="Advanced")))
    tf.apply().ok()
    assert ssm_meta(aws)["Tier"] == "Advanced"
    tf.write(sec.config(param(tier="Standard")))
    ch = svc.planned_changes(tf)[ADDRESS]
    assert ch.actions == ["delete", "create"], ch.actions
    tf.apply().ok()
    assert ssm_meta(aws)["Tier"] == "Standard"
