/*
 * talentbase_service, inside: the effective settings of one service (the
 * configuration with every default resolved, or what AWS reports), the
 * tables that map it to and from cty values, and the pure functions that
 * turn it into AWS requests and AWS answers back into it. Private to the
 * service_*.c files and their unit tests.
 *
 * Data flows one way per operation:
 *   plan/apply: cty value -> tb_service_load -> struct tb_svc -> expand -> AWS
 *   read:       AWS -> flatten -> struct tb_svc -> tb_service_state -> cty value
 */
#ifndef TB_RESOURCES_SERVICE_H
#define TB_RESOURCES_SERVICE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resources/kit/kit.h"
#include "tb/aws.h"
#include "tb/provider.h"

#define TB_SVC_RESOURCE  "talentbase_service"
#define TB_SVC_DIMENSION "ecs:service:DesiredCount"

/* ---- effective settings ------------------------------------------------- */

/* Container health check; absent (set false) means none. */
struct tb_svc_hc {
	bool set;
	struct tb_strs command;
	int64_t interval, timeout, retries, start_period;
};

struct tb_svc_net {
	bool set;
	struct tb_strs subnets, security_groups;
	bool assign_public_ip;
};

/* Target-group health check; always effective when there is a load balancer. */
struct tb_svc_tghc {
	bool set;
	const char *path, *matcher;
	int64_t interval, timeout, healthy_threshold, unhealthy_threshold;
};

/* Sticky sessions; absent (set false) means none, or stickiness_duration's. */
struct tb_svc_stick {
	bool set;
	const char *type;        /* lb_cookie | app_cookie */
	const char *cookie_name; /* app_cookie only */
	int64_t duration;
};

struct tb_svc_lb {
	bool set;
	const char *listener_arn, *vpc_id;
	int64_t priority; /* 0: the rule is missing */
	struct tb_strs host_headers, path_patterns;
	struct tb_svc_tghc hc;
	struct tb_svc_stick stick;
	int64_t stickiness_duration, deregistration_delay;
};

/* Always effective (defaults when the block is absent). */
struct tb_svc_dep {
	bool set;
	int64_t minimum_healthy_percent, maximum_percent, grace;
	bool rollback, wait; /* wait is ours, not AWS's */
};

/* Absent: launch type FARGATE instead of a capacity provider strategy. */
struct tb_svc_cap {
	bool set;
	int64_t base, fargate_weight, spot_weight;
};

struct tb_svc_sched {
	const char *name, *schedule, *timezone;
	bool has_min, has_max;
	int64_t min, max;
};

/* Target values of 0 mean "no such policy". */
struct tb_svc_as {
	bool set;
	int64_t min, max;
	double cpu, memory, requests;
	int64_t in_cooldown, out_cooldown;
	size_t n_sched;
	struct tb_svc_sched *sched; /* a set: names unique, order meaningless */
	bool sched_map;             /* written as the schedules map, not schedule blocks (ours) */
};

/* Always effective. retention 0: the log group is missing. retain is ours. */
struct tb_svc_logs {
	bool set;
	int64_t retention;
	bool retain;
};

struct tb_svc {
	const char *name, *cluster, *role, *image, *image_tag;
	const char *family, *container_name, *target_group_name; /* log_group_name below */
	const char *execution_role_arn, *task_role_arn;
	int64_t cpu, memory, port, desired_count; /* port 0: none */
	bool enable_execute_command;
	struct tb_kvs environment, secrets, tags, tags_all;
	struct tb_svc_hc hc;
	struct tb_svc_net net;
	struct tb_svc_lb lb;
	struct tb_svc_dep dep;
	struct tb_svc_cap cap;
	struct tb_svc_as as;
	struct tb_svc_logs logs;
	/* computed */
	const char *id, *arn, *task_definition_arn, *target_group_arn, *listener_rule_arn;
	const char *log_group_name, *deployed_image;
	int64_t task_definition_revision;
	const char *lb_arn; /* the target group's load balancer (read only) */
	/* What a read found of the ECS service (read only). */
	struct {
		const json_t *describe; /* the DescribeServices answer; NULL: the service is gone */
		const char *td_arn, *tg_arn; /* the revision and target group it uses */
	} found;
};

