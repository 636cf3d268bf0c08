/* cty types: singletons, builders, equality and the JSON type encoding. */
#include <stdlib.h>
#include <string.h>

#include "cty_int.h"

const struct tb_type tb_type_string = {.kind = TB_STRING};
const struct tb_type tb_type_number = {.kind = TB_NUMBER};
const struct tb_type tb_type_bool = {.kind = TB_BOOL};
const struct tb_type tb_type_dynamic = {.kind = TB_DYNAMIC};

static const struct type_name {
	const char *name;
	const struct tb_type *prim; /* primitive and dynamic */
	enum tb_kind kind;          /* collections and structurals */
} type_names[] = {
    {.name = "string", .prim = &tb_type_string},
    {.name = "number", .prim = &tb_type_number},
    {.name = "bool", .prim = &tb_type_bool},
    {.name = "dynamic", .prim = &tb_type_dynamic},
    {.name = "list", .kind = TB_LIST},
    {.name = "set", .kind = TB_SET},
    {.name = "map", .kind = TB_MAP},
    {.name = "object", .kind = TB_OBJECT},
    {.name = "tuple", .kind = TB_TUPLE},
};

static const char *kind_name(enum tb_kind k)
{
	for (size_t i = 0; i < TB_COUNT(type_names); i++)
		if ((type_names[i].prim != NULL && type_names[i].prim->kind == k) ||
		    type_names[i].kind == k)
			return type_names[i].name;
	return NULL;
}

static const struct tb_type *collection(struct tb_arena *a, enum tb_kind k,
                                        const struct tb_type *elem)
{
	struct tb_type *t;

	if (elem == NULL)
		return NULL;
	t = tb_arena_alloc(a, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->kind = k;
	t->elem = elem;
	return t;
}

const struct tb_type *tb_type_list(struct tb_arena *a, const struct tb_type *elem)
{
	return collection(a, TB_LIST, elem);
}

const struct tb_type *tb_type_set(struct tb_arena *a, const struct tb_type *elem)
{
	return collection(a, TB_SET, elem);
}

const struct tb_type *tb_type_map(struct tb_arena *a, const struct tb_type *elem)
{
	return collection(a, TB_MAP, elem);
}

struct attr_sort {
	const char *name;
	const struct tb_type *type;
	bool optional;
};

static int attr_cmp(const void *x, const void *y)
{
	return strcmp(((const struct attr_sort *)x)->name, ((const struct attr_sort *)y)->name);
}

/* Sorted copies of the attribute arrays; false on a duplicate name. */
static bool sort_attrs(struct attr_sort *s, size_t n, const char **names,
                       const struct tb_type **types, bool *opt)
{
	qsort(s, n, sizeof(*s), attr_cmp);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(s[i - 1].name, s[i].name) == 0)
			return false;
		names[i] = s[i].name;
		types[i] = s[i].type;
		if (opt != NULL)
			opt[i] = s[i].optional;
	}
	return true;
}

const struct tb_type *tb_type_object(struct tb_arena *a, size_t n, const char *const *names,
                                     const struct tb_type *const *types, const bool *optional)
{
	struct tb_type *t = tb_arena_alloc(a, sizeof(*t));
	struct attr_sort *s = tb_arena_alloc(a, sizeof(*s) * (n + 1));
	const char **nm = tb_arena_alloc(a, sizeof(*nm) * (n + 1));
	const struct tb_type **ty = tb_arena_alloc(a, sizeof(*ty) * (n + 1));
	bool *opt = optional != NULL ? tb_arena_alloc(a, sizeof(*opt) * (n + 1)) : NULL;

	if (t == NULL || s == NULL || nm == NULL || ty == NULL || (optional != NULL && opt == NULL))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		s[i].name = tb_arena_strdup(a, names[i]);
		s[i].type = types[i];
		s[i].optional = optional != NULL && optional[i];
		if (s[i].name == NULL || s[i].type == NULL)
			return NULL;
	}
	if (!sort_attrs(s, n, nm, ty, opt))
		return NULL;
	t->kind = TB_OBJECT;
	t->n = n;
	t->names = nm;
	t->types = ty;
	t->optional = opt;
	return t;
}

