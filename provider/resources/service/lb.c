/*
 * talentbase_service, the load balancer side: the target group and the
 * listener rule. Their query parameters, the settings read back from ELBv2,
 * creating, updating and deleting them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "resources/service/service.h"

#define TG_IN_USE_RETRY_MS (3 * 60 * 1000)
#define TG_IN_USE_DELAY_MS 5000

static uint32_t fnv1a(const char *s, uint32_t h)
{
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Returns "<name, 23 chars at most>-<8 hex of a hash of cluster/name>" (arena):
 * a valid target group name (32 characters, alphanumerics and inner hyphens). */
char *tb_service_tg_name(struct tb_arena *a, const char *cluster, const char *name)
{
	char prefix[24];
	size_t n = 0;
	uint32_t h = fnv1a(name, fnv1a("/", fnv1a(cluster, 2166136261u)));

	for (const char *p = name ? name : ""; *p && n < sizeof(prefix) - 1; p++) {
		bool ok = name_char(*p);
		if (!ok && (n == 0 || prefix[n - 1] == '-'))
			continue;
		prefix[n++] = ok ? *p : '-';
	}
	while (n > 0 && prefix[n - 1] == '-')
		n--;
	prefix[n] = '\0';
	return tb_arena_printf(a, "%s-%08x", n ? prefix : "tb", h);
}

/* Returns the ALB resource label for ALBRequestCountPerTarget, or NULL. */
char *tb_service_request_label(struct tb_arena *a, const char *listener_arn, const char *tg_arn)
{
	const char *l = listener_arn ? strstr(listener_arn, ":listener/") : NULL;
	const char *t = tg_arn ? strstr(tg_arn, ":targetgroup/") : NULL;
	const char *last;

	if (l == NULL || t == NULL)
		return NULL;
	l += strlen(":listener/");
	last = strrchr(l, '/');
	if (last == NULL || last == l || !tb_str_has_prefix(l, "app/"))
		return NULL;
	return tb_arena_printf(a, "%.*s/%s", (int)(last - l), l, t + 1);
}

static int addi(struct tb_aws_params *p, const char *name, int64_t v)
{
	char *text = tb_arena_printf(p->arena, "%lld", (long long)v);
	return text ? tb_aws_params_add(p, name, text) : TB_ENOMEM;
}

static int add_health(const struct tb_svc *s, struct tb_aws_params *p)
{
	const struct tb_svc_tghc *hc = &s->lb.hc;
	int err = tb_aws_params_add(p, "HealthCheckEnabled", "true");

	if (err == 0)
		err = tb_aws_params_add(p, "HealthCheckProtocol", "HTTP");
	if (err == 0)
		err = tb_aws_params_add(p, "HealthCheckPort", "traffic-port");
	if (err == 0)
		err = tb_aws_params_add(p, "HealthCheckPath", hc->path ? hc->path : "/");
	if (err == 0)
		err = addi(p, "HealthCheckIntervalSeconds", hc->interval);
	if (err == 0)
		err = addi(p, "HealthCheckTimeoutSeconds", hc->timeout);
	if (err == 0)
		err = addi(p, "HealthyThresholdCount", hc->healthy_threshold);
	if (err == 0)
		err = addi(p, "UnhealthyThresholdCount", hc->unhealthy_threshold);
	if (err == 0)
		err =
		    tb_aws_params_add(p, "Matcher.HttpCode", hc->matcher ? hc->matcher : "200-399");
	return err;
}

/* CreateTargetGroup parameters. Returns 0 or TB_ENOMEM. */
int tb_service_tg_params(const struct tb_svc *s, const char *tg_name, struct tb_aws_params *out)
{
	int err = tb_aws_params_add(out, "Name", tg_name);

	if (err == 0)
		err = tb_aws_params_add(out, "Protocol", "HTTP");
	if (err == 0)
		err = addi(out, "Port", s->port);
	if (err == 0)
		err = tb_aws_params_add(out, "VpcId", s->lb.vpc_id ? s->lb.vpc_id : "");
	if (err == 0)
		err = tb_aws_params_add(out, "TargetType", "ip");
	if (err == 0)
		err = add_health(s, out);
	if (err == 0)
		err = tb_aws_tags_params(out, "Tags", &s->tags_all);
	return err;
}

