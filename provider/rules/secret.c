/*
 * Rules of talentbase_secret (TB101-TB105): the checks, then the table.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rule.h"

#define DOC_BP   "AWS Best Practices Implementation - TalentBase"
#define DOC_ARCH "AWS Infrastructure Architecture"

#define ALL(s)                                                                                     \
	{                                                                                          \
		s, s, s                                                                            \
	}

/* ---- TB101 generated length ------------------------------------------------ */

static void check_generated_length(struct tb_rule_ctx *c)
{
	double n;

	if (!tb_rules_num(c->v, "generate.length", &n))
		return;
	if (n < 32)
		tb_rules_report(
		    c, 0, "generate.length",
		    "generate.length = %s: a generated secret shorter than 32 characters "
		    "can be guessed offline.",
		    tb_rules_num_text(c->a, n));
	else if (n > 4096)
		tb_rules_report(
		    c, 1, "generate.length",
		    "generate.length = %s is above 4096, the longest value Secrets Manager "
		    "generates.",
		    tb_rules_num_text(c->a, n));
}

/* ---- TB102 no literal value outside write-only arguments ----------------- */

static void check_leaked_map(struct tb_rule_ctx *c, const char *attr)
{
	const struct tb_value *m = tb_rules_coll(c->v, attr, TB_MAP);

	if (m == NULL)
		return;
	for (size_t i = 0; i < m->u.coll.n; i++) {
		const char *kind = tb_rules_credential_kind(tb_get_str(m->u.coll.items[i]));

		if (kind != NULL)
			tb_rules_report_key(
			    c, 0, attr, m->u.coll.keys[i],
			    "%s[\"%s\"] looks like %s (not repeated here); it would be "
			    "stored in state and shown in plans.",
			    attr, m->u.coll.keys[i], kind);
	}
}

/* template keys are stored in state beside the generated one: a key named
 * like a secret (password, api_key, ...) holds a literal secret there. */
static void check_template_names(struct tb_rule_ctx *c)
{
	const struct tb_value *m = tb_rules_coll(c->v, "template", TB_MAP);

	for (size_t i = 0; m != NULL && i < m->u.coll.n; i++) {
		const char *word = tb_rules_secret_name_word(m->u.coll.keys[i]);

		if (word != NULL &&
		    tb_rules_credential_kind(tb_get_str(m->u.coll.items[i])) == NULL)
			tb_rules_report_key(
			    c, 0, "template", m->u.coll.keys[i],
			    "template[\"%s\"] is named like a secret (\"%s\"): template values are "
			    "ordinary arguments, stored in state and shown in plans.",
			    m->u.coll.keys[i], word);
	}
}

/* There is no plain value argument: a literal secret can only hide in the
 * arguments that are stored (template, description, tags). */
static void check_literal_value(struct tb_rule_ctx *c)
{
	const char *text;

	check_leaked_map(c, "template");
	check_template_names(c);
	if (tb_rules_str(c->v, "description", &text) && tb_rules_credential_kind(text) != NULL)
		tb_rules_report(c, 0, "description",
		                "description looks like it contains %s (not repeated here).",
		                tb_rules_credential_kind(text));
	check_leaked_map(c, "tags");
}

/* ---- TB103 recovery window --------------------------------------------------- */

static void check_recovery_window(struct tb_rule_ctx *c)
{
	double days;

	if (!tb_rules_num(c->v, "recovery_window_days", &days))
		return;
	if (days != 0 && (days < 7 || days > 30))
		tb_rules_report(
		    c, 0, "recovery_window_days",
		    "recovery_window_days = %s: Secrets Manager accepts 7 to 30 days, or 0 "
		    "to delete without recovery.",
		    tb_rules_num_text(c->a, days));
	else if (days == 0)
		tb_rules_report(
		    c, 1, "recovery_window_days",
		    "recovery_window_days = 0 in production deletes the secret at once, "
		    "without a way to restore it.");
}

