/*
 * rules: the best-practice rules (TB001...), one table per resource kind.
 * Reads cty values, writes diagnostics; nothing else.
 */
#ifndef TB_RULES_H
#define TB_RULES_H

#include <stdbool.h>
#include <stdio.h>

#include "tb/cli.h"
#include "tb/cty.h"
#include "tb/schema.h"

enum tb_rules_phase {
	/* ValidateResourceConfig (the validate walk of every command, and again
	 * inside each plan). Only findings whose severity does not depend on
	 * the environment run, and only errors are reported (the warnings come
	 * once, at plan), except under `validate`, which reports both. */
	TB_RULES_VALIDATE = 1,
	/* PlanResourceChange with a proposed new state: every rule, every
	 * severity. */
	TB_RULES_PLAN,
};

/*
 * Every level of a rule is of one kind. Shape findings (values AWS rejects
 * or that cannot work) are errors in every phase and every command, a
 * destroy included. Practice findings (the platform's operating practices)
 * stop changes, never a destroy: they run in PlanResourceChange unless the
 * CLI is destroying, and at validate only under `validate`, as warnings
 * (where the command cannot be told, `destroy -refresh=false` still works).
 */
struct tb_rules_env {
	enum tb_rules_phase phase;
	enum tb_cli_command cli; /* what the CLI that started the provider runs */
	const char *environment; /* production | staging | development; NULL at validate */
	bool strict;             /* unacknowledged warnings become errors (at plan) */
	const char *partition;   /* aws; NULL when unknown */
	const char *region;      /* NULL when unknown */
};

/*
 * Runs the rules of resource ("talentbase_service") over v, the resource's
 * configuration with defaults applied (values that depend on something not
 * yet known are unknown: a rule never fires on an unknown value). Reads the
 * "acknowledge" map attribute of v: an acknowledged error becomes a warning
 * quoting the reason; an unknown rule ID or an empty reason is an error on
 * acknowledge["ID"]. Diagnostics carry the rule's attribute path; each
 * detail names the rule ID, cites its source document and says what to
 * write instead.
 */
void tb_rules_check(struct tb_diags *d, const struct tb_rules_env *env, const char *resource,
                    const struct tb_value *v);

/*
 * What value looks like when it looks like a credential (TB002's patterns:
 * "an AWS access key ID", "a Stripe live secret key", "a PEM private key",
 * ...), a static phrase; NULL when it does not (or value is NULL). The
 * phrase never quotes the value. For resources that refuse credentials
 * outside the rules (talentbase_parameter).
 */
const char *tb_rules_credential_kind(const char *value);

/* Writes docs/rules.md (Markdown) from the rule tables. Returns 0 or TB_EIO. */
int tb_rules_write_markdown(FILE *out);

#endif