/* ModifyTargetGroup parameters (the health check). Returns 0 or TB_ENOMEM. */
int tb_service_tg_health_params(const struct tb_svc *s, const char *tg_arn,
                                struct tb_aws_params *out)
{
	int err = tb_aws_params_add(out, "TargetGroupArn", tg_arn);
	return err == 0 ? add_health(s, out) : err;
}

static int add_attr(struct tb_aws_params *p, size_t i, const char *key, const char *value)
{
	int err = tb_aws_params_addf(p, key, "Attributes.member.%zu.Key", i);
	return err == 0 ? tb_aws_params_addf(p, value, "Attributes.member.%zu.Value", i) : err;
}

/* The stickiness the target group gets. See service.h. */
struct tb_svc_stick tb_service_stickiness(const struct tb_svc_lb *lb)
{
	struct tb_svc_stick st = {.type = "lb_cookie"};

	if (lb->stick.set) {
		st = lb->stick;
		if (st.type == NULL)
			st.type = "lb_cookie";
		if (!tb_str_eq(st.type, "app_cookie"))
			st.cookie_name = NULL;
	} else if (lb->stickiness_duration > 0) {
		st.set = true;
		st.duration = lb->stickiness_duration;
	}
	return st;
}

/* Same stickiness from x and y. See service.h. */
bool tb_service_stickiness_equal(const struct tb_svc_lb *x, const struct tb_svc_lb *y)
{
	struct tb_svc_stick a = tb_service_stickiness(x), b = tb_service_stickiness(y);

	if (!a.set || !b.set)
		return a.set == b.set;
	return tb_str_eq(a.type, b.type) && a.duration == b.duration &&
	       tb_str_eq(a.cookie_name, b.cookie_name);
}

/* The stickiness attributes: on or off, the type, and the type's duration
 * (and cookie). */
static int add_stickiness(struct tb_aws_params *p, const struct tb_svc_lb *lb, size_t n)
{
	struct tb_svc_stick st = tb_service_stickiness(lb);
	bool app = tb_str_eq(st.type, "app_cookie");
	const char *secs = tb_arena_printf(p->arena, "%lld", (long long)st.duration);
	int err = add_attr(p, n, "stickiness.enabled", st.set ? "true" : "false");

	if (err == 0)
		err = add_attr(p, n + 1, "stickiness.type", st.type);
	if (err == 0 && st.set && secs == NULL)
		err = TB_ENOMEM;
	if (err == 0 && st.set)
		err = add_attr(p, n + 2,
		               app ? "stickiness.app_cookie.duration_seconds"
		                   : "stickiness.lb_cookie.duration_seconds",
		               secs);
	if (err == 0 && st.set && app)
		err = add_attr(p, n + 3, "stickiness.app_cookie.cookie_name",
		               st.cookie_name ? st.cookie_name : "");
	return err;
}

/* ModifyTargetGroupAttributes parameters. Returns 0 or TB_ENOMEM. */
int tb_service_tg_attr_params(const struct tb_svc *s, const char *tg_arn, struct tb_aws_params *out)
{
	struct tb_arena *a = out->arena;
	int err = tb_aws_params_add(out, "TargetGroupArn", tg_arn);

	if (err == 0)
		err = add_attr(out, 1, "deregistration_delay.timeout_seconds",
		               tb_arena_printf(a, "%lld", (long long)s->lb.deregistration_delay));
	return err == 0 ? add_stickiness(out, &s->lb, 2) : err;
}

static int add_values(struct tb_aws_params *p, size_t n, const char *field, const char *config,
                      const struct tb_strs *values)
{
	int err = tb_aws_params_addf(p, field, "Conditions.member.%zu.Field", n);

	for (size_t i = 0; i < values->n && err == 0; i++)
		err = tb_aws_params_addf(p, values->v[i],
		                         "Conditions.member.%zu.%s.Values.member.%zu", n, config,
		                         i + 1);
	return err;
}

