"""Corrections to moto where it disagrees with real AWS.

The acceptance suite and `make demo` run the provider against moto. Where
moto behaves differently from AWS, the emulator is corrected here, never the
provider: nothing under provider/ may detect or special-case moto.

One function per gap, registered with ``@gap``. Its docstring says:

  * what moto does (and on which version it was observed),
  * what real AWS does,
  * the AWS documentation that says so (title and URL).

A patch changes moto's Python objects (backends, response classes) in the
server process; it runs once, before the server answers its first request.
Keep each one as narrow as the gap: a patch that changes more than the
documented behaviour hides provider bugs instead of exposing them.

``server.py`` calls ``apply_all()``; the acceptance tests check that every
registered patch applied (``applied()``) and that each has a docstring with
the three parts above (``missing_documentation()``).

Example of an entry (the shape, not a real gap)::

    @gap
    def ecs_create_service_keeps_grace_period():
        '''moto 5.2.5 CreateService drops healthCheckGracePeriodSeconds.

        Real AWS: CreateService stores it and DescribeServices returns it.

        AWS docs: Amazon ECS API Reference, CreateService,
        https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html
        '''
        from moto.ecs import models
        ...
"""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger("tb.emulator.patches")

# Every registered patch, in registration order.
PATCHES: list[Callable[[], None]] = []

_applied: list[str] = []


def gap(fn: Callable[[], None]) -> Callable[[], None]:
    """Registers ``fn`` as the correction of one moto gap."""
    if any(p.__name__ == fn.__name__ for p in PATCHES):
        raise ValueError(f"patch {fn.__name__} registered twice")
    PATCHES.append(fn)
    return fn


def apply_all() -> list[str]:
    """Applies every registered patch once; returns their names.

    A patch that raises stops the server: running against an emulator that
    is only partly corrected would make test results meaningless.
    """
    for fn in PATCHES:
        if fn.__name__ in _applied:
            continue
        fn()
        _applied.append(fn.__name__)
        log.info("applied emulator patch %s", fn.__name__)
    return list(_applied)


def applied() -> list[str]:
    """Names of the patches applied in this process."""
    return list(_applied)


def missing_documentation() -> list[str]:
    """Names of patches whose docstring lacks the real-AWS behaviour or a
    documentation URL."""
    bad = []
    for fn in PATCHES:
        doc = (fn.__doc__ or "").lower()
        if "real aws" not in doc or "https://docs.aws.amazon.com/" not in doc:
            bad.append(fn.__name__)
    return bad


# ---- gaps -------------------------------------------------------------------
# Add entries below, one function per gap, each decorated with @gap.


# ---- ECS services (talentbase_service) ---------------------------------------


@gap
def ecs_create_service_keeps_settings():
    """moto 5.2.5 CreateService drops deploymentConfiguration,
    capacityProviderStrategy, healthCheckGracePeriodSeconds and
    enableExecuteCommand: DescribeServices returns none of them (they appear
    only after an UpdateService sets them), and with a capacity provider
    strategy it still reports launchType EC2.

    Real AWS: CreateService stores all four and DescribeServices returns
    them (deploymentConfiguration with its deploymentCircuitBreaker); a
    service created with a capacityProviderStrategy has no launchType.

    AWS docs: Amazon ECS API Reference, CreateService (request parameters
    deploymentConfiguration, capacityProviderStrategy - "If a
    capacityProviderStrategy is specified, the launchType parameter must be
    omitted" - healthCheckGracePeriodSeconds, enableExecuteCommand) and
    Service (response shape),
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Service.html
    """
    from moto.ecs import responses

    kept = {
        "deploymentConfiguration": "deployment_configuration",
        "capacityProviderStrategy": "capacity_provider_strategy",
        "healthCheckGracePeriodSeconds": "health_check_grace_period_seconds",
        "enableExecuteCommand": "enable_execute_command",
    }
    original = responses.EC2ContainerServiceResponse.create_service

    def create_service(self):
        result = original(self)
        service = result.result["service"]
        for param, attr in kept.items():
            value = self._get_param(param)
            if value is not None:
                setattr(service, attr, value)
        if self._get_param("capacityProviderStrategy") and not self._get_param("launchType"):
            service.launch_type = None
            for d in service.deployments:
                d.pop("launchType", None)
                d["capacityProviderStrategy"] = self._get_param("capacityProviderStrategy")
        return result

    responses.EC2ContainerServiceResponse.create_service = create_service


@gap
def ecs_update_service_starts_a_deployment():
    """moto 5.2.5 UpdateService with a new taskDefinition only swaps the
    service's taskDefinition (stored as written, e.g. "family:3"): the
    deployments list keeps the old PRIMARY deployment with the old task
    definition, so a client waiting for the new revision's rollout never
    sees it.

    Real AWS: a new task definition (or forceNewDeployment) starts a new
    deployment with status PRIMARY and that task definition's full ARN; the
    previous PRIMARY becomes ACTIVE and is removed once the new deployment
    reaches its desired count (rolloutState COMPLETED). The service's
    taskDefinition is the full ARN. Here the new deployment's running count
    follows MOTO_ECS_SERVICE_RUNNING, exactly as moto does at CreateService.

    AWS docs: Amazon ECS API Reference, UpdateService ("If you update the
    task definition ... a new deployment is triggered") and Deployment
    (status PRIMARY / ACTIVE / INACTIVE, rolloutState),
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html
    """
    import os

    from moto.core.utils import utcnow
    from moto.ecs import models
    from moto.moto_api._internal import mock_random

    original = models.EC2ContainerServiceBackend.update_service

    def running_from_env(name: str) -> int:
        try:
            return max(int(os.environ.get(name, "0")), 0)
        except ValueError:
            return 0

    def update_service(self, service_properties):
        td = service_properties.get("task_definition")
        force = bool(service_properties.get("force_new_deployment"))
        service = original(self, service_properties)
        if not td and not force:
            return service
        if td:
            service.task_definition = self.describe_task_definition(td).arn
        deps = list(service.deployments)
        primary = next((d for d in deps if d.get("status") == "PRIMARY"), None)
        if primary is not None and primary.get("taskDefinition") == service.task_definition \
                and not force:
            return service
        running = running_from_env("MOTO_ECS_SERVICE_RUNNING")
        done = running >= service.desired_count
        dep_id = f"ecs-svc/{mock_random.randint(0, 32**12)}"
        now = utcnow()
        new = dict(primary or {})
        new.update({
            "id": dep_id, "status": "PRIMARY", "taskDefinition": service.task_definition,
            "createdAt": now, "updatedAt": now, "desiredCount": service.desired_count,
            "runningCount": running, "pendingCount": service.desired_count - running,
            "failedTasks": running_from_env("MOTO_ECS_SERVICE_FAILED_TASKS"),
            "rolloutState": "COMPLETED" if done else "IN_PROGRESS",
            "rolloutStateReason": f"ECS deployment {dep_id} "
                                  + ("completed." if done else "in progress."),
        })
        for d in deps:
            if d.get("status") == "PRIMARY":
                d["status"] = "ACTIVE"
        service.deployments = [new] + ([] if done else deps)
        return service

    models.EC2ContainerServiceBackend.update_service = update_service


