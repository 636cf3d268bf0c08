/*
 * talentbase_database_proxy, the target: registering the database (retried
 * while RDS says it is not available yet), changing and deregistering it,
 * and reading back what is registered.
 */
#include <string.h>

#include "resources/database_proxy/database_proxy.h"
#include "tb/log.h"

#define MINUTE_MS     (60 * 1000)
#define ALREADY_THERE "DBProxyTargetAlreadyRegisteredFault"
#define NOT_AVAILABLE "DATABASE_NOT_AVAILABLE"
#define REGISTERED    "REGISTERED"
#define REFUSED       "REFUSED"

/* ---- what is registered ---------------------------------------------------------- */

/* The cluster or instance one DBProxyTarget stands for. */
static struct tb_dbp_target target_of(const struct tb_xml *m)
{
	const char *type = tb_xml_text(m, "Type"), *id = tb_xml_text(m, "RdsResourceId");
	const char *tracked = tb_xml_text(m, "TrackedClusterId");
	struct tb_dbp_target t = {.set = true};

	if (tb_str_eq(type, "TRACKED_CLUSTER"))
		t.db_cluster = id;
	else if (tracked && *tracked)
		t.db_cluster = tracked; /* an instance of a registered cluster */
	else if (tb_str_eq(type, "RDS_INSTANCE"))
		t.db_instance = id;
	return t;
}

static bool same_target(const struct tb_dbp_target *x, const struct tb_dbp_target *y)
{
	return tb_str_eq(x->db_cluster, y->db_cluster) && tb_str_eq(x->db_instance, y->db_instance);
}

/* Fills s->target from the registered targets. See database_proxy.h. */
void tb_dbp_flatten_targets(const struct tb_xml *result, struct tb_dbp *s)
{
	const struct tb_xml *list = tb_xml_child(result, "Targets");
	struct tb_dbp_target first = {.set = true};
	bool have_first = false;

	for (const struct tb_xml *m = list ? list->children : NULL; m; m = m->next) {
		struct tb_dbp_target t = target_of(m);
		if (t.db_cluster == NULL && t.db_instance == NULL)
			continue;
		if (same_target(&t, &s->target))
			return;
		if (!have_first)
			first = t;
		have_first = true;
	}
	s->target = first;
}

/* Register/DeregisterDBProxyTargets parameters. See database_proxy.h. */
int tb_dbp_target_params(const struct tb_dbp *s, const struct tb_dbp_target *t,
                         struct tb_aws_params *p)
{
	int err = tb_aws_params_add(p, "DBProxyName", s->name);

	if (err == 0)
		err = tb_aws_params_add(p, "TargetGroupName", TB_DBP_TARGET_GROUP);
	if (err == 0 && t->db_cluster)
		err = tb_aws_params_add(p, "DBClusterIdentifiers.member.1", t->db_cluster);
	if (err == 0 && t->db_instance)
		err = tb_aws_params_add(p, "DBInstanceIdentifiers.member.1", t->db_instance);
	return err;
}

static int describe_targets(struct tb_aws_ctx *ctx, const char *name, const struct tb_xml **out)
{
	struct tb_aws_params p;
	int err;

	tb_aws_params_init(&p, ctx->arena);
	err = tb_aws_params_add(&p, "DBProxyName", name);
	if (err == 0)
		err = tb_aws_params_add(&p, "TargetGroupName", TB_DBP_TARGET_GROUP);
	return err == 0 ? tb_dbp_rds(ctx, "DescribeDBProxyTargets", &p, out) : err;
}

int tb_dbp_targets_read(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_dbp *s = slot;
	const struct tb_xml *r = NULL;
	int err = describe_targets(ctx, s->name, &r);

	if (err == TB_ENOTFOUND)
		r = NULL; /* no target group, no target */
	else if (err != 0)
		return err;
	tb_dbp_flatten_targets(r, s);
	return 0;
}

void tb_dbp_targets_merge(void *state, const void *slot)
{
	((struct tb_dbp *)state)->target = ((const struct tb_dbp *)slot)->target;
}

/* ---- registering --------------------------------------------------------------------- */

struct register_wait {
	const struct tb_dbp *s;
	const struct tb_aws_params *p;
	const char *what;            /* "DB cluster talentbase-prod" */
	struct tb_aws_error refused; /* the last "not available yet" answer; action NULL: none */
	struct tb_aws_error failed;  /* an answer that ends the retries; err 0: none */
};

/* One RegisterDBProxyTargets: REGISTERED; NOT_AVAILABLE while RDS says the
 * database (or the proxy) is in a state that does not allow it; REFUSED
 * for any other answer (a missing database is not one that will come). */
