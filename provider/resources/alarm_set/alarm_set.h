/*
 * talentbase_alarm_set, inside: the effective settings of one service's
 * alarms (the configuration with every default resolved, or what
 * CloudWatch reports), the table of the alarm kinds, and the pure
 * functions between settings, PutMetricAlarm requests and DescribeAlarms
 * answers. Private to the alarm_set/ files and their unit tests.
 *
 * Data flows one way per operation:
 *   plan/apply: cty value -> tb_alarm_set_load -> struct tb_alarm_set
 *               -> tb_alarm_def_build -> PutMetricAlarm
 *   read:       DescribeAlarms -> tb_alarm_flatten -> struct tb_alarm_def
 *               -> tb_alarm_view -> struct tb_alarm_set -> tb_alarm_set_state
 *
 * The state records what the alarms use (their dimensions as CloudWatch
 * reports them); the plan resolves what they should use from the service
 * (dims.c), so a replaced service shows as an in-place update.
 */
#ifndef TB_RESOURCES_ALARM_SET_H
#define TB_RESOURCES_ALARM_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resources/kit/kit.h"
#include "tb/aws.h"
#include "tb/provider.h"

#define TB_ALARM_RESOURCE "talentbase_alarm_set"

/* ---- the kinds of alarm ------------------------------------------------------- */

enum tb_alarm_kind_id {
	TB_ALARM_CPU = 0,
	TB_ALARM_MEMORY,
	TB_ALARM_TASKS,
	TB_ALARM_5XX,
	TB_ALARM_UNHEALTHY,
	TB_ALARM_LATENCY,
	TB_ALARM_PROXY,
	TB_ALARM_N,
};

/* What the alarm's dimensions name. */
enum tb_alarm_dims {
	TB_DIMS_SERVICE = 1, /* ClusterName, ServiceName */
	TB_DIMS_TARGET,      /* LoadBalancer, TargetGroup */
	TB_DIMS_PROXY,       /* ProxyName (both metrics of the math expression) */
};

/* One kind of alarm: its block, its name, what it watches and how. */
struct tb_alarm_kind {
	const char *block;     /* "cpu_high": the block and the key of the maps */
	const char *suffix;    /* "cpu-high": the alarm is "<name_prefix>-<suffix>" */
	const char *threshold; /* the threshold's attribute */
	const char *namespace, *metric, *statistic, *comparison;
	enum tb_alarm_dims dims;
	bool alb;          /* needs the service's load balancer */
	bool settings;     /* an absent block means "on, with the defaults" */
	const char *about; /* the default description, after "ECS service <id>: " */
};

/* The row of kind k (static). */
const struct tb_alarm_kind *tb_alarm_kind(enum tb_alarm_kind_id k);
/* The kind whose alarm is called name under prefix, or TB_ALARM_N. */
enum tb_alarm_kind_id tb_alarm_kind_of(const char *prefix, const char *name);

/* ---- effective settings -------------------------------------------------------- */

/* One block: one alarm. */
struct tb_alarm {
	bool set; /* the block is in the value */
	bool enabled;
	double threshold;
	int64_t period, evaluation_periods;
	int64_t datapoints; /* 0: every evaluation period */
	const char *missing, *description;
	const char *statistic; /* latency_high.extended_statistic; NULL: Average */
	const char *proxy;     /* database_proxy_connections.proxy */
	/* from the maps alarm_arns and alarm_conditions */
	const char *arn;       /* NULL: the alarm is not there (or not yet) */
	const char *condition; /* what the alarm watches, in CloudWatch's words */
};

struct tb_alarm_set {
	const char *id, *service, *name_prefix;
	struct tb_strs alarm_actions, ok_actions, insufficient_data_actions;
	struct tb_kvs tags, tags_all;
	/* dimension values: what the alarms use (state) or should use (plan) */
	const char *cluster, *service_name, *load_balancer, *target_group;
	struct tb_kvs alarm_arns, alarm_names, alarm_conditions;
	struct tb_alarm k[TB_ALARM_N];
};

/* ---- schema (schema.c) ---------------------------------------------------------- */

