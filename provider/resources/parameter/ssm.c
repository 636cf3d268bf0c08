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

/* The three reads of a parameter, each into its own answer. */
struct param_answers {
	const struct tb_param *p;
	json_t *value, *meta;
	json_t *tags;
	int tags_err; /* a missing parameter has no tags to list: judged after */
	struct tb_aws_error tags_error;
};

static int fetch_value(struct tb_aws_ctx *ctx, void *ud)
{
	struct param_answers *r = ud;
	return tb_aws_get_parameter(ctx, r->p->name, &r->value);
}

static int fetch_meta(struct tb_aws_ctx *ctx, void *ud)
{
	struct param_answers *r = ud;
	return tb_aws_describe_parameter(ctx, r->p->name, &r->meta);
}

static int fetch_tags(struct tb_aws_ctx *ctx, void *ud)
{
	struct param_answers *r = ud;

	r->tags_err = tb_kit_call(ctx, SSM, "ListTagsForResource",
	                          tb_kit_pack(ctx->arena, "{s:s, s:s}", "ResourceType", "Parameter",
	                                      "ResourceId", r->p->name),
	                          &r->tags);
	r->tags_error = ctx->error;
	return 0;
}

/* Reads the parameter: its value and description shared with the other
 * parameters of the process, its tags, at once. See parameter.h. */
int tb_param_read_aws(struct tb_aws_ctx *ctx, struct tb_param *p)
{
	static const tb_kit_fetch fetches[] = {fetch_value, fetch_meta, fetch_tags};
	struct param_answers r = {.p = p};
	json_t *described;
	int err = tb_kit_parallel(ctx, fetches, TB_COUNT(fetches), &r);

	if (err == 0 && r.value == NULL)
		err = TB_ENOTFOUND;
	if (err == 0 && r.tags_err != 0) {
		ctx->error = r.tags_error;
		err = r.tags_err;
	}
	described =
	    err == 0 && r.meta ? tb_kit_pack(ctx->arena, "{s:[O]}", "Parameters", r.meta) : NULL;
	p->description = NULL;
	if (err == 0)
		err = tb_param_flatten(ctx->arena, r.value, described, p);
	return err == 0 ? tb_kit_jpairs(ctx->arena, json_object_get(r.tags, "TagList"), "Key",
	                                "Value", &p->tags_all)
	                : err;
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