/* Conditions.member.N... for host_headers and path_patterns. Returns 0 or TB_ENOMEM. */
int tb_service_conditions_params(const struct tb_svc *s, struct tb_aws_params *out)
{
	size_t n = 0;
	int err = 0;

	if (s->lb.host_headers.n > 0)
		err = add_values(out, ++n, "host-header", "HostHeaderConfig", &s->lb.host_headers);
	if (err == 0 && s->lb.path_patterns.n > 0)
		err =
		    add_values(out, ++n, "path-pattern", "PathPatternConfig", &s->lb.path_patterns);
	return err;
}

/* CreateRule parameters. Returns 0 or TB_ENOMEM. */
int tb_service_rule_params(const struct tb_svc *s, const char *tg_arn, struct tb_aws_params *out)
{
	int err = tb_aws_params_add(out, "ListenerArn", s->lb.listener_arn);

	if (err == 0)
		err = addi(out, "Priority", s->lb.priority);
	if (err == 0)
		err = tb_service_conditions_params(s, out);
	if (err == 0)
		err = tb_aws_params_add(out, "Actions.member.1.Type", "forward");
	if (err == 0)
		err = tb_aws_params_add(out, "Actions.member.1.TargetGroupArn", tg_arn);
	if (err == 0)
		err = tb_aws_tags_params(out, "Tags", &s->tags_all);
	return err;
}

/* Fills the target group's ARN, VPC, load balancer and health check from a
 * DescribeTargetGroups member. */
int tb_service_flatten_tg(struct tb_arena *a, const struct tb_xml *tg, struct tb_svc *s)
{
	struct tb_svc_tghc *hc = &s->lb.hc;

	if (tg == NULL || tb_xml_text(tg, "TargetGroupArn") == NULL)
		return TB_EINVAL;
	s->target_group_arn = tb_xml_text(tg, "TargetGroupArn");
	s->target_group_name = tb_xml_text(tg, "TargetGroupName");
	s->lb.vpc_id = tb_xml_text(tg, "VpcId");
	s->lb_arn = tb_xml_text(tg, "LoadBalancerArns/member");
	hc->set = true;
	hc->path = tb_xml_text(tg, "HealthCheckPath");
	hc->matcher = tb_xml_text(tg, "Matcher/HttpCode");
	hc->interval = tb_kit_xint(tg, "HealthCheckIntervalSeconds");
	hc->timeout = tb_kit_xint(tg, "HealthCheckTimeoutSeconds");
	hc->healthy_threshold = tb_kit_xint(tg, "HealthyThresholdCount");
	hc->unhealthy_threshold = tb_kit_xint(tg, "UnhealthyThresholdCount");
	return 0;
}

/* The value of attribute key in a DescribeTargetGroupAttributesResult, or NULL. */
static const char *tg_attr(const struct tb_xml *attrs, const char *key)
{
	const struct tb_xml *list = tb_xml_child(attrs, "Attributes");

	for (const struct tb_xml *m = list ? list->children : NULL; m; m = m->next)
		if (tb_str_eq(tb_xml_text(m, "Key"), key))
			return tb_xml_text(m, "Value");
	return NULL;
}

static int64_t tg_attr_int(const struct tb_xml *attrs, const char *key)
{
	const char *v = tg_attr(attrs, key);
	return v ? strtoll(v, NULL, 10) : 0;
}

/* Fills deregistration delay and stickiness from a
 * DescribeTargetGroupAttributesResult: lb.stick as AWS has it, and
 * stickiness_duration for an lb_cookie (0 otherwise). */
int tb_service_flatten_tg_attrs(struct tb_arena *a, const struct tb_xml *attrs, struct tb_svc *s)
{
	struct tb_svc_stick *st = &s->lb.stick;
	bool app;

	s->lb.deregistration_delay = tg_attr_int(attrs, "deregistration_delay.timeout_seconds");
	memset(st, 0, sizeof(*st));
	st->set = tb_str_eq(tg_attr(attrs, "stickiness.enabled"), "true");
	st->type = tg_attr(attrs, "stickiness.type");
	app = tb_str_eq(st->type, "app_cookie");
	st->duration = tg_attr_int(attrs, app ? "stickiness.app_cookie.duration_seconds"
	                                      : "stickiness.lb_cookie.duration_seconds");
	st->cookie_name = app ? tg_attr(attrs, "stickiness.app_cookie.cookie_name") : NULL;
	s->lb.stickiness_duration = st->set && tb_str_eq(st->type, "lb_cookie") ? st->duration : 0;
	return 0;
}