/* ---- TB104 rotation ------------------------------------------------------------ */

/* Days between rotations for rate(N days); 0 when not a day rate. */
static long rate_days(const char *schedule)
{
	char *end = NULL;
	long n;

	if (!tb_str_has_prefix(schedule, "rate("))
		return 0;
	n = strtol(schedule + 5, &end, 10);
	while (end != NULL && *end == ' ')
		end++;
	return end != NULL && tb_str_has_prefix(end, "day") ? n : 0;
}

static void check_rotation(struct tb_rule_ctx *c)
{
	const struct tb_value *rot = tb_attr(c->v, "rotation");
	const char *schedule;

	if (tb_is_unknown(rot))
		return;
	if (tb_is_null(rot)) {
		tb_rules_report(
		    c, 0, "rotation",
		    "the secret is never rotated: a leaked value stays valid for good.");
		return;
	}
	if (tb_rules_str(c->v, "rotation.schedule", &schedule) && rate_days(schedule) > 90)
		tb_rules_report(c, 0, "rotation.schedule",
		                "rotation.schedule = \"%s\" rotates less often than every 90 days.",
		                schedule);
}

/* ---- TB105 name ------------------------------------------------------------------ */

static bool name_chars_ok(const char *name)
{
	for (const char *p = name; *p; p++) {
		if (!isalnum((unsigned char)*p) && strchr("/_+=.@-", *p) == NULL)
			return false;
	}
	return *name != '\0';
}

/* "-AbC1eF" at the end: a hyphen and six letters and digits that look random
 * (mixed case, or letters and digits), like the suffix Secrets Manager adds
 * to secret ARNs. Plain words ("-secret") are not flagged. */
static bool arn_suffix_like(const char *name)
{
	size_t n = strlen(name);
	bool lower = false, upper = false, digit = false;

	if (n < 7 || name[n - 7] != '-')
		return false;
	for (size_t i = n - 6; i < n; i++) {
		unsigned char ch = (unsigned char)name[i];

		if (!isalnum(ch))
			return false;
		lower = lower || islower(ch);
		upper = upper || isupper(ch);
		digit = digit || isdigit(ch);
	}
	return (lower && upper) || (digit && (lower || upper));
}

static void check_secret_name(struct tb_rule_ctx *c)
{
	const char *name;

	if (!tb_rules_str(c->v, "name", &name))
		return;
	if (!name_chars_ok(name) || strlen(name) > 512)
		tb_rules_report(c, 0, "name",
		                "name \"%s\" must be 1 to 512 characters of letters, digits and "
		                "/_+=.@- only.",
		                name);
	else if (arn_suffix_like(name))
		tb_rules_report(c, 1, "name",
		                "name \"%s\" ends in a hyphen and six characters like the random "
		                "suffix Secrets Manager appends to secret ARNs: lookups by partial "
		                "ARN can then find the wrong secret.",
		                name);
}

