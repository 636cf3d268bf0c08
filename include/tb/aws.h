/*
 * aws: a small AWS client. Credentials (the SDKs' default chain plus
 * assume-role), SigV4, the JSON 1.1 and Query/XML wire protocols, retries
 * with backoff, pagination, waiters and a fan-out helper. Knows nothing of
 * Terraform. Thread-safe: one client is shared by every RPC worker.
 */
#ifndef TB_AWS_H
#define TB_AWS_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tb/util.h"

/* ---- configuration ------------------------------------------------------ */

struct tb_aws_endpoint {
	const char *service; /* provider "endpoints" key: ecs, elbv2, sts, ... */
	const char *url;
};

struct tb_aws_assume_role {
	const char *role_arn; /* NULL: no assume_role */
	const char *session_name;
	const char *external_id;
	int64_t duration_s; /* 0: 3600 */
};

struct tb_aws_config {
	const char *region; /* NULL: AWS_REGION, AWS_DEFAULT_REGION, profile */
	const char *profile;
	const char *const *shared_config_files; /* NULL-terminated or NULL */
	const char *const *shared_credentials_files;
	const char *access_key, *secret_key, *token;
	struct tb_aws_assume_role assume_role;
	const struct tb_aws_endpoint *endpoints;
	size_t n_endpoints;
	int max_retries; /* < 0: default 25 */
	bool skip_credentials_validation;
	const atomic_bool *cancel;  /* StopProvider flag; may be NULL */
	const char *user_agent;     /* appended to the default one */
	int64_t request_timeout_ms; /* per HTTP attempt; 0: 60 s */
	int64_t retry_base_ms;      /* backoff base; 0: 1 s (tests lower it) */
};

struct tb_aws_client;

/*
 * The failure of one AWS call (or of building the client). Strings live in
 * the arena of the call that failed. err is the TB_E* class.
 */
struct tb_aws_error {
	int err;
	const char *service; /* "ecs" */
	const char *action;  /* "CreateService" */
	const char *code;    /* AWS error code: "ServiceNotFoundException" */
	const char *message;
	const char *request_id;
	int http_status; /* 0 when no response */
};

/* One line: "ecs CreateService: Code: message (request id X)". Arena string. */
char *tb_aws_error_string(struct tb_arena *a, const struct tb_aws_error *e);

/*
 * Per-call context: the arena every result lives in, a deadline (0: none)
 * and the last error. One per RPC call, or per fan-out task.
 */
struct tb_aws_ctx {
	struct tb_aws_client *client;
	struct tb_arena *arena;
	int64_t deadline_ms; /* tb_now_ms() based; 0 = no deadline */
	struct tb_aws_error error;
};

/*
 * Builds a client: resolves region, endpoints and the credential chain, and
 * unless skip_credentials_validation calls sts:GetCallerIdentity. On failure
 * returns a TB_E* code and *errmsg (malloc'd, caller frees) naming the
 * credential source tried and what AWS answered. *out is freed with
 * tb_aws_client_free.
 */
int tb_aws_client_new(const struct tb_aws_config *cfg, struct tb_aws_client **out, char **errmsg);
void tb_aws_client_free(struct tb_aws_client *c);
const char *tb_aws_region(const struct tb_aws_client *c);
const char *tb_aws_partition(const struct tb_aws_client *c);  /* aws, aws-cn, aws-us-gov */
const char *tb_aws_account_id(const struct tb_aws_client *c); /* NULL when not validated */
const char *tb_aws_credential_source(const struct tb_aws_client *c);
/* Number of requests sent (benchmarks). */
uint64_t tb_aws_request_count(const struct tb_aws_client *c);

/* ---- wire protocols ----------------------------------------------------- */

/*
 * JSON 1.1 call (ecs, application-autoscaling, secretsmanager, logs, ssm).
 * body is borrowed (NULL: "{}"). On success *out is the decoded response,
 * owned by ctx->arena (freed with it). On failure returns a TB_E* class and
 * fills ctx->error. Retries transparently.
 */
int tb_aws_json(struct tb_aws_ctx *ctx, const char *service, const char *action, json_t *body,
                json_t **out);

