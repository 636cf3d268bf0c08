/*
 * Rules of talentbase_service (TB001-TB020): the checks, then the table.
 * Every check reads the service object with defaults applied, skips what is
 * unknown and treats null as "not set" (the documented default applies).
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "rules/rule.h"

#define DOC_BP   "AWS Best Practices Implementation - TalentBase"
#define DOC_RP   "TalentBase Infrastructure Refactoring - Complete Package"
#define DOC_ECF  "ECS Configuration Fixes and Improvements"
#define DOC_IE   "Infrastructure Enhancements Documentation"
#define DOC_ARCH "AWS Infrastructure Architecture"

#define ALL(s)                                                                                     \
	{                                                                                          \
		s, s, s                                                                            \
	}

struct range {
	const char *attr;
	double lo, hi;
	bool zero_is_off; /* 0 turns the setting off and is always valid */
};

/* Reports every attribute of block outside its range (level 0). */
static void check_ranges(struct tb_rule_ctx *c, const char *block, const struct range *r, size_t n,
                         const char *limit)
{
	for (size_t i = 0; i < n; i++) {
		const char *path = tb_arena_printf(c->a, "%s.%s", block, r[i].attr);
		double x;

		if (path == NULL || !tb_rules_num(c->v, path, &x) || (x >= r[i].lo && x <= r[i].hi))
			continue;
		if (r[i].zero_is_off && x == 0)
			continue;
		tb_rules_report(c, 0, path, "%s = %s is outside %s to %s, the %s limit.", path,
		                tb_rules_num_text(c->a, x), tb_rules_num_text(c->a, r[i].lo),
		                tb_rules_num_text(c->a, r[i].hi), limit);
	}
}

/* timeout must be below interval in a health check block. */
static void check_timeout_below_interval(struct tb_rule_ctx *c, const char *block)
{
	const char *tp = tb_arena_printf(c->a, "%s.timeout", block);
	const char *ip = tb_arena_printf(c->a, "%s.interval", block);
	double t, i;

	if (tp == NULL || ip == NULL || !tb_rules_num(c->v, tp, &t) || !tb_rules_num(c->v, ip, &i))
		return;
	if (t >= i)
		tb_rules_report(
		    c, 0, tp,
		    "%s = %s is not shorter than interval = %s: each check would still be "
		    "running when the next one starts.",
		    tp, tb_rules_num_text(c->a, t), tb_rules_num_text(c->a, i));
}

/* ---- TB001 image_tag ---------------------------------------------------- */

static const char *const mutable_tags[] = {
    "main",       "master",  "develop", "stable", "prod",
    "production", "staging", "current", "edge",   "nightly",
};

static bool sha256_digest(const char *s)
{
	size_t n = 0;

	while (isxdigit((unsigned char)s[n]))
		n++;
	return n == 64 && s[n] == '\0';
}

static bool blank(const char *s)
{
	while (s != NULL && isspace((unsigned char)*s))
		s++;
	return s == NULL || *s == '\0';
}

static void check_image_tag(struct tb_rule_ctx *c)
{
	const struct tb_value *t = tb_attr(c->v, "image_tag");
	const char *tag = tb_get_str(t);

	if (tb_is_unknown(t))
		return;
	if (blank(tag)) {
		tb_rules_report(c, 0, "image_tag",
		                "image_tag is not set, so the image would be pulled as :latest.");
	} else if (strcasecmp(tag, "latest") == 0) {
		tb_rules_report(c, 0, "image_tag",
		                "image_tag is \"%s\", a tag that moves with every push.", tag);
	} else if (tb_str_has_prefix(tag, "sha256:")) {
		if (!sha256_digest(tag + 7))
			tb_rules_report(c, 0, "image_tag",
			                "image_tag \"%s\" starts like a digest but is not sha256: "
			                "followed by 64 hexadecimal digits.",
			                tag);
	} else {
		for (size_t i = 0; i < TB_COUNT(mutable_tags); i++) {
			if (strcasecmp(tag, mutable_tags[i]) == 0)
				tb_rules_report(c, 1, "image_tag",
				                "image_tag is \"%s\", a branch or environment name "
				                "that usually moves to newer builds.",
				                tag);
		}
	}
}

/* ---- TB002 environment -------------------------------------------------- */

static void check_environment(struct tb_rule_ctx *c)
{
	const struct tb_value *env = tb_rules_coll(c->v, "environment", TB_MAP);

	if (env == NULL)
		return;
	for (size_t i = 0; i < env->u.coll.n; i++) {
		const char *key = env->u.coll.keys[i];
		const char *word = tb_rules_secret_name_word(key);
		const char *kind = tb_rules_credential_kind(tb_get_str(env->u.coll.items[i]));

		if (word != NULL)
			tb_rules_report_key(
			    c, 0, "environment", key,
			    "The variable name %s contains \"%s\", so its value is "
			    "a secret and must not be a plain environment variable.",
			    key, word);
		else if (kind != NULL)
			tb_rules_report_key(
			    c, 0, "environment", key,
			    "The value of %s looks like %s (the value is not repeated "
			    "here).",
			    key, kind);
	}
}

/* ---- TB003 cpu / memory -------------------------------------------------- */

struct fargate_size {
	int64_t cpu, min, max, step;
};

static const struct fargate_size fargate_sizes[] = {
    {.cpu = 256, .min = 512, .max = 512, .step = 512},
    {.cpu = 256, .min = 1024, .max = 2048, .step = 1024},
    {.cpu = 512, .min = 1024, .max = 4096, .step = 1024},
    {.cpu = 1024, .min = 2048, .max = 8192, .step = 1024},
    {.cpu = 2048, .min = 4096, .max = 16384, .step = 1024},
    {.cpu = 4096, .min = 8192, .max = 30720, .step = 1024},
    {.cpu = 8192, .min = 16384, .max = 61440, .step = 4096},
    {.cpu = 16384, .min = 32768, .max = 122880, .step = 8192},
};

#define FARGATE_CPUS "256, 512, 1024, 2048, 4096, 8192 or 16384"

static bool fargate_cpu(double cpu)
{
	for (size_t i = 0; i < TB_COUNT(fargate_sizes); i++) {
		if ((double)fargate_sizes[i].cpu == cpu)
			return true;
	}
	return false;
}

/* The memory values Fargate allows with cpu; returns their count. */
static size_t fargate_memories(double cpu, int64_t *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < TB_COUNT(fargate_sizes); i++) {
		const struct fargate_size *f = &fargate_sizes[i];

		for (int64_t m = f->min; (double)f->cpu == cpu && m <= f->max && n < max;
		     m += f->step)
			out[n++] = m;
	}
	return n;
}