static const struct tb_rule secret_rules[] = {
    {
        .id = "TB101",
        .resource = "talentbase_secret",
        .path = "generate.length",
        .summary = "generated secrets must be at least 32 characters long",
        .levels = {{"generate.length below 32", ALL(TB_ERR), TB_PRACTICE},
                   {"generate.length above 4096, the longest value Secrets Manager generates",
                    ALL(TB_ERR), TB_SHAPE}},
        .source =
            DOC_ARCH ", \"Secrets Management\" (\"your-secret-key-min-32-chars-long\"); " DOC_BP
                     ", \"1. Secrets Management (AWS Secrets Manager)\" (passwordLength: "
                     "64)",
        .rationale = "A session or signing key is only as strong as its length; the documents "
                     "require at least 32 characters and generate 64.",
        .instead = "generate { length = 64 } (the default).",
        .check = check_generated_length,
    },
    {
        .id = "TB102",
        .resource = "talentbase_secret",
        .path = "template",
        .summary = "a literal secret value only goes in the write-only argument",
        .levels = {{"a secret in an argument that is stored in state: a template key named "
                    "like a secret (PASSWORD, TOKEN, API_KEY, ...) or a credential-looking "
                    "template value, description or tag (there is no plain value argument)",
                    ALL(TB_ERR), TB_PRACTICE}},
        .source = DOC_BP ", \"1. Secrets Management (AWS Secrets Manager)\" (Benefits: \"No "
                         "hardcoded secrets in code or configuration\") and \"Lessons Learned\" "
                         "(Secrets Management: \"Never hardcode secrets\")",
        .rationale = "Ordinary arguments are written to the state file and printed in plans, "
                     "where every reader of the state bucket or the CI log sees them. "
                     "Write-only arguments are sent to the provider and never stored, so "
                     "talentbase_secret has no plain value argument at all.",
        .instead = "Let the provider generate the value (generate { json_key = \"password\" } "
                   "with the non-secret keys in template), or pass it as value_wo = "
                   "var.stripe_key with value_wo_version = 1 (bump the version to send a new "
                   "value).",
        .check = check_literal_value,
    },
    {
        .id = "TB103",
        .resource = "talentbase_secret",
        .path = "recovery_window_days",
        .summary = "production secrets keep a recovery window",
        .levels = {{"recovery_window_days not 0 and outside 7-30 (the Secrets Manager limit)",
                    ALL(TB_ERR), TB_SHAPE},
                   {"recovery_window_days = 0 in production",
                    {TB_WARN, TB_OFF, TB_OFF},
                    TB_PRACTICE}},
        .source = DOC_BP ", \"3. Backup Strategy\" (Secrets: version history maintained) and "
                         "\"3. Recovery Procedures\" (Secrets: version rollback)",
        .rationale = "A deleted secret with a recovery window can be restored if the deletion "
                     "was a mistake; with a window of 0 it is gone at once, and every task "
                     "that reads it fails at its next start.",
        .instead = "recovery_window_days = 30 (at least 7) in production; 0 is fine in "
                   "development.",
        .check = check_recovery_window,
    },
    {
        .id = "TB104",
        .resource = "talentbase_secret",
        .path = "rotation",
        .summary = "production secrets rotate at least every 90 days",
        .levels = {{"in production: no rotation block, or rotation.schedule = rate(N days) "
                    "with N > 90",
                    {TB_WARN, TB_OFF, TB_OFF},
                    TB_PRACTICE}},
        .source = DOC_BP ", \"Migration Checklist\" (\"Configure secrets rotation\"); "
                         "checkov CKV2_AWS_57, CKV_AWS_304",
        .rationale = "A secret that never changes stays useful to whoever copied it once. The "
                     "documents list rotation as a step before production is done.",
        .instead = "rotation { schedule = \"rate(30 days)\" } (with lambda_arn for custom "
                   "rotation).",
        .check = check_rotation,
    },
    {
        .id = "TB105",
        .resource = "talentbase_secret",
        .path = "name",
        .summary = "the secret name must be valid and unambiguous",
        .levels = {{"name with characters other than letters, digits and /_+=.@-, or longer "
                    "than 512",
                    ALL(TB_ERR), TB_SHAPE},
                   {"name ending in a hyphen and six random-looking letters and digits "
                    "(-AbC1eF)",
                    ALL(TB_ERR), TB_PRACTICE}},
        .source = "AWS Secrets Manager API, CreateSecret (Name)",
        .rationale = "Secrets Manager rejects other characters, and appends a hyphen and six "
                     "random characters to every secret ARN: a name that already ends that "
                     "way makes partial-ARN lookups ambiguous. Plain words after the last "
                     "hyphen (session-secret) are accepted.",
        .instead = "name = \"talentbase-prod/web/session-secret\".",
        .check = check_secret_name,
    },
};

const struct tb_rules_set tb_rules_secret = {
    .resource = "talentbase_secret",
    .rules = secret_rules,
    .n = TB_COUNT(secret_rules),
};