/* The family and the container name: the configured ones, else the name. */
static inline const char *tb_service_family(const struct tb_svc *s)
{
	return s->family ? s->family : s->name;
}
static inline const char *tb_service_container(const struct tb_svc *s)
{
	return s->container_name ? s->container_name : s->name;
}

/* ---- schema (schema.c) ------------------------------------------------------ */

extern const struct tb_schema tb_service_schema;
extern const struct tb_block tb_service_block;
/* Nested block tables by dotted path ("load_balancer.health_check"); NULL if none. */
const struct tb_block *tb_service_block_at(const char *path);

/* Presets per role. */
struct tb_svc_role {
	const char *name;
	int64_t start_period; /* container health check start period */
	int64_t grace;        /* health check grace period with a load balancer */
	const char *lb_path;  /* target-group health check path */
	bool lb_allowed;
};

/* Defaults per environment. */
struct tb_svc_env {
	const char *name;
	int64_t retention_days;
	bool retain_on_destroy;
	int64_t min_capacity;
	int64_t fargate_base;
};

/*
 * Sets, in *value, the defaults that depend on the role (container
 * start_period, grace period, target-group health check path) wherever
 * config leaves them null inside a block it has. The schema's default
 * functions see only a nested block's own configuration, so plan and
 * validate call this with the resource's. Returns 0, TB_ENOMEM or TB_EINVAL.
 */
int tb_service_role_defaults(struct tb_arena *a, const struct tb_meta *meta,
                             const struct tb_value *config, const struct tb_value **value);
/*
 * What a null optional attribute that has no schema default stands for
 * ("" / "desired_count": autoscaling.min_capacity, else the environment's
 * count); NULL when the attribute has no such meaning. root is the resource
 * value.
 */
const struct tb_value *tb_service_derived(struct tb_arena *a, const struct tb_meta *meta,
                                          const struct tb_value *root, const char *block,
                                          const char *attr);
/* The preset of a role / environment, or NULL when unknown. Static rows. */
const struct tb_svc_role *tb_service_role(const char *name);
const struct tb_svc_env *tb_service_env(const char *name);

/* ---- model: cty value <-> struct tb_svc (model.c) ------------------------------ */

/* The field table of struct tb_svc (the kit's engine runs it). */
extern const struct tb_kit_model tb_service_model;

/*
 * Reads v (planned, prior or state value) into *out with every default
 * resolved, as the resource will use it when calling AWS: attributes left
 * null and blocks left out get the defaults the schema documents for
 * meta's environment and v's role. Unknown values read as zero/NULL.
 * Everything lives in a. Returns 0 or TB_ENOMEM.
 */
int tb_service_load(struct tb_arena *a, const struct tb_meta *meta, const struct tb_value *v,
                    struct tb_svc *out);

/*
 * Builds the resource value that represents actual (what AWS reports),
 * shaped after prior: a block left out of prior stays out while AWS matches
 * the defaults it stands for, and appears with AWS's values when it does
 * not (so the plan shows the drift and the apply restores the defaults).
 * emit_all (import) writes every block AWS has. Attributes that are not
 * AWS's (timeouts, acknowledge) come from prior. Returns 0 or TB_ENOMEM.
 */
int tb_service_state(struct tb_arena *a, const struct tb_meta *meta, const struct tb_svc *actual,
                     const struct tb_value *prior, bool emit_all, const struct tb_value **out);

/* True when the two settings give the same task definition. */
bool tb_service_td_equal(const struct tb_svc *x, const struct tb_svc *y);
/* Equality of one attribute ("load_balancer", "host_headers"); sets as sets. */
bool tb_service_attr_equal(const char *block, const char *attr, const struct tb_svc *x,
                           const struct tb_svc *y);
/* Field-by-field equality of one block ("deployment", "load_balancer", ...). */
bool tb_service_block_equal(const char *block, const struct tb_svc *x, const struct tb_svc *y);

/* ---- the objects of the bundle ----------------------------------------------
 * One file per AWS object: its requests (pure), what its answers say
 * (pure), and the steps that read, create, update and delete it. A step has
 * the kit's step signature (slot is the struct tb_svc it works on) and a
 * merge function copies what it produced back into the bundle's settings.
 * Steps return a TB_E* code with ctx->error set; the phase reports it.
 */

