/*
 * talentbase_database_proxy, the target's health: what DescribeDBProxyTargets
 * says, what to check for each reason AWS gives, and the wait until the
 * proxy can use its database, with that reason and advice when it cannot.
 */
#include <string.h>

#include "resources/database_proxy/database_proxy.h"
#include "tb/log.h"

#define MINUTE_MS       (60 * 1000)
#define DEFAULT_SETTLE  (5 * MINUTE_MS)
#define STUCK           "STUCK"
#define STATE_NO_HEALTH "NO_HEALTH"

/* ---- health ------------------------------------------------------------------- */

/* How bad each TargetHealth.State is: the worst target speaks for all. */
static const struct {
	const char *state;
	int rank;
} ranks[] = {
    {"AVAILABLE", 0},
    {"UNUSED", 0},
    {"REGISTERING", 2},
    {"UNAVAILABLE", 3},
};

static int rank_of(const char *state)
{
	for (size_t i = 0; i < TB_COUNT(ranks); i++)
		if (strcmp(ranks[i].state, state) == 0)
			return ranks[i].rank;
	return 2; /* a state this table does not know yet: still on its way */
}

static const char *state_of_rank(int rank, bool any_available)
{
	if (rank == 3)
		return "UNAVAILABLE";
	if (rank == 2)
		return "REGISTERING";
	return rank == 0 && any_available ? "AVAILABLE" : STATE_NO_HEALTH;
}

/* Judges the targets' health. See database_proxy.h. */
void tb_dbp_health_of(const struct tb_xml *result, struct tb_dbp_health *out)
{
	const struct tb_xml *list = tb_xml_child(result, "Targets");
	int worst = -1;
	bool any_available = false;

	memset(out, 0, sizeof(*out));
	for (const struct tb_xml *m = list ? list->children : NULL; m; m = m->next) {
		const char *st = tb_xml_text(m, "TargetHealth/State");
		int rank;
		out->n++;
		if (st == NULL)
			continue; /* a TRACKED_CLUSTER entry: its instances carry the health */
		rank = rank_of(st);
		any_available = any_available || strcmp(st, "AVAILABLE") == 0;
		if (rank <= worst)
			continue;
		worst = rank;
		out->target = tb_xml_text(m, "RdsResourceId");
		out->reason = tb_xml_text(m, "TargetHealth/Reason");
		out->description = tb_xml_text(m, "TargetHealth/Description");
		out->port = tb_kit_xint(m, "Port");
	}
	out->state = state_of_rank(worst, any_available);
}

/* What to check per UNAVAILABLE reason (TargetHealth.Reason), the attribute
 * the fix is most likely in, and how long the reason may last before the
 * wait gives up on it. */
static const struct {
	const char *reason, *path, *check;
	int64_t settle_ms;
} hints[] = {
    {"CONNECTION_FAILED", "security_groups",
     "The proxy could not open a connection to the database. The proxy's security groups "
     "must allow outbound TCP to the database port, and the database's security group must "
     "allow inbound TCP on that port from the proxy's security groups.",
     DEFAULT_SETTLE},
    {"AUTH_FAILURE", "auth",
     "The database refused the credentials. Each auth secret must be a JSON object with the "
     "username and password of an existing database user, and role_arn must be allowed "
     "secretsmanager:GetSecretValue on it (and kms:Decrypt when a customer managed key "
     "encrypts it).",
     DEFAULT_SETTLE},
    {"PENDING_PROXY_CAPACITY", "subnets",
     "The proxy is still scaling up. When this lasts, the proxy cannot reach Secrets "
     "Manager: its subnets need a route to it (a NAT gateway or a secretsmanager VPC "
     "endpoint) and its security groups must allow outbound HTTPS (443).",
     15 * MINUTE_MS},
    {"UNREACHABLE", "subnets",
     "The database cannot be reached from the proxy's subnets: it must be in the proxy's "
     "VPC, and the route tables and network ACLs of those subnets must let traffic through.",
     DEFAULT_SETTLE},
    {"INVALID_REPLICATION_STATE", "target",
     "A reader instance is not replicating from the writer: check the instance's status and "
     "replication in RDS.",
     DEFAULT_SETTLE},
    {"PROMOTED", "target",
     "The target was promoted to a standalone database: register the database that is now "
     "the writer.",
     DEFAULT_SETTLE},
};

/* What to check for a reason. See database_proxy.h. */
const char *tb_dbp_health_hint(const char *reason, const char **path)
{
	for (size_t i = 0; reason && i < TB_COUNT(hints); i++)
		if (strcmp(hints[i].reason, reason) == 0) {
			if (path)
				*path = hints[i].path;
			return hints[i].check;
		}
	if (path)
		*path = "target";
	return NULL;
}

static int64_t settle_ms(const char *reason)
{
	for (size_t i = 0; reason && i < TB_COUNT(hints); i++)
		if (strcmp(hints[i].reason, reason) == 0)
			return hints[i].settle_ms;
	return DEFAULT_SETTLE;
}

/* ---- the wait ------------------------------------------------------------------------- */

struct health_wait {
	const struct tb_dbp *s;
	struct tb_dbp_health last;
	const char *key; /* "<target> <state> <reason>" of last */
	int64_t since;   /* when key was first seen */
};

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/* Logs each change of the worst target's health; UNAVAILABLE as a warning
 * with what to check, so that a long wait says early what is wrong. */
