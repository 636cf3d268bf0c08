/*
 * JSON helpers above single calls: the arena ownership rule, every item of
 * a paginated listing, and batches of independent calls run in parallel.
 */
#include "aws/internal.h"

static void release(void *p)
{
	json_decref(p);
}

/* Ties j to a's lifetime. See aws.h. */
json_t *tb_aws_json_own(struct tb_arena *a, json_t *j)
{
	if (j == NULL)
		return NULL;
	return tb_arena_defer(a, release, j) == 0 ? j : NULL;
}

struct collect {
	const char *key;
	json_t *items;
};

static int collect_page(void *ud, json_t *page)
{
	struct collect *c = ud;
	return json_array_extend(c->items, json_object_get(page, c->key)) == 0 ? 0 : TB_ENOMEM;
}

/* Collects every page's items. See aws.h. */
int tb_aws_json_all(struct tb_aws_ctx *ctx, const char *service, const char *action, json_t *body,
                    const char *list_key, json_t **out)
{
	json_t *all = tb_aws_json_own(ctx->arena, json_object());
	struct collect c = {.key = list_key};
	int err;

	if (body == NULL || all == NULL || json_object_set_new(all, list_key, json_array()) != 0)
		return TB_ENOMEM;
	c.items = json_object_get(all, list_key);
	err = tb_aws_json_paginate(ctx, service, action, body, NULL, collect_page, &c);
	if (err == 0)
		*out = all;
	return err;
}

static int run_one_call(void *ud, size_t i, struct tb_aws_ctx *c)
{
	const struct tb_aws_json_call *call = &((const struct tb_aws_json_call *)ud)[i];
	json_t *ignored = NULL;
	int err = call->body ? tb_aws_json(c, call->service, call->action, call->body, &ignored)
	                     : TB_ENOMEM;

	return err == TB_ENOTFOUND && call->ok_missing ? 0 : err;
}

/* Runs independent JSON calls in parallel. See aws.h. */
int tb_aws_json_calls(struct tb_aws_ctx *ctx, const struct tb_aws_json_call *calls, size_t n)
{
	return n ? tb_aws_fanout(ctx, n, run_one_call, (void *)calls) : 0;
}