/* ---- task definition (taskdef.c) ---------------------------------------------- */

/* "image:tag", or "image@sha256:..." for a digest. */
char *tb_service_image_ref(struct tb_arena *a, const char *image, const char *tag);
/* The RegisterTaskDefinition body (owned by a), or NULL when out of memory. */
json_t *tb_service_td_request(struct tb_arena *a, const struct tb_svc *s, const char *region);
/* Fills the task-definition settings from a DescribeTaskDefinition
 * "taskDefinition" object: 0, TB_EINVAL when it lacks the container, or
 * TB_ENOMEM. */
int tb_service_flatten_td(struct tb_arena *a, const json_t *td, struct tb_svc *s);
/* "image:tag" of the main container (named name, else the essential one) of
 * a DescribeTaskDefinition "taskDefinition" object; NULL when it has none.
 * In a. */
const char *tb_service_td_image(struct tb_arena *a, const json_t *td, const char *name);
/* Splits an image reference into repository and tag (or "sha256:..." digest). */
void tb_service_split_image(struct tb_arena *a, const char *ref, const char **image,
                            const char **tag);
/* DescribeTaskDefinition of the revision s records, into s; a revision
 * gone out of band clears s->image (the plan registers a new one). */
int tb_service_td_read(struct tb_aws_ctx *ctx, struct tb_svc *s);
/* Steps: register a new revision (update: only when the settings differ). */
int tb_service_td_register(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot);
int tb_service_td_update(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot);
/* Step: deregisters the family's ACTIVE revisions (and the recorded one). */
int tb_service_td_deregister(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot);
void tb_service_td_merge(void *state, const void *slot);
/* Whether the recorded revision is still ACTIVE (0 and *found, or an error). */
int tb_service_td_active(struct tb_aws_ctx *ctx, const struct tb_svc *s, bool *found);
/* After a failed rollout: a new revision the service no longer runs is
 * deregistered (best effort). */
void tb_service_td_drop_unused(struct tb_op *op, const struct tb_svc *s);

/* ---- ECS service (ecs.c) --------------------------------------------------------- */

/* The CreateService body (owned by a), or NULL when out of memory. */
json_t *tb_service_create_request(struct tb_arena *a, const struct tb_svc *s);
/* UpdateService with what differs between old and s (desired count only
 * when autoscaling does not own it). *changed is false when nothing does. */
json_t *tb_service_update_request(struct tb_arena *a, const struct tb_svc *old,
                                  const struct tb_svc *s, bool *changed);
/* Fills arn, desired count, placement, deployment, network, the load
 * balancer's target group, exec and tags from a DescribeServices item: 0,
 * TB_EINVAL when it has no ARN, or TB_ENOMEM. */
int tb_service_flatten_service(struct tb_arena *a, const json_t *service, struct tb_svc *s);
/* DescribeServices (with tags) of one service: 0 and the whole answer in
 * *out, or TB_ENOTFOUND when the service or its cluster is missing or the
 * service is INACTIVE. */
int tb_service_find(struct tb_aws_ctx *ctx, const char *cluster, const char *name, json_t **out);
/* Read step: DescribeServices (batched with other services of the
 * cluster) into s, the IDs it uses into s->found (s's own IDs, the prior
 * state's, stay for the reads beside it); found.describe NULL when the
 * service is missing or INACTIVE. */
int tb_service_ecs_read(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot);
void tb_service_ecs_read_merge(void *state, const void *slot);
/* Step: CreateService. */
int tb_service_ecs_create(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot);
void tb_service_ecs_merge(void *state, const void *slot);
/* UpdateService when something differs from op->old (*changed says whether
 * it did); adds its own diagnostic on failure. */
int tb_service_ecs_update(struct tb_op *op, struct tb_svc *s, bool *changed);
/* Step: desired count 0, DeleteService (force), wait until INACTIVE. */
int tb_service_ecs_delete(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot);

/* ---- target group and listener rule (lb.c) --------------------------------------- */

/* Target group name: at most 32 characters, from the name and a hash of cluster/name. */
char *tb_service_tg_name(struct tb_arena *a, const char *cluster, const char *name);
/* "app/<lb>/<id>/targetgroup/<tg>/<id>" from a listener ARN and a target group
 * ARN; NULL when either is not of that form. */
