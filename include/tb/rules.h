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
struct tb_preflight;

struct tb_rules_env {
	enum tb_rules_phase phase;
	enum tb_cli_command cli; /* what the CLI that started the provider runs */
	const char *environment; /* production | staging | development; NULL at validate */
	bool strict;             /* unacknowledged warnings become errors (at plan) */
	const char *partition;   /* aws; NULL when unknown */
	const char *region;      /* NULL when unknown */
	const struct tb_preflight *preflight; /* what the plan read from AWS; NULL: nothing */
};

/* ---- preflight facts --------------------------------------------------------
 * What a resource's plan read from AWS before its rules run, for the rules
 * that judge live AWS (TB021-TB027). The resource makes the reads; the
 * rules only read these facts.
 */
enum tb_fact {
	TB_FACT_UNCHECKED = 0, /* not read (preflight off, value unknown, not
	                        * changed by the plan) or AWS refused the read */
	TB_FACT_NO,
	TB_FACT_YES,
};

/* One object a preflight finding is about, and what AWS says of it (never
 * a secret value). */
struct tb_fact_item {
	const char *key;  /* a setting's map key or an AWS ID: "SESSION_SECRET", "subnet-0abc" */
	const char *what; /* "has a route 0.0.0.0/0 to internet gateway igw-1 (rtb-2)" */
};

/* The facts of one talentbase_service plan. */
struct tb_preflight {
	const char *repository;          /* ECR repository of image; NULL: not read */
	enum tb_fact repository_exists;  /* TB021 */
	enum tb_fact image_exists;       /* TB021: image_tag (or the digest) in it */
	enum tb_fact tag_immutable;      /* TB022 */
	const char *mutability;          /* imageTagMutability as ECR says */
	enum tb_fact cluster_exists;     /* TB023 */
	enum tb_fact container_insights; /* TB023 */
	const char *priority_holder;     /* TB024: another rule on the priority, or NULL */
	const struct tb_fact_item *missing_secrets; /* TB025: by secrets key */
	const struct tb_fact_item *public_subnets;  /* TB026: by subnet ID */
	const struct tb_fact_item *open_groups;     /* TB027: by security group ID */
	size_t n_missing_secrets, n_public_subnets, n_open_groups;
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