/* Query parameters: name/value pairs ("TargetGroupArns.member.1"). */
struct tb_aws_param {
	const char *name;
	const char *value;
};

struct tb_aws_params {
	struct tb_arena *arena;
	struct tb_aws_param *items;
	size_t n, cap;
};

/* An empty list whose items live in a. add copies name and value; 0 or TB_ENOMEM. */
void tb_aws_params_init(struct tb_aws_params *p, struct tb_arena *a);
int tb_aws_params_add(struct tb_aws_params *p, const char *name, const char *value);
int tb_aws_params_addf(struct tb_aws_params *p, const char *value, const char *name_fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Parsed XML element (arena). */
struct tb_xml {
	const char *name; /* local name, namespace prefix stripped */
	const char *text; /* concatenated character data, "" if none */
	struct tb_xml *children, *next;
};

/* First child element with this name; NULL if none. */
const struct tb_xml *tb_xml_child(const struct tb_xml *n, const char *name);
/* Follows a '/'-separated path of child names; NULL if any step is missing. */
const struct tb_xml *tb_xml_path(const struct tb_xml *n, const char *path);
/* Text at path, or NULL. */
const char *tb_xml_text(const struct tb_xml *n, const char *path);
int tb_xml_parse(struct tb_arena *a, const char *data, size_t len, const struct tb_xml **out);

/*
 * Query call (elasticloadbalancing, rds, monitoring, sts, iam, ec2). *out is
 * the <ActionResult> element of the response (arena); for ec2, whose
 * answers carry no such wrapper, the <ActionResponse> root (its children
 * are the result: <subnetSet><item>..., <nextToken>). List parameters
 * follow the service: "SubnetIds.member.1" for Query, "SubnetId.1" and
 * "Filter.1.Name" / "Filter.1.Value.1" for ec2. Errors as tb_aws_json.
 */
int tb_aws_query(struct tb_aws_ctx *ctx, const char *service, const char *action,
                 const struct tb_aws_params *params, const struct tb_xml **out);

/*
 * JSON values and the arena. The one ownership rule: every json_t built for
 * or received by an RPC call belongs to the call's arena and is released
 * with it; functions take and return borrowed references, nobody decrefs.
 * tb_aws_json_own ties a new reference to the arena and returns it (NULL
 * stays NULL; on failure the value is released and NULL returned).
 */
json_t *tb_aws_json_own(struct tb_arena *a, json_t *j);

/* ---- tags ----------------------------------------------------------------
 * Each service spells tags its own way; the service table knows how.
 */
/* tags in the shape the service's create calls take: [{"key","value"}]
 * (ecs), [{"Key","Value"}] (secretsmanager, ssm), {"k": "v"} (logs,
 * application-autoscaling). Owned by a; NULL when out of memory or when the
 * service takes tags as query parameters. */
json_t *tb_aws_tags_json(struct tb_arena *a, const char *service, const struct tb_kvs *tags);
/* Query services: adds <prefix>.member.N.Key/Value. 0 or TB_ENOMEM. */
int tb_aws_tags_params(struct tb_aws_params *p, const char *prefix, const struct tb_kvs *tags);
/* The same in the list member spelling of service's model: Tags.Tag.N.Key
 * for rds, Tags.member.N.Key elsewhere. 0, TB_ENOMEM, or TB_EINVAL for a
 * service whose tags are not query parameters. */
int tb_aws_tags_params_for(struct tb_aws_params *p, const char *service, const char *prefix,
                           const struct tb_kvs *tags);
/*
 * Sets tags `set` and removes keys `removed` on the objects ids[0..n) of
 * service, with the service's own calls (TagResource/UntagResource,
 * AddTags/RemoveTags, AddTagsToResource/RemoveTagsFromResource): one call
 * for all ids where the API takes several, else one per id. Empty or NULL
 * ids are skipped. Returns 0 or the first failure (ctx->error set).
 */
int tb_aws_retag(struct tb_aws_ctx *ctx, const char *service, const char *const *ids, size_t n,
                 const struct tb_kvs *set, const struct tb_strs *removed);

/* ---- pagination, batches, waiters, fan-out ------------------------------ */

/*
 * JSON pagination: calls action repeatedly, copying the response's
 * token_key (NULL: the service's own token name, nextToken or NextToken)
 * into the next request, and hands each page to fn. fn returns 0 to
 * continue, 1 to stop early, negative to fail.
 */
int tb_aws_json_paginate(struct tb_aws_ctx *ctx, const char *service, const char *action,
                         json_t *body, const char *token_key, int (*fn)(void *ud, json_t *page),
                         void *ud);
/*
 * Every item under list_key of every page of a paginated JSON action, as
 * {list_key: [...]} in *out (the arena's). body is borrowed and must not be
 * NULL (TB_ENOMEM: building it failed). Errors as tb_aws_json.
 */
int tb_aws_json_all(struct tb_aws_ctx *ctx, const char *service, const char *action, json_t *body,
                    const char *list_key, json_t **out);

/* One call of a batch of independent JSON calls. */
struct tb_aws_json_call {
	const char *service, *action;
	json_t *body;    /* borrowed; NULL means building it failed (TB_ENOMEM) */
	bool ok_missing; /* a not-found answer counts as success (deletes) */
};

/* Runs calls[0..n) in parallel (tb_aws_fanout): 0, or the first failure in
 * index order with ctx->error set. The answers are dropped. */
int tb_aws_json_calls(struct tb_aws_ctx *ctx, const struct tb_aws_json_call *calls, size_t n);

/*
 * Query pagination on Marker / NextMarker (ELBv2), Marker (RDS),
 * NextToken (CloudWatch) or nextToken (ec2): marker_out_path names the
 * result's marker; it is sent back as Marker (NextToken for NextToken and
 * nextToken).
 */
int tb_aws_query_paginate(struct tb_aws_ctx *ctx, const char *service, const char *action,
                          const struct tb_aws_params *params, const char *marker_out_path,
                          int (*fn)(void *ud, const struct tb_xml *result), void *ud);

/*
 * Waiter. refresh returns 0 and *state (a static or arena string), or a
 * TB_E* code (TB_ENOTFOUND is a state of its own: "NOT_FOUND"). The wait
 * ends when state is in target (0), in failure (TB_EFAILED), not in
 * pending and not in target (TB_EFAILED; TB_ENOTFOUND for an unlisted
 * "NOT_FOUND"), at the deadline — timeout_ms or ctx->deadline_ms, whichever
 * comes first — (TB_ETIMEOUT), on cancel (TB_ECANCELED, within a second), or
 * with refresh's own error. ctx->error says which. Progress is logged at info.
 */
struct tb_aws_waiter {
	const char *what;           /* "ECS service talentbase-web to reach steady state" */
	const char *const *pending; /* NULL-terminated */
	const char *const *target;
	const char *const *failure; /* may be NULL */
	int64_t timeout_ms;
	int64_t min_delay_ms, max_delay_ms; /* 0: 2 s and 30 s */
	int (*refresh)(struct tb_aws_ctx *ctx, void *ud, const char **state);
	void *ud;
};

int tb_aws_wait(struct tb_aws_ctx *ctx, const struct tb_aws_waiter *w);

/*
 * Runs fn(ud, i, ctx_i) for i in [0, n) on up to 8 threads, each with its own
 * context sharing ctx's client, arena and deadline. Returns 0 when all
 * succeeded, else the first failure in index order, whose error is copied
 * into ctx->error.
 */
int tb_aws_fanout(struct tb_aws_ctx *ctx, size_t n,
                  int (*fn)(void *ud, size_t i, struct tb_aws_ctx *c), void *ud);

/* ---- reads shared across the calls of one client ------------------------
 * One client serves one provider process (one plan or one apply); every
 * RPC call that uses it may share these.
 */
/*
 * A read made once per client for key: the first caller runs fetch (its
 * *out is copied), callers meanwhile wait for it, later callers get the
 * cached answer; failures are cached too (ctx->error is a copy). *out is a
 * copy in ctx's arena (NULL when fetch gave none). Waiting honours ctx's
 * deadline (TB_ETIMEOUT) and StopProvider (TB_ECANCELED).
 */
int tb_aws_once(struct tb_aws_ctx *ctx, const char *key,
                int (*fetch)(struct tb_aws_ctx *ctx, void *ud, json_t **out), void *ud,
                json_t **out);

/*
 * A describe that takes many IDs. call asks AWS about ids[0..n) (n <= max,
 * distinct) of one group (a cluster, or "") and sets items[i] to the
 * answer's item for ids[i], or leaves it NULL when the answer lacks it; it
 * returns 0 or a TB_E* code with ctx->error set. Items may live in ctx's
 * arena: copy (tb_aws_copy_json, tb_aws_copy_xml) puts each caller's into
 * its own.
 */
struct tb_aws_batch {
	const char *service, *action; /* for errors while waiting */
	size_t max;
	int (*call)(struct tb_aws_ctx *ctx, const char *group, const char *const *ids, size_t n,
	            void **items);
	void *(*copy)(struct tb_arena *a, const void *item);
};

/*
 * Asks kind about one id of group: it goes out at once when no call of that
 * kind and group is in flight, else with the next one, which leaves as soon
 * as the one in flight returns (up to max IDs; no timer). Returns 0 and
 * *out (in ctx's arena; NULL when the answer lacks id: not found), or the
 * batch's error with ctx->error a copy — the caller names its own resource.
 */
int tb_aws_batch_get(struct tb_aws_ctx *ctx, const struct tb_aws_batch *kind, const char *group,
                     const char *id, void **out);
/* Many IDs of one caller at once (they go in the same calls, up to max
 * each): out[i] for ids[i]. Returns 0, or the first failure. */
int tb_aws_batch_get_many(struct tb_aws_ctx *ctx, const struct tb_aws_batch *kind,
                          const char *group, const char *const *ids, size_t n, void **out);
void *tb_aws_copy_json(struct tb_arena *a, const void *item);
void *tb_aws_copy_xml(struct tb_arena *a, const void *item);
/* Counters (benchmarks, tests): batched calls made, IDs they carried, once-fetches. */
void tb_aws_shared_stats(const struct tb_aws_client *c, uint64_t *batch_calls,
                         uint64_t *batched_ids, uint64_t *once_fetches);

/*
 * Describes of one object that every reader shares (provider/aws/describe.c):
 * each joins a batched call of its kind. 0 and *out in ctx's arena (NULL
 * when AWS has no such object), or the call's error with ctx->error set.
 */
/* ecs DescribeServices (with tags): the "services" item named name. */
int tb_aws_describe_ecs_service(struct tb_aws_ctx *ctx, const char *cluster, const char *name,
                                json_t **out);
/* elasticloadbalancing DescribeTargetGroups / DescribeRules: the member. */
int tb_aws_describe_target_group(struct tb_aws_ctx *ctx, const char *arn,
                                 const struct tb_xml **out);
int tb_aws_describe_rule(struct tb_aws_ctx *ctx, const char *arn, const struct tb_xml **out);
/* application-autoscaling DescribeScalableTargets: the target of resource_id. */
int tb_aws_describe_scalable_target(struct tb_aws_ctx *ctx, const char *ns, const char *dimension,
                                    const char *resource_id, json_t **out);
/* logs DescribeLogGroups (logGroupIdentifiers): the group called name. */
int tb_aws_describe_log_group(struct tb_aws_ctx *ctx, const char *name, json_t **out);
/* ssm GetParameters / DescribeParameters (filter Name Equals): the
 * parameter called name, with its value / with its description and tier. */
int tb_aws_get_parameter(struct tb_aws_ctx *ctx, const char *name, json_t **out);
int tb_aws_describe_parameter(struct tb_aws_ctx *ctx, const char *name, json_t **out);
/* monitoring DescribeAlarms: found[i] the MetricAlarms member named
 * names[i], or NULL (all of them in the same calls). */
int tb_aws_describe_alarms(struct tb_aws_ctx *ctx, const char *const *names, size_t n,
                           const struct tb_xml **found);

/* Sleeps up to ms, waking early on cancel: 0, or TB_ECANCELED. */
int tb_aws_sleep(struct tb_aws_client *c, int64_t ms);
bool tb_aws_canceled(const struct tb_aws_client *c);

#endif