char *tb_service_request_label(struct tb_arena *a, const char *listener_arn, const char *tg_arn);
/* The stickiness the target group gets: the stickiness block's, else an
 * lb_cookie of stickiness_duration seconds (0: none, set false). */
struct tb_svc_stick tb_service_stickiness(const struct tb_svc_lb *lb);
/* Whether two settings give the target group the same stickiness. */
bool tb_service_stickiness_equal(const struct tb_svc_lb *x, const struct tb_svc_lb *y);
/* Query parameters (ELBv2). Return 0 or TB_ENOMEM. */
int tb_service_tg_params(const struct tb_svc *s, const char *tg_name, struct tb_aws_params *out);
int tb_service_tg_health_params(const struct tb_svc *s, const char *tg_arn,
                                struct tb_aws_params *out);
int tb_service_tg_attr_params(const struct tb_svc *s, const char *tg_arn,
                              struct tb_aws_params *out);
int tb_service_rule_params(const struct tb_svc *s, const char *tg_arn, struct tb_aws_params *out);
int tb_service_conditions_params(const struct tb_svc *s, struct tb_aws_params *out);
/* Each fills the part of *s its answer owns: 0, TB_EINVAL when the answer
 * lacks what it must have, or TB_ENOMEM. */
int tb_service_flatten_tg(struct tb_arena *a, const struct tb_xml *tg, struct tb_svc *s);
int tb_service_flatten_tg_attrs(struct tb_arena *a, const struct tb_xml *attrs, struct tb_svc *s);
int tb_service_flatten_rule(struct tb_arena *a, const struct tb_xml *rule, struct tb_svc *s);
/* Fills lb.vpc_id (and lb_arn) from the listener's load balancer unless it is set. */
int tb_service_resolve_vpc(const struct tb_op *op, struct tb_aws_ctx *ctx, struct tb_svc *s);
/* Steps: read, create (target group, attributes, rule), update in place
 * (a missing rule is created), delete (rule, then the target group once it
 * is no longer in use). */
int tb_service_lb_read(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot);
int tb_service_lb_create(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot);
int tb_service_lb_update(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot);
int tb_service_lb_delete(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot);
/* The load balancer's settings and IDs; the listener rule's ARN only. */
void tb_service_lb_merge(void *state, const void *slot);
void tb_service_rule_merge(void *state, const void *slot);
/* Whether the recorded target group / rule still exists (0 and *found, or an error). */
int tb_service_tg_exists(struct tb_aws_ctx *ctx, const struct tb_svc *s, bool *found);
int tb_service_rule_exists(struct tb_aws_ctx *ctx, const struct tb_svc *s, bool *found);

/* ---- autoscaling (scaling.c) ------------------------------------------------------ */

enum tb_svc_metric {
	TB_SVC_CPU = 0,
	TB_SVC_MEMORY,
	TB_SVC_REQUESTS,
	TB_SVC_N_METRICS,
};

/* "service/<cluster>/<name>". */
char *tb_service_scaling_id(struct tb_arena *a, const char *cluster, const char *name);
/* The RegisterScalableTarget body (owned by a), or NULL. */
json_t *tb_service_target_request(struct tb_arena *a, const struct tb_svc *s);
/* Metric type and policy name suffix of each target-tracking policy. */
const char *tb_service_metric_type(enum tb_svc_metric m);
char *tb_service_policy_name(struct tb_arena *a, const struct tb_svc *s, enum tb_svc_metric m);
/* The target of metric m in s (0: no policy). */
double tb_service_metric_target(const struct tb_svc *s, enum tb_svc_metric m);
/* PutScalingPolicy body; label is the ALB resource label (requests only). */
json_t *tb_service_policy_request(struct tb_arena *a, const struct tb_svc *s, enum tb_svc_metric m,
                                  const char *label);
json_t *tb_service_schedule_request(struct tb_arena *a, const struct tb_svc *s,
                                    const struct tb_svc_sched *sc);
/* DescribeScalableTargets / DescribeScalingPolicies / DescribeScheduledActions
 * answers (any may be NULL: none). No scalable target leaves s->as unset. */
