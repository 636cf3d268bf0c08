/* Value constructors, predicates and accessors. */
#include <stdlib.h>
#include <string.h>

#include "cty_int.h"

struct tb_value *cty_value_new(struct tb_arena *a, const struct tb_type *t, unsigned flags)
{
	struct tb_value *v;

	if (t == NULL)
		return NULL;
	v = tb_arena_alloc(a, sizeof(*v));
	if (v == NULL)
		return NULL;
	v->type = t;
	v->flags = flags;
	return v;
}

int cty_buf_to_arena(struct tb_arena *a, struct tb_buf *b, char **out, size_t *out_len)
{
	char *p = NULL;
	size_t len = b->len;
	int err = b->failed ? TB_ENOMEM : 0;

	if (err == 0) {
		p = tb_arena_strndup(a, b->data != NULL ? b->data : "", len);
		if (p == NULL)
			err = TB_ENOMEM;
	}
	tb_buf_free(b);
	if (err != 0)
		return err;
	if (out_len != NULL)
		*out_len = len;
	*out = p;
	return 0;
}

bool cty_conforms(const struct tb_value *v, const struct tb_type *t)
{
	if (v == NULL || t == NULL)
		return false;
	if (t->kind == TB_DYNAMIC)
		return true;
	if (v->type->kind == TB_DYNAMIC && (v->flags & (TB_V_NULL | TB_V_UNKNOWN)))
		return true;
	return cty_type_same(v->type, t);
}

const struct tb_value *tb_null(struct tb_arena *a, const struct tb_type *t)
{
	return cty_value_new(a, t, TB_V_NULL);
}

const struct tb_value *tb_unknown(struct tb_arena *a, const struct tb_type *t)
{
	return cty_value_new(a, t, TB_V_UNKNOWN);
}

const struct tb_value *cty_string_valid(struct tb_arena *a, const char *s, size_t len)
{
	struct tb_value *v = cty_value_new(a, &tb_type_string, 0);

	if (v == NULL)
		return NULL;
	v->u.str.s = tb_arena_strndup(a, s, len);
	v->u.str.len = len;
	return v->u.str.s != NULL ? v : NULL;
}

/* Copy of s with each invalid UTF-8 byte replaced by U+FFFD. */
static const struct tb_value *string_repaired(struct tb_arena *a, const char *s, size_t len)
{
	static const char repl[] = "\xef\xbf\xbd";
	size_t i, k, n = 0;
	uint32_t cp;
	char *w, *p;

	for (i = 0; i < len; i += k ? k : 1) {
		k = tb_utf8_decode(s + i, len - i, &cp);
		n += k ? k : 3;
	}
	p = w = tb_arena_alloc(a, n + 1);
	if (p == NULL)
		return NULL;
	for (i = 0; i < len; i += k ? k : 1) {
		k = tb_utf8_decode(s + i, len - i, &cp);
		memcpy(w, k ? s + i : repl, k ? k : 3);
		w += k ? k : 3;
	}
	return cty_string_valid(a, p, n);
}

const struct tb_value *tb_stringn(struct tb_arena *a, const char *s, size_t len)
{
	if (s == NULL)
		return NULL;
	if (!tb_utf8_valid(s, len))
		return string_repaired(a, s, len);
	return cty_string_valid(a, s, len);
}

const struct tb_value *tb_string(struct tb_arena *a, const char *s)
{
	return s != NULL ? tb_stringn(a, s, strlen(s)) : NULL;
}

const struct tb_value *tb_int(struct tb_arena *a, int64_t i)
{
	struct tb_value *v = cty_value_new(a, &tb_type_number, 0);

	if (v == NULL)
		return NULL;
	v->u.num.is_int = true;
	v->u.num.i = i;
	v->u.num.f = (double)i;
	return v;
}

const struct tb_value *tb_float(struct tb_arena *a, double f)
{
	const struct tb_value *v = NULL;

	if (cty_num_from_double(a, f, &v) != 0)
		return NULL;
	return v;
}

const struct tb_value *tb_bool(struct tb_arena *a, bool b)
{
	struct tb_value *v = cty_value_new(a, &tb_type_bool, 0);

	if (v != NULL)
		v->u.b = b;
	return v;
}

const struct tb_value *cty_coll_new(struct tb_arena *a, const struct tb_type *t, size_t n,
                                    const struct tb_value *const *items, const char *const *keys)
{
	struct tb_value *v = cty_value_new(a, t, 0);

	if (v == NULL)
		return NULL;
	v->u.coll.n = n;
	v->u.coll.items = items;
	v->u.coll.keys = keys;
	return v;
}

/* Arena copy of items after checking each against elem (or types[i]). */
static const struct tb_value **copy_items(struct tb_arena *a, size_t n,
                                          const struct tb_value *const *items,
                                          const struct tb_type *elem,
                                          const struct tb_type *const *types)
{
	const struct tb_value **c = tb_arena_alloc(a, sizeof(*c) * (n + 1));

	if (c == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (!cty_conforms(items[i], elem != NULL ? elem : types[i]))
			return NULL;
		c[i] = items[i];
	}
	return c;
}

static const struct tb_value *sequence(struct tb_arena *a, const struct tb_type *t,
                                       enum tb_kind kind, size_t n,
                                       const struct tb_value *const *items)
{
	const struct tb_value **c;

	if (t == NULL || t->kind != kind || (n > 0 && items == NULL))
		return NULL;
	c = copy_items(a, n, items, t->elem, t->types);
	return c != NULL ? cty_coll_new(a, t, n, c, NULL) : NULL;
}

