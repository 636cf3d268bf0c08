/*
 * The rules engine: finds a resource's rule table, runs each rule's check,
 * and turns findings into diagnostics according to the phase, the
 * environment, the resource's acknowledge map and the strict setting.
 */
#include <ctype.h>
#include <stdarg.h>
#include <string.h>

#include "rules/rule.h"

static const char *const env_names[TB_ENV_COUNT] = {
    [TB_ENV_PRODUCTION] = "production",
    [TB_ENV_STAGING] = "staging",
    [TB_ENV_DEVELOPMENT] = "development",
};

static const struct tb_rules_set *const all_sets[] = {
    &tb_rules_service,
    &tb_rules_secret,
    &tb_rules_alarm_set,
    &tb_rules_database_proxy,
};

enum ack_state {
	ACK_NONE = 0, /* not acknowledged (or with a blank reason) */
	ACK_YES,
	ACK_UNKNOWN, /* the map or the reason is not known yet */
};

/* Every rule table (static, never freed); *out_n gets their count. */
const struct tb_rules_set *const *tb_rules_sets(size_t *out_n)
{
	*out_n = TB_COUNT(all_sets);
	return all_sets;
}

/* The rule with this ID in any table (static), or NULL when there is none. */
const struct tb_rule *tb_rules_find(const char *id)
{
	for (size_t i = 0; i < TB_COUNT(all_sets); i++) {
		for (size_t j = 0; j < all_sets[i]->n; j++) {
			if (tb_str_eq(all_sets[i]->rules[j].id, id))
				return &all_sets[i]->rules[j];
		}
	}
	return NULL;
}

/* True when the level has the same severity in every environment. */
bool tb_rules_level_env_independent(const struct tb_rule_level *l)
{
	return l->sev[TB_ENV_STAGING] == l->sev[TB_ENV_PRODUCTION] &&
	       l->sev[TB_ENV_DEVELOPMENT] == l->sev[TB_ENV_PRODUCTION];
}

static int env_index(const char *environment)
{
	for (int i = 0; i < TB_ENV_COUNT; i++) {
		if (tb_str_eq(env_names[i], environment))
			return i;
	}
	return -1;
}

static const struct tb_rules_set *find_set(const char *resource)
{
	for (size_t i = 0; i < TB_COUNT(all_sets); i++) {
		if (tb_str_eq(all_sets[i]->resource, resource))
			return all_sets[i];
	}
	return NULL;
}

static bool blank(const char *s)
{
	for (; s && *s; s++) {
		if (!isspace((unsigned char)*s))
			return false;
	}
	return true;
}

static const char *const kind_names[] = {
    [TB_SHAPE] = "shape",
    [TB_PRACTICE] = "practice",
};

/* Returns "shape" or "practice" (static); "?" for anything else. */
const char *tb_rules_kind_name(enum tb_rule_kind kind)
{
	return kind == TB_SHAPE || kind == TB_PRACTICE ? kind_names[kind] : "?";
}

/* True when findings of level l are checked at all under env: shape
 * findings always; practice findings never while the CLI destroys, and at
 * validate only under `validate` (every other validate walk may precede a
 * destroy, a refresh-only run or an import, which change nothing). */
static bool level_runs(const struct tb_rules_env *env, const struct tb_rule_level *l)
{
	if (l->kind == TB_SHAPE)
		return true;
	if (env->cli == TB_CLI_DESTROY)
		return false;
	return env->phase != TB_RULES_VALIDATE || env->cli == TB_CLI_VALIDATE;
}

/* The severity of level l under env before acknowledge and strict; 0 when
 * it is not checked. At validate only environment-independent findings
 * run, and only errors unless the command is `validate` (the warnings come
 * once, at plan). */
enum tb_severity tb_rules_level_severity(const struct tb_rules_env *env, int env_index,
                                         const struct tb_rule_level *l)
{
	if (!level_runs(env, l))
		return 0;
	if (env->phase == TB_RULES_VALIDATE) {
		if (!tb_rules_level_env_independent(l))
			return 0;
		if (env->cli != TB_CLI_VALIDATE && l->sev[0] != TB_SEV_ERROR)
			return 0;
		return l->sev[0];
	}
	if (tb_rules_level_env_independent(l))
		return l->sev[0];
	return env_index >= 0 ? l->sev[env_index] : 0;
}

