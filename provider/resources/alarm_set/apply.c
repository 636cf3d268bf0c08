/*
 * talentbase_alarm_set, the set's lifecycle against CloudWatch: one
 * DescribeAlarms reads every alarm of the set, PutMetricAlarm puts each
 * alarm in parallel (tags on create, TagResource/UntagResource after), one
 * DeleteAlarms removes them.
 */
#include <stddef.h>
#include <string.h>

#include "resources/alarm_set/alarm_set.h"

#define CW "monitoring"

/* ---- read ------------------------------------------------------------------------ */

struct reading {
	const struct tb_alarm_set *prior;
	bool found[TB_ALARM_N];
	struct tb_alarm_set views[TB_ALARM_N]; /* what each alarm says, over prior */
};

/* The attributes every alarm carries a value of. */
struct shared {
	const char *attr;
	size_t off, size;
};

#define SHARED(a, m, t)                                                                            \
	{                                                                                          \
		.attr = a, .off = offsetof(struct tb_alarm_set, m), .size = sizeof(t)              \
	}

/* clang-format off */
static const struct shared shared[] = {
    SHARED("alarm_actions", alarm_actions, struct tb_strs),
    SHARED("ok_actions", ok_actions, struct tb_strs),
    SHARED("insufficient_data_actions", insufficient_data_actions, struct tb_strs),
    SHARED("cluster", cluster, const char *),
    SHARED("service_name", service_name, const char *),
    SHARED("load_balancer", load_balancer, const char *),
    SHARED("target_group", target_group, const char *),
    SHARED("tags_all", tags_all, struct tb_kvs),
};
/* clang-format on */

/* Each shared attribute is the prior value while every alarm agrees with
 * it, else the value of the first alarm (in kind order) that differs: the
 * plan shows the drift, and the apply puts every alarm back. */
static void pick_shared(const struct reading *r, struct tb_alarm_set *act)
{
	for (size_t i = 0; i < TB_COUNT(shared); i++) {
		for (int k = 0; k < TB_ALARM_N; k++) {
			const struct tb_alarm_set *v = &r->views[k];
			if (!r->found[k] ||
			    tb_kit_attr_equal(&tb_alarm_set_model, "", shared[i].attr, v, r->prior))
				continue;
			memcpy((char *)act + shared[i].off, (const char *)v + shared[i].off,
			       shared[i].size);
			break;
		}
	}
}

static int read_tags(void *ud, size_t i, struct tb_aws_ctx *ctx)
{
	struct reading *r = ud;

	if (!r->found[i])
		return 0;
	return tb_alarm_list_tags(ctx, r->views[i].k[i].arn, &r->views[i].tags_all);
}

/* Import: an alarm not found is a disabled block; but when no alarm of the
 * load balancer is found, the service is taken to have none. */
static void import_missing(const struct reading *r, struct tb_alarm_set *act)
{
	bool any_alb = false;

	for (int k = 0; k < TB_ALARM_N; k++)
		any_alb = any_alb || (r->found[k] && tb_alarm_kind(k)->alb);
	for (int k = 0; k < TB_ALARM_N; k++)
		if (!r->found[k] && tb_alarm_kind(k)->settings &&
		    (any_alb || !tb_alarm_kind(k)->alb))
			act->k[k].enabled = false;
}

static int describe_set(struct tb_aws_ctx *ctx, const struct tb_alarm_set *s, bool import,
                        struct reading *r)
{
	const char *names[TB_ALARM_N];
	const struct tb_xml *members[TB_ALARM_N];
	int kinds[TB_ALARM_N];
	size_t n = 0;
	int err;

	for (int k = 0; k < TB_ALARM_N; k++) {
		if (!import && !tb_alarm_expected(s, k, true))
			continue;
		kinds[n] = k;
		if ((names[n++] = tb_alarm_name(ctx->arena, s->name_prefix, k)) == NULL)
			return TB_ENOMEM;
	}
	err = tb_alarm_describe(ctx, names, n, members);
	for (size_t i = 0; i < n && err == 0; i++) {
		struct tb_alarm_def d;
		if (members[i] == NULL)
			continue;
		r->found[kinds[i]] = true;
		err = tb_alarm_flatten(ctx->arena, members[i], &d);
		if (err == 0)
			err = tb_alarm_view(ctx->arena, &d, kinds[i], &r->views[kinds[i]]);
	}
	return err;
}

/* Reads the set's alarms. See alarm_set.h. */
int tb_alarm_set_read(struct tb_op *op, const struct tb_alarm_set *s, bool import,
                      struct tb_alarm_set *out)
{
	struct reading *r = tb_arena_alloc(op->call->arena, sizeof(*r));
	struct tb_alarm_set act = *s;
	int err = r ? 0 : TB_ENOMEM;