static int try_register(struct tb_aws_ctx *ctx, void *ud, const char **state)
{
	struct register_wait *rw = ud;
	int err = tb_dbp_rds(ctx, "RegisterDBProxyTargets", rw->p, NULL);

	if (err == 0 || tb_str_eq(ctx->error.code, ALREADY_THERE)) {
		*state = REGISTERED;
		return 0;
	}
	if (err == TB_ECANCELED || err == TB_ETIMEOUT)
		return err;
	if (err != TB_ECONFLICT) {
		rw->failed = ctx->error;
		*state = REFUSED;
		return 0;
	}
	if (rw->refused.action == NULL)
		tb_log(TB_LOG_INFO, "database_proxy", "the database is not available yet; retrying",
		       "proxy", rw->s->name, "database", rw->what, "code",
		       ctx->error.code ? ctx->error.code : "", "message",
		       ctx->error.message ? ctx->error.message : "", NULL);
	rw->refused = ctx->error;
	*state = NOT_AVAILABLE;
	return 0;
}

/* The wait ended without a registration: the error is RDS's last refusal,
 * saying how long it was retried. */
static int still_refused(struct tb_aws_ctx *ctx, const struct register_wait *rw, int err,
                         int64_t started)
{
	if (rw->failed.err != 0) {
		ctx->error = rw->failed;
		return rw->failed.err;
	}
	if (rw->refused.action == NULL || (err != TB_ETIMEOUT && err != TB_ECANCELED))
		return err;
	ctx->error = rw->refused;
	ctx->error.err = err;
	ctx->error.message = tb_arena_printf(
	    ctx->arena, "%s (%s after %llds of retries: the proxy can use %s once it is available)",
	    rw->refused.message ? rw->refused.message : "refused",
	    err == TB_ETIMEOUT ? "still refused" : "interrupted",
	    (long long)((tb_now_ms() - started) / 1000), rw->what);
	return err;
}

static const char *target_what(struct tb_arena *a, const struct tb_dbp_target *t)
{
	return t->db_cluster ? tb_arena_printf(a, "DB cluster %s", t->db_cluster)
	                     : tb_arena_printf(a, "DB instance %s", t->db_instance);
}

/* Registers s's target, retrying while the database is not available. */
static int register_target(struct tb_aws_ctx *ctx, const struct tb_dbp *s)
{
	static const char *const pending[] = {NOT_AVAILABLE, NULL};
	static const char *const target[] = {REGISTERED, NULL};
	static const char *const failure[] = {REFUSED, NULL};
	struct tb_aws_params p;
	struct register_wait rw = {.s = s, .p = &p, .what = target_what(ctx->arena, &s->target)};
	struct tb_aws_waiter w = {
	    .what = tb_arena_printf(ctx->arena, "%s to become available to RDS Proxy %s", rw.what,
	                            s->name),
	    .pending = pending,
	    .target = target,
	    .failure = failure,
	    .timeout_ms = 60 * MINUTE_MS,
	    .min_delay_ms = 3000,
	    .max_delay_ms = 30000,
	    .refresh = try_register,
	    .ud = &rw,
	};
	int64_t started = tb_now_ms();
	int err;

	if (s->target.db_cluster == NULL && s->target.db_instance == NULL)
		return 0;
	tb_aws_params_init(&p, ctx->arena);
	err = tb_dbp_target_params(s, &s->target, &p);
	if (err == 0)
		err = still_refused(ctx, &rw, tb_dbp_wait(ctx, &w), started);
	return err;
}

static int deregister_target(struct tb_aws_ctx *ctx, const struct tb_dbp *s,
                             const struct tb_dbp_target *t)
{
	struct tb_aws_params p;
	int err;

	if (t->db_cluster == NULL && t->db_instance == NULL)
		return 0;
	tb_aws_params_init(&p, ctx->arena);
	err = tb_dbp_target_params(s, t, &p);
	if (err == 0)
		err = tb_dbp_rds(ctx, "DeregisterDBProxyTargets", &p, NULL);
	return err == TB_ENOTFOUND ? 0 : err;
}

int tb_dbp_targets_register(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	return register_target(ctx, slot);
}

/* Update: another database deregisters the old one first. */
int tb_dbp_targets_change(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	const struct tb_dbp *old = op->old;
	struct tb_dbp *s = slot;
	int err;

	if (tb_dbp_block_equal("target", old, s))
		return 0;
	err = deregister_target(ctx, s, &old->target);
	return err == 0 ? register_target(ctx, s) : err;
}

int tb_dbp_targets_deregister(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	const struct tb_dbp *s = slot;
	return deregister_target(ctx, s, &s->target);
}