# ---- Application Auto Scaling (talentbase_service) ------------------------------


@gap
def applicationautoscaling_tagging():
    """moto 5.2.5 Application Auto Scaling has no tagging: RegisterScalableTarget
    ignores Tags, and TagResource, UntagResource and ListTagsForResource are
    not implemented (HTTP 500).

    Real AWS: scalable targets are taggable. RegisterScalableTarget accepts
    Tags when it creates the target; TagResource / UntagResource change them
    by ResourceARN (the ScalableTargetARN); ListTagsForResource returns
    {"Tags": {key: value}}; an unknown ARN answers ResourceNotFoundException.

    AWS docs: Application Auto Scaling API Reference, RegisterScalableTarget
    (Tags), TagResource, UntagResource, ListTagsForResource, and "Tagging
    support for Application Auto Scaling",
    https://docs.aws.amazon.com/autoscaling/application/APIReference/API_TagResource.html
    https://docs.aws.amazon.com/autoscaling/application/APIReference/API_ListTagsForResource.html
    https://docs.aws.amazon.com/autoscaling/application/userguide/resource-tagging-support.html
    """
    import json

    from moto.applicationautoscaling import responses
    from moto.core.exceptions import JsonRESTError

    cls = responses.ApplicationAutoScalingResponse
    original_register = cls.register_scalable_target

    def target_by_arn(backend, arn):
        for by_id in backend.targets.values():
            for t in by_id.values():
                if t.arn == arn:
                    return t
        raise JsonRESTError("ResourceNotFoundException",
                            f"Scalable target with ARN {arn} not found.")

    def register_scalable_target(self):
        existed = any(self._get_param("ResourceId") in by_id
                      for by_id in self.applicationautoscaling_backend.targets.values())
        body = original_register(self)
        tags = self._get_param("Tags")
        if tags and not existed:
            arn = json.loads(body)["ScalableTargetARN"]
            target_by_arn(self.applicationautoscaling_backend, arn).tags = dict(tags)
        return body

    def tag_resource(self):
        t = target_by_arn(self.applicationautoscaling_backend, self._get_param("ResourceARN"))
        t.tags = {**getattr(t, "tags", {}), **(self._get_param("Tags") or {})}
        return "{}"

    def untag_resource(self):
        t = target_by_arn(self.applicationautoscaling_backend, self._get_param("ResourceARN"))
        drop = set(self._get_param("TagKeys") or [])
        t.tags = {k: v for k, v in getattr(t, "tags", {}).items() if k not in drop}
        return "{}"

    def list_tags_for_resource(self):
        t = target_by_arn(self.applicationautoscaling_backend, self._get_param("ResourceARN"))
        return json.dumps({"Tags": getattr(t, "tags", {})})

    cls.register_scalable_target = register_scalable_target
    cls.tag_resource = tag_resource
    cls.untag_resource = untag_resource
    cls.list_tags_for_resource = list_tags_for_resource


@gap
def applicationautoscaling_deregister_removes_policies():
    """moto 5.2.5 DeregisterScalableTarget removes only the target: its
    scaling policies and scheduled actions stay and keep being described.

    Real AWS: "Deregistering a scalable target deletes the scaling policies
    and the scheduled actions that are associated with it."

    AWS docs: Application Auto Scaling API Reference, DeregisterScalableTarget,
    https://docs.aws.amazon.com/autoscaling/application/APIReference/API_DeregisterScalableTarget.html
    """
    from moto.applicationautoscaling import models

    original = models.ApplicationAutoscalingBackend.deregister_scalable_target

    def deregister_scalable_target(self, namespace, r_id, dimension):
        original(self, namespace, r_id, dimension)

        def owned(x):
            return (x.service_namespace == namespace and x.resource_id == r_id
                    and x.scalable_dimension == dimension)

        for key, policy in list(self.policies.items()):
            if owned(policy):
                policy.delete_alarms(self.account_id, self.region_name)
                del self.policies[key]
        self.scheduled_actions = [a for a in self.scheduled_actions if not owned(a)]

    models.ApplicationAutoscalingBackend.deregister_scalable_target = deregister_scalable_target


# ---- Elastic Load Balancing v2 (talentbase_service) -----------------------------


@gap
def elbv2_create_target_group_is_idempotent():
    """moto 5.2.5 CreateTargetGroup answers DuplicateTargetGroupName whenever
    a target group of that name exists, even with identical settings.

    Real AWS: "This operation is idempotent, which means that it completes
    at most one time. If you attempt to create multiple target groups with
    the same settings, each call succeeds" (and returns the existing group);
    only a name reused with different settings is DuplicateTargetGroupName.

    AWS docs: Elastic Load Balancing API Reference (v2), CreateTargetGroup,
    https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html
    """
    from moto.elbv2 import models

    original = models.ELBv2Backend.create_target_group
    compared = {  # request argument -> FakeTargetGroup attribute
        "vpc_id": "vpc_id", "protocol": "protocol", "port": "port",
        "target_type": "target_type", "healthcheck_protocol": "health_check_protocol",
        "healthcheck_path": "health_check_path",
        "healthcheck_interval_seconds": "health_check_interval_seconds",
        "healthcheck_timeout_seconds": "health_check_timeout_seconds",
        "healthy_threshold_count": "healthy_threshold_count",
        "unhealthy_threshold_count": "unhealthy_threshold_count",
    }

    def same(tg, kwargs) -> bool:
        for arg, attr in compared.items():
            want = kwargs.get(arg)
            if want is not None and str(want) != str(getattr(tg, attr, None)):
                return False
        want_matcher = (kwargs.get("matcher") or {}).get("HttpCode")
        return want_matcher is None or want_matcher == (tg.matcher or {}).get("HttpCode")

    def create_target_group(self, name, **kwargs):
        for tg in self.target_groups.values():
            if tg.name == name and same(tg, kwargs):
                return tg
        return original(self, name, **kwargs)

    models.ELBv2Backend.create_target_group = create_target_group