	if (r) {
		memset(r, 0, sizeof(*r));
		r->prior = s;
		for (int k = 0; k < TB_ALARM_N; k++)
			r->views[k] = *s;
		err = describe_set(&op->ctx, s, import, r);
	}
	if (err == 0 && (import || s->tags_all.n > 0))
		err = tb_aws_fanout(&op->ctx, TB_ALARM_N, read_tags, r);
	if (err != 0)
		return tb_kit_fail(op, &op->ctx, "reading alarms", err);
	for (int k = 0; k < TB_ALARM_N; k++) {
		act.k[k] = r->found[k] ? r->views[k].k[k] : s->k[k];
		if (!r->found[k])
			act.k[k].arn = act.k[k].condition = NULL;
	}
	if (import)
		import_missing(r, &act);
	pick_shared(r, &act);
	*out = act;
	return 0;
}

/* ---- put -------------------------------------------------------------------------- */

/* The alarms one apply puts or retags: a task per alarm, each writing its
 * own element. */
struct putting {
	const struct tb_op *op;
	const struct tb_alarm_set *s;
	struct tb_kit_tag_diff diff;
	size_t n;
	int kinds[TB_ALARM_N];
	bool put[TB_ALARM_N], retag[TB_ALARM_N];
	const char *arns[TB_ALARM_N]; /* of the alarms retagged */
	struct tb_alarm_def defs[TB_ALARM_N];
	bool done[TB_ALARM_N]; /* put */
	int errs[TB_ALARM_N];
};

static int put_one(void *ud, size_t i, struct tb_aws_ctx *ctx)
{
	struct putting *pt = ud;
	int k = pt->kinds[i];
	const struct tb_xml *ignored = NULL;
	struct tb_aws_params p;
	int err = 0;

	tb_aws_params_init(&p, ctx->arena);
	if (pt->put[k])
		err = tb_alarm_put_params(&pt->defs[k], &pt->s->tags_all, &p);
	if (err == 0 && pt->put[k])
		err = tb_aws_query(ctx, CW, "PutMetricAlarm", &p, &ignored);
	pt->done[i] = err == 0 && pt->put[k];
	if (err == 0 && pt->retag[k])
		err = tb_kit_retag(ctx, CW, &pt->arns[k], 1, &pt->diff);
	pt->errs[i] = err;
	return err;
}

static char *alarm_arn(struct tb_arena *a, const struct tb_meta *m, const char *name)
{
	if (m->account_id == NULL || m->region == NULL)
		return NULL;
	return tb_arena_printf(a, "arn:%s:cloudwatch:%s:%s:alarm:%s",
	                       m->partition ? m->partition : "aws", m->region, m->account_id, name);
}

/* The ARNs of the alarms put: built from the account when it is known,
 * else read back (DescribeAlarms). When they cannot be read, the alarms
 * just put are deleted again, so that none is left that state cannot name. */
static int record_arns(struct tb_op *op, struct putting *pt, struct tb_alarm_set *s)
{
	const char *names[TB_ALARM_N];
	const struct tb_xml *found[TB_ALARM_N];
	int kinds[TB_ALARM_N];
	size_t n = 0;
	int err;

	for (size_t i = 0; i < pt->n; i++) {
		int k = pt->kinds[i];
		if (!pt->done[i])
			continue;
		s->k[k].arn = alarm_arn(op->call->arena, op->call->meta, pt->defs[k].name);
		if (s->k[k].arn == NULL) {
			kinds[n] = k;
			names[n++] = pt->defs[k].name;
		}
	}
	if (n == 0)
		return 0;
	err = tb_alarm_describe(&op->ctx, names, n, found);
	for (size_t i = 0; i < n && err == 0; i++)
		s->k[kinds[i]].arn = found[i] ? tb_xml_text(found[i], "AlarmArn") : NULL;
	if (err != 0)
		tb_alarm_delete(&op->ctx, names, n);
	return tb_kit_fail(op, &op->ctx, "reading the ARNs of the alarms put", err);
}

static int run_puts(struct tb_op *op, struct putting *pt, struct tb_alarm_set *s)
{
	struct tb_aws_ctx ctx = op->ctx;
	int err = pt->n ? tb_aws_fanout(&ctx, pt->n, put_one, pt) : 0;
	int rec = record_arns(op, pt, s);

	for (size_t i = 0; i < pt->n && err != 0; i++) {
		if (pt->errs[i] == 0)
			continue;
		return tb_kit_fail(op, &ctx,
		                   tb_arena_printf(op->call->arena, "putting alarm %s",
		                                   pt->defs[pt->kinds[i]].name),
		                   err);
	}
	return err ? tb_kit_fail(op, &ctx, "putting alarms", err) : rec;
}

/* Builds the alarm of every kind s has, with its condition in s. */
static int build_defs(struct tb_arena *a, struct tb_alarm_set *s, struct putting *pt)
{
	bool has_lb = s->load_balancer != NULL;
	int err = 0;

	for (int k = 0; k < TB_ALARM_N && err == 0; k++) {
		if (!tb_alarm_expected(s, k, has_lb))
			continue;
		err = tb_alarm_def_build(a, s, k, &pt->defs[k]);
		if (err == 0 && (s->k[k].condition = tb_alarm_condition(a, &pt->defs[k])) == NULL)
			err = TB_ENOMEM;
	}
	return err;
}

