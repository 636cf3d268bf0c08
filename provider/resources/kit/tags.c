/*
 * Tags every resource manages the same way: tags merged over the provider's
 * default_tags into tags_all, the tags attribute AWS's tags stand for, and
 * the difference an update applies.
 */
#include "resources/kit/kit.h"

static size_t map_len(const struct tb_value *m)
{
	return tb_is_known(m) ? m->u.coll.n : 0;
}

/* Returns default_tags overlaid with tags. See kit.h. */
const struct tb_value *tb_kit_tags_all(struct tb_arena *a, const struct tb_meta *m,
                                       const struct tb_value *tags)
{
	const struct tb_value *dflt = m ? m->default_tags : NULL;
	const struct tb_type *t = tb_type_map(a, &tb_type_string);
	if (t == NULL)
		return NULL;
	if (tb_is_unknown(tags) || tb_is_unknown(dflt))
		return tb_unknown(a, t);
	size_t nd = map_len(dflt), nt = map_len(tags), n = 0;
	const char **keys = tb_arena_alloc(a, (nd + nt + 1) * sizeof(*keys));
	const struct tb_value **vals = tb_arena_alloc(a, (nd + nt + 1) * sizeof(*vals));
	if (keys == NULL || vals == NULL)
		return NULL;
	for (size_t i = 0; i < nd; i++) {
		if (tb_map_get(tags, dflt->u.coll.keys[i]) != NULL)
			continue;
		keys[n] = dflt->u.coll.keys[i];
		vals[n++] = dflt->u.coll.items[i];
	}
	for (size_t i = 0; i < nt; i++) {
		keys[n] = tags->u.coll.keys[i];
		vals[n++] = tags->u.coll.items[i];
	}
	return tb_map(a, t, n, keys, vals);
}

/* Plans tags_all. See kit.h. */
int tb_kit_plan_tags(struct tb_arena *a, const struct tb_meta *m, struct tb_plan *p)
{
	const struct tb_value *all = tb_kit_tags_all(a, m, tb_attr(p->planned, "tags"));
	return all ? tb_plan_set(a, p, "tags_all", all) : TB_ENOMEM;
}

/* tags: the part of tags_all default_tags do not explain. See kit.h. */
int tb_kit_tags_actual(struct tb_arena *a, const struct tb_meta *m, const struct tb_value *prior,
                       const struct tb_kvs *all, struct tb_kvs *out)
{
	const struct tb_value *dflt = m ? m->default_tags : NULL;
	const struct tb_value *ptags = tb_attr(prior, "tags");
	struct tb_kv *kv = tb_arena_alloc(a, (all->n + 1) * sizeof(*kv));
	size_t n = 0;

	if (kv == NULL)
		return TB_ENOMEM;
	for (size_t i = 0; i < all->n; i++) {
		const char *d = tb_get_str(tb_map_get(dflt, all->v[i].key));
		if (tb_map_get(ptags, all->v[i].key) || d == NULL || !tb_str_eq(d, all->v[i].value))
			kv[n++] = all->v[i];
	}
	out->n = n;
	out->v = kv;
	return 0;
}

static const char *kvs_get(const struct tb_kvs *kvs, const char *key)
{
	for (size_t i = 0; i < kvs->n; i++)
		if (tb_str_eq(kvs->v[i].key, key))
			return kvs->v[i].value ? kvs->v[i].value : "";
	return NULL;
}

/* What changes from old to now. See kit.h. */
int tb_kit_tags_diff(struct tb_arena *a, const struct tb_kvs *old, const struct tb_kvs *now,
                     struct tb_kit_tag_diff *out)
{
	out->set.v = tb_arena_alloc(a, (now->n + 1) * sizeof(*out->set.v));
	out->removed.v = tb_arena_alloc(a, (old->n + 1) * sizeof(*out->removed.v));
	out->set.n = out->removed.n = 0;
	if (out->set.v == NULL || out->removed.v == NULL)
		return TB_ENOMEM;
	for (size_t i = 0; i < now->n; i++)
		if (!tb_str_eq(kvs_get(old, now->v[i].key), now->v[i].value))
			out->set.v[out->set.n++] = now->v[i];
	for (size_t i = 0; i < old->n; i++)
		if (kvs_get(now, old->v[i].key) == NULL)
			out->removed.v[out->removed.n++] = old->v[i].key;
	return 0;
}

/* Applies a difference. See kit.h. */
int tb_kit_retag(struct tb_aws_ctx *ctx, const char *service, const char *const *ids, size_t n,
                 const struct tb_kit_tag_diff *d)
{
	return tb_aws_retag(ctx, service, ids, n, &d->set, &d->removed);
}