@gap
def applicationautoscaling_missing_objects_are_object_not_found():
    """moto 5.2.5 answers DeregisterScalableTarget and DeleteScalingPolicy of
    an object that does not exist with ValidationException ("No scalable
    target found ..."), and DeleteScheduledAction of a missing action with
    success.

    Real AWS: all three answer ObjectNotFoundException ("The specified
    object could not be found") when the target, policy or scheduled action
    does not exist; ValidationException is for malformed requests.

    AWS docs: Application Auto Scaling API Reference, DeregisterScalableTarget,
    DeleteScalingPolicy and DeleteScheduledAction (Errors:
    ObjectNotFoundException),
    https://docs.aws.amazon.com/autoscaling/application/APIReference/API_DeregisterScalableTarget.html
    https://docs.aws.amazon.com/autoscaling/application/APIReference/API_DeleteScalingPolicy.html
    https://docs.aws.amazon.com/autoscaling/application/APIReference/API_DeleteScheduledAction.html
    """
    from moto.applicationautoscaling import models
    from moto.applicationautoscaling.exceptions import AWSValidationException
    from moto.core.exceptions import JsonRESTError

    backend = models.ApplicationAutoscalingBackend

    def not_found(message: str) -> JsonRESTError:
        return JsonRESTError("ObjectNotFoundException", message)

    def converting(original):
        def wrapper(self, *args, **kwargs):
            try:
                return original(self, *args, **kwargs)
            except AWSValidationException as e:
                if "found" not in str(e.message):
                    raise
                raise not_found(e.message) from None
        return wrapper

    backend.deregister_scalable_target = converting(backend.deregister_scalable_target)
    backend.delete_scaling_policy = converting(backend.delete_scaling_policy)
    original_delete_action = backend.delete_scheduled_action

    def delete_scheduled_action(self, service_namespace, scheduled_action_name, resource_id,
                                scalable_dimension):
        if not any(a.service_namespace == service_namespace
                   and a.scheduled_action_name == scheduled_action_name
                   and a.resource_id == resource_id
                   and a.scalable_dimension == scalable_dimension
                   for a in self.scheduled_actions):
            raise not_found(f"No scheduled action found for service namespace: "
                            f"{service_namespace}, resource ID: {resource_id}, scalable "
                            f"dimension: {scalable_dimension}, scheduled action name: "
                            f"{scheduled_action_name}")
        return original_delete_action(self, service_namespace, scheduled_action_name,
                                      resource_id, scalable_dimension)

    backend.delete_scheduled_action = delete_scheduled_action


# ---- batched describes (refresh economy) --------------------------------------


@gap
def logs_describe_log_groups_by_identifiers():
    """moto 5.2.5 DescribeLogGroups ignores logGroupIdentifiers: it answers
    every log group of the account (50 a page).

    Real AWS: with logGroupIdentifiers (up to 50 log group names, or ARNs in
    a monitoring account) the answer holds exactly those groups; it cannot
    be combined with logGroupNamePrefix or logGroupNamePattern.

    AWS docs: Amazon CloudWatch Logs API Reference, DescribeLogGroups
    (logGroupIdentifiers),
    https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeLogGroups.html
    """
    import json

    from moto.logs import responses

    original = responses.LogsResponse.describe_log_groups

    def describe_log_groups(self):
        wanted = self._get_param("logGroupIdentifiers")
        if not wanted:
            return original(self)
        names = {w.split(":log-group:", 1)[-1].rstrip(":*") for w in wanted}
        groups = [g.to_describe_dict() for name, g in sorted(self.logs_backend.groups.items())
                  if name in names]
        return json.dumps({"logGroups": groups})

    responses.LogsResponse.describe_log_groups = describe_log_groups


@gap
def applicationautoscaling_describe_scaling_policies_by_names():
    """moto 5.2.5 DescribeScalingPolicies ignores PolicyNames: it answers
    every policy of the namespace (or of ResourceId).

    Real AWS: PolicyNames (up to 50) narrows the answer to the policies of
    those names, across the namespace's resources unless ResourceId is also
    given.

    AWS docs: Application Auto Scaling API Reference, DescribeScalingPolicies
    (PolicyNames),
    https://docs.aws.amazon.com/autoscaling/application/APIReference/API_DescribeScalingPolicies.html
    """
    import json

    from moto.applicationautoscaling import responses

    original = responses.ApplicationAutoScalingResponse.describe_scaling_policies

    def describe_scaling_policies(self):
        names = self._get_param("PolicyNames")
        result = original(self)
        if not names:
            return result
        body = json.loads(result)
        body["ScalingPolicies"] = [p for p in body.get("ScalingPolicies", [])
                                   if p.get("PolicyName") in names]
        return json.dumps(body)

    responses.ApplicationAutoScalingResponse.describe_scaling_policies = \
        describe_scaling_policies


# ---- CloudWatch alarms (talentbase_alarm_set) ------------------------------------


def _cloudwatch_arns(backend) -> set[str]:
    """The ARNs of every taggable CloudWatch resource the backend holds."""
    return ({a.alarm_arn for a in backend.alarms.values()}
            | {r.rule_arn for r in backend.insight_rules.values()})


@gap
def cloudwatch_put_metric_alarm_ignores_tags_of_an_existing_alarm():
    """moto 5.2.5 PutMetricAlarm of an alarm that exists adds the request's
    Tags to the alarm's tags.

    Real AWS: "If you are using this operation to update an existing alarm,
    any tags you specify in this parameter are ignored. To change the tags of
    an existing alarm, use TagResource or UntagResource."

    AWS docs: Amazon CloudWatch API Reference, PutMetricAlarm (Tags),
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
    """
    from moto.cloudwatch import models

    original = models.CloudWatchBackend.put_metric_alarm

    def put_metric_alarm(self, *args, **kwargs):
        name = kwargs.get("name", args[0] if args else None)
        if name in self.alarms:
            kwargs["tags"] = None
        return original(self, *args, **kwargs)

    models.CloudWatchBackend.put_metric_alarm = put_metric_alarm


@gap
def cloudwatch_put_metric_alarm_takes_every_extended_statistic():
    """moto 5.2.5 PutMetricAlarm refuses any ExtendedStatistic that does not
    start with "p" (InvalidParameterValue), so a trimmed mean such as tm99
    cannot be put.

    Real AWS: "If you specify ExtendedStatistic, the following are valid
    values: p90, tm90, tc90, ts90, wm90, IQM, PR(n:m), TC(X%:X%),
    TM(X%:X%), TS(X%:X%), WM(X%:X%)".

    AWS docs: Amazon CloudWatch API Reference, PutMetricAlarm
    (ExtendedStatistic), and "CloudWatch statistics definitions",
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Statistics-definitions.html
    """
    import re

    from moto.cloudwatch import models

    valid = re.compile(r"^(p|tm|tc|ts|wm)\d+(\.\d+)?$|^IQM$|^(PR|TC|TM|TS|WM)\(.*:.*\)$")
    original = models.CloudWatchBackend.put_metric_alarm

    def put_metric_alarm(self, *args, **kwargs):
        stat = kwargs.get("extended_statistic")
        if not stat or stat.startswith("p") or not valid.match(stat):
            return original(self, *args, **kwargs)
        alarm = original(self, *args, **{**kwargs, "extended_statistic": "p50"})
        alarm.extended_statistic = stat
        return alarm

    models.CloudWatchBackend.put_metric_alarm = put_metric_alarm