static int rule_values(struct tb_arena *a, const struct tb_xml *cond, const char *config,
                       struct tb_strs *out)
{
	const struct tb_xml *vals = tb_xml_path(cond, config);
	if (vals == NULL || vals->children == NULL)
		vals = tb_xml_child(cond, "Values");
	return tb_kit_xstrs(a, vals, out);
}

/* Fills the rule's ARN, priority and conditions from a DescribeRules member. */
int tb_service_flatten_rule(struct tb_arena *a, const struct tb_xml *rule, struct tb_svc *s)
{
	const struct tb_xml *conds = tb_xml_child(rule, "Conditions");
	int err = 0;

	if (rule == NULL || tb_xml_text(rule, "RuleArn") == NULL)
		return TB_EINVAL;
	s->listener_rule_arn = tb_xml_text(rule, "RuleArn");
	s->lb.priority = tb_kit_xint(rule, "Priority");
	s->lb.host_headers.n = 0;
	s->lb.path_patterns.n = 0;
	for (const struct tb_xml *c = conds ? conds->children : NULL; c && err == 0; c = c->next) {
		const char *field = tb_xml_text(c, "Field");
		if (tb_str_eq(field, "host-header"))
			err = rule_values(a, c, "HostHeaderConfig/Values", &s->lb.host_headers);
		else if (tb_str_eq(field, "path-pattern"))
			err = rule_values(a, c, "PathPatternConfig/Values", &s->lb.path_patterns);
	}
	return err;
}

static int query1(struct tb_aws_ctx *ctx, const char *action, const char *name, const char *value,
                  const struct tb_xml **out)
{
	struct tb_aws_params p;
	int err;

	tb_aws_params_init(&p, ctx->arena);
	err = tb_aws_params_add(&p, name, value);
	return err == 0 ? tb_aws_query(ctx, "elasticloadbalancing", action, &p, out) : err;
}

static int elb(struct tb_aws_ctx *ctx, const char *action, const struct tb_aws_params *p,
               const struct tb_xml **out)
{
	const struct tb_xml *ignored = NULL;
	return tb_aws_query(ctx, "elasticloadbalancing", action, p, out ? out : &ignored);
}

/* Fills lb.vpc_id from the listener's load balancer. See service.h. */
int tb_service_resolve_vpc(const struct tb_op *op, struct tb_aws_ctx *ctx, struct tb_svc *s)
{
	const struct tb_xml *r = NULL;
	const char *lb;
	int err;

	if (!s->lb.set || (s->lb.vpc_id && *s->lb.vpc_id))
		return 0;
	err = query1(ctx, "DescribeListeners", "ListenerArns.member.1", s->lb.listener_arn, &r);
	if (err != 0)
		return err;
	if ((lb = tb_xml_text(r, "Listeners/member/LoadBalancerArn")) == NULL)
		return TB_ENOTFOUND;
	err = query1(ctx, "DescribeLoadBalancers", "LoadBalancerArns.member.1", lb, &r);
	if (err != 0)
		return err;
	s->lb_arn = lb;
	s->lb.vpc_id = tb_xml_text(r, "LoadBalancers/member/VpcId");
	return s->lb.vpc_id ? 0 : TB_ENOTFOUND;
}

/* "…:listener-rule/app/lb/id/listener-id/rule-id" -> "…:listener/app/lb/id/listener-id". */
static const char *listener_of_rule(struct tb_arena *a, const char *rule_arn)
{
	const char *mark = rule_arn ? strstr(rule_arn, ":listener-rule/") : NULL;
	const char *last = rule_arn ? strrchr(rule_arn, '/') : NULL;

	if (mark == NULL || last == NULL || last < mark)
		return NULL;
	return tb_arena_printf(a, "%.*s:listener/%.*s", (int)(mark - rule_arn), rule_arn,
	                       (int)(last - mark - strlen(":listener-rule/")),
	                       mark + strlen(":listener-rule/"));
}

