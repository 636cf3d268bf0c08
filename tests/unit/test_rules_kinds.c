/*
 * The kinds of the rules' findings, over every rule table: every level has
 * a kind, shape levels are errors everywhere, and for each phase and client
 * command a table says which kind is checked with which severity. Then the
 * kinds in docs/guides/rules.md.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rules/rule.h"

#define E TB_SEV_ERROR
#define W TB_SEV_WARNING

/* Calls fn for every level of every rule. */
static void each_level(void (*fn)(const struct tb_rule *r, const struct tb_rule_level *l))
{
	size_t n_sets;
	const struct tb_rules_set *const *sets = tb_rules_sets(&n_sets);

	for (size_t s = 0; s < n_sets; s++) {
		for (size_t i = 0; i < sets[s]->n; i++) {
			const struct tb_rule *r = &sets[s]->rules[i];

			assert_non_null(r->levels[0].when);
			for (size_t j = 0; j < TB_RULE_MAX_LEVELS && r->levels[j].when; j++)
				fn(r, &r->levels[j]);
		}
	}
}

static void has_kind(const struct tb_rule *r, const struct tb_rule_level *l)
{
	if (l->kind != TB_SHAPE && l->kind != TB_PRACTICE)
		fail_msg("%s: the finding \"%s\" has no kind", r->id, l->when);
}

static void test_rules_kinds_every_level_has_one(void **state)
{
	(void)state;
	each_level(has_kind);
	assert_string_equal(tb_rules_kind_name(TB_SHAPE), "shape");
	assert_string_equal(tb_rules_kind_name(TB_PRACTICE), "practice");
	assert_string_equal(tb_rules_kind_name(0), "?");
}

/* What AWS rejects is an error whatever the environment: shape findings run
 * at validate, before the environment is known. */
static void shape_is_error(const struct tb_rule *r, const struct tb_rule_level *l)
{
	if (l->kind != TB_SHAPE)
		return;
	for (int e = 0; e < TB_ENV_COUNT; e++) {
		if (l->sev[e] != TB_SEV_ERROR)
			fail_msg(
			    "%s: the shape finding \"%s\" is not an error in every environment",
			    r->id, l->when);
	}
}

static void test_rules_kinds_shape_is_always_an_error(void **state)
{
	(void)state;
	each_level(shape_is_error);
}

/* For a phase and a command: the severity a shape error, a practice error
 * and a practice warning (all environment-independent) are checked with;
 * 0: not checked. */
struct phase_row {
	enum tb_rules_phase phase;
	enum tb_cli_command cli;
	enum tb_severity shape, practice_error, practice_warning;
};

static const struct phase_row phase_rows[] = {
    /* validate: practice only under `validate` (errors become warnings there) */
    {TB_RULES_VALIDATE, TB_CLI_VALIDATE, E, E, W},
    {TB_RULES_VALIDATE, TB_CLI_CHANGE, E, 0, 0},
    {TB_RULES_VALIDATE, TB_CLI_DESTROY, E, 0, 0},
    {TB_RULES_VALIDATE, TB_CLI_UNKNOWN, E, 0, 0},
    /* plan: everything, except practice while destroying */
    {TB_RULES_PLAN, TB_CLI_CHANGE, E, E, W},
    {TB_RULES_PLAN, TB_CLI_VALIDATE, E, E, W},
    {TB_RULES_PLAN, TB_CLI_DESTROY, E, 0, 0},
    {TB_RULES_PLAN, TB_CLI_UNKNOWN, E, E, W},
};

static const struct phase_row *row;

static void check_row(const struct tb_rule *r, const struct tb_rule_level *l)
{
	struct tb_rules_env env = {.phase = row->phase, .cli = row->cli, .environment = "staging"};
	enum tb_severity want, got = tb_rules_level_severity(&env, TB_ENV_STAGING, l);

	if (!tb_rules_level_env_independent(l))
		want = row->phase == TB_RULES_VALIDATE ||
		               (l->kind == TB_PRACTICE && row->cli == TB_CLI_DESTROY)
		           ? 0
		           : l->sev[TB_ENV_STAGING];
	else if (l->kind == TB_SHAPE)
		want = row->shape;
	else
		want = l->sev[0] == E ? row->practice_error : row->practice_warning;
	if (got != want)
		fail_msg("%s \"%s\" (%s) in phase %d under %s: severity %d, expected %d", r->id,
		         l->when, tb_rules_kind_name(l->kind), row->phase,
		         tb_cli_command_name(row->cli), got, want);
}

static void test_rules_kinds_per_phase_and_command(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(phase_rows) / sizeof(phase_rows[0]); i++) {
		row = &phase_rows[i];
		each_level(check_row);
	}
}

/* The rule sections and the summary table of docs/guides/rules.md name the kinds. */
static void test_rules_kinds_in_docs(void **state)
{
	char *doc = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&doc, &len);
	size_t n_sets;
	const struct tb_rules_set *const *sets = tb_rules_sets(&n_sets);

	(void)state;
	assert_non_null(mem);
	assert_int_equal(tb_rules_write_markdown(mem), 0);
	fclose(mem);
	assert_non_null(strstr(doc, "## Two kinds of findings"));
	for (size_t s = 0; s < n_sets; s++) {
		for (size_t i = 0; i < sets[s]->n; i++) {
			const struct tb_rule *r = &sets[s]->rules[i];
			char anchor[16], head[64];
			const char *sec, *next;

			tb_rules_anchor(r->id, anchor);
			snprintf(head, sizeof(head), "<a id=\"%s\"></a>", anchor);
			sec = strstr(doc, head);
			assert_non_null(sec);
			next = strstr(sec + 1, "<a id=");
			for (size_t j = 0; j < TB_RULE_MAX_LEVELS && r->levels[j].when; j++) {
				char cellbuf[256];
				const char *at;

				snprintf(cellbuf, sizeof(cellbuf), " | %s |",
				         tb_rules_kind_name(r->levels[j].kind));
				at = strstr(sec, cellbuf);
				if (at == NULL || (next != NULL && at > next))
					fail_msg(
					    "%s: the docs do not give the kind of each finding",
					    r->id);
			}
			assert_true(strstr(sec, ". Kind: ") != NULL);
		}
	}
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rules_kinds_every_level_has_one),
	    cmocka_unit_test(test_rules_kinds_shape_is_always_an_error),
	    cmocka_unit_test(test_rules_kinds_per_phase_and_command),
	    cmocka_unit_test(test_rules_kinds_in_docs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