@gap
def cloudwatch_delete_alarms_deletes_their_tags():
    """moto 5.2.5 DeleteAlarms removes the alarms but keeps their tags: an
    alarm created again under the same name (the same ARN) comes back with
    the old alarm's tags.

    Real AWS: deleting an alarm deletes it with its tags; a new alarm has
    only the tags it is created with (PutMetricAlarm Tags) or given later
    (TagResource).

    AWS docs: Amazon CloudWatch API Reference, DeleteAlarms and PutMetricAlarm
    (Tags: "Tags can help you organize and categorize your resources"),
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DeleteAlarms.html
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
    """
    from moto.cloudwatch import models

    original = models.CloudWatchBackend.delete_alarms

    def delete_alarms(self, alarm_names):
        arns = [self.alarms[n].alarm_arn for n in alarm_names if n in self.alarms]
        original(self, alarm_names)
        for arn in arns:
            self.tagger.delete_all_tags_for_resource(arn)

    models.CloudWatchBackend.delete_alarms = delete_alarms


@gap
def cloudwatch_tagging_knows_alarms_without_tags():
    """moto 5.2.5 UntagResource of an alarm that has no tags answers
    ResourceNotFoundException, and ListTagsForResource of an ARN that names
    no alarm answers an empty list.

    Real AWS: both act on the alarm (or Contributor Insights rule) the ARN
    names, whether or not it has tags; an ARN that names none is
    ResourceNotFoundException ("The named resource does not exist").

    AWS docs: Amazon CloudWatch API Reference, UntagResource and
    ListTagsForResource (Errors),
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_UntagResource.html
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_ListTagsForResource.html
    """
    from moto.cloudwatch import models
    from moto.cloudwatch.exceptions import ResourceNotFoundException

    def untag_resource(self, arn, tag_keys):
        if arn not in _cloudwatch_arns(self):
            raise ResourceNotFoundException
        self.tagger.untag_resource_using_names(arn, tag_keys)

    def list_tags_for_resource(self, arn):
        if arn not in _cloudwatch_arns(self):
            raise ResourceNotFoundException
        return self.tagger.get_tag_dict_for_resource(arn)

    models.CloudWatchBackend.untag_resource = untag_resource
    models.CloudWatchBackend.list_tags_for_resource = list_tags_for_resource
# ---- Secrets Manager (talentbase_secret) ---------------------------------------------


@gap
def secretsmanager_create_secret_on_a_name_scheduled_for_deletion():
    """moto 5.2.5 CreateSecret with the name of a secret that is scheduled for
    deletion answers ResourceExistsException ("... already exists"), as for
    an active secret.

    Real AWS: the name stays taken until the recovery window ends, and
    CreateSecret answers InvalidRequestException ("You can't create this
    secret because a secret with this name is already scheduled for
    deletion."); RestoreSecret cancels the deletion.

    AWS docs: AWS Secrets Manager API Reference, CreateSecret (Errors:
    InvalidRequestException, "A parameter value is not valid for the current
    state of the resource") and DeleteSecret ("At any time before recovery
    window ends, you can use RestoreSecret to remove the DeletionDate and
    cancel the deletion of the secret"),
    https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html
    https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DeleteSecret.html
    """
    from moto.secretsmanager import models
    from moto.secretsmanager.exceptions import InvalidRequestException

    original = models.SecretsManagerBackend.create_secret

    def create_secret(self, name, *args, **kwargs):
        existing = self.secrets.get(name)
        if existing is not None and existing.is_deleted():
            raise InvalidRequestException(
                "You can't create this secret because a secret with this name is already "
                "scheduled for deletion.")
        return original(self, name, *args, **kwargs)

    models.SecretsManagerBackend.create_secret = create_secret


@gap
def secretsmanager_rotation_rules_and_functions():
    """moto 5.2.5 RotateSecret keeps only RotationRules.AutomaticallyAfterDays:
    a ScheduleExpression (and Duration) is dropped, DescribeSecret then
    reports AutomaticallyAfterDays 0 and RotationEnabled false. With
    RotateImmediately false it leaves an AWSPENDING version holding the
    value the secret was created with. Without a RotationLambdaARN on a
    secret no service manages, it moves AWSCURRENT to a new version without
    a value (or with that stale creation value). It invokes rotation
    functions in Docker containers, which this emulator does not have.

    Real AWS: RotationRules (AutomaticallyAfterDays, Duration,
    ScheduleExpression) are stored as given and DescribeSecret returns them
    with RotationEnabled true. With RotateImmediately false, Secrets
    Manager runs the function's testSecret step, which "creates an
    AWSPENDING version of the secret and then removes it". RotateSecret
    without a function ARN on a secret that no service manages and that has
    no function yet is an InvalidRequestException ("You tried to enable
    rotation on a secret that doesn't already have a Lambda function ARN
    configured and you didn't include such an ARN as a parameter in this
    call"). Here rotation functions run in moto's Docker-less Lambda
    backend, whose invocations succeed (a rotation function that works).

    AWS docs: AWS Secrets Manager API Reference, RotateSecret
    (RotateImmediately, RotationRules, Errors) and RotationRulesType,
    https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotateSecret.html
    https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotationRulesType.html
    """
    from moto.core.config import default_user_config
    from moto.secretsmanager import models
    from moto.secretsmanager.exceptions import InvalidRequestException

    default_user_config["lambda"] = {**default_user_config.get("lambda", {}),
                                     "use_docker": False}
    original_rotate = models.SecretsManagerBackend.rotate_secret
    original_to_dict = models.FakeSecret.to_dict

    def rotate_secret(self, secret_id, client_request_token=None, rotation_lambda_arn=None,
                      rotation_rules=None, rotate_immediately=True):
        secret = self.secrets.get(secret_id)
        if (isinstance(secret, models.FakeSecret) and not rotation_lambda_arn
                and not secret.rotation_lambda_arn and secret.owning_service is None):
            raise InvalidRequestException(
                "You tried to enable rotation on a secret that doesn't already have a Lambda "
                "function ARN configured and you didn't include such an ARN as a parameter "
                "in this call.")
        rules = dict(rotation_rules or {})
        days = {k: v for k, v in rules.items() if k == "AutomaticallyAfterDays"}
        before = set(secret.versions) if secret is not None else set()
        result = original_rotate(self, secret_id, client_request_token, rotation_lambda_arn,
                                 days or None, rotate_immediately)
        secret = self.secrets[secret_id]
        if rules:
            secret.tb_rotation_rules = rules
            secret.rotation_enabled = True
        if not rotate_immediately and secret.rotation_lambda_arn:
            for vid in set(secret.versions) - before:
                if secret.versions[vid].get("version_stages") == ["AWSPENDING"]:
                    del secret.versions[vid]
        return result

    def to_dict(self):
        dct = original_to_dict(self)
        rules = getattr(self, "tb_rotation_rules", None)
        if self.rotation_requested and rules:
            dct["RotationRules"] = dict(rules)
        return dct

    models.SecretsManagerBackend.rotate_secret = rotate_secret
    models.FakeSecret.to_dict = to_dict