int tb_service_flatten_scaling(struct tb_arena *a, const json_t *targets, const json_t *policies,
                               const json_t *actions, struct tb_svc *s);
/* The scalable target's ARN, or NULL when there is none (or on failure). */
const char *tb_service_scalable_target_arn(struct tb_aws_ctx *ctx, const struct tb_svc *s);
/* Registers the scalable target, then its policies and scheduled actions in
 * parallel: only what differs from old (NULL: everything). */
int tb_service_put_scaling(struct tb_aws_ctx *ctx, const struct tb_svc *old,
                           const struct tb_svc *s);
/* Deletes scheduled actions, policies and the scalable target; not found is fine. */
int tb_service_delete_scaling(struct tb_aws_ctx *ctx, const struct tb_svc *s);
/* Steps: read, put (against op->old), delete. */
int tb_service_scaling_read(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot);
int tb_service_scaling_put(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot);
int tb_service_scaling_delete(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot);
void tb_service_scaling_merge(void *state, const void *slot);

/* ---- log group (logs.c) ----------------------------------------------------------- */

/* "/ecs/<name>". */
char *tb_service_log_group(struct tb_arena *a, const char *name);
/* Fills the retention of the log group called name (0: missing or never
 * expiring) and log_group_name when it exists, from a DescribeLogGroups answer. */
int tb_service_flatten_logs(struct tb_arena *a, const json_t *groups, const char *name,
                            struct tb_svc *s);
/* The log group's ARN (without DescribeLogGroups' ":*"), or NULL. */
const char *tb_service_log_group_arn(struct tb_aws_ctx *ctx, const char *name);
/* DescribeLogGroups of s's group, into s. */
int tb_service_logs_read(struct tb_aws_ctx *ctx, struct tb_svc *s);
/* Steps: create (or adopt a retained group), update the retention when it
 * changed or the group went missing, delete (unless retained). */
int tb_service_logs_create(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot);
int tb_service_logs_update(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot);
int tb_service_logs_delete(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot);
void tb_service_logs_merge(void *state, const void *slot);

/* ---- rollout (rollout.c) ------------------------------------------------------------ */

enum tb_svc_rollout {
	TB_SVC_ROLLOUT_IN_PROGRESS = 1,
	TB_SVC_ROLLOUT_COMPLETED,
	TB_SVC_ROLLOUT_FAILED,
	TB_SVC_ROLLOUT_ROLLED_BACK,
	TB_SVC_ROLLOUT_GONE, /* the service is missing, draining or inactive */
};

struct tb_svc_rollout_result {
	enum tb_svc_rollout state;
	const char *reason;          /* one line: why it failed, or what it waits for */
	const char *events;          /* the deployment's recent events, newest first, or NULL */
	const char *deployed_td_arn; /* task definition of the completed PRIMARY deployment */
};

/*
 * Classifies a DescribeServices answer for the service's rollout of
 * td_arn (NULL: whatever is PRIMARY). Pure: no I/O. Strings live in a.
 * Returns 0, or TB_ENOMEM.
 */
int tb_service_rollout_classify(struct tb_arena *a, const json_t *describe, const char *td_arn,
                                struct tb_svc_rollout_result *out);
/*
 * The task definition of the newest deployment whose rollout completed:
 * the PRIMARY deployment once its rollout is COMPLETED, else (a new PRIMARY
 * still in progress, or failed) the newest ACTIVE deployment that completed,
 * which still serves. NULL when no rollout has completed or the service is
 * not ACTIVE. Pure; the string belongs to describe.
 */
const char *tb_service_deployed_td(const json_t *describe);
/* Names of the states, for waiters and logs. */
const char *tb_service_rollout_name(enum tb_svc_rollout s);
/* s->deployed_image from a DescribeServices answer: the image of the newest
 * deployment whose rollout completed (one more DescribeTaskDefinition when
 * that is not s's revision). Adds its own diagnostic on failure. */
int tb_service_read_deployed_image(struct tb_op *op, const json_t *describe, struct tb_svc *s);
/* "task abc: CannotPullContainerError: ..." lines from a DescribeTasks answer
 * (stopped tasks), or NULL when it has none. */
const char *tb_service_stopped_reasons(struct tb_arena *a, const json_t *tasks);