static void check_cpu_memory(struct tb_rule_ctx *c)
{
	int64_t valid[32];
	double cpu, mem;
	size_t n;

	if (!tb_rules_num(c->v, "cpu", &cpu))
		return;
	if (!fargate_cpu(cpu)) {
		tb_rules_report(c, 0, "cpu",
		                "cpu = %s is not a Fargate task size; use " FARGATE_CPUS ".",
		                tb_rules_num_text(c->a, cpu));
		return;
	}
	if (!tb_rules_num(c->v, "memory", &mem))
		return;
	n = fargate_memories(cpu, valid, TB_COUNT(valid));
	for (size_t i = 0; i < n; i++) {
		if ((double)valid[i] == mem)
			return;
	}
	tb_rules_report(c, 0, "memory",
	                "memory = %s is not available with cpu = %s. Valid memory values (MiB) for "
	                "cpu = %s: %s.",
	                tb_rules_num_text(c->a, mem), tb_rules_num_text(c->a, cpu),
	                tb_rules_num_text(c->a, cpu), tb_rules_join_ints(c->a, valid, n));
}

/* ---- TB004 container health check --------------------------------------- */

static const struct range container_hc_ranges[] = {
    {.attr = "interval", .lo = 5, .hi = 300},
    {.attr = "timeout", .lo = 2, .hi = 60},
    {.attr = "retries", .lo = 1, .hi = 10},
    {.attr = "start_period", .lo = 0, .hi = 300},
};

static void check_health_command(struct tb_rule_ctx *c)
{
	const struct tb_value *cmd = tb_rules_coll(c->v, "health_check.command", TB_LIST);
	const char *first;

	if (cmd == NULL || cmd->u.coll.n == 0)
		return;
	first = tb_get_str(cmd->u.coll.items[0]);
	if (first != NULL && strcmp(first, "CMD") != 0 && strcmp(first, "CMD-SHELL") != 0)
		tb_rules_report_item(c, 0, "health_check.command", 0, NULL,
		                     "health_check.command starts with \"%s\"; ECS needs \"CMD\" "
		                     "(run the arguments directly) or \"CMD-SHELL\" (run them in a "
		                     "shell) first.",
		                     first);
}

static void check_container_health(struct tb_rule_ctx *c)
{
	if (!tb_rules_is_set(c->v, "health_check"))
		return;
	check_ranges(c, "health_check", container_hc_ranges, TB_COUNT(container_hc_ranges), "ECS");
	check_timeout_below_interval(c, "health_check");
	check_health_command(c);
}

/* ---- TB005 start period by role ------------------------------------------ */

struct role_budget {
	const char *role;
	double start_period;
	const char *why;
};

static const struct role_budget role_budgets[] = {
    {.role = "web", .start_period = 180, .why = "a web (Remix) service measured 140 s + 40 s"},
    {.role = "api", .start_period = 120, .why = "an API (Django) service needs 120 s"},
};

static void check_start_period(struct tb_rule_ctx *c)
{
	const char *role;
	double sp;

	if (!tb_rules_str(c->v, "role", &role) ||
	    !tb_rules_num(c->v, "health_check.start_period", &sp))
		return;
	for (size_t i = 0; i < TB_COUNT(role_budgets); i++) {
		const struct role_budget *b = &role_budgets[i];

		if (strcmp(role, b->role) == 0 && sp < b->start_period)
			tb_rules_report(
			    c, 0, "health_check.start_period",
			    "health_check.start_period = %s s is below the %s s startup "
			    "budget of role = \"%s\" (%s).",
			    tb_rules_num_text(c->a, sp), tb_rules_num_text(c->a, b->start_period),
			    role, b->why);
	}
}

/* ---- TB006 grace period ---------------------------------------------------- */

static void check_grace_period(struct tb_rule_ctx *c)
{
	double grace, sp;

	if (!tb_rules_is_set(c->v, "load_balancer") ||
	    !tb_rules_num(c->v, "deployment.health_check_grace_period", &grace) ||
	    !tb_rules_num(c->v, "health_check.start_period", &sp) || grace >= sp)
		return;
	tb_rules_report(c, 0, "deployment.health_check_grace_period",
	                "deployment.health_check_grace_period = %s s ends before the container's "
	                "health_check.start_period = %s s.",
	                tb_rules_num_text(c->a, grace), tb_rules_num_text(c->a, sp));
}

/* ---- TB007 rollback ---------------------------------------------------------- */

static void check_rollback(struct tb_rule_ctx *c)
{
	bool rollback;

	if (tb_get_bool(tb_rules_get(c->v, "deployment.rollback"), &rollback) && !rollback)
		tb_rules_report(
		    c, 0, "deployment.rollback",
		    "deployment.rollback = false: a failed deployment is not rolled back "
		    "automatically.");
}

/* ---- TB008 deployment percentages ---------------------------------------- */

/* The task count a deployment starts from: autoscaling's floor, else
 * desired_count. False when not known. */
static bool task_count(const struct tb_rule_ctx *c, int64_t *out)
{
	double n;
	bool ok;

	if (tb_rules_is_set(c->v, "autoscaling"))
		ok = tb_rules_num(c->v, "autoscaling.min_capacity", &n);
	else if (tb_rules_is_null(c->v, "autoscaling"))
		ok = tb_rules_num(c->v, "desired_count", &n);
	else
		ok = false;
	if (ok)
		*out = tb_double_to_int64(n);
	return ok && n >= 0;
}

/* n * pct / 100, rounded up when asked; false when it does not fit. */
static bool percent_of(int64_t n, int64_t pct, bool round_up, int64_t *out)
{
	int64_t p;

	if (__builtin_mul_overflow(n, pct, &p) || (round_up && __builtin_add_overflow(p, 99, &p)))
		return false;
	*out = p / 100;
	return true;
}

static void check_percent_deadlock(struct tb_rule_ctx *c, int64_t min_pct, int64_t max_pct)
{
	int64_t n, keep, most;

	if (min_pct >= 100 && max_pct < 200) {
		tb_rules_report(
		    c, 0, "deployment.maximum_percent",
		    "minimum_healthy_percent = %lld with maximum_percent = %lld: ECS "
		    "may not stop an old task before its replacement is healthy, and has "
		    "no room to start one for a single task.",
		    (long long)min_pct, (long long)max_pct);
		return;
	}
	if (!task_count(c, &n) || n < 1 || !percent_of(n, min_pct, true, &keep) ||
	    !percent_of(n, max_pct, false, &most))
		return;
	if (keep >= n && most <= n)
		tb_rules_report(
		    c, 0, "deployment.maximum_percent",
		    "With %lld task(s), minimum_healthy_percent = %lld keeps %lld running "
		    "and maximum_percent = %lld allows at most %lld: ECS can neither stop "
		    "an old task nor start a new one, so the rollout stalls.",
		    (long long)n, (long long)min_pct, (long long)keep, (long long)max_pct,
		    (long long)most);
}