@gap
def secretsmanager_block_public_policy():
    """moto 5.2.5 PutResourcePolicy ignores BlockPublicPolicy: a policy that
    lets anyone (Principal "*") read the secret is stored.

    Real AWS: with BlockPublicPolicy true, a resource policy that allows
    broad access to the secret ("for example those that use a wildcard for
    the principal") is refused with PublicPolicyException ("The
    BlockPublicPolicy parameter is set to true, and the resource policy did
    not prevent broad access to the secret."). Here: an Allow statement
    whose principal is "*" (or AWS "*") without a Condition.

    AWS docs: AWS Secrets Manager API Reference, PutResourcePolicy
    (BlockPublicPolicy, Errors: PublicPolicyException),
    https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutResourcePolicy.html
    """
    import json

    from moto.core.exceptions import JsonRESTError
    from moto.secretsmanager import responses

    original = responses.SecretsManagerResponse.put_resource_policy

    def public(statement) -> bool:
        principal = statement.get("Principal")
        if isinstance(principal, dict):
            principal = principal.get("AWS")
        wildcard = principal == "*" or (isinstance(principal, list) and "*" in principal)
        return statement.get("Effect") == "Allow" and wildcard and not statement.get("Condition")

    def put_resource_policy(self):
        if self._get_param("BlockPublicPolicy"):
            try:
                doc = json.loads(self._get_param("ResourcePolicy") or "{}")
            except ValueError:
                doc = {}
            statements = doc.get("Statement", []) if isinstance(doc, dict) else []
            if isinstance(statements, dict):
                statements = [statements]
            if any(isinstance(s, dict) and public(s) for s in statements):
                raise JsonRESTError(
                    "PublicPolicyException",
                    "The BlockPublicPolicy parameter is set to true, and the resource policy "
                    "did not prevent broad access to the secret.")
        return original(self)

    responses.SecretsManagerResponse.put_resource_policy = put_resource_policy
# ---- RDS Proxy (talentbase_database_proxy) ----------------------------------------
# Observed on moto 5.2.5. Switches for tests, set with moto.set_env():
#   MOTO_RDS_PROXY_CREATING_POLLS=N    a new proxy or proxy endpoint reports
#                                      "creating" to its first N reads
#   MOTO_RDS_PROXY_TARGET_HEALTH=STATE[:REASON[:DESCRIPTION]]
#                                      every proxy target reports this health

_ENGINE_PORTS = {"MYSQL": 3306, "POSTGRESQL": 5432, "SQLSERVER": 1433}


def _rds_error(code: str, message: str):
    from moto.rds.exceptions import RDSClientError
    return RDSClientError(code, message)


def _proxy_of(backend, name):
    """The proxy called name, or DBProxyNotFoundFault."""
    proxy = backend.db_proxies.get(name) if name else None
    if proxy is None:
        from moto.rds.exceptions import DBProxyNotFoundFault
        raise DBProxyNotFoundFault(name)
    return proxy


def _creating_polls() -> int:
    import os
    try:
        return max(int(os.environ.get("MOTO_RDS_PROXY_CREATING_POLLS", "0")), 0)
    except ValueError:
        return 0


def _still_creating(obj) -> bool:
    return getattr(obj, "_tb_creating", 0) > 0


def _require_available(proxy) -> None:
    if _still_creating(proxy):
        raise _rds_error("InvalidDBProxyStateFault",
                         f"DBProxy {proxy.db_proxy_name} is not in available state: creating")


def _proxy_endpoints(backend) -> dict:
    """The proxy endpoints of one RDS backend (a reset makes new backends)."""
    return backend.__dict__.setdefault("tb_proxy_endpoints", {})


@gap
def rds_missing_proxy_is_not_found():
    """moto 5.2.5 answers HTTP 500 (a KeyError in the backend) when
    RegisterDBProxyTargets, DeregisterDBProxyTargets, DescribeDBProxyTargets,
    DescribeDBProxyTargetGroups, ModifyDBProxyTargetGroup or DeleteDBProxy
    name a proxy that does not exist (DescribeDBProxies alone answers
    DBProxyNotFoundFault).

    Real AWS: each of these operations answers DBProxyNotFoundFault (HTTP
    404) for an unknown DBProxyName.

    AWS docs: Amazon RDS API Reference, Errors of DeleteDBProxy,
    DescribeDBProxyTargets, DescribeDBProxyTargetGroups,
    ModifyDBProxyTargetGroup, RegisterDBProxyTargets, DeregisterDBProxyTargets,
    https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBProxy.html
    https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBProxyTargets.html
    https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RegisterDBProxyTargets.html
    """
    from moto.rds import models

    backend = models.RDSBackend

    def guarded(original, arg):
        def wrapper(self, *args, **kwargs):
            _proxy_of(self, kwargs[arg] if arg in kwargs else (args[0] if args else None))
            return original(self, *args, **kwargs)
        return wrapper

    for name, arg in (("register_db_proxy_targets", "db_proxy_name"),
                      ("deregister_db_proxy_targets", "db_proxy_name"),
                      ("describe_db_proxy_targets", "proxy_name"),
                      ("describe_db_proxy_target_groups", "proxy_name"),
                      ("modify_db_proxy_target_group", "proxy_name"),
                      ("delete_db_proxy", "proxy_name")):
        setattr(backend, name, guarded(getattr(backend, name), arg))


