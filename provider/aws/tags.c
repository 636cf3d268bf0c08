/*
 * Tags in each service's own spelling (the service table's tagging
 * columns): the shape create calls take, and retagging an object later.
 */
#include "aws/internal.h"

static const char *value_or_empty(const struct tb_kv *kv)
{
	return kv->value ? kv->value : "";
}

/* [{"<k>": key, "<v>": value}, ...] */
static json_t *pair_list(const struct tb_kvs *tags, const char *k, const char *v)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < tags->n; i++)
		if (json_array_append_new(arr, json_pack("{s:s, s:s}", k, tags->v[i].key, v,
		                                         value_or_empty(&tags->v[i]))) != 0) {
			json_decref(arr);
			arr = NULL;
		}
	return arr;
}

static json_t *pair_map(const struct tb_kvs *tags)
{
	json_t *o = json_object();

	for (size_t i = 0; o && i < tags->n; i++)
		if (json_object_set_new(o, tags->v[i].key,
		                        json_string(value_or_empty(&tags->v[i]))) != 0) {
			json_decref(o);
			o = NULL;
		}
	return o;
}

static json_t *tags_shaped(enum aws_tag_shape shape, const struct tb_kvs *tags)
{
	if (shape == AWS_TAGS_LOWER_LIST)
		return pair_list(tags, "key", "value");
	if (shape == AWS_TAGS_LIST)
		return pair_list(tags, "Key", "Value");
	if (shape == AWS_TAGS_MAP)
		return pair_map(tags);
	return NULL;
}

/* The service's JSON tags. See aws.h. */
json_t *tb_aws_tags_json(struct tb_arena *a, const char *service, const struct tb_kvs *tags)
{
	const struct aws_service *s = aws_service_find(service);
	return s ? tb_aws_json_own(a, tags_shaped(s->tags.shape, tags)) : NULL;
}

/* <prefix>.<member>.N.Key / .Value for every tag. */
static int tags_params(struct tb_aws_params *p, const char *prefix, const char *member,
                       const struct tb_kvs *tags)
{
	int err = 0;

	for (size_t i = 0; i < tags->n && err == 0; i++) {
		err = tb_aws_params_addf(p, tags->v[i].key, "%s.%s.%zu.Key", prefix, member, i + 1);
		if (err == 0)
			err = tb_aws_params_addf(p, value_or_empty(&tags->v[i]), "%s.%s.%zu.Value",
			                         prefix, member, i + 1);
	}
	return err;
}

/* Adds <prefix>.member.N.Key / .Value. See aws.h. */
int tb_aws_tags_params(struct tb_aws_params *p, const char *prefix, const struct tb_kvs *tags)
{
	return tags_params(p, prefix, "member", tags);
}

static const char *list_member(const struct aws_service *s)
{
	return s->tags.member ? s->tags.member : "member";
}

/* Adds the service's <prefix>.<member>.N.Key / .Value. See aws.h. */
int tb_aws_tags_params_for(struct tb_aws_params *p, const char *service, const char *prefix,
                           const struct tb_kvs *tags)
{
	const struct aws_service *s = aws_service_find(service);

	if (s == NULL || s->tags.shape != AWS_TAGS_QUERY)
		return TB_EINVAL;
	return tags_params(p, prefix, list_member(s), tags);
}

static json_t *key_list(const struct tb_strs *keys)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < keys->n; i++)
		if (json_array_append_new(arr, json_string(keys->v[i])) != 0) {
			json_decref(arr);
			arr = NULL;
		}
	return arr;
}

/* One TagResource (set) or UntagResource (removed) call of a JSON service. */
static int retag_json(struct tb_aws_ctx *ctx, const struct aws_service *s, const char *id,
                      const struct tb_kvs *set, const struct tb_strs *removed)
{
	const struct aws_tagging *t = &s->tags;
	json_t *body = tb_aws_json_own(ctx->arena, json_pack("{s:s}", t->id_key, id));
	json_t *list = set ? tags_shaped(t->shape, set) : key_list(removed);
	json_t *resp = NULL;

	if (body == NULL || list == NULL ||
	    json_object_set_new(body, set ? t->tags_key : t->keys_key, list) != 0)
		return TB_ENOMEM;
	if (t->resource_type &&
	    json_object_set_new(body, "ResourceType", json_string(t->resource_type)) != 0)
		return TB_ENOMEM;
	return tb_aws_json(ctx, s->id, set ? t->tag_action : t->untag_action, body, &resp);
}

/* One AddTags-like (set) or RemoveTags-like (removed) call of a query
 * service, for ids[0..n) (n is 1 unless the API takes several). */
static int retag_query(struct tb_aws_ctx *ctx, const struct aws_service *s, const char *const *ids,
                       size_t n, const struct tb_kvs *set, const struct tb_strs *removed)
{
	const struct aws_tagging *t = &s->tags;
	const struct tb_xml *ignored = NULL;
	struct tb_aws_params p;
	int err = 0;

	tb_aws_params_init(&p, ctx->arena);
	for (size_t i = 0, k = 0; i < n && err == 0; i++)
		if (ids[i] && *ids[i])
			err = t->many_ids ? tb_aws_params_addf(&p, ids[i], "%s.%zu", t->id_key, ++k)
			                  : tb_aws_params_add(&p, t->id_key, ids[i]);
	if (err == 0 && set)
		err = tags_params(&p, t->tags_key, list_member(s), set);
	for (size_t i = 0; err == 0 && !set && i < removed->n; i++)
		err = tb_aws_params_addf(&p, removed->v[i], "%s.member.%zu", t->keys_key, i + 1);
	if (err != 0)
		return err;
	return tb_aws_query(ctx, s->id, set ? t->tag_action : t->untag_action, &p, &ignored);
}

/* One call (set or removed) for ids[0..n), per the service's API. */
static int retag_one_way(struct tb_aws_ctx *ctx, const struct aws_service *s,
                         const char *const *ids, size_t n, const struct tb_kvs *set,
                         const struct tb_strs *removed)
{
	bool any = false;
	int err = 0;

	for (size_t i = 0; i < n; i++)
		any = any || (ids[i] && *ids[i]);
	if (!any)
		return 0;
	if (s->tags.many_ids)
		return retag_query(ctx, s, ids, n, set, removed);
	for (size_t i = 0; i < n && err == 0; i++) {
		if (ids[i] == NULL || *ids[i] == '\0')
			continue;
		err = s->tags.shape == AWS_TAGS_QUERY
		          ? retag_query(ctx, s, &ids[i], 1, set, removed)
		          : retag_json(ctx, s, ids[i], set, removed);
	}
	return err;
}

/* Tags and untags objects of one service. See aws.h. */
int tb_aws_retag(struct tb_aws_ctx *ctx, const char *service, const char *const *ids, size_t n,
                 const struct tb_kvs *set, const struct tb_strs *removed)
{
	const struct aws_service *s = aws_service_find(service);
	int err = 0;

	if (s == NULL || s->tags.shape == AWS_TAGS_NONE)
		return TB_EINVAL;
	if (set && set->n > 0)
		err = retag_one_way(ctx, s, ids, n, set, NULL);
	if (err == 0 && removed && removed->n > 0)
		err = retag_one_way(ctx, s, ids, n, NULL, removed);
	return err;
}