static void check_deployment_percent(struct tb_rule_ctx *c)
{
	double lo, hi;
	int64_t n, keep;

	if (!tb_rules_num(c->v, "deployment.minimum_healthy_percent", &lo) ||
	    !tb_rules_num(c->v, "deployment.maximum_percent", &hi))
		return;
	check_percent_deadlock(c, tb_double_to_int64(lo), tb_double_to_int64(hi));
	if (lo < 100 && task_count(c, &n) && n >= 1 &&
	    percent_of(n, tb_double_to_int64(lo), true, &keep) && keep == 0)
		tb_rules_report(
		    c, 1, "deployment.minimum_healthy_percent",
		    "minimum_healthy_percent = %s lets ECS stop all %lld task(s) before "
		    "replacements are healthy: the service goes down during every "
		    "deploy.",
		    tb_rules_num_text(c->a, lo), (long long)n);
}

/* ---- TB009 cooldowns --------------------------------------------------------- */

static void check_cooldowns(struct tb_rule_ctx *c)
{
	double in = 0, out = 0;
	bool in_ok, out_ok;

	in_ok = tb_rules_num(c->v, "autoscaling.scale_in_cooldown", &in);
	out_ok = tb_rules_num(c->v, "autoscaling.scale_out_cooldown", &out);
	if (in_ok && in < 300)
		tb_rules_report(
		    c, 0, "autoscaling.scale_in_cooldown",
		    "scale_in_cooldown = %s s is below 300 s: capacity is removed again "
		    "before the last scale-out has settled.",
		    tb_rules_num_text(c->a, in));
	else if (in_ok && out_ok && in < out)
		tb_rules_report(
		    c, 0, "autoscaling.scale_in_cooldown",
		    "scale_in_cooldown = %s s is shorter than scale_out_cooldown = %s s.",
		    tb_rules_num_text(c->a, in), tb_rules_num_text(c->a, out));
	if (out_ok && out > 120)
		tb_rules_report(
		    c, 0, "autoscaling.scale_out_cooldown",
		    "scale_out_cooldown = %s s is above 120 s: a traffic spike waits that "
		    "long for each further step of capacity.",
		    tb_rules_num_text(c->a, out));
}

/* ---- TB010 autoscaling bounds ------------------------------------------- */

static const struct range scaling_targets[] = {
    {.attr = "cpu_target", .lo = 10, .hi = 95, .zero_is_off = true},
    {.attr = "memory_target", .lo = 10, .hi = 95, .zero_is_off = true},
};

static void check_capacity_bounds(struct tb_rule_ctx *c)
{
	double lo, hi;
	bool lo_ok = tb_rules_num(c->v, "autoscaling.min_capacity", &lo);

	if (lo_ok && lo < 1)
		tb_rules_report(
		    c, 0, "autoscaling.min_capacity",
		    "autoscaling.min_capacity = %s: autoscaling would be allowed to stop "
		    "every task.",
		    tb_rules_num_text(c->a, lo));
	if (lo_ok && tb_rules_num(c->v, "autoscaling.max_capacity", &hi) && lo > hi)
		tb_rules_report(c, 0, "autoscaling.min_capacity",
		                "autoscaling.min_capacity = %s is above max_capacity = %s.",
		                tb_rules_num_text(c->a, lo), tb_rules_num_text(c->a, hi));
	if (tb_rules_num(c->v, "autoscaling.requests_per_target", &hi) && hi < 1)
		tb_rules_report(
		    c, 0, "autoscaling.requests_per_target",
		    "autoscaling.requests_per_target = %s: the target must be at least 1 "
		    "request per task.",
		    tb_rules_num_text(c->a, hi));
}

/* Fewer than 2 tasks: autoscaling's floor, or desired_count without it. */
static void check_single_task(struct tb_rule_ctx *c)
{
	const char *path;
	double n, floor;

	if (tb_rules_is_set(c->v, "autoscaling")) {
		path = "autoscaling.min_capacity";
		floor = 1; /* below 1 is a level-0 finding */
	} else if (tb_rules_is_null(c->v, "autoscaling")) {
		path = "desired_count";
		floor = 0;
	} else {
		return;
	}
	if (tb_rules_num(c->v, path, &n) && n >= floor && n < 2)
		tb_rules_report(
		    c, 1, path,
		    "%s = %s in %s: the service runs on fewer than 2 tasks, so one task "
		    "failure or one Availability Zone outage takes it down.",
		    path, tb_rules_num_text(c->a, n), c->env->environment);
}

static void check_autoscaling_bounds(struct tb_rule_ctx *c)
{
	if (tb_rules_is_set(c->v, "autoscaling")) {
		check_capacity_bounds(c);
		check_ranges(c, "autoscaling", scaling_targets, TB_COUNT(scaling_targets),
		             "team's (and Application Auto Scaling's)");
	}
	if (tb_rules_wants(c, 1))
		check_single_task(c);
}

/* ---- TB011 dual-metric scaling ----------------------------------------- */

/* A target-tracking target that is unset or 0 means "no policy". */
static bool policy_off(const struct tb_value *target)
{
	double x;
	return tb_is_null(target) || (tb_get_float(target, &x) && x == 0);
}

static void check_dual_metric(struct tb_rule_ctx *c)
{
	const struct tb_value *cpu = tb_rules_get(c->v, "autoscaling.cpu_target");
	const struct tb_value *mem = tb_rules_get(c->v, "autoscaling.memory_target");

	if (!tb_rules_is_set(c->v, "autoscaling") || tb_is_unknown(cpu) || tb_is_unknown(mem))
		return;
	if (policy_off(cpu))
		tb_rules_report(
		    c, 0, "autoscaling.cpu_target",
		    "autoscaling has no cpu_target: CPU saturation does not add tasks.");
	else if (policy_off(mem))
		tb_rules_report(c, 0, "autoscaling.memory_target",
		                "autoscaling has no memory_target: memory pressure does not add "
		                "tasks.");
}

/* ---- TB012 log retention ------------------------------------------------ */

static const int64_t retention_values[] = {
    1,   3,   5,   7,   14,   30,   60,   90,   120,  150,  180,
    365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
};

/* Minimum retention per environment (enum tb_rules_env_index order). */
static const int64_t retention_minimum[TB_ENV_COUNT] = {
    [TB_ENV_PRODUCTION] = 30,
    [TB_ENV_STAGING] = 7,
    [TB_ENV_DEVELOPMENT] = 7,
};