extern const struct tb_schema tb_alarm_set_schema;
extern const struct tb_block tb_alarm_set_block;
/* Nested block tables by path ("cpu_high"); "" is the resource; NULL if none. */
const struct tb_block *tb_alarm_set_block_at(const char *path);

/* ---- model (model.c) -------------------------------------------------------------- */

extern const struct tb_kit_model tb_alarm_set_model;

/*
 * Reads v (planned, prior or state value) into *out with every default
 * resolved; k[].arn and k[].condition come from the maps. Unknown values
 * read as zero/NULL. Everything lives in a. Returns 0 or TB_ENOMEM.
 */
int tb_alarm_set_load(struct tb_arena *a, const struct tb_meta *meta, const struct tb_value *v,
                      struct tb_alarm_set *out);
/*
 * The resource value for actual (what CloudWatch reports; k[].arn NULL for
 * a missing alarm), shaped after prior: the maps are built from k[], a
 * block left out of prior stays out while the alarm matches its defaults,
 * a datapoints_to_alarm equal to evaluation_periods and the default
 * description stay null where prior has them null. Returns 0 or TB_ENOMEM.
 */
int tb_alarm_set_state(struct tb_arena *a, const struct tb_meta *meta,
                       const struct tb_alarm_set *actual, const struct tb_value *prior,
                       const struct tb_value **out);
/* Whether the alarm of kind k belongs to the set: its block is enabled (and
 * present, for database_proxy_connections) and, for the load balancer's
 * alarms, the service has one (has_lb). */
bool tb_alarm_expected(const struct tb_alarm_set *s, enum tb_alarm_kind_id k, bool has_lb);
/* "<prefix>-<suffix>" (arena). */
char *tb_alarm_name(struct tb_arena *a, const char *prefix, enum tb_alarm_kind_id k);
/* The service's name from its ID "cluster/name" (arena), or NULL. */
char *tb_alarm_service_name(struct tb_arena *a, const char *service_id);
/* The default description of kind k of s (arena). */
char *tb_alarm_default_description(struct tb_arena *a, const struct tb_alarm_set *s,
                                   enum tb_alarm_kind_id k);
/* Whether the alarm of kind k is the same in x and y as far as the
 * configuration goes: its block, the actions, the dimensions it uses. */
bool tb_alarm_same(const struct tb_alarm_set *x, const struct tb_alarm_set *y,
                   enum tb_alarm_kind_id k);

/* ---- one alarm as CloudWatch has it (alarms.c) ------------------------------------ */

#define TB_ALARM_MAX_METRICS 5

/* A metric of an alarm: the alarm's own (single-metric alarm) or one query of
 * its metric math (id set; expression or a metric). */
struct tb_alarm_metric {
	const char *id, *expression, *label;
	const char *namespace, *name, *stat, *unit;
	struct tb_kvs dims; /* sorted by name */
	int64_t period;
	bool return_data;
};

struct tb_alarm_def {
	const char *name, *arn, *description;
	const char *comparison, *missing, *low_samples;
	double threshold;
	int64_t evaluation_periods, datapoints; /* datapoints 0: not given */
	bool actions_enabled;
	struct tb_strs alarm_actions, ok_actions, insufficient_data_actions;
	bool math;        /* Metrics, not a single metric */
	bool more;        /* more metrics than TB_ALARM_MAX_METRICS */
	size_t n_metrics; /* 1 for a single-metric alarm */
	struct tb_alarm_metric metrics[TB_ALARM_MAX_METRICS];
};

/* The alarm of kind k that s configures (dimension values from s). 0,
 * TB_ENOMEM. */
int tb_alarm_def_build(struct tb_arena *a, const struct tb_alarm_set *s, enum tb_alarm_kind_id k,
                       struct tb_alarm_def *out);
/* PutMetricAlarm parameters for d, with tags (may be empty). 0 or TB_ENOMEM. */
int tb_alarm_put_params(const struct tb_alarm_def *d, const struct tb_kvs *tags,
                        struct tb_aws_params *out);
/* A DescribeAlarms MetricAlarms member into *out (strings borrowed from the
 * answer). 0, TB_EINVAL when it has no AlarmName, or TB_ENOMEM. */