@gap
def rds_proxy_passes_through_creating():
    """moto 5.2.5 creates an RDS Proxy with Status "available" at once, so
    no client ever waits for one; the operations that need an available
    proxy accept a proxy in any state.

    Real AWS: CreateDBProxy answers with Status "creating"; the proxy
    becomes "available" after some minutes (a new proxy endpoint likewise).
    While a proxy is not available, RegisterDBProxyTargets,
    ModifyDBProxyTargetGroup, ModifyDBProxy and CreateDBProxyEndpoint answer
    InvalidDBProxyStateFault. Here MOTO_RDS_PROXY_CREATING_POLLS=N makes a
    new proxy (and proxy endpoint) report "creating" to its first N reads
    (0, the default: available at once, as before).

    AWS docs: Amazon RDS API Reference, DBProxy (Status: available |
    modifying | incompatible-network | insufficient-resource-limits |
    creating | deleting | suspended | suspending | reactivating) and the
    InvalidDBProxyStateFault errors of RegisterDBProxyTargets and
    ModifyDBProxyTargetGroup,
    https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBProxy.html
    https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RegisterDBProxyTargets.html
    https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBProxyTargetGroup.html
    """
    from moto.rds import models

    original_init = models.DBProxy.__init__

    def init(self, *args, **kwargs):
        self._tb_creating = _creating_polls()
        original_init(self, *args, **kwargs)

    def get_status(self):
        if _still_creating(self):
            self._tb_creating -= 1
            return "creating"
        return self._tb_status

    def set_status(self, value):
        self._tb_status = value

    models.DBProxy.__init__ = init
    models.DBProxy.status = property(get_status, set_status)

    backend = models.RDSBackend

    def requiring_available(original, arg):
        def wrapper(self, *args, **kwargs):
            _require_available(_proxy_of(self, kwargs[arg] if arg in kwargs else args[0]))
            return original(self, *args, **kwargs)
        return wrapper

    backend.register_db_proxy_targets = requiring_available(
        backend.register_db_proxy_targets, "db_proxy_name")
    backend.modify_db_proxy_target_group = requiring_available(
        backend.modify_db_proxy_target_group, "proxy_name")


@gap
def rds_modify_db_proxy():
    """moto 5.2.5 has no ModifyDBProxy (HTTP 500: not implemented).

    Real AWS: ModifyDBProxy changes a proxy in place: Auth (the whole list
    is replaced), RequireTLS, IdleClientTimeout, DebugLogging, RoleArn and
    SecurityGroups (the proxy's VPC security groups), and answers the
    DBProxy; an unknown name is DBProxyNotFoundFault, a proxy that is not
    available InvalidDBProxyStateFault. (NewDBProxyName, a rename, is not
    emulated here and is refused.)

    AWS docs: Amazon RDS API Reference, ModifyDBProxy,
    https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBProxy.html
    """
    from moto.core.responses import ActionResult
    from moto.core.utils import utcnow
    from moto.rds import responses

    fields = {"Auth": "auth", "RequireTLS": "require_tls",
              "IdleClientTimeout": "idle_client_timeout", "DebugLogging": "debug_logging",
              "RoleArn": "role_arn"}

    def modify_db_proxy(self):
        params = self.params
        proxy = _proxy_of(self.backend, params.get("DBProxyName"))
        if params.get("NewDBProxyName"):
            raise _rds_error("InvalidParameterValue",
                             "NewDBProxyName is not supported by the test emulator")
        _require_available(proxy)
        for param, attr in fields.items():
            if param in params:
                setattr(proxy, attr, params[param])
        if "SecurityGroups" in params:
            proxy.vpc_security_group_ids = list(params["SecurityGroups"] or [])
        proxy.updated_date = utcnow()
        return ActionResult({"DBProxy": proxy})

    responses.RDSResponse.modify_db_proxy = modify_db_proxy