static void check_retention(struct tb_rule_ctx *c)
{
	double days;
	bool valid = false;

	if (!tb_rules_num(c->v, "logs.retention_days", &days))
		return;
	for (size_t i = 0; i < TB_COUNT(retention_values); i++)
		valid = valid || (double)retention_values[i] == days;
	if (!valid) {
		tb_rules_report(
		    c, 0, "logs.retention_days",
		    "logs.retention_days = %s is not a retention CloudWatch Logs accepts. "
		    "Valid values (days): %s.",
		    tb_rules_num_text(c->a, days),
		    tb_rules_join_ints(c->a, retention_values, TB_COUNT(retention_values)));
		return;
	}
	if (c->env_index >= 0 && days < (double)retention_minimum[c->env_index])
		tb_rules_report(c, 1, "logs.retention_days",
		                "logs.retention_days = %s is below the %lld days kept in %s.",
		                tb_rules_num_text(c->a, days),
		                (long long)retention_minimum[c->env_index], c->env->environment);
}

/* ---- TB013 capacity mix ------------------------------------------------- */

static void check_capacity_mix(struct tb_rule_ctx *c)
{
	double base, fw, sw;

	if (!tb_rules_is_set(c->v, "capacity"))
		return;
	if (tb_rules_num(c->v, "capacity.fargate_base", &base) && base < 2)
		tb_rules_report(
		    c, 0, "capacity.fargate_base",
		    "capacity.fargate_base = %s: fewer than 2 tasks are guaranteed to run "
		    "on regular FARGATE.",
		    tb_rules_num_text(c->a, base));
	if (tb_rules_num(c->v, "capacity.fargate_weight", &fw) &&
	    tb_rules_num(c->v, "capacity.spot_weight", &sw) && fw + sw > 0 &&
	    sw * 100 > 40 * (fw + sw))
		tb_rules_report(
		    c, 0, "capacity.spot_weight",
		    "capacity.spot_weight = %s of %s puts %.0f %% of the tasks above the "
		    "base on FARGATE_SPOT (at most 40 %%).",
		    tb_rules_num_text(c->a, sw), tb_rules_num_text(c->a, fw + sw),
		    sw * 100 / (fw + sw));
}

/* ---- TB014 target group health check ------------------------------------- */

static const struct range tg_hc_ranges[] = {
    {.attr = "interval", .lo = 5, .hi = 300},
    {.attr = "timeout", .lo = 2, .hi = 120},
    {.attr = "healthy_threshold", .lo = 2, .hi = 10},
    {.attr = "unhealthy_threshold", .lo = 2, .hi = 10},
};

/* One code 200-499 from s; advances s. */
static bool http_code(const char **s, int *out)
{
	int v = 0, n = 0;

	while (isdigit((unsigned char)**s) && n < 4) {
		v = v * 10 + (*(*s)++ - '0');
		n++;
	}
	*out = v;
	return n == 3 && v >= 200 && v <= 499;
}

/* "200", "200,302", "200-399". */
static bool http_codes_ok(const char *s)
{
	int lo, hi;

	for (;;) {
		if (!http_code(&s, &lo))
			return false;
		if (*s == '-') {
			s++;
			if (!http_code(&s, &hi) || hi < lo)
				return false;
		}
		if (*s == '\0')
			return true;
		if (*s++ != ',')
			return false;
	}
}

static void check_tg_matcher_path(struct tb_rule_ctx *c)
{
	const char *matcher, *path;

	if (tb_rules_str(c->v, "load_balancer.health_check.matcher", &matcher) &&
	    !http_codes_ok(matcher))
		tb_rules_report(
		    c, 0, "load_balancer.health_check.matcher",
		    "matcher \"%s\" is not a list or range of HTTP codes between 200 and "
		    "499 (e.g. \"200\", \"200,302\" or \"200-399\").",
		    matcher);
	if (tb_rules_str(c->v, "load_balancer.health_check.path", &path) &&
	    (path[0] != '/' || strlen(path) > 1024))
		tb_rules_report(c, 0, "load_balancer.health_check.path",
		                "the health check path must start with / and be at most 1024 "
		                "characters long.");
}

static void check_tg_health(struct tb_rule_ctx *c)
{
	if (!tb_rules_is_set(c->v, "load_balancer.health_check"))
		return;
	check_ranges(c, "load_balancer.health_check", tg_hc_ranges, TB_COUNT(tg_hc_ranges),
	             "Elastic Load Balancing");
	check_timeout_below_interval(c, "load_balancer.health_check");
	check_tg_matcher_path(c);
}

/* ---- TB015 deregistration delay ------------------------------------------ */

static void check_deregistration(struct tb_rule_ctx *c)
{
	double d;

	if (!tb_rules_num(c->v, "load_balancer.deregistration_delay", &d))
		return;
	if (d < 0 || d > 3600)
		tb_rules_report(
		    c, 0, "load_balancer.deregistration_delay",
		    "deregistration_delay = %s is outside 0 to 3600 s, the Elastic Load "
		    "Balancing limit.",
		    tb_rules_num_text(c->a, d));
	else if (d > 60)
		tb_rules_report(
		    c, 1, "load_balancer.deregistration_delay",
		    "deregistration_delay = %s s: every deploy waits that long for each "
		    "old task to drain.",
		    tb_rules_num_text(c->a, d));
}

/* ---- TB016 scheduled actions ---------------------------------------------- */

#define MAX_SCHEDULED_ACTIONS 200

/* The schedule blocks are a set: an attribute path cannot address one of
 * them, so findings point at the set and name the schedule in the detail. */
#define SCHEDULES "autoscaling.schedule"

/* Application Auto Scaling names: 1-256 characters, no control characters,
 * no : / |, no leading or trailing space. */
static bool action_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 256 || name[0] == ' ' || name[n - 1] == ' ')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)name[i];

		if (ch < 0x20 || ch == 0x7f || strchr(":/|", ch) != NULL)
			return false;
	}
	return true;
}

/* How a finding names its schedule block: schedule "after-hours". */
static const char *action_label(struct tb_rule_ctx *c, const struct tb_value *item)
{
	const char *name = tb_get_str(tb_attr(item, "name"));
	const char *label = name ? tb_arena_printf(c->a, "schedule \"%s\"", name) : NULL;

	return label ? label : "a schedule block";
}

/* A duplicated name is reported once, at its first block. */
static void check_action_name(struct tb_rule_ctx *c, const struct tb_value *set, size_t i)
{
	const char *name = tb_get_str(tb_attr(set->u.coll.items[i], "name"));
	size_t uses = 0;

	if (name == NULL)
		return;
	if (!action_name_ok(name)) {
		tb_rules_report(
		    c, 0, SCHEDULES,
		    "schedule \"%s\": the name must be 1 to 256 characters without :, / "
		    "or | and without leading or trailing spaces.",
		    name);
		return;
	}
	for (size_t j = 0; j < set->u.coll.n; j++) {
		if (!tb_str_eq(name, tb_get_str(tb_attr(set->u.coll.items[j], "name"))))
			continue;
		if (j < i)
			return;
		uses++;
	}
	if (uses > 1)
		tb_rules_report(c, 0, SCHEDULES,
		                "schedule \"%s\": %zu schedule blocks have this name; names "
		                "identify the scheduled actions and must be unique.",
		                name, uses);
}

