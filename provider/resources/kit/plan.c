/*
 * Plan and apply helpers every resource uses: replacements the schema's
 * force-new flags cannot express, the new state after an apply, the
 * timeouts block's checks, and the rules of the calling resource.
 */
#include "resources/kit/kit.h"

/* Adds a requires_replace path once. See kit.h. */
int tb_kit_plan_replace(struct tb_arena *a, struct tb_plan *p, const char *path_text)
{
	struct tb_path *rr = tb_arena_alloc(a, (p->n_requires_replace + 1) * sizeof(*rr));
	int err = rr ? 0 : TB_ENOMEM;

	for (size_t i = 0; err == 0 && i < p->n_requires_replace; i++) {
		char *t = tb_path_string(a, &p->requires_replace[i]);
		if (tb_str_eq(t, path_text))
			return 0;
		rr[i] = p->requires_replace[i];
	}
	if (err == 0)
		err = tb_path_parse(a, path_text, &rr[p->n_requires_replace]);
	if (err == 0) {
		p->requires_replace = rr;
		p->n_requires_replace++;
	}
	return err;
}

/* Whether one attribute changes. See kit.h. */
bool tb_kit_plan_attr_changed(const struct tb_plan *p, const char *name)
{
	return !tb_value_equal(tb_attr(p->prior, name), tb_attr(p->planned, name));
}

/* The new state after an apply. See kit.h. */
const struct tb_value *tb_kit_apply_result(struct tb_arena *a, const struct tb_value *planned,
                                           const struct tb_value *full, bool partial,
                                           const char *const *ids, size_t n)
{
	const struct tb_value *v = tb_kit_fill_unknowns(a, planned, full);

	for (size_t i = 0; partial && v && i < n; i++)
		v = tb_object_with(a, v, ids[i], tb_attr(full, ids[i]));
	return v;
}

/* Checks the timeouts block. See kit.h. */
void tb_kit_check_timeouts(struct tb_call *c, const struct tb_value *v)
{
	static const char *const ops[] = {"create", "read", "update", "delete"};
	const struct tb_value *t = tb_attr(v, "timeouts");

	for (size_t i = 0; i < TB_COUNT(ops); i++) {
		const char *s = tb_get_str(tb_attr(t, ops[i]));
		int64_t ms = 0;
		if (s && (tb_duration_parse(s, &ms) != 0 || ms <= 0))
			tb_diag_addf(&c->diags, TB_SEV_ERROR,
			             tb_arena_printf(c->arena, "timeouts.%s", ops[i]),
			             "Invalid duration",
			             "\"%s\" is not a duration such as \"20m\" or \"1h30m\".", s);
	}
}

static void run_rules(struct tb_call *c, const char *resource, enum tb_rules_phase phase,
                      const struct tb_value *v, const struct tb_preflight *facts)
{
	const struct tb_meta *m = c->meta;
	struct tb_rules_env env = {
	    .phase = phase,
	    .cli = tb_cli_command(),
	    .environment = phase == TB_RULES_PLAN ? m->environment : NULL,
	    .strict = m->strict,
	    .partition = m->partition,
	    .region = m->region,
	    .preflight = facts,
	};
	tb_rules_check(&c->diags, &env, resource, v);
}

/* Runs the resource's rules. See kit.h. */
void tb_kit_rules(struct tb_call *c, const char *resource, enum tb_rules_phase phase,
                  const struct tb_value *v)
{
	run_rules(c, resource, phase, v, NULL);
}

/* Runs the resource's rules at plan with its preflight facts. See kit.h. */
void tb_kit_rules_preflight(struct tb_call *c, const char *resource, const struct tb_value *v,
                            const struct tb_preflight *facts)
{
	run_rules(c, resource, TB_RULES_PLAN, v, facts);
}