static bool rule_forwards_to(const struct tb_xml *rule, const char *tg_arn)
{
	const struct tb_xml *actions = tb_xml_child(rule, "Actions");

	for (const struct tb_xml *act = actions ? actions->children : NULL; act; act = act->next) {
		const struct tb_xml *groups = tb_xml_path(act, "ForwardConfig/TargetGroups");
		if (tb_str_eq(tb_xml_text(act, "TargetGroupArn"), tg_arn))
			return true;
		for (const struct tb_xml *g = groups ? groups->children : NULL; g; g = g->next)
			if (tb_str_eq(tb_xml_text(g, "TargetGroupArn"), tg_arn))
				return true;
	}
	return false;
}

struct rule_search {
	struct tb_arena *a;
	struct tb_svc *s;
	const char *found_listener;
	const struct tb_xml *found;
};

static int search_rules_page(void *ud, const struct tb_xml *result)
{
	struct rule_search *rs = ud;
	const struct tb_xml *rules = tb_xml_child(result, "Rules");

	for (const struct tb_xml *r = rules ? rules->children : NULL; r; r = r->next)
		if (rule_forwards_to(r, rs->s->target_group_arn)) {
			rs->found = r;
			return 1;
		}
	return 0;
}

/* Import: the rule forwarding to the target group, on the listeners of the
 * target group's load balancer. Leaves s untouched when there is none. */
static int find_rule_by_tg(struct tb_aws_ctx *ctx, struct tb_svc *s)
{
	struct rule_search rs = {.a = ctx->arena, .s = s};
	const struct tb_xml *r = NULL, *list;
	int err;

	if (s->lb_arn == NULL)
		return 0;
	err = query1(ctx, "DescribeListeners", "LoadBalancerArn", s->lb_arn, &r);
	list = tb_xml_child(r, "Listeners");
	for (const struct tb_xml *l = list ? list->children : NULL; l && err == 0 && !rs.found;
	     l = l->next) {
		struct tb_aws_params p;
		tb_aws_params_init(&p, ctx->arena);
		rs.found_listener = tb_xml_text(l, "ListenerArn");
		err = tb_aws_params_add(&p, "ListenerArn", rs.found_listener);
		if (err == 0)
			err = tb_aws_query_paginate(ctx, "elasticloadbalancing", "DescribeRules",
			                            &p, "NextMarker", search_rules_page, &rs);
	}
	if (err != 0 || rs.found == NULL)
		return err;
	s->lb.listener_arn = rs.found_listener;
	return tb_service_flatten_rule(ctx->arena, rs.found, s);
}

/* ---- reading ------------------------------------------------------------------------------ */

/* What the three reads of the load balancer side answer (NULL: missing). */
struct lb_answers {
	const struct tb_svc *s;
	const struct tb_xml *tg, *rule;
	const struct tb_xml *attrs;
};

static int fetch_tg(struct tb_aws_ctx *ctx, void *ud)
{
	struct lb_answers *r = ud;
	return tb_aws_describe_target_group(ctx, r->s->target_group_arn, &r->tg);
}

static int fetch_attrs(struct tb_aws_ctx *ctx, void *ud)
{
	struct lb_answers *r = ud;
	int err = query1(ctx, "DescribeTargetGroupAttributes", "TargetGroupArn",
	                 r->s->target_group_arn, &r->attrs);

	return err == TB_ENOTFOUND ? 0 : err;
}

static int fetch_rule(struct tb_aws_ctx *ctx, void *ud)
{
	struct lb_answers *r = ud;
	const char *arn = r->s->listener_rule_arn;

	if (arn == NULL || *arn == '\0')
		return 0;
	return tb_aws_describe_rule(ctx, arn, &r->rule);
}

/* The rule as read: gone (the plan creates it), found by ARN, or (no ARN
 * recorded: import) the one forwarding to the target group. */
