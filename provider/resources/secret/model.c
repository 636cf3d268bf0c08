/*
 * talentbase_secret: between cty values and struct tb_secret, through the
 * kit's field engine. What Secrets Manager reports (description, key,
 * policy, tags, rotation, version) is read back; what only the
 * configuration knows (generate, template, json_keys, value_wo_version)
 * is LOCAL and comes from prior; recovery_window_days and
 * restore_if_deleted have no field at all (copied from prior as they are).
 */
#include <stddef.h>
#include <string.h>

#include "resources/secret/secret.h"

#define F(b, a, k, member) TB_KIT_FIELD(struct tb_secret, b, a, TB_KIT_##k, member, 0)
#define F_LOCAL(b, a, k, member)                                                                   \
	TB_KIT_FIELD(struct tb_secret, b, a, TB_KIT_##k, member, TB_KIT_LOCAL)

/* clang-format off */
static const struct tb_kit_field fields[] = {
    F("", "id", STR, id),
    F("", "arn", STR, arn),
    F("", "name", STR, name),
    F("", "description", STR, description),
    F("", "kms_key_id", STR, kms_key_id),
    F("", "policy", STR, policy),
    F("", "tags", KVS, tags),
    F("", "tags_all", KVS, tags_all),
    F("", "version_id", STR, version_id),
    F("", "env_refs", KVS, env_refs),
    F("", "read_policy_json", STR, read_policy_json),
    F_LOCAL("", "template", KVS, template_),
    F_LOCAL("", "json_keys", STRS, json_keys),
    F_LOCAL("", "value_wo_version", INT, value_wo_version),
    F_LOCAL("generate", "json_key", STR, gen.json_key),
    F_LOCAL("generate", "length", INT, gen.length),
    F_LOCAL("generate", "exclude_punctuation", BOOL, gen.exclude_punctuation),
    F_LOCAL("generate", "include_space", BOOL, gen.include_space),
    F_LOCAL("generate", "exclude_characters", STR, gen.exclude_characters),
    F_LOCAL("generate", "version", INT, gen.version),
    F("rotation", "lambda_arn", STR, rot.lambda_arn),
    F("rotation", "schedule", STR, rot.schedule),
    F("rotation", "automatically_after_days", INT, rot.days),
    F_LOCAL("rotation", "rotate_immediately", BOOL, rot.immediately),
};

static const struct tb_kit_blockdef blocks[] = {
    TB_KIT_BLOCK(struct tb_secret, "generate", TB_KIT_FEATURE, gen.set),
    TB_KIT_BLOCK(struct tb_secret, "rotation", TB_KIT_FEATURE, rot.set),
    TB_KIT_OPAQUE_BLOCK("timeouts"),
};

const struct tb_kit_model tb_secret_model = {
    .fields = fields, .n_fields = TB_COUNT(fields),
    .blocks = blocks, .n_blocks = TB_COUNT(blocks),
    .block_at = tb_secret_block_at,
};
/* clang-format on */

/* Reads v into *out, resolving defaults. See secret.h. */
int tb_secret_load(struct tb_arena *a, const struct tb_meta *meta, const struct tb_value *v,
                   struct tb_secret *out)
{
	const struct tb_value *w = tb_attr(v, "recovery_window_days");
	struct tb_secret s;
	int err;

	memset(&s, 0, sizeof(s));
	err = tb_kit_load(&tb_secret_model, a, meta, v, &s);
	if (err != 0)
		return err;
	/* recovery_window_days and restore_if_deleted have no field: null
	 * stays null in every state (Optional, defaults resolved here). */
	tb_get_bool(tb_attr(v, "restore_if_deleted"), &s.restore);
	s.has_window = tb_get_int(w, &s.recovery_window);
	if (!s.has_window)
		s.recovery_window = tb_secret_default_window(meta ? meta->environment : NULL);
	*out = s;
	return 0;
}

/* Same AWS-side rotation settings. See secret.h. */
bool tb_secret_rotation_equal(const struct tb_secret *x, const struct tb_secret *y)
{
	return tb_kit_block_equal(&tb_secret_model, "rotation", x, y);
}

/* Builds the state for actual, shaped after prior. See secret.h. */
int tb_secret_state(struct tb_arena *a, const struct tb_meta *meta, const struct tb_secret *actual,
                    const struct tb_value *prior, bool emit_all, const struct tb_value **out)
{
	struct tb_secret dflt, act = *actual;
	int err = tb_secret_load(a, meta, prior, &dflt);

	if (err != 0)
		return err;
	act.gen = dflt.gen;
	act.template_ = dflt.template_;
	act.json_keys = dflt.json_keys;
	act.value_wo_version = dflt.value_wo_version;
	act.rot.immediately = dflt.rot.immediately;
	act.id = act.arn;
	/* a policy AWS reformatted but that says the same stays as written */
	if (tb_secret_policy_equal(act.policy, dflt.policy))
		act.policy = dflt.policy;
	act.read_policy_json = tb_secret_read_policy(a, act.arn, act.kms_key_id);
	err = tb_secret_env_refs(a, &act, act.arn, &act.env_refs);
	if (err == 0)
		err = tb_kit_tags_actual(a, meta, prior, &act.tags_all, &act.tags);
	return err == 0 ? tb_kit_build_state(&tb_secret_model, a, &act, &dflt, prior, emit_all, out)
	                : err;
}
