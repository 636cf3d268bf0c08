/*
 * talentbase_parameter: the schema table and the value limits of each tier.
 */
#include <string.h>

#include "resources/parameter/parameter.h"

#define T_STR "\"string\""
#define T_NUM "\"number\""
#define T_MAP "[\"map\",\"string\"]"

#define OC (TB_A_OPTIONAL | TB_A_COMPUTED)

/* clang-format off */
static const struct {
	const char *tier;
	size_t max_value;
} tiers[] = {
    {.tier = "Standard", .max_value = 4096},
    {.tier = "Advanced", .max_value = 8192},
};
/* clang-format on */

/* The value limit of a tier. See parameter.h. */
size_t tb_param_max_value(const char *tier)
{
	for (size_t i = 0; tier && i < TB_COUNT(tiers); i++)
		if (strcmp(tiers[i].tier, tier) == 0)
			return tiers[i].max_value;
	return 0;
}

static const struct tb_attr timeouts_attrs[] = {
    {.name = "create",
     .type = T_STR,
     .flags = TB_A_OPTIONAL,
     .description = "How long create may take (default 5m)."},
    {.name = "update",
     .type = T_STR,
     .flags = TB_A_OPTIONAL,
     .description = "How long update may take (default 5m)."},
    {.name = "delete",
     .type = T_STR,
     .flags = TB_A_OPTIONAL,
     .description = "How long delete may take (default 5m)."},
};

static const struct tb_block timeouts_block = {
    .attrs = timeouts_attrs,
    .n_attrs = TB_COUNT(timeouts_attrs),
    .description = "Operation timeouts.",
};

static const struct tb_attr param_attrs[] = {
    {.name = "id", .type = T_STR, .flags = TB_A_COMPUTED, .description = "The parameter's name."},
    {.name = "name",
     .type = T_STR,
     .flags = TB_A_REQUIRED | TB_A_FORCE_NEW,
     .description = "Parameter name, e.g. /talentbase-prod/web/api-url."},
    {.name = "value",
     .type = T_STR,
     .flags = TB_A_REQUIRED,
     .description = "The value: non-secret configuration (a value that looks like a credential "
                    "is refused: use talentbase_secret). For StringList, comma-separated."},
    {.name = "type",
     .type = T_STR,
     .flags = OC | TB_A_FORCE_NEW,
     .description = "String (default) or StringList. SecureString is refused: secrets belong "
                    "in talentbase_secret, whose value is never stored in state.",
     .default_json = "\"String\""},
    {.name = "description",
     .type = T_STR,
     .flags = TB_A_OPTIONAL,
     .description = "What the parameter is for."},
    {.name = "tier",
     .type = T_STR,
     .flags = OC,
     .description = "Standard (default, free, values up to 4 KB) or Advanced (8 KB). Going "
                    "back from Advanced to Standard replaces the parameter.",
     .default_json = "\"Standard\""},
    {.name = "tags",
     .type = T_MAP,
     .flags = TB_A_OPTIONAL,
     .description = "Tags of the parameter, over the provider's default_tags."},
    {.name = "tags_all",
     .type = T_MAP,
     .flags = TB_A_COMPUTED,
     .description = "tags merged over the provider's default_tags."},
    {.name = "arn", .type = T_STR, .flags = TB_A_COMPUTED, .description = "The parameter's ARN."},
    {.name = "version",
     .type = T_NUM,
     .flags = TB_A_COMPUTED,
     .description = "The parameter's version (each change of value, description or tier makes "
                    "a new one)."},
    {.name = "env_ref",
     .type = T_STR,
     .flags = TB_A_COMPUTED,
     .description = "The valueFrom string ECS needs (the parameter's ARN): "
                    "talentbase_service.secrets = { NAME = this }."},
};

static const struct tb_nested param_nested[] = {
    {.name = "timeouts",
     .nesting = TB_NEST_SINGLE,
     .block = &timeouts_block,
     .min_items = 0,
     .max_items = 1},
};

const struct tb_block tb_param_block = {
    .attrs = param_attrs,
    .n_attrs = TB_COUNT(param_attrs),
    .blocks = param_nested,
    .n_blocks = TB_COUNT(param_nested),
    .description = "An SSM Parameter Store String or StringList for non-secret configuration, "
                   "with the valueFrom string ECS needs.",
};

const struct tb_schema tb_param_schema = {
    .version = 0,
    .block = &tb_param_block,
};

/* Returns the block table at a path ("" is the resource), or NULL. */
const struct tb_block *tb_param_block_at(const char *path)
{
	if (path && *path == '\0')
		return &tb_param_block;
	if (path && strcmp(path, "timeouts") == 0)
		return &timeouts_block;
	return NULL;
}