static void check_action_zone(struct tb_rule_ctx *c, const struct tb_value *item)
{
	const char *zone = tb_get_str(tb_attr(item, "timezone"));

	if (zone != NULL && tb_rules_timezone(NULL, zone) == TB_TZ_INVALID)
		tb_rules_report(c, 0, SCHEDULES,
		                "%s: timezone \"%s\" is not an IANA time zone name (such as UTC, "
		                "Europe/Berlin or America/Sao_Paulo).",
		                action_label(c, item), zone);
}

static void check_action(struct tb_rule_ctx *c, const struct tb_value *set, size_t i)
{
	const struct tb_value *item = set->u.coll.items[i];
	const char *expr = tb_get_str(tb_attr(item, "schedule"));
	const char *err = expr ? tb_rules_schedule_error(c->a, expr) : NULL;
	double lo, hi;

	if (!tb_is_known(item))
		return;
	if (err != NULL)
		tb_rules_report(c, 0, SCHEDULES, "%s: schedule = \"%s\" is not valid: %s.",
		                action_label(c, item), expr, err);
	check_action_zone(c, item);
	if (tb_get_float(tb_attr(item, "min_capacity"), &lo) &&
	    tb_get_float(tb_attr(item, "max_capacity"), &hi) && lo > hi)
		tb_rules_report(c, 0, SCHEDULES,
		                "%s: min_capacity = %s is above max_capacity = %s.",
		                action_label(c, item), tb_rules_num_text(c->a, lo),
		                tb_rules_num_text(c->a, hi));
	check_action_name(c, set, i);
}

static void check_schedules(struct tb_rule_ctx *c)
{
	const struct tb_value *set = tb_rules_coll(c->v, SCHEDULES, TB_SET);

	if (set == NULL)
		return;
	if (set->u.coll.n > MAX_SCHEDULED_ACTIONS)
		tb_rules_report(
		    c, 0, SCHEDULES,
		    "%zu schedules: Application Auto Scaling allows at most %d scheduled "
		    "actions per scalable target.",
		    set->u.coll.n, MAX_SCHEDULED_ACTIONS);
	for (size_t i = 0; i < set->u.coll.n; i++)
		check_action(c, set, i);
}

/* ---- TB017 public IP ------------------------------------------------------- */

static void check_public_ip(struct tb_rule_ctx *c)
{
	bool pub;

	if (tb_get_bool(tb_rules_get(c->v, "network.assign_public_ip"), &pub) && pub)
		tb_rules_report(c, 0, "network.assign_public_ip",
		                "network.assign_public_ip = true gives every task a public IP "
		                "address.");
}

/* ---- TB018 roles ----------------------------------------------------------- */

static void check_roles(struct tb_rule_ctx *c)
{
	const char *exec, *task;

	if (tb_rules_str(c->v, "execution_role_arn", &exec) &&
	    tb_rules_str(c->v, "task_role_arn", &task) && strcmp(exec, task) == 0)
		tb_rules_report(c, 0, "task_role_arn",
		                "task_role_arn is the same role as execution_role_arn (%s).", task);
}

/* ---- TB019 secret references --------------------------------------------- */

static void check_secret_refs(struct tb_rule_ctx *c)
{
	const struct tb_value *secrets = tb_rules_coll(c->v, "secrets", TB_MAP);

	if (secrets == NULL)
		return;
	for (size_t i = 0; i < secrets->u.coll.n; i++) {
		const struct tb_value *ref = secrets->u.coll.items[i];
		const char *err;

		if (tb_is_unknown(ref))
			continue;
		err = tb_rules_secret_ref_error(c->a, tb_get_str(ref), c->env->partition,
		                                c->env->region);
		if (err != NULL)
			tb_rules_report_key(c, 0, "secrets", secrets->u.coll.keys[i],
			                    "secrets[\"%s\"]: %s.", secrets->u.coll.keys[i], err);
	}
}

/* ---- TB020 scaling settings that do not apply ------------------------------ */

static void check_scaling_fit(struct tb_rule_ctx *c)
{
	if (!tb_rules_is_set(c->v, "autoscaling"))
		return;
	if (tb_is_known(tb_rules_get(c->v, "autoscaling.requests_per_target")) &&
	    tb_rules_is_null(c->v, "load_balancer"))
		tb_rules_report(c, 0, "autoscaling.requests_per_target",
		                "autoscaling.requests_per_target is set but the service has no "
		                "load_balancer, so there is no request count to track.");
	if (tb_is_known(tb_attr(c->v, "desired_count")))
		tb_rules_report(c, 1, "desired_count",
		                "desired_count is set although autoscaling manages the task count: "
		                "it only sets the count when the service is created.");
}

/* ---- the table ------------------------------------------------------------- */

