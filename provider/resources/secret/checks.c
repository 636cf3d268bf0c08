/*
 * talentbase_secret: the checks of a configuration that the rules do not
 * make (its shape: one value source, where template and json_keys belong,
 * the rotation schedule, the policy document), and the one that needs the
 * client: write-only arguments. No message here ever quotes a value.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "resources/secret/checks.h"

/* A value given, or still to come (unknown): not null. */
static bool given(const struct tb_value *v)
{
	return tb_is_unknown(v) || !tb_is_null(v);
}

static void check_source(struct tb_call *c, const struct tb_value *v)
{
	bool gen = given(tb_attr(v, "generate")), wo = given(tb_attr(v, "value_wo"));

	if (gen && wo)
		tb_diag_add(
		    &c->diags, TB_SEV_ERROR, "value_wo", "Two values for one secret",
		    "Give either generate { } (the provider makes the value) or value_wo (a "
		    "value you have), not both.");
	else if (!gen && !wo)
		tb_diag_add(
		    &c->diags, TB_SEV_ERROR, NULL, "No value for the secret",
		    "Give generate { } to have the provider make the value (it is never "
		    "stored in state), or value_wo = var.x for a value you have (write-only). "
		    "There is no plain value argument: it would be stored in state (rule "
		    "TB102).");
	if (!given(tb_attr(v, "value_wo")) && !tb_is_null(tb_attr(v, "value_wo_version")))
		tb_diag_add(&c->diags, TB_SEV_ERROR, "value_wo_version",
		            "value_wo_version without value_wo",
		            "value_wo_version says when to send value_wo again; it has no meaning "
		            "without value_wo.");
}

static void check_template(struct tb_call *c, const struct tb_value *v)
{
	const struct tb_value *t = tb_attr(v, "template"), *gen = tb_attr(v, "generate");
	const char *key = tb_get_str(tb_attr(gen, "json_key"));

	if (!tb_is_known(t) || tb_len(t) == 0 || tb_is_unknown(gen))
		return;
	if (!tb_is_known(gen) || (key == NULL && !tb_is_unknown(tb_attr(gen, "json_key")))) {
		tb_diag_add(
		    &c->diags, TB_SEV_ERROR, "template", "template needs generate.json_key",
		    "template keys are stored beside the generated value in one JSON object: "
		    "set generate { json_key = \"...\" }. With value_wo, put every key into "
		    "the JSON value itself and list them in json_keys.");
		return;
	}
	if (key && tb_map_get(t, key))
		tb_diag_addf(&c->diags, TB_SEV_ERROR,
		             tb_arena_printf(c->arena, "template[\"%s\"]", key),
		             "template repeats the generated key",
		             "\"%s\" is generate.json_key: the generated value goes there.", key);
}

/* The keys value_wo (a JSON object) lacks among json_keys; their names
 * come from the configuration, never from the value. */
static void check_keys_in_value(struct tb_call *c, const struct tb_value *keys, const char *value)
{
	json_t *doc = json_loads(value, 0, NULL);

	if (!json_is_object(doc))
		tb_diag_add(
		    &c->diags, TB_SEV_ERROR, "json_keys", "value_wo is not a JSON object",
		    "json_keys names keys of a JSON value, but value_wo is not a JSON object "
		    "(the value is not shown). Leave json_keys out for a plain-string secret.");
	for (size_t i = 0; json_is_object(doc) && i < tb_len(keys); i++) {
		const char *k = tb_get_str(keys->u.coll.items[i]);
		if (k && json_object_get(doc, k) == NULL)
			tb_diag_addf(
			    &c->diags, TB_SEV_ERROR, "json_keys", "json_keys names a missing key",
			    "value_wo has no key \"%s\": ECS would fail to start a task that "
			    "reads it.",
			    k);
	}
	json_decref(doc);
}

static void check_json_keys(struct tb_call *c, const struct tb_value *v)
{
	const struct tb_value *keys = tb_attr(v, "json_keys"), *wo = tb_attr(v, "value_wo");

	if (!tb_is_known(keys) || tb_len(keys) == 0)
		return;
	if (given(tb_attr(v, "generate")))
		tb_diag_add(&c->diags, TB_SEV_ERROR, "json_keys", "json_keys goes with value_wo",
		            "With generate the keys are generate.json_key and the template keys; "
		            "json_keys lists the keys of a value_wo JSON value.");
	else if (tb_is_known(wo))
		check_keys_in_value(c, keys, wo->u.str.s);
}

