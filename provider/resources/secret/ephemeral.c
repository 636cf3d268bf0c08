/*
 * talentbase_secret, the ephemeral resource: a secret's value (or one key
 * of a JSON secret) for this run only, from GetSecretValue — the only call
 * in the provider that reads a secret's value. The value goes into the
 * OpenEphemeralResource answer and nowhere else: no log line, no
 * diagnostic, nothing kept after the call.
 */
#include <stdlib.h>
#include <string.h>

#include "resources/secret/secret.h"

#define SM "secretsmanager"

/* A value given, or still to come (unknown): not null. */
static bool given(const struct tb_value *v)
{
	return tb_is_unknown(v) || !tb_is_null(v);
}

/* ValidateEphemeralResourceConfig: the secret named once, one version. */
static void eph_validate(struct tb_call *c, const struct tb_value *config)
{
	bool arn = given(tb_attr(config, "arn")), name = given(tb_attr(config, "name"));

	if (arn == name)
		tb_diag_add(&c->diags, TB_SEV_ERROR, arn ? "name" : NULL,
		            arn ? "Both arn and name" : "No secret named",
		            "Give the secret's arn or its name (one of them).");
	if (given(tb_attr(config, "version_id")) && given(tb_attr(config, "version_stage")))
		tb_diag_add(&c->diags, TB_SEV_ERROR, "version_stage",
		            "Both version_id and version_stage",
		            "Give a version ID or a staging label, not both.");
}

/* The GetSecretValue body for config. */
static json_t *get_request(struct tb_arena *a, const struct tb_value *config)
{
	const char *arn = tb_get_str(tb_attr(config, "arn"));
	const char *id = arn ? arn : tb_get_str(tb_attr(config, "name"));
	const char *version = tb_get_str(tb_attr(config, "version_id"));
	const char *stage = tb_get_str(tb_attr(config, "version_stage"));
	json_t *b = tb_kit_pack(a, "{s:s}", "SecretId", id ? id : "");

	if (b && version)
		json_object_set_new(b, "VersionId", json_string(version));
	else if (b)
		json_object_set_new(b, "VersionStage", json_string(stage ? stage : "AWSCURRENT"));
	return b;
}

/* The value of key in the JSON secret text (a string as is, anything else
 * as its JSON text), in a; NULL with a diagnostic that never shows the
 * value. */
static const char *key_value(struct tb_call *c, const char *secret, const char *text,
                             const char *key)
{
	json_t *doc = json_loads(text, JSON_DECODE_ANY, NULL), *v = json_object_get(doc, key);
	char *dumped = NULL;
	const char *out = NULL;

	if (!json_is_object(doc))
		tb_diag_addf(
		    &c->diags, TB_SEV_ERROR, "json_key", "The secret is not a JSON object",
		    "json_key reads one key of a JSON secret; the value of %s is not a JSON "
		    "object (it is not shown). Leave json_key out to read the whole value.",
		    secret);
	else if (v == NULL)
		tb_diag_addf(&c->diags, TB_SEV_ERROR, "json_key", "No such JSON key",
		             "The value of %s has no key \"%s\".", secret, key);
	else if (json_is_string(v))
		out = tb_arena_strdup(c->arena, json_string_value(v));
	else if ((dumped = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT)) != NULL)
		out = tb_arena_strdup(c->arena, dumped);
	free(dumped);
	json_decref(doc);
	return out;
}

/* The result object: the configuration with arn, name, version and value. */
static const struct tb_value *result(struct tb_arena *a, const struct tb_value *config,
                                     const json_t *resp, const char *value)
{
	const char *names[] = {"arn", "name", "version_id", "value"};
	const char *from[] = {"ARN", "Name", "VersionId", NULL};
	const struct tb_value *v = config;
	const char *stage = tb_get_str(tb_attr(config, "version_stage"));

	for (size_t i = 0; v && i < TB_COUNT(names); i++) {
		const char *s = from[i] ? tb_kit_jstr(resp, from[i]) : value;
		v = tb_object_with(a, v, names[i],
		                   s ? tb_string(a, s) : tb_null(a, &tb_type_string));
	}
	if (v && stage == NULL)
		v = tb_object_with(a, v, "version_stage",
		                   tb_is_null(tb_attr(config, "version_id"))
		                       ? tb_string(a, "AWSCURRENT")
		                       : tb_null(a, &tb_type_string));
	return v;
}

/* OpenEphemeralResource: GetSecretValue, the key picked out. */
static int eph_open(struct tb_call *c, const struct tb_value *config,
                    struct tb_ephemeral_result *out)
{
	const char *key = tb_get_str(tb_attr(config, "json_key")), *text, *value;
	struct tb_op op;
	json_t *resp = NULL;
	int err;

	tb_kit_op_init(&op, c, &tb_resource_secret, "read", NULL);
	op.rname = tb_get_str(tb_attr(config, "arn"));
	if (op.rname == NULL)
		op.rname = tb_get_str(tb_attr(config, "name"));
	err = tb_kit_call(&op.ctx, SM, "GetSecretValue", get_request(c->arena, config), &resp);
	if (err != 0)
		return tb_kit_fail(&op, &op.ctx, "reading secret value", err);
	text = tb_kit_jstr(resp, "SecretString");
	if (text == NULL) {
		tb_diag_addf(
		    &c->diags, TB_SEV_ERROR, NULL, "The secret has no string value",
		    "%s holds a binary value (SecretBinary); this reads SecretString only.",
		    op.rname);
		return TB_EINVAL;
	}
	value = key ? key_value(c, op.rname, text, key) : text;
	if (value == NULL)
		return TB_EINVAL;
	out->value = result(c->arena, config, resp, value);
	return out->value ? 0 : TB_ENOMEM;
}

const struct tb_ephemeral tb_ephemeral_secret = {
    .name = TB_SECRET_RESOURCE,
    .schema = &tb_secret_ephemeral_schema,
    .needs_aws = true,
    .validate = eph_validate,
    .open = eph_open,
};