static const struct tb_rule_level *rule_level(const struct tb_rule_ctx *c, unsigned level)
{
	if (level >= TB_RULE_MAX_LEVELS || c->rule->levels[level].when == NULL)
		return NULL;
	return &c->rule->levels[level];
}

/* The severity a level of the running rule has in this call; 0 when it is
 * not reported. */
static enum tb_severity level_severity(const struct tb_rule_ctx *c, unsigned level)
{
	const struct tb_rule_level *l = rule_level(c, level);

	return l != NULL ? tb_rules_level_severity(c->env, c->env_index, l) : 0;
}

/* True when a finding of this level of the running rule would be reported. */
bool tb_rules_wants(const struct tb_rule_ctx *c, unsigned level)
{
	return level_severity(c, level) != 0;
}

static enum ack_state ack_lookup(const struct tb_rule_ctx *c, const char **reason)
{
	const struct tb_value *r;

	*reason = NULL;
	if (tb_is_unknown(c->ack))
		return ACK_UNKNOWN;
	r = tb_map_get(c->ack, c->rule->id);
	if (r == NULL || tb_is_null(r))
		return ACK_NONE;
	if (tb_is_unknown(r))
		return ACK_UNKNOWN;
	*reason = tb_get_str(r);
	return blank(*reason) ? ACK_NONE : ACK_YES;
}

/* Writes the lower-case docs anchor of id (at most 15 characters) into out. */
void tb_rules_anchor(const char *id, char out[16])
{
	size_t i;

	for (i = 0; id[i] && i < 15; i++)
		out[i] = (char)tolower((unsigned char)id[i]);
	out[i] = '\0';
}

/* How a finding is reported, once acknowledge, strict and the command are
 * applied. */
struct outcome {
	enum tb_severity sev; /* 0: not reported */
	const char *reason;   /* the acknowledgement's reason, or NULL */
	bool escalated;       /* a warning that strict = true makes an error */
	bool deferred;        /* a practice error that `validate` shows as a warning */
};

static char *compose_detail(struct tb_rule_ctx *c, const char *finding, const struct outcome *o)
{
	const struct tb_rule *r = c->rule;
	struct tb_buf b;
	char anchor[16];
	char *out = NULL;

	tb_rules_anchor(r->id, anchor);
	tb_buf_init(&b);
	if (o->reason != NULL)
		tb_buf_printf(&b, "Acknowledged: %s\n\n", o->reason);
	tb_buf_printf(&b, "%s\n\nWhy: %s Source: %s.\n\nInstead: %s", finding, r->rationale,
	              r->source, r->instead);
	if (o->escalated)
		tb_buf_puts(&b, "\n\nThe provider sets strict = true, which makes this warning an "
		                "error.");
	if (o->deferred)
		tb_buf_puts(&b, "\n\nThis is a practice rule: validate shows it as a warning, plan "
		                "and apply refuse it as an error. It never stops a destroy.");
	if (o->reason == NULL)
		tb_buf_printf(&b,
		              "\n\nIf this is deliberate, say why on the resource: acknowledge = "
		              "{ %s = \"<reason>\" }.",
		              r->id);
	tb_buf_printf(&b, "\n\nSee docs/guides/rules.md#%s.", anchor);
	if (!b.failed && b.data != NULL)
		out = tb_arena_strndup(c->a, b.data, b.len);
	tb_buf_free(&b);
	return out;
}

/* Applies acknowledge and (at plan) strict to o->sev. */
static void acknowledge_and_strict(const struct tb_rule_ctx *c, struct outcome *o)
{
	enum ack_state ack = ack_lookup(c, &o->reason);

	if (ack == ACK_UNKNOWN) {
		o->sev = 0;
	} else if (ack == ACK_YES) {
		o->sev = o->sev == TB_SEV_ERROR ? TB_SEV_WARNING : 0;
	} else {
		o->reason = NULL;
		if (o->sev == TB_SEV_WARNING && c->env->strict && c->env->phase == TB_RULES_PLAN) {
			o->escalated = true;
			o->sev = TB_SEV_ERROR;
		}
	}
}

/* At validate: only errors, except under `validate`, where practice errors
 * become warnings (a destroy script may run validate first). */