const struct tb_type *tb_type_tuple(struct tb_arena *a, size_t n,
                                    const struct tb_type *const *types)
{
	struct tb_type *t = tb_arena_alloc(a, sizeof(*t));
	const struct tb_type **ty = tb_arena_alloc(a, sizeof(*ty) * (n + 1));

	if (t == NULL || ty == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (types[i] == NULL)
			return NULL;
		ty[i] = types[i];
	}
	t->kind = TB_TUPLE;
	t->n = n;
	t->types = ty;
	return t;
}

static bool attr_optional(const struct tb_type *t, size_t i)
{
	return t->optional != NULL && t->optional[i];
}

static bool type_eq(const struct tb_type *x, const struct tb_type *y, bool with_optional)
{
	if (x == y)
		return true;
	if (x == NULL || y == NULL || x->kind != y->kind)
		return false;
	if (x->elem != NULL || y->elem != NULL)
		return type_eq(x->elem, y->elem, with_optional);
	if (x->n != y->n)
		return false;
	for (size_t i = 0; i < x->n; i++) {
		if (x->kind == TB_OBJECT && strcmp(x->names[i], y->names[i]) != 0)
			return false;
		if (with_optional && attr_optional(x, i) != attr_optional(y, i))
			return false;
		if (!type_eq(x->types[i], y->types[i], with_optional))
			return false;
	}
	return true;
}

bool tb_type_equal(const struct tb_type *x, const struct tb_type *y)
{
	return type_eq(x, y, true);
}

bool cty_type_same(const struct tb_type *x, const struct tb_type *y)
{
	return type_eq(x, y, false);
}

int tb_type_attr_index(const struct tb_type *obj, const char *name)
{
	size_t lo = 0, hi;

	if (obj == NULL || obj->kind != TB_OBJECT || name == NULL)
		return -1;
	hi = obj->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(obj->names[mid], name);

		if (c == 0)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int put_object_json(struct tb_buf *b, const struct tb_type *t)
{
	bool any_opt = false;

	tb_buf_puts(b, "[\"object\",{");
	for (size_t i = 0; i < t->n; i++) {
		if (i > 0)
			tb_buf_putc(b, ',');
		tb_buf_put_json_string(b, t->names[i], strlen(t->names[i]));
		tb_buf_putc(b, ':');
		cty_type_put_json(b, t->types[i]);
		any_opt = any_opt || attr_optional(t, i);
	}
	tb_buf_putc(b, '}');
	if (any_opt) {
		const char *sep = ",[";

		for (size_t i = 0; i < t->n; i++) {
			if (!attr_optional(t, i))
				continue;
			tb_buf_puts(b, sep);
			tb_buf_put_json_string(b, t->names[i], strlen(t->names[i]));
			sep = ",";
		}
		tb_buf_putc(b, ']');
	}
	return tb_buf_putc(b, ']');
}

int cty_type_put_json(struct tb_buf *b, const struct tb_type *t)
{
	const char *name = t != NULL ? kind_name(t->kind) : NULL;

	if (name == NULL)
		return TB_EINVAL;
	if (t->elem != NULL) {
		tb_buf_printf(b, "[\"%s\",", name);
		cty_type_put_json(b, t->elem);
		return tb_buf_putc(b, ']');
	}
	if (t->kind == TB_OBJECT)
		return put_object_json(b, t);
	if (t->kind == TB_TUPLE) {
		tb_buf_puts(b, "[\"tuple\",[");
		for (size_t i = 0; i < t->n; i++) {
			if (i > 0)
				tb_buf_putc(b, ',');
			cty_type_put_json(b, t->types[i]);
		}
		return tb_buf_puts(b, "]]");
	}
	return tb_buf_printf(b, "\"%s\"", name);
}

int tb_type_to_json(struct tb_arena *a, const struct tb_type *t, char **out)
{
	struct tb_buf b;
	int err;

	tb_buf_init(&b);
	err = cty_type_put_json(&b, t);
	if (err == 0 && b.failed)
		err = TB_ENOMEM;
	if (err != 0) {
		tb_buf_free(&b);
		return err;
	}
	return cty_buf_to_arena(a, &b, out, NULL);
}