const struct tb_value *tb_list(struct tb_arena *a, const struct tb_type *t, size_t n,
                               const struct tb_value *const *items)
{
	return sequence(a, t, TB_LIST, n, items);
}

const struct tb_value *tb_set(struct tb_arena *a, const struct tb_type *t, size_t n,
                              const struct tb_value *const *items)
{
	return sequence(a, t, TB_SET, n, items);
}

const struct tb_value *tb_object(struct tb_arena *a, const struct tb_type *t,
                                 const struct tb_value *const *items)
{
	const struct tb_value *v = sequence(a, t, TB_OBJECT, t != NULL ? t->n : 0, items);

	if (v != NULL)
		((struct tb_value *)v)->u.coll.keys = t->names;
	return v;
}

const struct tb_value *tb_tuple(struct tb_arena *a, const struct tb_type *t,
                                const struct tb_value *const *items)
{
	return sequence(a, t, TB_TUPLE, t != NULL ? t->n : 0, items);
}

struct pair {
	const char *key;
	const struct tb_value *item;
};

static int pair_cmp(const void *x, const void *y)
{
	return strcmp(((const struct pair *)x)->key, ((const struct pair *)y)->key);
}

int cty_sort_pairs(const char **keys, const struct tb_value **items, size_t n)
{
	struct pair *p;
	int err = 0;

	if (n < 2)
		return 0;
	p = tb_malloc(sizeof(*p) * n);
	if (p == NULL)
		return TB_ENOMEM;
	for (size_t i = 0; i < n; i++)
		p[i] = (struct pair){.key = keys[i], .item = items[i]};
	qsort(p, n, sizeof(*p), pair_cmp);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(p[i - 1].key, p[i].key) == 0)
			err = TB_EINVAL;
		keys[i] = p[i].key;
		items[i] = p[i].item;
	}
	free(p);
	return err;
}

const struct tb_value *tb_map(struct tb_arena *a, const struct tb_type *t, size_t n,
                              const char *const *keys, const struct tb_value *const *items)
{
	const struct tb_value **c;
	const char **k;

	if (t == NULL || t->kind != TB_MAP || (n > 0 && (items == NULL || keys == NULL)))
		return NULL;
	c = copy_items(a, n, items, t->elem, NULL);
	k = tb_arena_alloc(a, sizeof(*k) * (n + 1));
	if (c == NULL || k == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		k[i] = tb_arena_strdup(a, keys[i]);
		if (k[i] == NULL || !tb_utf8_valid(k[i], strlen(k[i])))
			return NULL;
	}
	if (cty_sort_pairs(k, c, n) != 0)
		return NULL;
	return cty_coll_new(a, t, n, c, k);
}

const struct tb_value *tb_object_with(struct tb_arena *a, const struct tb_value *obj,
                                      const char *name, const struct tb_value *v)
{
	int i;
	const struct tb_value **c;

	if (!tb_is_known(obj) || obj->type->kind != TB_OBJECT)
		return NULL;
	i = tb_type_attr_index(obj->type, name);
	if (i < 0 || !cty_conforms(v, obj->type->types[i]))
		return NULL;
	c = tb_arena_alloc(a, sizeof(*c) * (obj->u.coll.n + 1));
	if (c == NULL)
		return NULL;
	memcpy(c, obj->u.coll.items, sizeof(*c) * obj->u.coll.n);
	c[i] = v;
	return cty_coll_new(a, obj->type, obj->u.coll.n, c, obj->type->names);
}

bool tb_is_wholly_known(const struct tb_value *v)
{
	if (v == NULL || tb_is_unknown(v))
		return false;
	if (tb_is_null(v) || v->type->kind < TB_LIST || v->type->kind == TB_DYNAMIC)
		return true;
	for (size_t i = 0; i < v->u.coll.n; i++)
		if (!tb_is_wholly_known(v->u.coll.items[i]))
			return false;
	return true;
}

const struct tb_value *tb_attr(const struct tb_value *v, const char *name)
{
	int i;

	if (!tb_is_known(v) || v->type->kind != TB_OBJECT)
		return NULL;
	i = tb_type_attr_index(v->type, name);
	return i < 0 ? NULL : v->u.coll.items[i];
}

const struct tb_value *tb_map_get(const struct tb_value *v, const char *key)
{
	size_t lo = 0, hi;

	if (!tb_is_known(v) || v->type->kind != TB_MAP || key == NULL)
		return NULL;
	hi = v->u.coll.n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(v->u.coll.keys[mid], key);

		if (c == 0)
			return v->u.coll.items[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *tb_get_str(const struct tb_value *v)
{
	return tb_is_known(v) && v->type->kind == TB_STRING ? v->u.str.s : NULL;
}

bool tb_get_int(const struct tb_value *v, int64_t *out)
{
	bool ok = tb_is_known(v) && v->type->kind == TB_NUMBER && v->u.num.is_int;

	*out = ok ? v->u.num.i : 0;
	return ok;
}

bool tb_get_float(const struct tb_value *v, double *out)
{
	bool ok = tb_is_known(v) && v->type->kind == TB_NUMBER;

	*out = ok ? v->u.num.f : 0;
	return ok;
}

bool tb_get_bool(const struct tb_value *v, bool *out)
{
	bool ok = tb_is_known(v) && v->type->kind == TB_BOOL;

	*out = ok ? v->u.b : false;
	return ok;
}

size_t tb_len(const struct tb_value *v)
{
	if (!tb_is_known(v) || v->type->kind < TB_LIST || v->type->kind == TB_DYNAMIC)
		return 0;
	return v->u.coll.n;
}