static int read_rule(struct tb_aws_ctx *ctx, const struct lb_answers *r, struct tb_svc *s)
{
	const char *listener;
	int err;

	if (s->listener_rule_arn == NULL || *s->listener_rule_arn == '\0')
		return find_rule_by_tg(ctx, s);
	if (r->rule == NULL) {
		s->listener_rule_arn = NULL;
		s->lb.priority = 0;
		return 0;
	}
	err = tb_service_flatten_rule(ctx->arena, r->rule, s);
	if (err == 0 && (listener = listener_of_rule(ctx->arena, s->listener_rule_arn)))
		s->lb.listener_arn = listener;
	return err;
}

/* Reads the target group, its attributes and the rule at once. See service.h. */
int tb_service_lb_read(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	static const tb_kit_fetch fetches[] = {fetch_tg, fetch_attrs, fetch_rule};
	struct tb_svc *s = slot;
	struct lb_answers r = {.s = s};
	int err;

	if (!s->lb.set || s->target_group_arn == NULL || *s->target_group_arn == '\0')
		return 0;
	err = tb_kit_parallel(ctx, fetches, TB_COUNT(fetches), &r);
	if (err != 0)
		return err;
	if (r.tg == NULL) {
		/* The target group cannot be rebuilt in place: an empty listener
		 * (a force-new attribute) makes the plan replace the service. */
		s->lb.listener_arn = "";
		return 0;
	}
	err = tb_service_flatten_tg(ctx->arena, r.tg, s);
	if (err == 0 && r.attrs)
		err = tb_service_flatten_tg_attrs(ctx->arena, r.attrs, s);
	return err == 0 ? read_rule(ctx, &r, s) : err;
}

void tb_service_lb_merge(void *state, const void *slot)
{
	struct tb_svc *s = state;
	const struct tb_svc *r = slot;

	s->lb = r->lb;
	s->lb_arn = r->lb_arn;
	s->target_group_arn = r->target_group_arn;
	s->target_group_name = r->target_group_name;
	s->listener_rule_arn = r->listener_rule_arn;
}

/* Each answers whether one recorded object still exists (0 and *found), or
 * an error; not found is an answer, not an error. */
int tb_service_tg_exists(struct tb_aws_ctx *ctx, const struct tb_svc *s, bool *found)
{
	const struct tb_xml *r = NULL;
	int err = query1(ctx, "DescribeTargetGroups", "TargetGroupArns.member.1",
	                 s->target_group_arn, &r);

	*found = err == 0 && tb_xml_path(r, "TargetGroups/member") != NULL;
	return err == TB_ENOTFOUND ? 0 : err;
}

int tb_service_rule_exists(struct tb_aws_ctx *ctx, const struct tb_svc *s, bool *found)
{
	const struct tb_xml *r = NULL;
	int err = query1(ctx, "DescribeRules", "RuleArns.member.1", s->listener_rule_arn, &r);

	*found = err == 0 && tb_xml_path(r, "Rules/member") != NULL;
	return err == TB_ENOTFOUND ? 0 : err;
}

static int modify_tg_attrs(struct tb_aws_ctx *ctx, const struct tb_svc *s)
{
	struct tb_aws_params p;
	int err;

	tb_aws_params_init(&p, ctx->arena);
	err = tb_service_tg_attr_params(s, s->target_group_arn, &p);
	return err == 0 ? elb(ctx, "ModifyTargetGroupAttributes", &p, NULL) : err;
}

static int create_rule(struct tb_aws_ctx *ctx, struct tb_svc *s)
{
	struct tb_aws_params p;
	const struct tb_xml *r = NULL;
	int err;

	tb_aws_params_init(&p, ctx->arena);
	err = tb_service_rule_params(s, s->target_group_arn, &p);
	if (err == 0)
		err = elb(ctx, "CreateRule", &p, &r);
	if (err == 0 && (s->listener_rule_arn = tb_xml_text(r, "Rules/member/RuleArn")) == NULL)
		err = TB_EAWS;
	return err;
}

