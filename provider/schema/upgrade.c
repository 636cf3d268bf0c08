/* UpgradeResourceState: raw JSON state of any version into the current type. */
#include <string.h>

#include "tb/schema.h"

static int normalize(struct tb_arena *a, const struct tb_block *b, const struct tb_value *v,
                     const struct tb_value **out);

/* An empty collection, or for a group block an object whose attributes are all null. */
static int empty_block(struct tb_arena *a, const struct tb_nested *n, const struct tb_type *t,
                       const struct tb_value **out)
{
	const struct tb_value **items;

	if (n->nesting == TB_NEST_LIST)
		*out = tb_list(a, t, 0, NULL);
	else if (n->nesting == TB_NEST_SET)
		*out = tb_set(a, t, 0, NULL);
	else if (n->nesting == TB_NEST_MAP)
		*out = tb_map(a, t, 0, NULL, NULL);
	else if (n->nesting != TB_NEST_GROUP)
		return 0;
	if (n->nesting == TB_NEST_GROUP) {
		items = tb_arena_alloc(a, sizeof(*items) * (t->n + 1));
		for (size_t i = 0; items != NULL && i < t->n; i++)
			if ((items[i] = tb_null(a, t->types[i])) == NULL)
				return TB_ENOMEM;
		*out = items != NULL ? tb_object(a, t, items) : NULL;
	}
	return *out != NULL ? 0 : TB_ENOMEM;
}

/* Normalizes each element of a known list, set or map block. */
static int normalize_elements(struct tb_arena *a, const struct tb_nested *n,
                              const struct tb_value *v, const struct tb_value **out)
{
	const struct tb_value **items = tb_arena_alloc(a, sizeof(*items) * (v->u.coll.n + 1));
	int err = 0;

	if (items == NULL)
		return TB_ENOMEM;
	for (size_t i = 0; i < v->u.coll.n && err == 0; i++)
		err = normalize(a, n->block, v->u.coll.items[i], &items[i]);
	if (err != 0)
		return err;
	if (n->nesting == TB_NEST_MAP)
		*out = tb_map(a, v->type, v->u.coll.n, v->u.coll.keys, items);
	else if (n->nesting == TB_NEST_SET)
		*out = tb_set(a, v->type, v->u.coll.n, items);
	else
		*out = tb_list(a, v->type, v->u.coll.n, items);
	return *out != NULL ? 0 : TB_ENOMEM;
}

static int normalize_nested(struct tb_arena *a, const struct tb_nested *n, const struct tb_value *v,
                            const struct tb_value **out)
{
	const struct tb_value *r = v;
	int err;

	if (tb_is_null(v) && !tb_is_unknown(v)) {
		err = empty_block(a, n, v->type, &r);
		if (err != 0 || n->nesting != TB_NEST_GROUP) {
			*out = r;
			return err;
		}
		v = r;
	}
	if (n->nesting == TB_NEST_SINGLE || n->nesting == TB_NEST_GROUP)
		return normalize(a, n->block, v, out);
	if (!tb_is_known(v)) {
		*out = v;
		return 0;
	}
	return normalize_elements(a, n, v, out);
}

/* Nested blocks as Terraform expects them: list/set/map never null, groups never null. */
static int normalize(struct tb_arena *a, const struct tb_block *b, const struct tb_value *v,
                     const struct tb_value **out)
{
	const struct tb_value **items;
	int idx, err = 0;

	if (!tb_is_known(v) || b->n_blocks == 0) {
		*out = v;
		return 0;
	}
	items = tb_arena_alloc(a, sizeof(*items) * (v->u.coll.n + 1));
	if (items == NULL)
		return TB_ENOMEM;
	memcpy(items, v->u.coll.items, sizeof(*items) * v->u.coll.n);
	for (size_t i = 0; i < b->n_blocks && err == 0; i++) {
		idx = tb_type_attr_index(v->type, b->blocks[i].name);
		err = idx < 0 ? TB_EINVAL
		              : normalize_nested(a, &b->blocks[i], items[idx], &items[idx]);
	}
	if (err != 0)
		return err;
	*out = tb_object(a, v->type, items);
	return *out != NULL ? 0 : TB_ENOMEM;
}

int tb_upgrade_json_state(struct tb_arena *a, const struct tb_schema *s, const char *json,
                          size_t len, const struct tb_value **out)
{
	const struct tb_type *t = s != NULL ? tb_block_type(s->block) : NULL;
	const struct tb_value *v = NULL, *r = NULL;
	int err;

	if (t == NULL)
		return TB_EINVAL;
	err = tb_json_decode_ex(a, t, json, len, TB_JSON_DROP_UNKNOWN, &v);
	if (err == 0)
		err = normalize(a, s->block, v, &r);
	if (err == 0)
		*out = r;
	return err;
}