static void log_health(const struct health_wait *hw)
{
	const struct tb_dbp_health *h = &hw->last;
	bool bad = tb_str_eq(h->state, "UNAVAILABLE");
	const char *hint = bad ? tb_dbp_health_hint(h->reason, NULL) : NULL;

	tb_log(bad ? TB_LOG_WARN : TB_LOG_INFO, "database_proxy", "target health", "proxy",
	       hw->s->name, "target", or_empty(h->target), "state", h->state, "reason",
	       or_empty(h->reason), "description", or_empty(h->description), "check",
	       or_empty(hint), NULL);
}

static int refresh_health(struct tb_aws_ctx *ctx, void *ud, const char **state)
{
	struct health_wait *hw = ud;
	const struct tb_xml *r = NULL;
	struct tb_aws_params p;
	const char *key;
	int err;

	tb_aws_params_init(&p, ctx->arena);
	err = tb_aws_params_add(&p, "DBProxyName", hw->s->name);
	if (err == 0)
		err = tb_aws_params_add(&p, "TargetGroupName", TB_DBP_TARGET_GROUP);
	if (err == 0)
		err = tb_dbp_rds(ctx, "DescribeDBProxyTargets", &p, &r);
	if (err != 0)
		return err;
	tb_dbp_health_of(r, &hw->last);
	key = tb_arena_printf(ctx->arena, "%s %s %s", or_empty(hw->last.target), hw->last.state,
	                      or_empty(hw->last.reason));
	if (!tb_str_eq(key, hw->key)) {
		hw->key = key;
		hw->since = tb_now_ms();
		log_health(hw);
	}
	*state = hw->last.state;
	if (tb_str_eq(*state, "UNAVAILABLE") &&
	    tb_now_ms() - hw->since >= settle_ms(hw->last.reason))
		*state = STUCK;
	return 0;
}

/* The error for a target that stays UNAVAILABLE: AWS's reason and
 * description, what to check, and what became of the proxy. */
static void unavailable_diag(struct tb_op *op, const struct health_wait *hw)
{
	const struct tb_dbp_health *h = &hw->last;
	struct tb_call *c = op->call;
	const char *path = NULL;
	const char *hint = tb_dbp_health_hint(h->reason, &path);
	const char *kept =
	    op->old ? "The other changes of this apply were made."
	            : "The proxy itself exists and stays in state, marked tainted: the next apply "
	              "replaces it. Once the cause is fixed, untaint it (terraform untaint / tofu "
	              "untaint) to keep it instead.";

	tb_diag_addf(
	    &c->diags, TB_SEV_ERROR, path,
	    tb_arena_printf(c->arena, "target of %s \"%s\" is UNAVAILABLE: %s", TB_DBP_RESOURCE,
	                    hw->s->name, h->reason ? h->reason : "no reason given"),
	    "RDS Proxy %s cannot use database %s (port %lld) after %llds. AWS says: %s\n\n"
	    "What to check: %s\n\n%s",
	    hw->s->name, or_empty(h->target), (long long)h->port,
	    (long long)((tb_now_ms() - hw->since) / 1000),
	    h->description ? h->description : "(no description)",
	    hint ? hint : "the target's status in the RDS console, and the proxy's logs.", kept);
}

/* The error for a wait that ended with no target AVAILABLE nor UNAVAILABLE. */
static int waiting_failed(struct tb_op *op, const struct health_wait *hw, int err)
{
	struct tb_aws_ctx *ctx = &op->ctx;

	if (err == TB_ETIMEOUT && tb_str_eq(hw->last.state, STATE_NO_HEALTH))
		ctx->error.message =
		    tb_arena_printf(ctx->arena,
		                    "%s: no target of the proxy reports its health. A DB cluster "
		                    "needs at least one "
		                    "available DB instance before the proxy can connect to it",
		                    ctx->error.message);
	return tb_kit_fail(op, ctx, "waiting for the target to become available", err);
}

/* Waits until the targets are AVAILABLE. See database_proxy.h. */
int tb_dbp_wait_targets(struct tb_op *op, const struct tb_dbp *s)
{
	static const char *const pending[] = {"REGISTERING", "UNAVAILABLE", STATE_NO_HEALTH, NULL};
	static const char *const target[] = {"AVAILABLE", NULL};
	static const char *const failure[] = {STUCK, NULL};
	struct tb_arena *a = op->call->arena;
	struct health_wait hw = {.s = s, .since = tb_now_ms()};
	struct tb_aws_waiter w = {
	    .what = tb_arena_printf(a, "the target of RDS Proxy %s to become AVAILABLE", s->name),
	    .pending = pending,
	    .target = target,
	    .failure = failure,
	    .timeout_ms = 60 * MINUTE_MS,
	    .min_delay_ms = 3000,
	    .max_delay_ms = 30000,
	    .refresh = refresh_health,
	    .ud = &hw,
	};
	int err = tb_dbp_wait(&op->ctx, &w);

	if (err == 0)
		return 0;
	if (err == TB_EFAILED || (err == TB_ETIMEOUT && tb_str_eq(hw.last.state, "UNAVAILABLE"))) {
		unavailable_diag(op, &hw);
		return err;
	}
	return waiting_failed(op, &hw, err);
}