@gap
def rds_proxy_endpoints():
    """moto 5.2.5 has no proxy endpoints: CreateDBProxyEndpoint,
    DescribeDBProxyEndpoints, ModifyDBProxyEndpoint and DeleteDBProxyEndpoint
    answer HTTP 500 (not implemented).

    Real AWS: CreateDBProxyEndpoint adds an endpoint to a proxy
    (DBProxyEndpointName, VpcSubnetIds, VpcSecurityGroupIds - the proxy's VPC
    default group when left out - TargetRole READ_WRITE or READ_ONLY, Tags)
    and answers the DBProxyEndpoint with Status "creating", its Endpoint
    host name and DBProxyEndpointArn; DescribeDBProxyEndpoints lists a
    proxy's endpoints, the default one (IsDefault, READ_WRITE) included;
    ModifyDBProxyEndpoint changes VpcSecurityGroupIds (or the name);
    DeleteDBProxyEndpoint deletes one (the default endpoint cannot be
    deleted), and "when you delete a proxy, RDS Proxy automatically deletes
    all the associated endpoints". Endpoints are taggable by their ARN
    (AddTagsToResource, ListTagsForResource). Errors:
    DBProxyEndpointNotFoundFault (404), DBProxyEndpointAlreadyExistsFault,
    InvalidDBProxyEndpointStateFault, and for the proxy DBProxyNotFoundFault
    and InvalidDBProxyStateFault.

    AWS docs: Amazon RDS API Reference, CreateDBProxyEndpoint,
    DescribeDBProxyEndpoints, ModifyDBProxyEndpoint, DeleteDBProxyEndpoint,
    DBProxyEndpoint; Amazon RDS User Guide, Deleting a proxy endpoint,
    https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBProxyEndpoint.html
    https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBProxyEndpoints.html
    https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBProxyEndpoint.html
    https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBProxyEndpoint.html
    https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-endpoints.DeletingEndpoint.html
    """
    from moto.core.responses import ActionResult
    from moto.core.utils import utcnow
    from moto.moto_api._internal import mock_random as random
    from moto.rds import models, responses

    class ProxyEndpoint(models.RDSBaseModel):
        __module__ = "moto.rds.models"  # moto files models by their module's service
        resource_type = "db-proxy-endpoint"

        def __init__(self, backend, proxy, name, subnets, groups, role, tags):
            super().__init__(backend)
            self.db_proxy_endpoint_name = name
            self.db_proxy_name = proxy.db_proxy_name
            self.vpc_id = proxy.vpc_id
            self.vpc_subnet_ids = list(subnets)
            self.vpc_security_group_ids = list(groups or proxy.vpc_security_group_ids)
            self.target_role = role or "READ_WRITE"
            self.is_default = False
            self.created_date = utcnow()
            self.unique_id = f"prx-endpoint-{random.get_random_string(17, lower_case=True)}"
            self.endpoint = (f"{name}.endpoint.proxy-{proxy.url_identifier}."
                             f"{backend.region_name}.rds.amazonaws.com")
            self.tags = tags or []
            self._tb_creating = _creating_polls()
            self._tb_status = "available"

        @property
        def resource_id(self):
            return self.unique_id

        @property
        def db_proxy_endpoint_arn(self):
            return self.arn

        @property
        def status(self):
            if _still_creating(self):
                self._tb_creating -= 1
                return "creating"
            return self._tb_status

    def default_endpoint(proxy) -> dict:
        return {"DBProxyEndpointName": "default", "DBProxyName": proxy.db_proxy_name,
                "Status": proxy.status, "VpcId": proxy.vpc_id,
                "VpcSecurityGroupIds": list(proxy.vpc_security_group_ids),
                "VpcSubnetIds": list(proxy.vpc_subnet_ids), "Endpoint": proxy.endpoint,
                "CreatedDate": proxy.created_date, "TargetRole": "READ_WRITE",
                "IsDefault": True}

    def endpoint_of(backend, name):
        ep = _proxy_endpoints(backend).get(name)
        if ep is None:
            raise _rds_error("DBProxyEndpointNotFoundFault",
                             f"The DB proxy endpoint {name} doesn't exist.")
        return ep

    def create_db_proxy_endpoint(self):
        p = self.params
        proxy = _proxy_of(self.backend, p.get("DBProxyName"))
        _require_available(proxy)
        name = p["DBProxyEndpointName"]
        if name in _proxy_endpoints(self.backend) or name == "default":
            raise _rds_error("DBProxyEndpointAlreadyExistsFault",
                             f"The DB proxy endpoint {name} already exists.")
        ep = ProxyEndpoint(self.backend, proxy, name, p.get("VpcSubnetIds") or [],
                           p.get("VpcSecurityGroupIds"), p.get("TargetRole"),
                           p.get("Tags"))
        _proxy_endpoints(self.backend)[name] = ep
        return ActionResult({"DBProxyEndpoint": ep})

    def describe_db_proxy_endpoints(self):
        p = self.params
        proxy_name, name = p.get("DBProxyName"), p.get("DBProxyEndpointName")
        found = list(_proxy_endpoints(self.backend).values())
        if proxy_name:
            proxy = _proxy_of(self.backend, proxy_name)
            found = [default_endpoint(proxy)] + [e for e in found
                                                 if e.db_proxy_name == proxy_name]
        if name:
            found = [e for e in found if (e["DBProxyEndpointName"] if isinstance(e, dict)
                                          else e.db_proxy_endpoint_name) == name]
            if not found:
                endpoint_of(self.backend, name)
        return ActionResult({"DBProxyEndpoints": found})

    def modify_db_proxy_endpoint(self):
        p = self.params
        ep = endpoint_of(self.backend, p["DBProxyEndpointName"])
        if "VpcSecurityGroupIds" in p:
            ep.vpc_security_group_ids = list(p["VpcSecurityGroupIds"] or [])
        new = p.get("NewDBProxyEndpointName")
        if new and new != ep.db_proxy_endpoint_name:
            eps = _proxy_endpoints(self.backend)
            eps[new] = eps.pop(ep.db_proxy_endpoint_name)
            ep.db_proxy_endpoint_name = new
        return ActionResult({"DBProxyEndpoint": ep})

    def delete_db_proxy_endpoint(self):
        name = self.params["DBProxyEndpointName"]
        if name == "default":
            raise _rds_error("InvalidDBProxyEndpointStateFault",
                             "The default DB proxy endpoint can't be deleted.")
        ep = endpoint_of(self.backend, name)
        del _proxy_endpoints(self.backend)[name]
        ep._tb_creating, ep._tb_status = 0, "deleting"
        return ActionResult({"DBProxyEndpoint": ep})

    for fn in (create_db_proxy_endpoint, describe_db_proxy_endpoints, modify_db_proxy_endpoint,
               delete_db_proxy_endpoint):
        setattr(responses.RDSResponse, fn.__name__, fn)

    backend = models.RDSBackend
    original_delete = backend.delete_db_proxy

    def delete_db_proxy(self, proxy_name):
        proxy = original_delete(self, proxy_name=proxy_name)
        proxy._tb_creating, proxy.status = 0, "deleting"
        eps = _proxy_endpoints(self)
        for name in [n for n, e in eps.items() if e.db_proxy_name == proxy_name]:
            del eps[name]
        return proxy

    backend.delete_db_proxy = delete_db_proxy
    original_tagged = backend._get_resource_for_tagging

    def get_resource_for_tagging(self, arn):
        if ":db-proxy-endpoint:" not in arn:
            return original_tagged(self, arn)
        for ep in _proxy_endpoints(self).values():
            if ep.arn == arn:
                return ep
        raise _rds_error("DBProxyEndpointNotFoundFault", f"The DB proxy endpoint {arn} "
                                                         "doesn't exist.")

    backend._get_resource_for_tagging = get_resource_for_tagging