static void validate_phase(const struct tb_rule_ctx *c, enum tb_rule_kind kind, struct outcome *o)
{
	if (c->env->phase != TB_RULES_VALIDATE || o->sev == 0)
		return;
	if (c->env->cli != TB_CLI_VALIDATE) {
		if (o->sev != TB_SEV_ERROR)
			o->sev = 0;
	} else if (kind == TB_PRACTICE && o->sev == TB_SEV_ERROR) {
		o->sev = TB_SEV_WARNING;
		o->deferred = true;
	}
}

static struct outcome decide(const struct tb_rule_ctx *c, unsigned level)
{
	struct outcome o = {.sev = level_severity(c, level)};

	if (o.sev == 0) /* also for a level the rule does not have */
		return o;
	acknowledge_and_strict(c, &o);
	validate_phase(c, rule_level(c, level)->kind, &o);
	return o;
}

static void emit(struct tb_rule_ctx *c, unsigned level, const struct tb_path *path,
                 const char *finding)
{
	struct outcome o = decide(c, level);
	char *summary, *detail;

	if (o.sev == 0)
		return;
	summary = tb_arena_printf(c->a, "%s: %s", c->rule->id, c->rule->summary);
	detail = compose_detail(c, finding, &o);
	if (summary == NULL || detail == NULL) {
		c->d->n_errors++;
		return;
	}
	tb_diag_add_path(c->d, o.sev, path, summary, detail);
}

/* ---- attribute paths of findings ---------------------------------------- */

struct at {
	const char *path; /* dotted attributes */
	const char *key;  /* then ["key"], or NULL */
	int64_t index;    /* then [index], when >= 0 */
	const char *tail; /* then dotted attributes, or NULL */
};

static size_t count_parts(const char *dotted)
{
	size_t n = 0;

	if (dotted == NULL || *dotted == '\0')
		return 0;
	for (n = 1; *dotted; dotted++)
		n += *dotted == '.';
	return n;
}

static int split_attrs(struct tb_arena *a, const char *dotted, struct tb_step *steps, size_t *n)
{
	const char *p = dotted;

	while (p != NULL && *p != '\0') {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);

		steps[*n].kind = TB_STEP_ATTR;
		steps[*n].name = tb_arena_strndup(a, p, len);
		if (steps[*n].name == NULL)
			return TB_ENOMEM;
		(*n)++;
		p = dot ? dot + 1 : NULL;
	}
	return 0;
}

static int build_path(struct tb_arena *a, const struct at *at, struct tb_path *out)
{
	size_t cap = count_parts(at->path) + count_parts(at->tail) + 2, n = 0;
	struct tb_step *steps = tb_arena_alloc(a, cap * sizeof(*steps));
	int err = TB_ENOMEM;

	if (steps == NULL || split_attrs(a, at->path, steps, &n) != 0)
		goto out;
	if (at->key != NULL) {
		steps[n].kind = TB_STEP_KEY;
		steps[n].name = tb_arena_strdup(a, at->key);
		if (steps[n++].name == NULL)
			goto out;
	}
	if (at->index >= 0) {
		steps[n].kind = TB_STEP_INDEX;
		steps[n++].index = at->index;
	}
	if (split_attrs(a, at->tail, steps, &n) != 0)
		goto out;
	err = 0;
	out->n = n;
	out->steps = steps;
out:
	return err;
}

__attribute__((format(printf, 4, 0))) static void
report_at(struct tb_rule_ctx *c, unsigned level, const struct at *at, const char *fmt, va_list ap)
{
	struct tb_path path = {0};
	char *finding;

	if (!tb_rules_wants(c, level))
		return;
	finding = tb_arena_vprintf(c->a, fmt, ap);
	if (finding == NULL || build_path(c->a, at, &path) != 0) {
		c->d->n_errors++;
		return;
	}
	emit(c, level, &path, finding);
}

/* Reports a finding at a dotted path; allocation failures count as errors in d. */
void tb_rules_report(struct tb_rule_ctx *c, unsigned level, const char *path, const char *fmt, ...)
{
	struct at at = {.path = path, .index = -1};
	va_list ap;

	va_start(ap, fmt);
	report_at(c, level, &at, fmt, ap);
	va_end(ap);
}

