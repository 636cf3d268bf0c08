/*
 * Rules of talentbase_service (TB001-TB027): the checks, then the table.
 * TB021-TB027 judge what the plan read from AWS (c->env->preflight).
 * Every check reads the service object with defaults applied, skips what is
 * unknown and treats null as "not set" (the documented default applies).
 */
#include <ctype.h>
#include <stdarg.h>
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

/* Reports every attribute of block outside its range (at level). */
static void check_ranges(struct tb_rule_ctx *c, unsigned level, const char *block,
                         const struct range *r, size_t n, const char *limit)
{
	for (size_t i = 0; i < n; i++) {
		const char *path = tb_arena_printf(c->a, "%s.%s", block, r[i].attr);
		double x;

		if (path == NULL || !tb_rules_num(c->v, path, &x) || (x >= r[i].lo && x <= r[i].hi))
			continue;
		if (r[i].zero_is_off && x == 0)
			continue;
		tb_rules_report(c, level, path, "%s = %s is outside %s to %s, the %s limit.", path,
		                tb_rules_num_text(c->a, x), tb_rules_num_text(c->a, r[i].lo),
		                tb_rules_num_text(c->a, r[i].hi), limit);
	}
}

/* timeout must be below interval in a health check block (at level). */
static void check_timeout_below_interval(struct tb_rule_ctx *c, unsigned level, const char *block)
{
	const char *tp = tb_arena_printf(c->a, "%s.timeout", block);
	const char *ip = tb_arena_printf(c->a, "%s.interval", block);
	double t, i;

	if (tp == NULL || ip == NULL || !tb_rules_num(c->v, tp, &t) || !tb_rules_num(c->v, ip, &i))
		return;
	if (t >= i)
		tb_rules_report(
		    c, level, tp,
		    "%s = %s is not shorter than interval = %s: a check that hangs takes "
		    "longer than the whole gap between two checks before it counts as failed.",
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
			tb_rules_report(c, 2, "image_tag",
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
	check_ranges(c, 0, "health_check", container_hc_ranges, TB_COUNT(container_hc_ranges),
	             "ECS");
	check_timeout_below_interval(c, 1, "health_check");
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

/* True, reported at level 2, when with the known task count ECS may neither
 * stop an old task nor start a new one. */
static bool check_percent_deadlock(struct tb_rule_ctx *c, int64_t min_pct, int64_t max_pct)
{
	int64_t n, keep, most;

	if (!task_count(c, &n) || n < 1 || !percent_of(n, min_pct, true, &keep) ||
	    !percent_of(n, max_pct, false, &most))
		return false;
	if (keep < n || most > n)
		return false;
	tb_rules_report(c, 2, "deployment.maximum_percent",
	                "With %lld task(s), minimum_healthy_percent = %lld keeps %lld running "
	                "and maximum_percent = %lld allows at most %lld: ECS can neither stop "
	                "an old task nor start a new one, so the rollout stalls.",
	                (long long)n, (long long)min_pct, (long long)keep, (long long)max_pct,
	                (long long)most);
	return true;
}

/* A stalled rollout (shape) is reported instead of the 200 % practice it
 * also breaks. */
static void check_percent_room(struct tb_rule_ctx *c, int64_t min_pct, int64_t max_pct)
{
	if (check_percent_deadlock(c, min_pct, max_pct) || min_pct < 100 || max_pct >= 200)
		return;
	tb_rules_report(c, 0, "deployment.maximum_percent",
	                "minimum_healthy_percent = %lld with maximum_percent = %lld: ECS "
	                "may not stop an old task before its replacement is healthy, and has "
	                "no room to start one for a single task.",
	                (long long)min_pct, (long long)max_pct);
}

static void check_deployment_percent(struct tb_rule_ctx *c)
{
	double lo, hi;
	int64_t n, keep;

	if (!tb_rules_num(c->v, "deployment.minimum_healthy_percent", &lo) ||
	    !tb_rules_num(c->v, "deployment.maximum_percent", &hi))
		return;
	check_percent_room(c, tb_double_to_int64(lo), tb_double_to_int64(hi));
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
		    c, 1, "autoscaling.min_capacity",
		    "autoscaling.min_capacity = %s: autoscaling would be allowed to stop "
		    "every task.",
		    tb_rules_num_text(c->a, lo));
	if (lo_ok && tb_rules_num(c->v, "autoscaling.max_capacity", &hi) && lo > hi)
		tb_rules_report(c, 0, "autoscaling.min_capacity",
		                "autoscaling.min_capacity = %s is above max_capacity = %s.",
		                tb_rules_num_text(c->a, lo), tb_rules_num_text(c->a, hi));
	if (tb_rules_num(c->v, "autoscaling.requests_per_target", &hi) && hi < 1)
		tb_rules_report(
		    c, 1, "autoscaling.requests_per_target",
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
		floor = 1; /* below 1 is a level-1 finding */
	} else if (tb_rules_is_null(c->v, "autoscaling")) {
		path = "desired_count";
		floor = 0;
	} else {
		return;
	}
	if (tb_rules_num(c->v, path, &n) && n >= floor && n < 2)
		tb_rules_report(
		    c, 2, path,
		    "%s = %s in %s: the service runs on fewer than 2 tasks, so one task "
		    "failure or one Availability Zone outage takes it down.",
		    path, tb_rules_num_text(c->a, n), c->env->environment);
}

static void check_autoscaling_bounds(struct tb_rule_ctx *c)
{
	if (tb_rules_is_set(c->v, "autoscaling")) {
		check_capacity_bounds(c);
		check_ranges(c, 1, "autoscaling", scaling_targets, TB_COUNT(scaling_targets),
		             "team's");
	}
	if (tb_rules_wants(c, 2))
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
	check_ranges(c, 0, "load_balancer.health_check", tg_hc_ranges, TB_COUNT(tg_hc_ranges),
	             "Elastic Load Balancing");
	check_timeout_below_interval(c, 0, "load_balancer.health_check");
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
 * them, so findings point at the set and name the schedule in the detail.
 * The schedules map's findings point at their entry, whose key is the name. */
#define SCHEDULES    "autoscaling.schedule"
#define SCHEDULE_MAP "autoscaling.schedules"

/* Where a finding about one schedule points: its map entry, or the set. */
struct sched_at {
	const char *key; /* the map key, or NULL for the set */
};

static void report_sched(struct tb_rule_ctx *c, const struct sched_at *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void report_sched(struct tb_rule_ctx *c, const struct sched_at *at, const char *fmt, ...)
{
	va_list ap;
	char *finding;

	va_start(ap, fmt);
	finding = tb_arena_vprintf(c->a, fmt, ap);
	va_end(ap);
	if (finding == NULL)
		return;
	if (at->key)
		tb_rules_report_key(c, 0, SCHEDULE_MAP, at->key, "%s", finding);
	else
		tb_rules_report(c, 0, SCHEDULES, "%s", finding);
}

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

/* How a finding names its schedule: schedule "after-hours". */
static const char *action_label(struct tb_rule_ctx *c, const char *name)
{
	const char *label = name ? tb_arena_printf(c->a, "schedule \"%s\"", name) : NULL;

	return label ? label : "a schedule block";
}

static void check_name_chars(struct tb_rule_ctx *c, const struct sched_at *at, const char *name)
{
	if (!action_name_ok(name))
		report_sched(c, at,
		             "schedule \"%s\": the name must be 1 to 256 characters without :, / "
		             "or | and without leading or trailing spaces.",
		             name);
}

/* A duplicated name in the set is reported once, at its first block. */
static void check_action_name(struct tb_rule_ctx *c, const struct tb_value *set, size_t i)
{
	const char *name = tb_get_str(tb_attr(set->u.coll.items[i], "name"));
	struct sched_at at = {0};
	size_t uses = 0;

	if (name == NULL)
		return;
	if (!action_name_ok(name)) {
		check_name_chars(c, &at, name);
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

static void check_action_zone(struct tb_rule_ctx *c, const struct sched_at *at,
                              const struct tb_value *item, const char *name)
{
	const char *zone = tb_get_str(tb_attr(item, "timezone"));

	if (zone != NULL && tb_rules_timezone(NULL, zone) == TB_TZ_INVALID)
		report_sched(c, at,
		             "%s: timezone \"%s\" is not an IANA time zone name (such as UTC, "
		             "Europe/Berlin or America/Sao_Paulo).",
		             action_label(c, name), zone);
}

/* One schedule: its expression, time zone and capacities. */
static void check_action(struct tb_rule_ctx *c, const struct sched_at *at,
                         const struct tb_value *item, const char *name)
{
	const char *expr = tb_get_str(tb_attr(item, "schedule"));
	const char *err = expr ? tb_rules_schedule_error(c->a, expr) : NULL;
	double lo, hi;

	if (err != NULL)
		report_sched(c, at, "%s: schedule = \"%s\" is not valid: %s.",
		             action_label(c, name), expr, err);
	check_action_zone(c, at, item, name);
	if (tb_get_float(tb_attr(item, "min_capacity"), &lo) &&
	    tb_get_float(tb_attr(item, "max_capacity"), &hi) && lo > hi)
		report_sched(c, at, "%s: min_capacity = %s is above max_capacity = %s.",
		             action_label(c, name), tb_rules_num_text(c->a, lo),
		             tb_rules_num_text(c->a, hi));
}

static void check_schedule_count(struct tb_rule_ctx *c, const char *path, size_t n)
{
	if (n > MAX_SCHEDULED_ACTIONS)
		tb_rules_report(
		    c, 0, path,
		    "%zu schedules: Application Auto Scaling allows at most %d scheduled "
		    "actions per scalable target.",
		    n, MAX_SCHEDULED_ACTIONS);
}

/* The schedule blocks (a set) and the schedules map (by name). */
static void check_schedules(struct tb_rule_ctx *c)
{
	const struct tb_value *set = tb_rules_coll(c->v, SCHEDULES, TB_SET);
	const struct tb_value *map = tb_rules_coll(c->v, SCHEDULE_MAP, TB_MAP);
	struct sched_at at = {0};

	for (size_t i = 0; set && i < set->u.coll.n; i++) {
		const struct tb_value *item = set->u.coll.items[i];
		if (!tb_is_known(item))
			continue;
		check_action(c, &at, item, tb_get_str(tb_attr(item, "name")));
		check_action_name(c, set, i);
	}
	for (size_t i = 0; map && i < map->u.coll.n; i++) {
		struct sched_at entry = {.key = map->u.coll.keys[i]};
		if (!tb_is_known(map->u.coll.items[i]))
			continue;
		check_action(c, &entry, map->u.coll.items[i], entry.key);
		check_name_chars(c, &entry, entry.key);
	}
	if (set)
		check_schedule_count(c, SCHEDULES, set->u.coll.n);
	if (map)
		check_schedule_count(c, SCHEDULE_MAP, map->u.coll.n);
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
		unsigned level;

		if (tb_is_unknown(ref))
			continue;
		/* the reference itself and its partition (level 0), then its region (1) */
		level = 0;
		err = tb_rules_secret_ref_error(c->a, tb_get_str(ref), c->env->partition, NULL);
		if (err == NULL && tb_rules_wants(c, 1)) {
			level = 1;
			err =
			    tb_rules_secret_ref_error(c->a, tb_get_str(ref), NULL, c->env->region);
		}
		if (err != NULL)
			tb_rules_report_key(c, level, "secrets", secrets->u.coll.keys[i],
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

/* ---- TB021-TB027: preflight, what the plan read from AWS ------------------------ */

static const struct tb_preflight *facts(const struct tb_rule_ctx *c)
{
	return c->env->preflight;
}

static void check_image_exists(struct tb_rule_ctx *c)
{
	const struct tb_preflight *f = facts(c);
	const char *tag = NULL;

	if (f == NULL || f->repository == NULL)
		return;
	if (f->repository_exists == TB_FACT_NO)
		tb_rules_report(c, 0, "image",
		                "ECR has no repository %s: ecr DescribeImages answered "
		                "RepositoryNotFoundException.",
		                f->repository);
	else if (f->image_exists == TB_FACT_NO && tb_rules_str(c->v, "image_tag", &tag))
		tb_rules_report(
		    c, 0, "image_tag",
		    "image_tag \"%s\" is not in the ECR repository %s: ecr DescribeImages "
		    "found no such image, so every task of the new revision would fail to "
		    "pull it.",
		    tag, f->repository);
}

static void check_tag_immutability(struct tb_rule_ctx *c)
{
	const struct tb_preflight *f = facts(c);

	if (f != NULL && f->repository != NULL && f->tag_immutable == TB_FACT_NO)
		tb_rules_report(
		    c, 0, "image",
		    "The ECR repository %s has imageTagMutability %s: a push can move a "
		    "tag the service runs.",
		    f->repository, f->mutability ? f->mutability : "MUTABLE");
}

static void check_cluster(struct tb_rule_ctx *c)
{
	const struct tb_preflight *f = facts(c);
	const char *cluster = NULL;

	if (f == NULL || !tb_rules_str(c->v, "cluster", &cluster))
		return;
	if (f->cluster_exists == TB_FACT_NO)
		tb_rules_report(
		    c, 0, "cluster",
		    "No active ECS cluster \"%s\" in %s: ecs DescribeClusters found none.", cluster,
		    c->env->region ? c->env->region : "this region");
	else if (f->cluster_exists == TB_FACT_YES && f->container_insights == TB_FACT_NO)
		tb_rules_report(c, 1, "cluster",
		                "The ECS cluster \"%s\" has Container Insights off: the service's "
		                "CPU, memory and task metrics are not collected.",
		                cluster);
}

static void check_priority(struct tb_rule_ctx *c)
{
	const struct tb_preflight *f = facts(c);
	double prio;

	if (f == NULL || f->priority_holder == NULL ||
	    !tb_rules_num(c->v, "load_balancer.priority", &prio))
		return;
	tb_rules_report(c, 0, "load_balancer.priority",
	                "Priority %s is taken on the listener by rule %s (elasticloadbalancing "
	                "DescribeRules): CreateRule would fail with PriorityInUse after the target "
	                "group and task definition exist.",
	                tb_rules_num_text(c->a, prio), f->priority_holder);
}

static void check_secrets_exist(struct tb_rule_ctx *c)
{
	const struct tb_preflight *f = facts(c);

	for (size_t i = 0; f && i < f->n_missing_secrets; i++)
		tb_rules_report_key(c, 0, "secrets", f->missing_secrets[i].key,
		                    "secrets[\"%s\"]: %s.", f->missing_secrets[i].key,
		                    f->missing_secrets[i].what);
}

static void check_private_subnets(struct tb_rule_ctx *c)
{
	const struct tb_preflight *f = facts(c);

	for (size_t i = 0; f && i < f->n_public_subnets; i++)
		tb_rules_report(c, 0, "network.subnets", "Subnet %s is public: it %s.",
		                f->public_subnets[i].key, f->public_subnets[i].what);
}

static void check_open_groups(struct tb_rule_ctx *c)
{
	const struct tb_preflight *f = facts(c);

	for (size_t i = 0; f && i < f->n_open_groups; i++)
		tb_rules_report(c, 0, "network.security_groups", "Security group %s %s.",
		                f->open_groups[i].key, f->open_groups[i].what);
}

/* ---- the table ------------------------------------------------------------- */

static const struct tb_rule service_rules[] = {
    {
        .id = "TB001",
        .resource = "talentbase_service",
        .path = "image_tag",
        .summary = "image_tag must be an immutable tag",
        .levels = {{"image_tag is missing, empty or `latest` (any case)", ALL(TB_ERR), TB_PRACTICE},
                   {"image_tag is a name that usually moves: main, master, develop, stable, "
                    "prod, production, staging, current, edge, nightly",
                    ALL(TB_WARN), TB_PRACTICE},
                   {"image_tag starts with `sha256:` but is not 64 hexadecimal digits after it "
                    "(no image has that digest)",
                    ALL(TB_ERR), TB_SHAPE}},
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
                    ALL(TB_ERR), TB_PRACTICE}},
        .source = DOC_BP ", \"Problem Statement\" (SESSION_SECRET hardcoded in task "
                         "definition) and \"1. Secrets Management (AWS Secrets Manager)\"; " DOC_RP
                         ", \"Key Improvements\" (Security Enhancements)",
        .rationale = "Plain environment values are stored in the task definition, readable "
                     "by anyone allowed to describe it, and in Terraform state and plan "
                     "output. The documents' first security issue was SESSION_SECRET "
                     "hardcoded in this way.",
        .instead = "Store the value in Secrets Manager with talentbase_secret (generate { } "
                   "makes it without it ever being in state; value_wo takes one you have) and "
                   "reference it: secrets = { NAME = talentbase_secret.x.env_refs[\"NAME\"] } "
                   "(or secrets = talentbase_secret.x.env_refs for every key). Non-secret "
                   "settings can live in talentbase_parameter: secrets = { NAME = "
                   "talentbase_parameter.x.env_ref }. Names that only point at a secret (ending "
                   "in _ARN, _FILE, _PATH, _URL or _NAME) are not judged by their name; their "
                   "values still are.",
        .check = check_environment,
    },
    {
        .id = "TB003",
        .resource = "talentbase_service",
        .path = "memory",
        .summary = "cpu and memory must be a Fargate task size",
        .levels = {{"cpu is not a Fargate size, or memory is not offered with that cpu",
                    ALL(TB_ERR), TB_SHAPE}},
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
        .levels = {{"interval outside 5-300, timeout outside 2-60, retries outside 1-10, "
                    "start_period outside 0-300, or command not starting with CMD or CMD-SHELL",
                    ALL(TB_ERR), TB_SHAPE},
                   {"timeout not below interval", ALL(TB_ERR), TB_PRACTICE}},
        .source = "Amazon ECS API, HealthCheck; " DOC_BP ", \"3. Health Check Optimization\"",
        .rationale = "ECS rejects health checks outside these limits when the task definition "
                     "is registered. A timeout that is not shorter than the interval is "
                     "accepted, but a hanging check then waits longer than the gap between two "
                     "checks before it counts as failed, so a stuck container is replaced "
                     "late; the documents keep the timeout at a third of the interval.",
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
                    ALL(TB_WARN), TB_PRACTICE}},
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
                    ALL(TB_ERR), TB_PRACTICE}},
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
        .levels = {{"deployment.rollback = false", ALL(TB_ERR), TB_PRACTICE}},
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
        .levels = {{"minimum_healthy_percent = 100 with maximum_percent < 200", ALL(TB_ERR),
                    TB_PRACTICE},
                   {"minimum_healthy_percent lets every task stop during a deploy (ECS keeps "
                    "ceil(tasks x minimum_healthy_percent / 100) = 0 tasks)",
                    ALL(TB_WARN), TB_PRACTICE},
                   {"percentages that leave ECS no way to replace a task: it may neither stop "
                    "an old one nor start a new one, so every rollout stalls",
                    ALL(TB_ERR), TB_SHAPE}},
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
                    ALL(TB_WARN), TB_PRACTICE}},
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
        .levels = {{"min_capacity above max_capacity", ALL(TB_ERR), TB_SHAPE},
                   {"min_capacity < 1; cpu_target or memory_target outside 10-95; "
                    "requests_per_target < 1",
                    ALL(TB_ERR), TB_PRACTICE},
                   {"fewer than 2 tasks: autoscaling.min_capacity, or desired_count when there "
                    "is no autoscaling",
                    {TB_ERR, TB_WARN, TB_WARN},
                    TB_PRACTICE}},
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
        .levels = {{"autoscaling without cpu_target or without memory_target", ALL(TB_WARN),
                    TB_PRACTICE}},
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
                    ALL(TB_ERR), TB_SHAPE},
                   {"retention_days below 30 in production, below 7 in staging and "
                    "development",
                    {TB_ERR, TB_WARN, TB_WARN},
                    TB_PRACTICE}},
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
                    {TB_WARN, TB_OFF, TB_OFF},
                    TB_PRACTICE}},
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
                    ALL(TB_ERR), TB_SHAPE}},
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
        .levels = {{"deregistration_delay outside 0-3600 (the ELB limit)", ALL(TB_ERR), TB_SHAPE},
                   {"deregistration_delay above 60 s", ALL(TB_WARN), TB_PRACTICE}},
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
        .path = "autoscaling.schedules[\"NAME\"]",
        .summary = "scheduled scaling actions must be valid",
        .levels = {{"schedule not a valid cron(), rate() or at() expression; timezone not an "
                    "IANA zone; min_capacity above max_capacity; a name invalid or used "
                    "twice; more than 200 actions (findings point at the schedules map's "
                    "entry; schedule blocks are a set, so there they point at "
                    "autoscaling.schedule and name the schedule)",
                    ALL(TB_ERR), TB_SHAPE}},
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
        .instead = "schedules = { \"business-hours\" = { schedule = \"cron(0 8 ? * MON-FRI "
                   "*)\", timezone = \"America/Sao_Paulo\", min_capacity = 2, max_capacity = "
                   "10 } }.",
        .check = check_schedules,
    },
    {
        .id = "TB017",
        .resource = "talentbase_service",
        .path = "network.assign_public_ip",
        .summary = "tasks must not get a public IP",
        .levels = {{"network.assign_public_ip = true", ALL(TB_ERR), TB_PRACTICE}},
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
        .levels = {{"execution_role_arn equals task_role_arn", ALL(TB_ERR), TB_PRACTICE}},
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
                    "another partition than the provider",
                    ALL(TB_ERR), TB_SHAPE},
                   {"a secrets value is in another region than the provider", ALL(TB_ERR),
                    TB_PRACTICE}},
        .source = DOC_ECF ", \"1. Secrets Manager Reference Syntax\"; " DOC_IE
                          ", \"2. Environment Variables for ECS Tasks\"",
        .rationale = "ECS resolves secrets only when a task starts: a malformed reference "
                     "passes plan and apply and then every task fails to start. A JSON key is "
                     "selected with the three-field suffix (arn...:secret:name:key:: for the "
                     "current version). A service reads its secrets in its own partition and "
                     "region: a reference elsewhere makes every task start depend on another "
                     "region. They are compared at plan time, when the provider's are known.",
        .instead = "Take the strings from the resources instead of writing them: secrets = "
                   "talentbase_secret.session.env_refs (every key), { SESSION_SECRET = "
                   "talentbase_secret.session.env_refs[\"SESSION_SECRET\"] } (one key), or { "
                   "API_URL = talentbase_parameter.api_url.env_ref }; by hand: "
                   "arn:aws:secretsmanager:<region>:<account>:secret:<name>:<json-key>:: or "
                   "arn:aws:ssm:<region>:<account>:parameter/<name>.",
        .check = check_secret_refs,
    },
    {
        .id = "TB020",
        .resource = "talentbase_service",
        .path = "autoscaling.requests_per_target",
        .summary = "scaling settings must apply to the service",
        .levels = {{"autoscaling.requests_per_target without a load_balancer", ALL(TB_WARN),
                    TB_PRACTICE},
                   {"desired_count set together with autoscaling", ALL(TB_WARN), TB_PRACTICE}},
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
    {
        .id = "TB021",
        .resource = "talentbase_service",
        .path = "image_tag",
        .summary = "the image must have been pushed",
        .levels = {{"the ECR repository of image does not exist, or it holds no image_tag (or "
                    "digest)",
                    ALL(TB_ERR), TB_PRACTICE}},
        .source = DOC_ECF ", \"9. Image Tag Management\" (CI pushes $GIT_SHA, then applies it)",
        .rationale = "A task definition may name any tag; ECS only finds out that it was never "
                     "pushed when the first task of the rollout tries to pull it, minutes into "
                     "the apply, and the rollout hangs on CannotPullContainerError. Checked for "
                     "ECR images in the provider's region when the plan registers a new "
                     "revision; other registries are not checked.",
        .instead = "Push the image before the apply (the CI job builds, pushes $GIT_SHA, then "
                   "runs terraform apply -var image_tag=$GIT_SHA), or correct image / "
                   "image_tag.",
        .check = check_image_exists,
        .reads = "`ecr:DescribeImages` (the tag or digest in the repository of `image`, with "
                 "the registry ID of its host).",
    },
    {
        .id = "TB022",
        .resource = "talentbase_service",
        .path = "image",
        .summary = "the ECR repository keeps tags immutable",
        .levels = {{"the ECR repository's imageTagMutability is not IMMUTABLE", ALL(TB_WARN),
                    TB_PRACTICE}},
        .source = DOC_ARCH ", \"Container Registry: ECR\" (Image Configuration: tag "
                           "immutability)",
        .rationale = "With mutable tags a later push can make the same tag another image: the "
                     "tasks a scale-out or a replaced task starts run other code than the plan "
                     "showed, and a rollback to the tag is no rollback. The platform's ECR "
                     "repositories are IMMUTABLE.",
        .instead = "Set the repository to IMMUTABLE (aws_ecr_repository "
                   "image_tag_mutability = \"IMMUTABLE\", or aws ecr "
                   "put-image-tag-mutability).",
        .check = check_tag_immutability,
        .reads = "`ecr:DescribeRepositories` (the repository of `image`).",
    },
    {
        .id = "TB023",
        .resource = "talentbase_service",
        .path = "cluster",
        .summary = "the cluster exists and has Container Insights on",
        .levels = {{"the cluster does not exist (or is not ACTIVE)", ALL(TB_ERR), TB_PRACTICE},
                   {"the cluster has Container Insights off", ALL(TB_WARN), TB_PRACTICE}},
        .source = DOC_BP ", \"6. Logging & Monitoring\" (Container Insights for all "
                         "environments)",
        .rationale = "CreateService into a cluster that does not exist fails after the log "
                     "group, target group, rule and task definition were made. Without "
                     "Container Insights there are no per-service CPU, memory and task-count "
                     "metrics, which the alarms and the scaling review rely on. Checked when "
                     "the service is created.",
        .instead = "Create the service in the platform's cluster, and turn Container Insights "
                   "on for it (aws_ecs_cluster setting containerInsights = \"enabled\").",
        .check = check_cluster,
        .reads = "`ecs:DescribeClusters` (with its settings).",
    },
    {
        .id = "TB024",
        .resource = "talentbase_service",
        .path = "load_balancer.priority",
        .summary = "the listener rule priority is free",
        .levels = {{"another rule on the listener has load_balancer.priority", ALL(TB_ERR),
                    TB_PRACTICE}},
        .source = "Elastic Load Balancing API Reference, CreateRule and SetRulePriorities "
                  "(PriorityInUse)",
        .rationale = "Priorities are unique per listener. A taken one fails CreateRule with "
                     "PriorityInUse half-way through the create, after the target group "
                     "exists. The service's own rule does not count: the one its state "
                     "records, one that forwards to its target group, or (a replacement, "
                     "which deletes the old service first) one that forwards to the target "
                     "group of the ECS service of the same name. Checked when the service is "
                     "created or its load_balancer changes.",
        .instead = "Choose a priority no other rule of the listener uses (the platform hands "
                   "out ranges per team), e.g. with aws elbv2 describe-rules --listener-arn "
                   "<arn>.",
        .check = check_priority,
        .reads = "`elasticloadbalancing:DescribeRules` (every rule of the listener); when "
                 "another rule holds the priority, `ecs:DescribeServices` of the service's "
                 "name (is it this service's current incarnation?).",
    },
    {
        .id = "TB025",
        .resource = "talentbase_service",
        .path = "secrets[\"NAME\"]",
        .summary = "every secret reference names something that exists",
        .levels = {{"a secrets value names a Secrets Manager secret or an SSM parameter that "
                    "does not exist (or is scheduled for deletion)",
                    ALL(TB_ERR), TB_PRACTICE}},
        .source = DOC_ECF ", \"1. Secrets Manager Reference Syntax\"",
        .rationale = "ECS resolves secrets when a task starts: a reference to nothing passes "
                     "plan and apply and then every task fails with "
                     "ResourceInitializationError. Only the names are looked up, never the "
                     "values; a JSON key cannot be checked without reading the value, so a key "
                     "is checked only by construction (talentbase_secret's env_refs lists its "
                     "keys). Checked when the plan changes secrets.",
        .instead = "Reference a secret that exists, best through the resource that owns it: "
                   "talentbase_secret.x.env_refs[\"NAME\"] or talentbase_parameter.x.env_ref.",
        .check = check_secrets_exist,
        .reads = "`secretsmanager:DescribeSecret` (each secret) and `ssm:GetParameters` (each "
                 "parameter; the answer's values are dropped unread).",
    },
    {
        .id = "TB026",
        .resource = "talentbase_service",
        .path = "network.subnets",
        .summary = "the tasks' subnets are private",
        .levels = {{"a subnet has a route to an internet gateway, or MapPublicIpOnLaunch on",
                    ALL(TB_WARN), TB_PRACTICE}},
        .source =
            DOC_BP ", \"3. Network Security\" (PRIVATE_WITH_EGRESS); " DOC_ARCH ", \"Subnets\"",
        .rationale = "Tasks run in private subnets and reach the internet through a NAT "
                     "gateway; a subnet whose route table (its own, else the VPC's main table) "
                     "sends 0.0.0.0/0 or ::/0 to an internet gateway, or that gives every "
                     "interface a public IP, puts the tasks on the internet beside the load "
                     "balancer. Checked when the plan changes network.",
        .instead = "network { subnets = the platform's private subnets } (data "
                   "\"talentbase_platform\" private_subnet_ids).",
        .check = check_private_subnets,
        .reads = "`ec2:DescribeSubnets` and `ec2:DescribeRouteTables` (the subnets' tables and "
                 "the VPCs' main tables).",
    },
    {
        .id = "TB027",
        .resource = "talentbase_service",
        .path = "network.security_groups",
        .summary = "the container port is open only to other security groups",
        .levels = {{"a security group admits the container port from 0.0.0.0/0 or ::/0",
                    ALL(TB_WARN), TB_PRACTICE}},
        .source = DOC_ARCH ", \"Security Groups\" (ecs-sg: the container port from alb-sg "
                           "only)",
        .rationale = "The tasks' security group admits the container port from the load "
                     "balancer's security group only; a rule open to the whole internet lets "
                     "anyone reach a task around the load balancer, its TLS and its rules. "
                     "Checked when the plan changes network or port.",
        .instead = "An ingress rule from the ALB's security group: aws_vpc_security_group_"
                   "ingress_rule { referenced_security_group_id = <alb sg>, from_port = "
                   "<port>, to_port = <port> }, and no 0.0.0.0/0 or ::/0 rule.",
        .check = check_open_groups,
        .reads = "`ec2:DescribeSecurityGroups` (the tasks' groups).",
    },
};

const struct tb_rules_set tb_rules_service = {
    .resource = "talentbase_service",
    .rules = service_rules,
    .n = TB_COUNT(service_rules),
};
