/* Copy-on-write edits of planned values by path, and change checks. */
#include <string.h>

#include "tb/schema.h"

static int set_at(struct tb_arena *a, const struct tb_value *cur, const struct tb_type *slot,
                  const struct tb_step *steps, size_t n, const struct tb_value *v,
                  const struct tb_value **out);

/* Replaces (or, for a map, adds) the item under one step. */
static int set_in_map(struct tb_arena *a, const struct tb_value *m, const struct tb_step *steps,
                      size_t n, const struct tb_value *v, const struct tb_value **out)
{
	size_t cnt = m->u.coll.n, i;
	const struct tb_value **items = tb_arena_alloc(a, sizeof(*items) * (cnt + 2));
	const char **keys = tb_arena_alloc(a, sizeof(*keys) * (cnt + 2));
	const struct tb_value *old = tb_map_get(m, steps[0].name);
	int err;

	if (items == NULL || keys == NULL)
		return TB_ENOMEM;
	if (old == NULL && n > 1)
		return TB_EINVAL;
	memcpy(items, m->u.coll.items, sizeof(*items) * cnt);
	memcpy(keys, m->u.coll.keys, sizeof(*keys) * cnt);
	for (i = 0; i < cnt && strcmp(keys[i], steps[0].name) != 0; i++)
		;
	if (i == cnt) {
		keys[cnt++] = steps[0].name;
		old = tb_null(a, m->type->elem);
	}
	err = set_at(a, old, m->type->elem, steps + 1, n - 1, v, &items[i]);
	if (err != 0)
		return err;
	*out = tb_map(a, m->type, cnt, keys, items);
	return *out != NULL ? 0 : TB_ENOMEM;
}

static int set_in_object(struct tb_arena *a, const struct tb_value *o, const struct tb_step *steps,
                         size_t n, const struct tb_value *v, const struct tb_value **out)
{
	int idx = tb_type_attr_index(o->type, steps[0].name);
	const struct tb_value *nv = NULL;
	int err;

	if (idx < 0 || steps[0].kind != TB_STEP_ATTR)
		return TB_EINVAL;
	err = set_at(a, o->u.coll.items[idx], o->type->types[idx], steps + 1, n - 1, v, &nv);
	if (err != 0)
		return err;
	*out = tb_object_with(a, o, steps[0].name, nv);
	return *out != NULL ? 0 : TB_ENOMEM;
}

static int set_in_sequence(struct tb_arena *a, const struct tb_value *s,
                           const struct tb_step *steps, size_t n, const struct tb_value *v,
                           const struct tb_value **out)
{
	size_t cnt = s->u.coll.n, i = (size_t)steps[0].index;
	const struct tb_value **items;
	const struct tb_type *slot;
	int err;

	if (steps[0].kind != TB_STEP_INDEX || steps[0].index < 0 || i >= cnt)
		return TB_EINVAL;
	items = tb_arena_alloc(a, sizeof(*items) * (cnt + 1));
	if (items == NULL)
		return TB_ENOMEM;
	memcpy(items, s->u.coll.items, sizeof(*items) * cnt);
	slot = s->type->elem != NULL ? s->type->elem : s->type->types[i];
	err = set_at(a, items[i], slot, steps + 1, n - 1, v, &items[i]);
	if (err != 0)
		return err;
	if (s->type->kind == TB_TUPLE)
		*out = tb_tuple(a, s->type, items);
	else if (s->type->kind == TB_SET)
		*out = tb_set(a, s->type, cnt, items);
	else
		*out = tb_list(a, s->type, cnt, items);
	return *out != NULL ? 0 : TB_ENOMEM;
}

static int set_at(struct tb_arena *a, const struct tb_value *cur, const struct tb_type *slot,
                  const struct tb_step *steps, size_t n, const struct tb_value *v,
                  const struct tb_value **out)
{
	enum tb_kind k;

	if (n == 0)
		return tb_value_convert(a, v, slot, out);
	if (!tb_is_known(cur))
		return TB_EINVAL;
	k = cur->type->kind;
	if (k == TB_OBJECT)
		return set_in_object(a, cur, steps, n, v, out);
	if (k == TB_MAP && steps[0].kind != TB_STEP_INDEX)
		return set_in_map(a, cur, steps, n, v, out);
	if (k == TB_LIST || k == TB_SET || k == TB_TUPLE)
		return set_in_sequence(a, cur, steps, n, v, out);
	return TB_EINVAL;
}

int tb_value_set_path(struct tb_arena *a, const struct tb_value *root, const struct tb_path *p,
                      const struct tb_value *v, const struct tb_value **out)
{
	const struct tb_value *r = NULL;
	int err;

	if (root == NULL || p == NULL || v == NULL)
		return TB_EINVAL;
	err = set_at(a, root, root->type, p->steps, p->n, v, &r);
	if (err == 0)
		*out = r;
	return err;
}

int tb_plan_set(struct tb_arena *a, struct tb_plan *p, const char *path_text,
                const struct tb_value *v)
{
	const struct tb_value *r = NULL;
	struct tb_path path;
	int err = tb_path_parse(a, path_text, &path);

	if (err == 0 && path.n == 0)
		err = TB_EINVAL;
	if (err == 0)
		err = tb_value_set_path(a, p->planned, &path, v, &r);
	if (err == 0)
		p->planned = r;
	return err;
}

int tb_plan_set_unknown(struct tb_arena *a, struct tb_plan *p, const char *path_text)
{
	const struct tb_value *u = tb_unknown(a, &tb_type_dynamic);

	if (u == NULL)
		return TB_ENOMEM;
	return tb_plan_set(a, p, path_text, u);
}

bool tb_plan_changed(const struct tb_plan *p, const char *path_text)
{
	struct tb_arena *a = tb_arena_new();
	struct tb_path path;
	bool changed = true;

	if (a != NULL && tb_path_parse(a, path_text, &path) == 0)
		changed =
		    !tb_value_equal(tb_path_get(p->prior, &path), tb_path_get(p->planned, &path));
	tb_arena_free(a);
	return changed;
}