/* Reports a finding at path["key"]; allocation failures count as errors in d. */
void tb_rules_report_key(struct tb_rule_ctx *c, unsigned level, const char *path, const char *key,
                         const char *fmt, ...)
{
	struct at at = {.path = path, .key = key, .index = -1};
	va_list ap;

	va_start(ap, fmt);
	report_at(c, level, &at, fmt, ap);
	va_end(ap);
}

/* Reports a finding at path[index].tail; allocation failures count as errors in d. */
void tb_rules_report_item(struct tb_rule_ctx *c, unsigned level, const char *path, int64_t index,
                          const char *tail, const char *fmt, ...)
{
	struct at at = {.path = path, .index = index, .tail = tail};
	va_list ap;

	va_start(ap, fmt);
	report_at(c, level, &at, fmt, ap);
	va_end(ap);
}

/* ---- acknowledge ---------------------------------------------------------- */

struct ack_problem {
	const char *summary;
	const char *detail;
};

static struct ack_problem ack_problem(struct tb_arena *a, const struct tb_rules_set *set,
                                      const char *id, const struct tb_value *reason)
{
	const struct tb_rule *rule = tb_rules_find(id);
	struct ack_problem p = {0};

	if (rule == NULL) {
		p.summary = "Unknown rule ID in acknowledge";
		p.detail = tb_arena_printf(
		    a,
		    "\"%s\" is not a rule ID. The rules of %s are %s to %s (IDs are written in "
		    "capitals, e.g. %s); see docs/guides/rules.md.",
		    id, set->resource, set->rules[0].id, set->rules[set->n - 1].id,
		    set->rules[0].id);
	} else if (!tb_str_eq(rule->resource, set->resource)) {
		p.summary = "Rule of another resource in acknowledge";
		p.detail = tb_arena_printf(
		    a,
		    "%s is a rule of %s, not of %s: acknowledging it here has no effect. Remove "
		    "it from acknowledge; see docs/guides/rules.md.",
		    id, rule->resource, set->resource);
	} else if (!tb_is_unknown(reason) && blank(tb_get_str(reason))) {
		p.summary = "Acknowledgement without a reason";
		p.detail = tb_arena_printf(
		    a,
		    "The reason given for acknowledging %s is empty. Write why the rule does not "
		    "apply to this resource: the reason is repeated in every plan, so that "
		    "reviewers "
		    "see it.",
		    id);
	}
	return p;
}

static void check_acknowledge(struct tb_rule_ctx *c, const struct tb_rules_set *set)
{
	const struct tb_value *ack = c->ack;

	if (!tb_is_known(ack) || ack->type->kind != TB_MAP || set->n == 0)
		return;
	for (size_t i = 0; i < ack->u.coll.n; i++) {
		const char *id = ack->u.coll.keys[i];
		struct ack_problem p = ack_problem(c->a, set, id, ack->u.coll.items[i]);
		struct at at = {.path = "acknowledge", .key = id, .index = -1};
		struct tb_path path = {0};

		if (p.summary == NULL)
			continue;
		if (p.detail == NULL || build_path(c->a, &at, &path) != 0) {
			c->d->n_errors++;
			continue;
		}
		tb_diag_add_path(c->d, TB_SEV_ERROR, &path, p.summary, p.detail);
	}
}

static bool any_level_wanted(const struct tb_rule_ctx *c)
{
	for (unsigned i = 0; i < TB_RULE_MAX_LEVELS; i++) {
		if (tb_rules_wants(c, i))
			return true;
	}
	return false;
}

/*
 * Runs the rule table of resource over v. Diagnostics go to d, in d's arena.
 * A resource without rules, or a value that is not a known object, gives
 * nothing.
 */
void tb_rules_check(struct tb_diags *d, const struct tb_rules_env *env, const char *resource,
                    const struct tb_value *v)
{
	const struct tb_rules_set *set = find_set(resource);
	struct tb_rule_ctx c = {0};

	if (set == NULL || d == NULL || env == NULL || !tb_is_known(v))
		return;
	c.d = d;
	c.a = d->arena;
	c.env = env;
	c.env_index = env_index(env->environment);
	c.v = v;
	c.ack = tb_attr(v, "acknowledge");
	check_acknowledge(&c, set);
	for (size_t i = 0; i < set->n; i++) {
		c.rule = &set->rules[i];
		if (c.rule->check != NULL && any_level_wanted(&c))
			c.rule->check(&c);
	}
}