/* "rate(N days)", "rate(N hours)" or "cron(...)"; NULL when fine, else why. */
static const char *schedule_error(const char *s)
{
	char *end = NULL;
	long n;

	if (tb_str_has_prefix(s, "cron(") && tb_str_has_suffix(s, ")") && strlen(s) > 6)
		return NULL;
	if (!tb_str_has_prefix(s, "rate(") || !tb_str_has_suffix(s, ")"))
		return "is not rate(...) or cron(...)";
	n = strtol(s + 5, &end, 10);
	while (end && *end == ' ')
		end++;
	if (end && (tb_str_has_prefix(end, "day") || tb_str_has_prefix(end, "hour")) && n >= 1)
		return tb_str_has_prefix(end, "hour") && n < 4
		           ? "rotates more often than every 4 hours"
		           : NULL;
	return "is not rate(N days) or rate(N hours) with N >= 1";
}

static void check_rotation(struct tb_call *c, const struct tb_value *v)
{
	const struct tb_value *rot = tb_attr(v, "rotation");
	const struct tb_value *sched = tb_attr(rot, "schedule"),
	                      *days = tb_attr(rot, "automatically_after_days");
	const char *s = tb_get_str(sched), *why;
	int64_t n = 0;

	if (!tb_is_known(rot))
		return;
	if (!given(sched) && !given(days))
		tb_diag_add(&c->diags, TB_SEV_ERROR, "rotation.schedule",
		            "Rotation without a schedule",
		            "Set rotation.schedule (rate(30 days), cron(...)) or "
		            "rotation.automatically_after_days.");
	else if (given(sched) && given(days))
		tb_diag_add(&c->diags, TB_SEV_ERROR, "rotation.automatically_after_days",
		            "Two rotation schedules",
		            "Give either schedule or automatically_after_days, not both.");
	if (s && (why = schedule_error(s)) != NULL)
		tb_diag_addf(&c->diags, TB_SEV_ERROR, "rotation.schedule",
		             "Invalid rotation schedule", "\"%s\" %s.", s, why);
	if (tb_get_int(days, &n) && (n < 1 || n > 1000))
		tb_diag_addf(&c->diags, TB_SEV_ERROR, "rotation.automatically_after_days",
		             "Invalid rotation interval",
		             "%lld days: Secrets Manager takes 1 to 1000.", (long long)n);
}

static void check_policy(struct tb_call *c, const struct tb_value *v)
{
	const char *p = tb_get_str(tb_attr(v, "policy"));
	json_error_t e;
	json_t *doc;

	if (p == NULL)
		return;
	doc = json_loads(p, 0, &e);
	if (!json_is_object(doc))
		tb_diag_addf(&c->diags, TB_SEV_ERROR, "policy",
		             "policy is not a JSON policy document",
		             "%s (line %d). Write it with jsonencode({ Version = \"2012-10-17\", "
		             "Statement = [...] }).",
		             doc ? "not a JSON object" : e.text, e.line);
	json_decref(doc);
}

/* clang-format off */
static void (*const shape_checks[])(struct tb_call *c, const struct tb_value *v) = {
    check_source, check_template, check_json_keys, check_rotation, check_policy,
    tb_kit_check_timeouts,
};
/* clang-format on */

/* Checks the shape of v. See checks.h. */
void tb_secret_check_shape(struct tb_call *c, const struct tb_value *v)
{
	for (size_t i = 0; i < TB_COUNT(shape_checks); i++)
		shape_checks[i](c, v);
}

/* Write-only arguments need the client's capability. See checks.h. */
void tb_secret_check_write_only(struct tb_call *c, const struct tb_value *config)
{
	if (!given(tb_attr(config, "value_wo")) || c->caps.write_only_attributes_allowed)
		return;
	tb_diag_add(&c->diags, TB_SEV_ERROR, "value_wo",
	            "value_wo needs a newer Terraform or OpenTofu",
	            "value_wo is a write-only argument (plugin protocol 6.8): it needs Terraform "
	            "1.11 or later, or OpenTofu 1.11 or later, and this client does not support "
	            "write-only arguments. Upgrade the client, or let the provider generate the "
	            "value with generate { } instead: it is never stored in state either.");
}
