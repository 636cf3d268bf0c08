/*
 * talentbase_parameter: between cty values and struct tb_param, through
 * the kit's field engine.
 */
#include <stddef.h>
#include <string.h>

#include "resources/parameter/parameter.h"

#define F(a, k, member) TB_KIT_FIELD(struct tb_param, "", a, TB_KIT_##k, member, 0)

/* clang-format off */
static const struct tb_kit_field fields[] = {
    F("id", STR, id),
    F("arn", STR, arn),
    F("name", STR, name),
    F("value", STR, value),
    F("type", STR, type),
    F("description", STR, description),
    F("tier", STR, tier),
    F("tags", KVS, tags),
    F("tags_all", KVS, tags_all),
    F("version", INT, version),
    F("env_ref", STR, env_ref),
};

static const struct tb_kit_blockdef blocks[] = {
    TB_KIT_OPAQUE_BLOCK("timeouts"),
};

const struct tb_kit_model tb_param_model = {
    .fields = fields, .n_fields = TB_COUNT(fields),
    .blocks = blocks, .n_blocks = TB_COUNT(blocks),
    .block_at = tb_param_block_at,
};
/* clang-format on */

/* Reads v into *out, resolving defaults. See parameter.h. */
int tb_param_load(struct tb_arena *a, const struct tb_meta *meta, const struct tb_value *v,
                  struct tb_param *out)
{
	struct tb_param p;
	int err;

	memset(&p, 0, sizeof(p));
	err = tb_kit_load(&tb_param_model, a, meta, v, &p);
	if (err == 0)
		*out = p;
	return err;
}

/* The state for actual, shaped after prior. See parameter.h. */
int tb_param_state(struct tb_arena *a, const struct tb_meta *meta, const struct tb_param *actual,
                   const struct tb_value *prior, const struct tb_value **out)
{
	struct tb_param dflt, act = *actual;
	int err = tb_param_load(a, meta, prior, &dflt);

	if (err != 0)
		return err;
	act.id = act.name;
	act.env_ref = act.arn;
	err = tb_kit_tags_actual(a, meta, prior, &act.tags_all, &act.tags);
	return err == 0 ? tb_kit_build_state(&tb_param_model, a, &act, &dflt, prior, false, out)
	                : err;
}
