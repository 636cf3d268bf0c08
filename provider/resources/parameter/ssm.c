/*
 * talentbase_parameter, SSM: the PutParameter body (pure), what the
 * answers say (pure), and the calls that read, write and delete a
 * parameter.
 */
#include <string.h>

#include "resources/parameter/parameter.h"

#define SSM "ssm"

/* The PutParameter body. See parameter.h. */
json_t *tb_param_put_request(struct tb_arena *a, const struct tb_param *p, bool overwrite)
{
	json_t *b = tb_kit_pack(a, "{s:s, s:s, s:s, s:s, s:s}", "Name", p->name, "Value",
	                        p->value ? p->value : "", "Type", p->type ? p->type : "String",
	                        "Tier", p->tier ? p->tier : "Standard", "Description",
	                        p->description ? p->description : "");

	if (b && overwrite)
		json_object_set_new(b, "Overwrite", json_true());
	else if (b && p->tags_all.n > 0)
		json_object_set(b, "Tags", tb_aws_tags_json(a, SSM, &p->tags_all));
	return b;
}

static const char *dup(struct tb_arena *a, const json_t *o, const char *key)
{
	const char *s = tb_kit_jstr(o, key);
	return s && *s ? tb_arena_strdup(a, s) : NULL;
}

/* Fills p from the answers. See parameter.h. */
int tb_param_flatten(struct tb_arena *a, const json_t *param, const json_t *described,
                     struct tb_param *p)
{
	const json_t *meta = json_array_get(json_object_get(described, "Parameters"), 0);

	if (param) {
		if (tb_kit_jstr(param, "Name") == NULL)
			return TB_EINVAL;
		p->name = dup(a, param, "Name");
		p->value = tb_arena_strdup(
		    a, tb_kit_jstr(param, "Value") ? tb_kit_jstr(param, "Value") : "");
		p->type = dup(a, param, "Type");
		p->arn = dup(a, param, "ARN");
		p->version = tb_kit_jint(param, "Version");
	}
	if (meta && tb_str_eq(tb_kit_jstr(meta, "Name"), p->name)) {
		p->description = dup(a, meta, "Description");
		p->tier = dup(a, meta, "Tier");
	}
	return 0;
}

static int get_parameter(struct tb_aws_ctx *ctx, struct tb_param *p)
{
	json_t *resp = NULL;
	int err = tb_kit_call(ctx, SSM, "GetParameter",
	                      tb_kit_pack(ctx->arena, "{s:s}", "Name", p->name), &resp);

	return err == 0 ? tb_param_flatten(ctx->arena, json_object_get(resp, "Parameter"), NULL, p)
	                : err;
}

static int describe_parameter(struct tb_aws_ctx *ctx, struct tb_param *p)
{
	json_t *resp = NULL;
	int err = tb_kit_call(ctx, SSM, "DescribeParameters",
	                      tb_kit_pack(ctx->arena, "{s:[{s:s, s:s, s:[s]}]}", "ParameterFilters",
	                                  "Key", "Name", "Option", "Equals", "Values", p->name),
	                      &resp);

	p->description = NULL;
	return err == 0 ? tb_param_flatten(ctx->arena, NULL, resp, p) : err;
}

static int list_tags(struct tb_aws_ctx *ctx, struct tb_param *p)
{
	json_t *resp = NULL;
	int err = tb_kit_call(ctx, SSM, "ListTagsForResource",
	                      tb_kit_pack(ctx->arena, "{s:s, s:s}", "ResourceType", "Parameter",
	                                  "ResourceId", p->name),
	                      &resp);

	return err == 0 ? tb_kit_jpairs(ctx->arena, json_object_get(resp, "TagList"), "Key",
	                                "Value", &p->tags_all)
	                : err;
}

/* Reads the parameter. See parameter.h. */
int tb_param_read_aws(struct tb_aws_ctx *ctx, struct tb_param *p)
{
	int err = get_parameter(ctx, p);

	if (err == 0)
		err = describe_parameter(ctx, p);
	return err == 0 ? list_tags(ctx, p) : err;
}

/* PutParameter. See parameter.h. */
int tb_param_put(struct tb_aws_ctx *ctx, struct tb_param *p, bool overwrite)
{
	json_t *resp = NULL;
	int err = tb_kit_call(ctx, SSM, "PutParameter",
	                      tb_param_put_request(ctx->arena, p, overwrite), &resp);

	if (err == 0)
		p->version = tb_kit_jint(resp, "Version");
	return err;
}

/* DeleteParameter. See parameter.h. */
int tb_param_delete_aws(struct tb_aws_ctx *ctx, const struct tb_param *p)
{
	int err = tb_kit_call(ctx, SSM, "DeleteParameter",
	                      tb_kit_pack(ctx->arena, "{s:s}", "Name", p->name), NULL);

	return err == TB_ENOTFOUND ? 0 : err;
}
