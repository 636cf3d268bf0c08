/*
 * talentbase_database_proxy, the bundle's sequences: which steps run in
 * which phase for read, create, update and delete, and the tags the proxy
 * and its reader endpoint share.
 */
#include <stdlib.h>
#include <string.h>

#include "resources/database_proxy/database_proxy.h"

/* ---- read ---------------------------------------------------------------------------- */

static int cmp_kv(const void *x, const void *y)
{
	return strcmp(((const struct tb_kv *)x)->key, ((const struct tb_kv *)y)->key);
}

static int read_tags(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	struct tb_dbp *s = slot;
	struct tb_aws_params p;
	const struct tb_xml *r = NULL, *list;
	size_t n = 0;
	int err;

	tb_aws_params_init(&p, ctx->arena);
	err = tb_aws_params_add(&p, "ResourceName", s->arn);
	if (err == 0)
		err = tb_dbp_rds(ctx, "ListTagsForResource", &p, &r);
	if (err != 0)
		return err;
	list = tb_xml_child(r, "TagList");
	for (const struct tb_xml *t = list ? list->children : NULL; t; t = t->next)
		n++;
	s->tags_all.v = tb_arena_alloc(ctx->arena, (n + 1) * sizeof(*s->tags_all.v));
	if (s->tags_all.v == NULL)
		return TB_ENOMEM;
	s->tags_all.n = 0;
	for (const struct tb_xml *t = list ? list->children : NULL; t; t = t->next)
		if (tb_xml_text(t, "Key"))
			s->tags_all.v[s->tags_all.n++] = (struct tb_kv){
			    .key = tb_xml_text(t, "Key"), .value = tb_xml_text(t, "Value")};
	qsort(s->tags_all.v, s->tags_all.n, sizeof(*s->tags_all.v), cmp_kv);
	return 0;
}

static void merge_tags(void *state, const void *slot)
{
	((struct tb_dbp *)state)->tags_all = ((const struct tb_dbp *)slot)->tags_all;
}

/* clang-format off */
static const struct tb_kit_step read_steps[] = {
    {.name = "reading the connection pool", .run = tb_dbp_pool_read, .merge = tb_dbp_pool_merge},
    {.name = "reading the target", .run = tb_dbp_targets_read, .merge = tb_dbp_targets_merge},
    {.name = "reading the reader endpoint", .run = tb_dbp_reader_read, .merge = tb_dbp_reader_merge},
    {.name = "reading tags", .run = read_tags, .merge = merge_tags},
};
/* clang-format on */

/* Reads the proxy and what belongs to it. See database_proxy.h. */
int tb_dbp_read_bundle(struct tb_op *op, struct tb_dbp *s)
{
	int err = tb_dbp_proxy_read(&op->ctx, s);

	if (err == TB_ENOTFOUND)
		return err;
	if (err != 0)
		return tb_kit_fail(op, &op->ctx, "reading RDS Proxy", err);
	return TB_KIT_RUN(op, s, read_steps);
}

/* ---- create ------------------------------------------------------------------------------ */

/* clang-format off */
static const struct tb_kit_step create_proxy[] = {
    {.name = "creating RDS Proxy", .run = tb_dbp_proxy_create, .merge = tb_dbp_proxy_merge},
};
static const struct tb_kit_step create_parts[] = {
    {.name = "configuring the connection pool", .run = tb_dbp_pool_put},
    {.name = "registering the database as target", .run = tb_dbp_targets_register},
    {.name = "creating the reader endpoint", .run = tb_dbp_reader_create, .merge = tb_dbp_reader_merge},
};
/* clang-format on */

/* Creates the bundle. See database_proxy.h. */
int tb_dbp_create_bundle(struct tb_op *op, struct tb_dbp *s)
{
	int err = TB_KIT_RUN(op, s, create_proxy);

	if (err == 0)
		err = TB_KIT_RUN(op, s, create_parts);
	if (err == 0 && s->wait_for_targets)
		err = tb_dbp_wait_targets(op, s);
	return err;
}

/* ---- update ------------------------------------------------------------------------------ */

/* tags_all changed: the proxy and a reader endpoint that existed before get
 * the difference (a new reader endpoint is created with every tag). */
static int update_tags(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	const struct tb_dbp *old = op->old;
	struct tb_dbp *s = slot;
	struct tb_kit_tag_diff d;
	struct tb_dbp now = *old;
	const char *ids[2] = {old->arn, NULL};
	int err;

	if (tb_dbp_attr_equal("", "tags_all", old, s))
		return 0;
	err = tb_kit_tags_diff(ctx->arena, &old->tags_all, &s->tags_all, &d);
	if (err == 0 && old->reader.enabled && s->reader.enabled)
		err = tb_dbp_reader_read(op, ctx, &now);
	ids[1] = now.reader_arn;
	return err == 0 ? tb_kit_retag(ctx, "rds", ids, 2, &d) : err;
}

/* clang-format off */
static const struct tb_kit_step update_proxy[] = {
    {.name = "modifying RDS Proxy", .run = tb_dbp_proxy_modify},
};
static const struct tb_kit_step update_parts[] = {
    {.name = "configuring the connection pool", .run = tb_dbp_pool_put},
    {.name = "changing the target", .run = tb_dbp_targets_change},
    {.name = "updating the reader endpoint", .run = tb_dbp_reader_update, .merge = tb_dbp_reader_merge},
    {.name = "updating tags", .run = update_tags},
};
/* clang-format on */

/* Updates the bundle in place. See database_proxy.h. */
int tb_dbp_update_bundle(struct tb_op *op, const struct tb_dbp *old, struct tb_dbp *s)
{
	bool target_changed = !tb_dbp_block_equal("target", old, s);
	int err;

	op->old = old;
	err = TB_KIT_RUN(op, s, update_proxy);
	if (err == 0)
		err = TB_KIT_RUN(op, s, update_parts);
	if (err == 0 && target_changed && s->wait_for_targets)
		err = tb_dbp_wait_targets(op, s);
	return err;
}

/* ---- delete ------------------------------------------------------------------------------ */

/* clang-format off */
static const struct tb_kit_step delete_parts[] = {
    {.name = "deleting the reader endpoint", .run = tb_dbp_reader_delete},
    {.name = "deregistering the target", .run = tb_dbp_targets_deregister},
};
static const struct tb_kit_step delete_proxy[] = {
    {.name = "deleting RDS Proxy", .run = tb_dbp_proxy_delete},
};
/* clang-format on */

/* Deletes the bundle in reverse order of creation. See database_proxy.h. */
int tb_dbp_delete_bundle(struct tb_op *op, const struct tb_dbp *s)
{
	struct tb_dbp copy = *s;
	int err = TB_KIT_RUN(op, &copy, delete_parts);

	return err == 0 ? TB_KIT_RUN(op, &copy, delete_proxy) : err;
}