/* Refuses names CloudWatch already has: an alarm of that name belongs to
 * someone else (PutMetricAlarm would silently take it over). */
static int check_free(struct tb_op *op, const struct putting *pt)
{
	const char *names[TB_ALARM_N];
	const struct tb_xml *found[TB_ALARM_N];
	int err;

	for (size_t i = 0; i < pt->n; i++)
		names[i] = pt->defs[pt->kinds[i]].name;
	err = tb_alarm_describe(&op->ctx, names, pt->n, found);
	if (err != 0)
		return tb_kit_fail(op, &op->ctx, "looking for alarms of the same names", err);
	for (size_t i = 0; i < pt->n; i++) {
		if (found[i] == NULL)
			continue;
		tb_diag_addf(&op->call->diags, TB_SEV_ERROR, "name_prefix", "Alarm already exists",
		             "CloudWatch already has an alarm called \"%s\", which this resource "
		             "did not create. Import the set (import ID \"%s/%s\"), delete the "
		             "alarm, or choose another name_prefix.",
		             names[i], pt->s->service, pt->s->name_prefix);
		return TB_ECONFLICT;
	}
	return 0;
}

/* Puts every alarm of s. See alarm_set.h. */
int tb_alarm_set_create(struct tb_op *op, struct tb_alarm_set *s)
{
	struct putting *pt = tb_arena_alloc(op->call->arena, sizeof(*pt));
	int err = pt ? 0 : TB_ENOMEM;

	if (pt) {
		memset(pt, 0, sizeof(*pt));
		*pt = (struct putting){.op = op, .s = s};
		err = build_defs(op->call->arena, s, pt);
	}
	if (err != 0)
		return tb_kit_fail(op, &op->ctx, "building the alarms", err);
	for (int k = 0; k < TB_ALARM_N; k++) {
		s->k[k].arn = NULL;
		if (pt->defs[k].name) {
			pt->kinds[pt->n++] = k;
			pt->put[k] = true;
		}
	}
	err = pt->n ? check_free(op, pt) : 0;
	return err == 0 ? run_puts(op, pt, s) : err;
}

/* ---- update and delete ---------------------------------------------------------- */

/* What an update does to kind k: put it (new, or configured otherwise),
 * retag it (it exists and the tags changed), delete it (no longer in s). */
static void plan_kind(struct putting *pt, const struct tb_alarm_set *old, struct tb_alarm_set *s,
                      int k, bool tags_changed)
{
	const char *arn = old->k[k].arn;

	s->k[k].arn = NULL;
	if (pt->defs[k].name == NULL)
		return;
	s->k[k].arn = arn;
	pt->put[k] = arn == NULL || !tb_alarm_same(old, s, k);
	pt->retag[k] = arn != NULL && tags_changed;
	pt->arns[k] = arn;
	if (pt->put[k] || pt->retag[k])
		pt->kinds[pt->n++] = k;
}

/* DeleteAlarms of the alarms s records, but those pt puts (pt may be NULL). */
static int delete_recorded(struct tb_op *op, const struct tb_alarm_set *s, const struct putting *pt)
{
	const char *names[TB_ALARM_N];
	size_t n = 0;
	int err = 0;

	for (int k = 0; k < TB_ALARM_N && err == 0; k++) {
		if (s->k[k].arn == NULL || (pt && pt->defs[k].name))
			continue;
		if ((names[n++] = tb_alarm_name(op->call->arena, s->name_prefix, k)) == NULL)
			err = TB_ENOMEM;
	}
	if (err == 0 && n > 0)
		err = tb_alarm_delete(&op->ctx, names, n);
	return tb_kit_fail(op, &op->ctx, "deleting alarms", err);
}

/* Puts what differs, retags, deletes what s no longer has. See alarm_set.h. */
int tb_alarm_set_update(struct tb_op *op, const struct tb_alarm_set *old, struct tb_alarm_set *s)
{
	struct tb_arena *a = op->call->arena;
	struct putting *pt = tb_arena_alloc(a, sizeof(*pt));
	bool tags_changed = !tb_kit_attr_equal(&tb_alarm_set_model, "", "tags_all", old, s);
	int err = pt ? 0 : TB_ENOMEM;

	if (pt) {
		memset(pt, 0, sizeof(*pt));
		*pt = (struct putting){.op = op, .s = s};
		err = build_defs(a, s, pt);
	}
	if (err == 0 && tags_changed)
		err = tb_kit_tags_diff(a, &old->tags_all, &s->tags_all, &pt->diff);
	if (err != 0)
		return tb_kit_fail(op, &op->ctx, "building the alarms", err);
	for (int k = 0; k < TB_ALARM_N; k++)
		plan_kind(pt, old, s, k, tags_changed);
	err = run_puts(op, pt, s);
	return err == 0 ? delete_recorded(op, old, pt) : err;
}

/* Deletes every alarm s records. See alarm_set.h. */
int tb_alarm_set_delete(struct tb_op *op, const struct tb_alarm_set *s)
{
	return delete_recorded(op, s, NULL);
}