int tb_service_lb_create(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_svc *s = slot;
	struct tb_aws_params p;
	const struct tb_xml *r = NULL;
	const char *name = s->target_group_name
	                       ? s->target_group_name
	                       : tb_service_tg_name(ctx->arena, s->cluster, s->name);
	int err;

	if (!s->lb.set)
		return 0;
	if (name == NULL)
		return TB_ENOMEM;
	err = tb_service_resolve_vpc(op, ctx, s);
	tb_aws_params_init(&p, ctx->arena);
	if (err == 0)
		err = tb_service_tg_params(s, name, &p);
	if (err == 0)
		err = elb(ctx, "CreateTargetGroup", &p, &r);
	if (err != 0)
		return err;
	if ((s->target_group_arn = tb_xml_text(r, "TargetGroups/member/TargetGroupArn")) == NULL)
		return TB_EAWS;
	err = modify_tg_attrs(ctx, s);
	return err == 0 ? create_rule(ctx, s) : err;
}

static int modify_rule(struct tb_aws_ctx *ctx, const struct tb_svc *old, const struct tb_svc *s)
{
	struct tb_aws_params p;
	int err = 0;

	if (!tb_service_attr_equal("load_balancer", "host_headers", old, s) ||
	    !tb_service_attr_equal("load_balancer", "path_patterns", old, s)) {
		tb_aws_params_init(&p, ctx->arena);
		err = tb_aws_params_add(&p, "RuleArn", s->listener_rule_arn);
		if (err == 0)
			err = tb_service_conditions_params(s, &p);
		if (err == 0)
			err = elb(ctx, "ModifyRule", &p, NULL);
	}
	if (err != 0 || old->lb.priority == s->lb.priority)
		return err;
	tb_aws_params_init(&p, ctx->arena);
	err = tb_aws_params_add(&p, "RulePriorities.member.1.RuleArn", s->listener_rule_arn);
	if (err == 0)
		err = tb_aws_params_add(
		    &p, "RulePriorities.member.1.Priority",
		    tb_arena_printf(ctx->arena, "%lld", (long long)s->lb.priority));
	return err == 0 ? elb(ctx, "SetRulePriorities", &p, NULL) : err;
}

/* Target group and rule settings in place; a missing rule is created. */
int tb_service_lb_update(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_svc *s = slot;
	const struct tb_svc *old = op->old;
	struct tb_aws_params p;
	int err = 0;

	if (!s->lb.set)
		return 0;
	if (!tb_service_block_equal("load_balancer.health_check", old, s)) {
		tb_aws_params_init(&p, ctx->arena);
		err = tb_service_tg_health_params(s, s->target_group_arn, &p);
		if (err == 0)
			err = elb(ctx, "ModifyTargetGroup", &p, NULL);
	}
	if (err == 0 && (!tb_service_stickiness_equal(&old->lb, &s->lb) ||
	                 old->lb.deregistration_delay != s->lb.deregistration_delay))
		err = modify_tg_attrs(ctx, s);
	if (err != 0)
		return err;
	if (s->listener_rule_arn == NULL || *s->listener_rule_arn == '\0')
		return create_rule(ctx, s);
	return modify_rule(ctx, old, s);
}

void tb_service_rule_merge(void *state, const void *slot)
{
	((struct tb_svc *)state)->listener_rule_arn =
	    ((const struct tb_svc *)slot)->listener_rule_arn;
}

int tb_service_lb_delete(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_svc *s = slot;
	const struct tb_xml *r = NULL;
	int64_t until = tb_now_ms() + TG_IN_USE_RETRY_MS;
	int err = 0;

	if (s->listener_rule_arn && *s->listener_rule_arn)
		err = query1(ctx, "DeleteRule", "RuleArn", s->listener_rule_arn, &r);
	if (err != 0 && err != TB_ENOTFOUND)
		return err;
	if (s->target_group_arn == NULL || *s->target_group_arn == '\0')
		return 0;
	/* A target group stays "in use" for a while after its rule and service go. */
	while ((err = query1(ctx, "DeleteTargetGroup", "TargetGroupArn", s->target_group_arn,
	                     &r)) == TB_ECONFLICT &&
	       tb_now_ms() < until) {
		int slept = tb_aws_sleep(ctx->client, TG_IN_USE_DELAY_MS);
		if (slept != 0)
			return slept;
	}
	return err == TB_ENOTFOUND ? 0 : err;
}