/* ---- task-definition revisions (revisions.c) ----------------------------------------- */

/* Whether arn ("...:task-definition/<family>:<revision>") is a revision of
 * exactly family: "web" is not "web-api" (ListTaskDefinitions' familyPrefix
 * is not trusted to be exact). */
bool tb_service_td_in_family(const char *arn, const char *family);
/*
 * The revisions to deregister, in *out (in a): every ARN of listed (a
 * ListTaskDefinitions answer, {"taskDefinitionArns": [...]}) of exactly
 * family, plus extra (may be NULL: a recorded revision of another family,
 * as an imported service has), minus those keep names; no duplicates.
 * Returns 0 or TB_ENOMEM.
 */
int tb_service_td_stale(struct tb_arena *a, const json_t *listed, const char *family,
                        const char *extra, const struct tb_strs *keep, struct tb_strs *out);
/* The revisions a DescribeServices answer's service and its deployments
 * (PRIMARY and ACTIVE) use, in *out (in a). Returns 0 or TB_ENOMEM. */
int tb_service_deployment_tds(struct tb_arena *a, const json_t *describe, struct tb_strs *out);
/*
 * Lists the ACTIVE revisions of family (every page) and deregisters, in
 * parallel, those tb_service_td_stale picks (with extra and keep). A
 * revision already gone counts as deregistered. Returns 0 or the first
 * failure (ctx->error set).
 */
int tb_service_prune_tds(struct tb_aws_ctx *ctx, const char *family, const char *extra,
                         const struct tb_strs *keep);
/*
 * After the rollout of a new revision: the family's other ACTIVE revisions
 * (and extra, the previous one) are deregistered, and every one of
 * old_family (may be NULL) when it is another family; with look, those the
 * service's deployments still use stay. A failure only warns.
 */
void tb_service_prune_revisions(struct tb_op *op, const struct tb_svc *s, const char *extra,
                                const char *old_family, bool look);

/* ---- preflight (preflight.c) ---------------------------------------------------- */

/*
 * The read-only AWS calls the rules TB021-TB027 judge, for what plan p is
 * about to change, made when the provider is configured with preflight on
 * (each once per provider process, this plan's in parallel, within a
 * budget of seconds). *out (in c's arena) is what AWS answered, or NULL
 * when nothing was read. A call AWS refuses is one warning in c->diags
 * naming it and the permission it needs. Returns 0 or TB_ENOMEM.
 */
int tb_service_preflight(struct tb_call *c, const struct tb_plan *p, struct tb_preflight **out);
/* Whether image is in an ECR registry of region
 * ("<account>.dkr.ecr.<region>.amazonaws.com/<repository>"): *registry and
 * *repository (in a). */
bool tb_service_ecr_image(struct tb_arena *a, const char *image, const char *region,
                          const char **registry, const char **repository);

/* ---- the bundle (bundle.c) ----------------------------------------------------- */

/*
 * Reads the whole bundle into *s. s starts as the settings of the prior
 * state (tb_service_load), whose IDs are the hints where to look; every
 * field AWS owns is overwritten. s->deployed_image is set only when the
 * service's rollout is complete. TB_ENOTFOUND when the service is gone.
 */
int tb_service_read_bundle(struct tb_op *op, struct tb_svc *s);
/*
 * With the service gone: whether an object the state records still exists
 * (the target group, the listener rule, an ACTIVE task-definition revision).
 * Such leftovers make the resource a replacement rather than a new create,
 * so that the destroy half removes them.
 */
int tb_service_leftovers(struct tb_op *op, const struct tb_svc *s, bool *out);
/* Waits until the rollout of s->task_definition_arn completes; on failure
 * adds a diagnostic quoting the service's events and stopped tasks. */
int tb_service_wait_rollout(struct tb_op *op, struct tb_svc *s);

/* The bundle's lifecycle. s carries the effective settings and receives
 * the computed IDs as objects come into being: after a failure it still
 * names every object created. Diagnostics go to op->call. */
int tb_service_create_bundle(struct tb_op *op, struct tb_svc *s);
int tb_service_update_bundle(struct tb_op *op, const struct tb_svc *old, struct tb_svc *s);
int tb_service_delete_bundle(struct tb_op *op, const struct tb_svc *s);

#endif
