/*
 * talentbase_database_proxy, inside: the effective settings of one RDS
 * Proxy (the configuration with every default resolved, or what AWS
 * reports), the tables that map them to and from cty values, and the
 * functions that turn them into RDS requests and RDS answers back into
 * them. Private to the files of database_proxy/ and their unit tests.
 *
 * Data flows one way per operation:
 *   plan/apply: cty value -> tb_dbp_load -> struct tb_dbp -> query params -> RDS
 *   read:       RDS answers -> flatten -> struct tb_dbp -> tb_dbp_state -> cty value
 */
#ifndef TB_RESOURCES_DATABASE_PROXY_H
#define TB_RESOURCES_DATABASE_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resources/kit/kit.h"
#include "tb/aws.h"
#include "tb/provider.h"

#define TB_DBP_RESOURCE     "talentbase_database_proxy"
#define TB_DBP_TARGET_GROUP "default"

/* ---- effective settings ------------------------------------------------- */

/* One auth block: how clients authenticate and which secret the proxy uses. */
struct tb_dbp_auth {
	const char *secret_arn;
	const char *iam_auth;                  /* DISABLED | REQUIRED | ENABLED */
	const char *client_password_auth_type; /* NULL: the engine's default */
	const char *description;               /* NULL: none */
};

/* The database behind the proxy: one of the two (both NULL: none registered). */
struct tb_dbp_target {
	bool set;
	const char *db_cluster, *db_instance;
};

/* The default target group's connection pool. */
struct tb_dbp_pool {
	bool set;
	int64_t borrow_timeout, max_connections, max_idle;
	const char *init_query; /* NULL: none */
	struct tb_strs pinning; /* session pinning filters */
};

struct tb_dbp_reader {
	bool set, enabled;
};

struct tb_dbp {
	const char *name, *engine_family, *role_arn;
	size_t n_auth;
	struct tb_dbp_auth *auth;
	struct tb_strs subnets, security_groups;
	bool require_tls, debug_logging;
	bool wait_for_targets; /* ours, not AWS's */
	int64_t idle_client_timeout;
	struct tb_dbp_target target;
	struct tb_dbp_pool pool;
	struct tb_dbp_reader reader;
	struct tb_kvs tags, tags_all;
	/* computed */
	const char *id, *arn, *endpoint, *vpc_id, *reader_endpoint_address;
	int64_t port;
	struct tb_kvs env;
	const char *status;     /* the proxy's, as last read (not in state) */
	const char *reader_arn; /* the reader endpoint's ARN, as last read (not in state) */
};

/* ---- schema (schema.c) ------------------------------------------------------ */

extern const struct tb_schema tb_dbp_schema;
extern const struct tb_block tb_dbp_block;
/* Nested block tables by dotted path ("pool"); NULL if none. */
const struct tb_block *tb_dbp_block_at(const char *path);

/* One engine family: the port its proxy listens on and the prefix of the
 * client password authentication types it takes. Static rows. */
struct tb_dbp_engine {
	const char *family;
	int64_t port;
	const char *auth_type_prefix;
};

/* The row of family, or NULL when it is not an RDS Proxy engine family. */
const struct tb_dbp_engine *tb_dbp_engine(const char *family);

/* ---- model: cty value <-> struct tb_dbp (model.c) ------------------------------ */

extern const struct tb_kit_model tb_dbp_model;

/* Reads v (planned, prior or state value) into *out with every default
 * resolved. Unknown values read as zero/NULL. In a. 0 or TB_ENOMEM. */
int tb_dbp_load(struct tb_arena *a, const struct tb_meta *meta, const struct tb_value *v,
                struct tb_dbp *out);
/*
 * The resource value for actual (what AWS reports), shaped after prior:
 * the pool and reader_endpoint blocks left out of prior stay out while AWS
 * has their defaults; emit_all (import) writes them. The computed id, port
 * and env follow from name, engine family and endpoint; wait_for_targets,
 * timeouts and acknowledge come from prior. 0 or TB_ENOMEM.
 */
int tb_dbp_state(struct tb_arena *a, const struct tb_meta *meta, const struct tb_dbp *actual,
                 const struct tb_value *prior, bool emit_all, const struct tb_value **out);