static const struct tb_rule service_rules[] = {
    {
        .id = "TB001",
        .resource = "talentbase_service",
        .path = "image_tag",
        .summary = "image_tag must be an immutable tag",
        .levels = {{"image_tag is missing, empty, `latest` (any case) or a malformed "
                    "`sha256:` digest",
                    ALL(TB_ERR)},
                   {"image_tag is a name that usually moves: main, master, develop, stable, "
                    "prod, production, staging, current, edge, nightly",
                    ALL(TB_WARN)}},
        .source = DOC_ECF ", \"9. Image Tag Management\"; " DOC_ARCH
                          ", \"Container Registry: ECR\" (Image Configuration: tag "
                          "immutability)",
        .rationale = "A tag that moves makes deploys unrepeatable: tasks started later (a "
                     "scale-out, a replaced task) may pull different code than the ones "
                     "running, a rollback redeploys whatever the tag points at now, and the "
                     "plan cannot show what will run. The team replaced :latest "
                     "(\"dangerous\") with a version-controlled tag and keeps ECR tags "
                     "immutable.",
        .instead = "Deploy the build's own tag or digest: image_tag = var.image_tag with "
                   "`terraform apply -var image_tag=$GIT_SHA` (e.g. \"sha-3f9c2e1\", "
                   "\"v1.2.3\" or \"sha256:\" followed by 64 hex digits).",
        .check = check_image_tag,
    },
    {
        .id = "TB002",
        .resource = "talentbase_service",
        .path = "environment[\"NAME\"]",
        .summary = "secrets must not be plain environment variables",
        .levels = {{"an environment name contains SECRET, PASSWORD, PASSWD, TOKEN, API_KEY, "
                    "APIKEY, PRIVATE_KEY, CREDENTIAL or ACCESS_KEY (any case, any position), "
                    "or a value looks like a credential (AKIA..., sk_live_..., whsec_..., a "
                    "PEM private key, a URL with a password, ...)",
                    ALL(TB_ERR)}},
        .source = DOC_BP ", \"Problem Statement\" (SESSION_SECRET hardcoded in task "
                         "definition) and \"1. Secrets Management (AWS Secrets Manager)\"; " DOC_RP
                         ", \"Key Improvements\" (Security Enhancements)",
        .rationale = "Plain environment values are stored in the task definition, readable "
                     "by anyone allowed to describe it, and in Terraform state and plan "
                     "output. The documents' first security issue was SESSION_SECRET "
                     "hardcoded in this way.",
        .instead = "Store the value in Secrets Manager (talentbase_secret) and reference it: "
                   "secrets = { NAME = talentbase_secret.x.env_refs[\"NAME\"] }. Names that "
                   "only point at a secret (ending in _ARN, _FILE, _PATH, _URL or _NAME) are "
                   "not judged by their name; their values still are.",
        .check = check_environment,
    },
    {
        .id = "TB003",
        .resource = "talentbase_service",
        .path = "memory",
        .summary = "cpu and memory must be a Fargate task size",
        .levels = {{"cpu is not a Fargate size, or memory is not offered with that cpu",
                    ALL(TB_ERR)}},
        .source =
            "AWS Fargate task CPU and memory combinations (Amazon ECS Developer Guide); " DOC_BP
            ", \"3. Resource Allocation\" and \"B. Task Resource Allocation\"",
        .rationale = "Fargate runs only these pairs (cpu 256: memory 512-2048; 512: "
                     "1024-4096; 1024: 2048-8192; 2048: 4096-16384 in 1024 steps; 4096: "
                     "8192-30720 in 1024 steps; 8192: 16384-61440 in 4096 steps; 16384: "
                     "32768-122880 in 8192 steps). Any other pair fails when the task "
                     "definition is registered, after the plan was approved.",
        .instead = "Choose memory from the values the message lists for your cpu; the "
                   "documents use cpu = 512, memory = 1024 in development and cpu = 1024, "
                   "memory = 2048 in production.",
        .check = check_cpu_memory,
    },
    {
        .id = "TB004",
        .resource = "talentbase_service",
        .path = "health_check",
        .summary = "the container health check must be within ECS limits",
        .levels = {{"interval outside 5-300, timeout outside 2-60 or not below interval, "
                    "retries outside 1-10, start_period outside 0-300, or command not starting "
                    "with CMD or CMD-SHELL",
                    ALL(TB_ERR)}},
        .source = "Amazon ECS API, HealthCheck; " DOC_BP ", \"3. Health Check Optimization\"",
        .rationale = "ECS rejects health checks outside these limits when the task definition "
                     "is registered, and a timeout that is not shorter than the interval makes "
                     "checks overlap.",
        .instead = "The documented timings: interval = 30, timeout = 10, retries = 3, "
                   "start_period = 180 (web) or 120 (api), command = [\"CMD-SHELL\", \"curl "
                   "-f http://localhost:3000/ || exit 1\"].",
        .check = check_container_health,
    },
    {
        .id = "TB005",
        .resource = "talentbase_service",
        .path = "health_check.start_period",
        .summary = "start_period must cover the service's startup time",
        .levels = {{"health_check.start_period below 180 s for role = \"web\" or below 120 s "
                    "for role = \"api\"",
                    ALL(TB_WARN)}},
        .source = DOC_BP ", \"3. Health Check Optimization\" (Startup Time Analysis) and "
                         "\"C. Health Check Matrix\"; " DOC_RP
                         ", \"Key Learnings\" (Health Check Tuning)",
        .rationale = "The web application's measured startup (image pull, Node.js init, Remix "
                     "build load, first render, warm-up) is 140 s plus a 40 s buffer; the API "
                     "needs 120 s. With a shorter start period, failed checks during startup "
                     "count, ECS kills tasks that were still starting and deployments roll "
                     "back: the failure the documents were written to fix (start period 60 s, "
                     "\"TOO SHORT\").",
        .instead = "start_period = 180 for role = \"web\" and 120 for role = \"api\" (the role "
                   "presets these when health_check is omitted). Workers have no minimum.",
        .check = check_start_period,
    },
    {
        .id = "TB006",
        .resource = "talentbase_service",
        .path = "deployment.health_check_grace_period",
        .summary = "health_check_grace_period must be at least the container start_period",
        .levels = {{"with a load_balancer: deployment.health_check_grace_period < "
                    "health_check.start_period",
                    ALL(TB_ERR)}},
        .source = DOC_BP ", \"4. ECS Service Configuration\" and \"Lessons Learned\" "
                         "(Deployment Strategy: \"Health check grace periods are critical\")",
        .rationale = "The grace period is how long ECS ignores failing load balancer health "
                     "checks of a new task. If it ends before the container's start period, "
                     "the target group marks still-starting tasks unhealthy and ECS replaces "
                     "them in a loop.",
        .instead = "deployment { health_check_grace_period = 180 } with a 180 s start period "
                   "(at least health_check.start_period).",
        .check = check_grace_period,
    },
    {
        .id = "TB007",
        .resource = "talentbase_service",
        .path = "deployment.rollback",
        .summary = "the deployment circuit breaker must roll back",
        .levels = {{"deployment.rollback = false", ALL(TB_ERR)}},
        .source = DOC_BP ", \"4. ECS Service Configuration\"; " DOC_ECF
                         ", \"8. Deployment Configuration\"; " DOC_IE
                         ", \"C. ECS Service Health Configuration\"",
        .rationale = "Without the circuit breaker's rollback, a failed deployment keeps "
                     "starting tasks that never become healthy until someone notices. Every "
                     "document makes the automatic rollback the rule (\"Circuit breakers "
                     "prevent bad deployments\").",
        .instead = "Leave rollback out (it defaults to true) or write deployment { rollback = "
                   "true }.",
        .check = check_rollback,
    },
    {
        .id = "TB008",
        .resource = "talentbase_service",
        .path = "deployment.maximum_percent",
        .summary = "deployment percentages must allow a zero-downtime rollout",
        .levels = {{"minimum_healthy_percent = 100 with maximum_percent < 200, or percentages "
                    "that leave ECS no way to replace a task",
                    ALL(TB_ERR)},
                   {"minimum_healthy_percent lets every task stop during a deploy (ECS keeps "
                    "ceil(tasks x minimum_healthy_percent / 100) = 0 tasks)",
                    ALL(TB_WARN)}},
        .source = DOC_BP ", \"Lessons Learned\" (Deployment Strategy: \"Zero-downtime requires "
                         "200% max capacity\") and \"4. ECS Service Configuration\"; " DOC_ECF
                         ", \"8. Deployment Configuration\"",
        .rationale = "During a rolling deploy ECS keeps at least ceil(tasks x "
                     "minimum_healthy_percent / 100) tasks running and runs at most "
                     "floor(tasks x maximum_percent / 100). With a 100 % minimum it may not "
                     "stop an old task first, so it needs room for a new one: 200 % is what "
                     "the documents run. When neither is possible the rollout stalls; when "
                     "the minimum rounds to 0, every task may be stopped at once. The task "
                     "count is autoscaling.min_capacity, or desired_count without "
                     "autoscaling.",
        .instead = "minimum_healthy_percent = 100 with maximum_percent = 200 (the documents' "
                   "setting), or minimum_healthy_percent = 50 with at least 2 tasks for "
                   "faster rollouts.",
        .check = check_deployment_percent,
    },
    {
        .id = "TB009",
        .resource = "talentbase_service",
        .path = "autoscaling.scale_in_cooldown",
        .summary = "scale in slowly and scale out quickly",
        .levels = {{"scale_in_cooldown < 300 s or shorter than scale_out_cooldown, or "
                    "scale_out_cooldown > 120 s",
                    ALL(TB_WARN)}},
        .source = DOC_BP ", \"5. Auto-Scaling Strategy\"; " DOC_RP
                         ", \"Key Improvements\" (Performance Optimizations); " DOC_ECF
                         ", \"7. Auto-Scaling Enhancements\"; " DOC_IE
                         ", \"A. Target Tracking Policies\"",
        .rationale = "A short scale-in cooldown makes the service flap (the team's 60 s "
                     "setting was \"too aggressive\"); a long scale-out cooldown leaves "
                     "traffic spikes unserved. Every document settles on 300 s in and 60 s "
                     "out.",
        .instead = "autoscaling { scale_in_cooldown = 300, scale_out_cooldown = 60 }.",
        .check = check_cooldowns,
    },
    {
        .id = "TB010",
        .resource = "talentbase_service",
        .path = "autoscaling.min_capacity",
        .summary = "autoscaling bounds and targets must be sound",
        .levels = {{"min_capacity < 1 or above max_capacity; cpu_target or memory_target "
                    "outside 10-95; requests_per_target < 1",
                    ALL(TB_ERR)},
                   {"fewer than 2 tasks: autoscaling.min_capacity, or desired_count when there "
                    "is no autoscaling",
                    {TB_ERR, TB_WARN, TB_WARN}}},
        .source = DOC_ECF ", \"7. Auto-Scaling Enhancements\"; " DOC_ARCH
                          ", \"Auto Scaling\" (Compute: ECS Fargate)",
        .rationale = "Bounds that cannot hold make the scalable target fail or autoscaling do "
                     "nothing, and a target near 0 % or 100 % either never scales in or scales "
                     "out too late. A single task is a single point of failure: the documents "
                     "run 2 to 10 tasks across two Availability Zones, and \"minimum 2\" even "
                     "when scaling down.",
        .instead = "autoscaling { min_capacity = 2, max_capacity = 10, cpu_target = 70, "
                   "memory_target = 80 }; outside production a single task is acceptable "
                   "(a warning).",
        .check = check_autoscaling_bounds,
    },
    {
        .id = "TB011",
        .resource = "talentbase_service",
        .path = "autoscaling.memory_target",
        .summary = "scale on both CPU and memory",
        .levels = {{"autoscaling without cpu_target or without memory_target", ALL(TB_WARN)}},
        .source = DOC_BP ", \"5. Auto-Scaling Strategy\" (Dual-Metric Scaling); " DOC_RP
                         ", \"Key Learnings\" (Auto-Scaling)",
        .rationale = "A Node.js or Django service can run out of memory while its CPU is idle, "
                     "and the reverse; tracking one metric misses the other. The documents "
                     "replaced single-metric scaling with CPU 70 % plus memory 80 %.",
        .instead = "autoscaling { cpu_target = 70, memory_target = 80 }.",
        .check = check_dual_metric,
    },
    {
        .id = "TB012",
        .resource = "talentbase_service",
        .path = "logs.retention_days",
        .summary = "log retention must be a CloudWatch value long enough for the environment",
        .levels = {{"retention_days is not one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, "
                    "365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
                    ALL(TB_ERR)},
                   {"retention_days below 30 in production, below 7 in staging and "
                    "development",
                    {TB_ERR, TB_WARN, TB_WARN}}},
        .source = DOC_BP ", \"6. Logging & Monitoring\" and \"2. Log Retention\" (Cost "
                         "Optimization); " DOC_ECF ", \"5. CloudWatch Logs Retention\"; " DOC_ARCH
                         ", \"Log Groups\"",
        .rationale = "CloudWatch Logs accepts only these retention periods. Production keeps "
                     "logs 30 days (the documents' \"production standard\", for incident "
                     "review and compliance); every other environment, staging included, "
                     "keeps at least the documents' non-production 7 days. The provider never "
                     "keeps logs forever by default: a retention is always set.",
        .instead = "logs { retention_days = 30 } in production (90 to 365 for "
                   "compliance-sensitive workloads), 7 or 14 elsewhere.",
        .check = check_retention,
    },
    {
        .id = "TB013",
        .resource = "talentbase_service",
        .path = "capacity.spot_weight",
        .summary = "production keeps a FARGATE base and at most 40 % FARGATE_SPOT",
        .levels = {{"in production: capacity.fargate_base < 2, or spot_weight above 40 % of "
                    "fargate_weight + spot_weight",
                    {TB_WARN, TB_OFF, TB_OFF}}},
        .source = DOC_ECF ", \"6. FARGATE vs FARGATE_SPOT Ratio\"",
        .rationale = "Spot tasks can be reclaimed at two minutes' notice. The team moved from "
                     "20/80 to 60/40 FARGATE/FARGATE_SPOT, with a base of 2 tasks on regular "
                     "Fargate so that critical tasks always run.",
        .instead = "capacity { fargate_base = 2, fargate_weight = 60, spot_weight = 40 }, or "
                   "leave capacity out to run on FARGATE only.",
        .check = check_capacity_mix,
    },
    {
        .id = "TB014",
        .resource = "talentbase_service",
        .path = "load_balancer.health_check",
        .summary = "the target group health check must be within ELB limits",
        .levels = {{"interval outside 5-300, timeout outside 2-120 or not below interval, a "
                    "threshold outside 2-10, matcher not a list or range of HTTP codes 200-499, "
                    "path not starting with /",
                    ALL(TB_ERR)}},
        .source = "Elastic Load Balancing API, target group health checks; " DOC_IE
                  ", \"B. ALB Target Group Health Check\"",
        .rationale = "Elastic Load Balancing rejects these when the target group is created "
                     "or modified: in the middle of an apply, after other parts of the "
                     "service exist.",
        .instead = "The documented check: path = \"/\" (\"/health/\" for an API), matcher = "
                   "\"200-399\", interval = 30, timeout = 10, healthy_threshold = 2, "
                   "unhealthy_threshold = 3.",
        .check = check_tg_health,
    },
    {
        .id = "TB015",
        .resource = "talentbase_service",
        .path = "load_balancer.deregistration_delay",
        .summary = "deregistration_delay should be short",
        .levels = {{"deregistration_delay outside 0-3600 (the ELB limit)", ALL(TB_ERR)},
                   {"deregistration_delay above 60 s", ALL(TB_WARN)}},
        .source = DOC_BP ", \"1. Connection Handling\" (Performance Optimizations: 30s "
                         "deregistration delay); " DOC_IE ", \"B. ALB Target Group Health Check\"",
        .rationale = "Every deploy waits this long for each old task to drain. The ELB default "
                     "of 300 s adds minutes to every rollout; the documents reduced it to "
                     "30 s.",
        .instead = "load_balancer { deregistration_delay = 30 }.",
        .check = check_deregistration,
    },
    {
        .id = "TB016",
        .resource = "talentbase_service",
        .path = "autoscaling.schedule",
        .summary = "scheduled scaling actions must be valid",
        .levels = {{"schedule not a valid cron(), rate() or at() expression; timezone not an "
                    "IANA zone; min_capacity above max_capacity; a name invalid or used "
                    "twice; more than 200 actions (the schedule blocks are a set: findings "
                    "point at autoscaling.schedule and name the schedule)",
                    ALL(TB_ERR)}},
        .source = DOC_IE ", \"B. Scheduled Scaling (NEW)\"; Application Auto Scaling, "
                         "scheduled actions and the cron expression reference",
        .rationale = "Application Auto Scaling rejects a bad expression, time zone or capacity "
                     "pair when the scheduled action is put, after the service is running: a "
                     "cron with both day-of-month and day-of-week set, a time zone typo or a "
                     "minimum above the maximum fails the apply half-way. cron() has six "
                     "fields (minutes hours day-of-month month day-of-week year) with , - * / "
                     "in all, ? in exactly one of day-of-month and day-of-week, L and W in "
                     "day-of-month, L and # in day-of-week, JAN-DEC and SUN-SAT names; rate() "
                     "takes a whole number and minute(s), hour(s) or day(s) (singular for 1); "
                     "at() takes yyyy-mm-ddThh:mm:ss. Time zones are checked against the "
                     "machine's IANA database (/usr/share/zoneinfo); without one they are not "
                     "checked.",
        .instead = "schedule { name = \"business-hours\", schedule = \"cron(0 8 ? * MON-FRI "
                   "*)\", timezone = \"America/Sao_Paulo\", min_capacity = 2, max_capacity = "
                   "10 }.",
        .check = check_schedules,
    },
    {
        .id = "TB017",
        .resource = "talentbase_service",
        .path = "network.assign_public_ip",
        .summary = "tasks must not get a public IP",
        .levels = {{"network.assign_public_ip = true", ALL(TB_ERR)}},
        .source = DOC_BP ", \"3. Network Security\" (No Public IPs: tasks not directly "
                         "accessible); " DOC_ARCH
                         ", \"Security Best Practices\" (Network); checkov CKV_AWS_333",
        .rationale = "Tasks run in private subnets behind the load balancer. A public IP makes "
                     "each task reachable from the internet around the load balancer, its TLS "
                     "and its rules.",
        .instead = "network { assign_public_ip = false } with private subnets that reach the "
                   "internet through a NAT gateway.",
        .check = check_public_ip,
    },
    {
        .id = "TB018",
        .resource = "talentbase_service",
        .path = "task_role_arn",
        .summary = "the execution role and the task role must differ",
        .levels = {{"execution_role_arn equals task_role_arn", ALL(TB_ERR)}},
        .source = DOC_BP ", \"1. IAM Least Privilege\"; " DOC_IE
                         ", \"1. ECS Task Role for Application Permissions\"; " DOC_ECF
                         ", \"Security Improvements\"; checkov CKV_AWS_249",
        .rationale = "The execution role lets ECS pull images, write logs and read every "
                     "secret of the task; the task role is what the application's code gets. "
                     "One role for both hands the application the infrastructure's "
                     "permissions.",
        .instead = "Two roles: execution_role_arn = aws_iam_role.execution.arn and "
                   "task_role_arn = aws_iam_role.task.arn, the latter with only what the "
                   "application needs.",
        .check = check_roles,
    },
    {
        .id = "TB019",
        .resource = "talentbase_service",
        .path = "secrets[\"NAME\"]",
        .summary = "secrets must be Secrets Manager or SSM parameter ARNs in the provider's "
                   "region",
        .levels = {{"a secrets value is not a Secrets Manager secret ARN (optionally "
                    ":json-key:version-stage:version-id) or an SSM parameter ARN, or it is in "
                    "another partition or region than the provider",
                    ALL(TB_ERR)}},
        .source = DOC_ECF ", \"1. Secrets Manager Reference Syntax\"; " DOC_IE
                          ", \"2. Environment Variables for ECS Tasks\"",
        .rationale = "ECS resolves secrets only when a task starts: a malformed reference "
                     "passes plan and apply and then every task fails to start. A JSON key is "
                     "selected with the three-field suffix (arn...:secret:name:key:: for the "
                     "current version). A service reads its secrets in its own partition and "
                     "region: a reference elsewhere makes every task start depend on another "
                     "region. They are compared at plan time, when the provider's are known.",
        .instead = "secrets = { SESSION_SECRET = "
                   "talentbase_secret.session.env_refs[\"SESSION_SECRET\"] }, or write "
                   "arn:aws:secretsmanager:<region>:<account>:secret:<name>:<json-key>:: or "
                   "arn:aws:ssm:<region>:<account>:parameter/<name>.",
        .check = check_secret_refs,
    },
    {
        .id = "TB020",
        .resource = "talentbase_service",
        .path = "autoscaling.requests_per_target",
        .summary = "scaling settings must apply to the service",
        .levels = {{"autoscaling.requests_per_target without a load_balancer", ALL(TB_WARN)},
                   {"desired_count set together with autoscaling", ALL(TB_WARN)}},
        .source = DOC_IE ", \"A. Target Tracking Policies\" (ALB Request Count Scaling)",
        .rationale = "Request-count scaling tracks ALBRequestCountPerTarget of the service's "
                     "target group; without a load balancer there is no such metric. Once "
                     "autoscaling is on it owns the task count: desired_count only sets the "
                     "count when the service is created, and the provider never resets the "
                     "live count to it.",
        .instead = "Remove requests_per_target (or add a load_balancer block), and remove "
                   "desired_count: autoscaling.min_capacity sets the floor.",
        .check = check_scaling_fit,
    },
};

const struct tb_rules_set tb_rules_service = {
    .resource = "talentbase_service",
    .rules = service_rules,
    .n = TB_COUNT(service_rules),
};