@gap
def rds_register_db_proxy_targets_checks_the_database():
    """moto 5.2.5 RegisterDBProxyTargets registers whatever it is given: an
    unknown DB instance is accepted, an unknown DB cluster is HTTP 500, the
    database's state is not looked at, registering twice adds a second
    target; every target reports Port 5432 whatever the engine, and no
    TargetArn or Role. DeregisterDBProxyTargets of a target that is not
    registered succeeds silently.

    Real AWS: an unknown cluster is DBClusterNotFoundFault, an unknown
    instance DBInstanceNotFoundFault (code DBInstanceNotFound); a database
    that is not available is InvalidDBClusterStateFault /
    InvalidDBInstanceStateFault (code InvalidDBInstanceState: "DB Instance
    ... is in an unsupported state - CREATING, needs to be in [AVAILABLE,
    MODIFYING, BACKING_UP]"); a database already registered is
    DBProxyTargetAlreadyRegisteredFault. A target reports the port of the
    database (the engine family's: 3306, 5432, 1433), its TargetArn and its
    Role (READ_WRITE for a writer). A registered cluster is tracked: its DB
    instances are listed as RDS_INSTANCE targets with TrackedClusterId.
    Deregistering a target that is not registered is
    DBProxyTargetNotFoundFault.

    AWS docs: Amazon RDS API Reference, RegisterDBProxyTargets (Errors),
    DeregisterDBProxyTargets (Errors), DBProxyTarget, and the AWS CLI
    reference's describe-db-proxy-targets example,
    https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RegisterDBProxyTargets.html
    https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeregisterDBProxyTargets.html
    https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBProxyTarget.html
    https://docs.aws.amazon.com/cli/latest/reference/rds/describe-db-proxy-targets.html
    """
    from moto.rds import models

    backend = models.RDSBackend
    usable = ("available", "modifying", "backing-up")
    original_register = backend.register_db_proxy_targets
    original_deregister = backend.deregister_db_proxy_targets

    def check_cluster(self, cid):
        cluster = self.clusters.get(cid)
        if cluster is None:
            raise _rds_error("DBClusterNotFoundFault", f"DBCluster {cid} not found.")
        state = getattr(cluster, "_status", "available")
        if state not in usable:
            raise _rds_error("InvalidDBClusterStateFault",
                             f"DB Cluster {cid} is in an unsupported state - {state.upper()}, "
                             "needs to be in [AVAILABLE, MODIFYING, BACKING_UP]")
        return cluster

    def check_instance(self, iid):
        db = self.databases.get(iid)
        if db is None:
            raise _rds_error("DBInstanceNotFoundFault", f"DBInstance {iid} not found.")
        if db.status not in usable:
            raise _rds_error("InvalidDBInstanceStateFault",
                             f"DB Instance {iid} is in an unsupported state - "
                             f"{db.status.upper()}, needs to be in [AVAILABLE, MODIFYING, "
                             "BACKING_UP]")
        return db

    def member_targets(self, cluster, port):
        out = []
        for member in cluster.members:
            t = models.DBProxyTarget(backend=self, resource_id=member.db_instance_identifier,
                                     endpoint=getattr(member, "address", None),
                                     type="RDS_INSTANCE")
            t.port, t.target_arn = port, member.arn
            t.tracked_cluster_id = cluster.db_cluster_identifier
            t.role = "READ_WRITE" if member.is_cluster_writer else "READ_ONLY"
            out.append(t)
        return out

    def register(self, db_proxy_name, target_group_name, db_cluster_identifiers,
                 db_instance_identifiers):
        proxy = _proxy_of(self, db_proxy_name)
        group = proxy.proxy_target_groups[target_group_name or "default"]
        registered = {t.rds_resource_id for t in group.targets}
        clusters = {cid: check_cluster(self, cid) for cid in db_cluster_identifiers}
        dbs = {iid: check_instance(self, iid) for iid in db_instance_identifiers}
        for rid in list(clusters) + list(dbs):
            if rid in registered:
                raise _rds_error("DBProxyTargetAlreadyRegisteredFault",
                                 f"{rid} is already registered with the target group.")
        targets = original_register(self, db_proxy_name, target_group_name,
                                    db_cluster_identifiers, db_instance_identifiers)
        port = _ENGINE_PORTS.get(proxy.engine_family, 5432)
        for t in targets:
            source = clusters.get(t.rds_resource_id) or dbs.get(t.rds_resource_id)
            t.port, t.target_arn, t.role = port, source.arn, "READ_WRITE"
            t.tracked_cluster_id = None
        for cluster in clusters.values():
            members = member_targets(self, cluster, port)
            group.targets.extend(members)
            targets = targets + members
        return targets

    def deregister(self, db_proxy_name, target_group_name, db_cluster_identifiers,
                   db_instance_identifiers):
        group = _proxy_of(self, db_proxy_name).proxy_target_groups[target_group_name or
                                                                   "default"]
        registered = {t.rds_resource_id for t in group.targets}
        for rid in list(db_cluster_identifiers) + list(db_instance_identifiers):
            if rid not in registered:
                raise _rds_error("DBProxyTargetNotFoundFault",
                                 f"{rid} is not registered with the target group.")
        original_deregister(self, db_proxy_name, target_group_name, db_cluster_identifiers,
                            db_instance_identifiers)
        group.targets = [t for t in group.targets
                         if getattr(t, "tracked_cluster_id", None) not in db_cluster_identifiers]

    backend.register_db_proxy_targets = register
    backend.deregister_db_proxy_targets = deregister


@gap
def rds_proxy_target_health_is_controllable():
    """moto 5.2.5 proxy targets report TargetHealth REGISTERING at their first
    read and AVAILABLE ever after: the UNAVAILABLE health a real proxy
    reports for a database it cannot use never appears.

    Real AWS: a target goes through REGISTERING, UNAVAILABLE and AVAILABLE
    ("registering > unavailable > available > unavailable > available");
    UNAVAILABLE comes with a Reason (UNREACHABLE, CONNECTION_FAILED,
    AUTH_FAILURE, PENDING_PROXY_CAPACITY, INVALID_REPLICATION_STATE,
    PROMOTED) and a Description. Here MOTO_RDS_PROXY_TARGET_HEALTH=
    STATE[:REASON[:DESCRIPTION]] (e.g. "UNAVAILABLE:CONNECTION_FAILED:Database
    connection failed") makes every target report that health; unset, moto's
    REGISTERING-then-AVAILABLE stays.

    AWS docs: Amazon RDS API Reference, TargetHealth,
    https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_TargetHealth.html
    """
    import os

    from moto.rds import models

    original = models.DBProxyTarget.target_health

    def target_health(self):
        forced = os.environ.get("MOTO_RDS_PROXY_TARGET_HEALTH")
        if not forced:
            return original.fget(self)
        parts = forced.split(":", 2)
        health = {"State": parts[0]}
        if len(parts) > 1 and parts[1]:
            health["Reason"] = parts[1]
        if len(parts) > 2 and parts[2] and parts[0] != "AVAILABLE":
            health["Description"] = parts[2]
        return health

    models.DBProxyTarget.target_health = property(target_health)


@gap
def rds_proxy_target_group_keeps_the_pool():
    """moto 5.2.5 ModifyDBProxyTargetGroup drops InitQuery (it is never
    stored nor described), replaces MaxIdleConnectionsPercent = 0 by half of
    MaxConnectionsPercent, and keeps the session pinning filters when they
    are set to an empty list.

    Real AWS: the ConnectionPoolConfig's InitQuery is stored and returned by
    DescribeDBProxyTargetGroups (an empty string clears it);
    MaxIdleConnectionsPercent may be 0 (default: 50 % of
    MaxConnectionsPercent when left out); SessionPinningFilters set to an
    empty list clears them.

    AWS docs: Amazon RDS API Reference, ConnectionPoolConfiguration and
    ConnectionPoolConfigurationInfo,
    https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ConnectionPoolConfiguration.html
    https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ConnectionPoolConfigurationInfo.html
    """
    from moto.rds import models

    backend = models.RDSBackend
    original = backend.modify_db_proxy_target_group

    def modify(self, proxy_name, config):
        group = original(self, proxy_name=proxy_name, config=config)
        if config.get("MaxIdleConnectionsPercent") is not None:
            group.max_idle_connections = config["MaxIdleConnectionsPercent"]
        if "InitQuery" in config:
            group.tb_init_query = config["InitQuery"] or None
        if "SessionPinningFilters" in config:
            group.session_pinning_filters = [f for f in config["SessionPinningFilters"] or []
                                             if f]
        return group

    original_config = models.DBProxyTargetGroup.connection_pool_config

    def connection_pool_config(self):
        cfg = original_config.fget(self)
        if getattr(self, "tb_init_query", None):
            cfg["InitQuery"] = self.tb_init_query
        return cfg

    backend.modify_db_proxy_target_group = modify
    models.DBProxyTargetGroup.connection_pool_config = property(connection_pool_config)