int tb_alarm_flatten(struct tb_arena *a, const struct tb_xml *member, struct tb_alarm_def *out);
/* What the alarm watches and how it compares, in CloudWatch's words, beyond
 * what the block's attributes say: "AWS/ECS CPUUtilization{ClusterName,
 * ServiceName} Average GreaterThanThreshold" (arena). */
char *tb_alarm_condition(struct tb_arena *a, const struct tb_alarm_def *d);
/* Writes what d says into *view (a copy of the prior settings): kind k's
 * block, the actions and the dimension values d carries, k[k].arn and
 * k[k].condition. 0 or TB_ENOMEM. */
int tb_alarm_view(struct tb_arena *a, const struct tb_alarm_def *d, enum tb_alarm_kind_id k,
                  struct tb_alarm_set *view);

/* ---- CloudWatch calls (alarms.c) ----------------------------------------------------- */

/*
 * DescribeAlarms of names[0..n) (one call per 100 names): found[i] is the
 * member of names[i], or NULL when CloudWatch has no such alarm. 0 or an
 * error (ctx->error set).
 */
int tb_alarm_describe(struct tb_aws_ctx *ctx, const char *const *names, size_t n,
                      const struct tb_xml **found);
/* The alarm's tags (ListTagsForResource), sorted by key, into *out. */
int tb_alarm_list_tags(struct tb_aws_ctx *ctx, const char *arn, struct tb_kvs *out);
/* DeleteAlarms of names[0..n) in calls of 100; names CloudWatch does not
 * know are no error. 0 or an error. */
int tb_alarm_delete(struct tb_aws_ctx *ctx, const char *const *names, size_t n);

/* ---- the service's dimensions (dims.c) -------------------------------------------- */

/* What a service's alarms watch, as AWS reports it. */
struct tb_alarm_target {
	bool found; /* the service exists (ACTIVE) */
	const char *cluster, *service_name;
	const char *load_balancer, *target_group; /* ARN suffixes; NULL: no load balancer */
	/* the service's floor for TB205: the scalable target's MinCapacity, else
	 * the desired count */
	bool has_floor;
	int64_t floor;
	int floor_err;               /* reading the scalable target failed */
	struct tb_aws_error floor_e; /* ... how */
};

/* Splits "cluster/name" at its last '/' (arena copies). 0, or TB_EINVAL. */
int tb_alarm_split_service(struct tb_arena *a, const char *id, const char **cluster,
                           const char **name);
/* "app/<name>/<id>" of a load balancer ARN, "targetgroup/<name>/<id>" of a
 * target group ARN (borrowed from arn), or NULL when arn is not one. */
const char *tb_alarm_lb_suffix(const char *arn);
const char *tb_alarm_tg_suffix(const char *arn);
/*
 * DescribeServices of the service (and DescribeTargetGroups of its target
 * group) into *out; with floor also DescribeScalableTargets, in parallel,
 * whose failure is kept in out->floor_err instead. A missing service or
 * cluster is out->found false. 0 or an error (ctx->error set).
 */
int tb_alarm_resolve(struct tb_aws_ctx *ctx, const char *service_id, bool floor,
                     struct tb_alarm_target *out);

/* ---- the set's lifecycle (apply.c) -------------------------------------------------- */

/* Reads the alarms of s (s starts as the prior settings) into *out: every
 * alarm found in one DescribeAlarms, its tags when tags are managed (or on
 * import). import: every kind is looked up, and one not found reads as a
 * disabled block. Adds its own diagnostic on failure. */
int tb_alarm_set_read(struct tb_op *op, const struct tb_alarm_set *s, bool import,
                      struct tb_alarm_set *out);
/* Puts every alarm of s, refusing names that exist already. s receives the
 * ARN of each alarm put: after a failure it names every alarm created. */
int tb_alarm_set_create(struct tb_op *op, struct tb_alarm_set *s);
/* Puts what differs between old and s, retags, deletes what s no longer has. */
int tb_alarm_set_update(struct tb_op *op, const struct tb_alarm_set *old, struct tb_alarm_set *s);
/* Deletes every alarm s records. */
int tb_alarm_set_delete(struct tb_op *op, const struct tb_alarm_set *s);

#endif