/* Field-by-field equality of one block ("", "pool", "target", "auth", ...). */
bool tb_dbp_block_equal(const char *block, const struct tb_dbp *x, const struct tb_dbp *y);
/* Equality of one attribute of a block; sets compare as sets. */
bool tb_dbp_attr_equal(const char *block, const char *attr, const struct tb_dbp *x,
                       const struct tb_dbp *y);
/* {DB_HOST = endpoint, DB_PORT = port} into s->env (empty without an
 * endpoint or a port). 0 or TB_ENOMEM. */
int tb_dbp_env(struct tb_arena *a, struct tb_dbp *s);

/* ---- the RDS Proxy itself (proxy.c) ---------------------------------------------
 * Each object's file holds its query parameters (pure), what its answers
 * say (pure) and its steps (the kit's step signature; slot is the struct
 * tb_dbp it works on). Steps return a TB_E* code with ctx->error set.
 */

/* CreateDBProxy parameters. 0 or TB_ENOMEM. */
int tb_dbp_create_params(const struct tb_dbp *s, struct tb_aws_params *p);
/* ModifyDBProxy parameters with what differs between old and s; *changed
 * is false when nothing does. 0 or TB_ENOMEM. */
int tb_dbp_modify_params(const struct tb_dbp *old, const struct tb_dbp *s, struct tb_aws_params *p,
                         bool *changed);
/* Fills the proxy's settings, ARN, endpoint, VPC and status from a DBProxy
 * element (DescribeDBProxies member or CreateDBProxy's DBProxy): 0,
 * TB_EINVAL when it has no ARN, or TB_ENOMEM. */
int tb_dbp_flatten_proxy(struct tb_arena *a, const struct tb_xml *proxy, struct tb_dbp *s);
/* DescribeDBProxies of s->name into s: 0, TB_ENOTFOUND when the proxy is
 * missing or being deleted, or an error. */
int tb_dbp_proxy_read(struct tb_aws_ctx *ctx, struct tb_dbp *s);
/* Steps: CreateDBProxy and the wait until available; ModifyDBProxy (when
 * something differs from op->old) and the wait; DeleteDBProxy and the wait
 * until it is gone. */
int tb_dbp_proxy_create(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot);
int tb_dbp_proxy_modify(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot);
int tb_dbp_proxy_delete(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot);
/* Copies the proxy's identity (ARN, endpoint, VPC) and what RDS filled in
 * (security groups, the auth blocks' client password authentication). */
void tb_dbp_proxy_merge(void *state, const void *slot);
/* tb_aws_wait, with a first progress line at info saying how long it may
 * wait, and a timeout's message saying where to give RDS more time. */
int tb_dbp_wait(struct tb_aws_ctx *ctx, const struct tb_aws_waiter *w);

/* ---- the default target group's pool (pool.c) ---------------------------------- */

/* ModifyDBProxyTargetGroup parameters for s's pool; old (NULL on create)
 * says whether an init query or pinning filters must be cleared. 0 or
 * TB_ENOMEM. */
int tb_dbp_pool_params(const struct tb_dbp *old, const struct tb_dbp *s, struct tb_aws_params *p);
/* Fills s->pool from a DBProxyTargetGroup element. 0 or TB_ENOMEM. */
int tb_dbp_flatten_pool(struct tb_arena *a, const struct tb_xml *group, struct tb_dbp *s);
/* Steps: read (DescribeDBProxyTargetGroups), put (create: always; update:
 * when the pool differs from op->old). */
int tb_dbp_pool_read(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot);
int tb_dbp_pool_put(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot);
void tb_dbp_pool_merge(void *state, const void *slot);

/* ---- the target and its health (targets.c) ------------------------------------------ */

/* What DescribeDBProxyTargets says about the targets' health, worst first. */
struct tb_dbp_health {
	const char *state;  /* AVAILABLE, REGISTERING, UNAVAILABLE, or NO_HEALTH (none reports) */
	const char *target; /* the worst target's RdsResourceId, or NULL */
	const char *reason, *description; /* its TargetHealth's, or NULL */
	int64_t port;                     /* its Port, or 0 */
	size_t n;                         /* targets listed */
};

/* Judges a DescribeDBProxyTargetsResult. Pure; strings are the answer's. */
void tb_dbp_health_of(const struct tb_xml *result, struct tb_dbp_health *out);
/* What to check for an UNAVAILABLE target's reason, and the attribute it
 * concerns; NULL for a reason without advice. Static strings. */
const char *tb_dbp_health_hint(const char *reason, const char **path);
/* Fills s->target from a DescribeDBProxyTargetsResult: the cluster or the
 * instance registered, preferring the one s already names. Pure. */
void tb_dbp_flatten_targets(const struct tb_xml *result, struct tb_dbp *s);
/* Register/DeregisterDBProxyTargets parameters for target t. 0 or TB_ENOMEM. */
int tb_dbp_target_params(const struct tb_dbp *s, const struct tb_dbp_target *t,
                         struct tb_aws_params *p);
/* Steps: read; register (retried while the database is not available yet,
 * up to the deadline); change (update: deregister op->old's, register s's
 * when they differ); deregister (delete; a missing one is fine). */
int tb_dbp_targets_read(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot);
int tb_dbp_targets_register(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot);
int tb_dbp_targets_change(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot);
int tb_dbp_targets_deregister(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot);
void tb_dbp_targets_merge(void *state, const void *slot);
/*
 * Waits until every target that reports health is AVAILABLE. A target
 * UNAVAILABLE for longer than its reason's settle time, or still
 * UNAVAILABLE at the deadline, fails the wait with an error diagnostic
 * quoting AWS's reason and description and what to check. Adds its own
 * diagnostic on failure.
 */
int tb_dbp_wait_targets(struct tb_op *op, const struct tb_dbp *s);

/* ---- the reader endpoint (endpoint.c) ----------------------------------------------- */

/* "<name>-reader", the name cut so that it fits RDS's 63 characters. In a. */
char *tb_dbp_reader_name(struct tb_arena *a, const char *name);
/* CreateDBProxyEndpoint parameters (READ_ONLY, the proxy's subnets and
 * security groups, tags). 0 or TB_ENOMEM. */
int tb_dbp_reader_params(const struct tb_dbp *s, struct tb_aws_params *p);
/* Fills the reader endpoint's presence, address and ARN from a
 * DescribeDBProxyEndpointsResult. Pure. */
void tb_dbp_flatten_reader(struct tb_arena *a, const struct tb_xml *result, struct tb_dbp *s);
/* Steps: read; create (when enabled) and wait until available; update
 * (create or delete when enabled changes, security groups when they
 * change); delete (whatever the settings say: a failed create may have left
 * it) and wait until it is gone. */
int tb_dbp_reader_read(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot);
int tb_dbp_reader_create(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot);
int tb_dbp_reader_update(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot);
int tb_dbp_reader_delete(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot);
void tb_dbp_reader_merge(void *state, const void *slot);

/* ---- the bundle (bundle.c) ----------------------------------------------------------- */

/* Reads the proxy and its target group, target, reader endpoint and tags
 * into *s (which starts as the prior settings). TB_ENOTFOUND when the proxy
 * is gone (no diagnostic); other failures add their diagnostic. */
int tb_dbp_read_bundle(struct tb_op *op, struct tb_dbp *s);
/* The lifecycle. s receives the computed values as objects come into
 * being: after a failure it still names what exists. Diagnostics go to
 * op->call. */
int tb_dbp_create_bundle(struct tb_op *op, struct tb_dbp *s);
int tb_dbp_update_bundle(struct tb_op *op, const struct tb_dbp *old, struct tb_dbp *s);
int tb_dbp_delete_bundle(struct tb_op *op, const struct tb_dbp *s);

/* ---- query helpers (proxy.c) ------------------------------------------------------------ */

/* One rds call; out may be NULL. */
int tb_dbp_rds(struct tb_aws_ctx *ctx, const char *action, const struct tb_aws_params *p,
               const struct tb_xml **out);
/* <prefix>.member.N for each string. 0 or TB_ENOMEM. */
int tb_dbp_params_strs(struct tb_aws_params *p, const char *prefix, const struct tb_strs *strs);
/* name = the integer v / "true" or "false". 0 or TB_ENOMEM. */
int tb_dbp_params_int(struct tb_aws_params *p, const char *name, int64_t v);
int tb_dbp_params_bool(struct tb_aws_params *p, const char *name, bool v);

#endif
