/* Terraform's safe conversions between types. */
#include <string.h>

#include "cty_int.h"

typedef int (*conv_fn)(struct tb_arena *a, const struct tb_value *v, const struct tb_type *t,
                       const struct tb_value **out);

static int to_string(struct tb_arena *a, const struct tb_value *v, const struct tb_type *t,
                     const struct tb_value **out)
{
	struct tb_buf b;
	char *text = NULL;
	size_t len = 0;
	int err;

	if (v->type->kind == TB_BOOL) {
		*out = tb_string(a, v->u.b ? "true" : "false");
		return *out != NULL ? 0 : TB_ENOMEM;
	}
	if (v->type->kind != TB_NUMBER)
		return TB_EINVAL;
	tb_buf_init(&b);
	cty_num_put_text(&b, v);
	err = cty_buf_to_arena(a, &b, &text, &len);
	if (err != 0)
		return err;
	*out = cty_string_valid(a, text, len);
	return *out != NULL ? 0 : TB_ENOMEM;
}

static int to_number(struct tb_arena *a, const struct tb_value *v, const struct tb_type *t,
                     const struct tb_value **out)
{
	if (v->type->kind != TB_STRING)
		return TB_EINVAL;
	return cty_num_from_text(a, v->u.str.s, v->u.str.len, out);
}

static int to_bool(struct tb_arena *a, const struct tb_value *v, const struct tb_type *t,
                   const struct tb_value **out)
{
	static const struct {
		const char *text;
		bool value;
	} words[] = {
	    {.text = "true", .value = true},
	    {.text = "1", .value = true},
	    {.text = "false", .value = false},
	    {.text = "0", .value = false},
	};

	if (v->type->kind != TB_STRING)
		return TB_EINVAL;
	for (size_t i = 0; i < TB_COUNT(words); i++) {
		if (strcmp(v->u.str.s, words[i].text) == 0) {
			*out = tb_bool(a, words[i].value);
			return *out != NULL ? 0 : TB_ENOMEM;
		}
	}
	return TB_EINVAL;
}

static bool is_sequence(const struct tb_value *v)
{
	enum tb_kind k = v->type->kind;

	return k == TB_LIST || k == TB_SET || k == TB_TUPLE;
}

/* Converts each item of a sequence to elem (or types[i]) into a new array. */
static int convert_items(struct tb_arena *a, const struct tb_value *v, const struct tb_type *elem,
                         const struct tb_type *const *types, const struct tb_value ***out)
{
	size_t n = v->u.coll.n;
	const struct tb_value **c = tb_arena_alloc(a, sizeof(*c) * (n + 1));
	int err;

	if (c == NULL)
		return TB_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		err =
		    tb_value_convert(a, v->u.coll.items[i], elem != NULL ? elem : types[i], &c[i]);
		if (err != 0)
			return err;
	}
	*out = c;
	return 0;
}

/* Drops later duplicates of wholly known items (set semantics). */
static size_t dedupe(const struct tb_value **c, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++) {
		bool dup = false;

		for (size_t j = 0; j < w && !dup && tb_is_wholly_known(c[i]); j++)
			dup = tb_value_equal(c[i], c[j]);
		if (!dup)
			c[w++] = c[i];
	}
	return w;
}

static int to_list_or_set(struct tb_arena *a, const struct tb_value *v, const struct tb_type *t,
                          const struct tb_value **out)
{
	const struct tb_value **c = NULL;
	size_t n;
	int err;

	if (!is_sequence(v))
		return TB_EINVAL;
	err = convert_items(a, v, t->elem, NULL, &c);
	if (err != 0)
		return err;
	n = t->kind == TB_SET ? dedupe(c, v->u.coll.n) : v->u.coll.n;
	*out = cty_coll_new(a, t, n, c, NULL);
	return *out != NULL ? 0 : TB_ENOMEM;
}

static int to_tuple(struct tb_arena *a, const struct tb_value *v, const struct tb_type *t,
                    const struct tb_value **out)
{
	const struct tb_value **c = NULL;
	int err;

	if (!is_sequence(v) || v->u.coll.n != t->n)
		return TB_EINVAL;
	err = convert_items(a, v, NULL, t->types, &c);
	if (err != 0)
		return err;
	*out = cty_coll_new(a, t, t->n, c, NULL);
	return *out != NULL ? 0 : TB_ENOMEM;
}

static int to_map(struct tb_arena *a, const struct tb_value *v, const struct tb_type *t,
                  const struct tb_value **out)
{
	const struct tb_value **c = NULL;
	int err;

	if (v->type->kind != TB_MAP && v->type->kind != TB_OBJECT)
		return TB_EINVAL;
	err = convert_items(a, v, t->elem, NULL, &c);
	if (err != 0)
		return err;
	*out = cty_coll_new(a, t, v->u.coll.n, c, v->u.coll.keys);
	return *out != NULL ? 0 : TB_ENOMEM;
}

/* The source value for attribute name, or NULL when v has none. */
static const struct tb_value *source_attr(const struct tb_value *v, const char *name)
{
	return v->type->kind == TB_OBJECT ? tb_attr(v, name) : tb_map_get(v, name);
}

/* A map converts only when every key is an attribute of t. */
static bool map_keys_fit(const struct tb_value *v, const struct tb_type *t)
{
	if (v->type->kind != TB_MAP)
		return true;
	for (size_t i = 0; i < v->u.coll.n; i++)
		if (tb_type_attr_index(t, v->u.coll.keys[i]) < 0)
			return false;
	return true;
}

static int to_object(struct tb_arena *a, const struct tb_value *v, const struct tb_type *t,
                     const struct tb_value **out)
{
	const struct tb_value **c;
	int err;

	if ((v->type->kind != TB_OBJECT && v->type->kind != TB_MAP) || !map_keys_fit(v, t))
		return TB_EINVAL;
	c = tb_arena_alloc(a, sizeof(*c) * (t->n + 1));
	if (c == NULL)
		return TB_ENOMEM;
	for (size_t i = 0; i < t->n; i++) {
		const struct tb_value *src = source_attr(v, t->names[i]);

		if (src == NULL && (t->optional == NULL || !t->optional[i]))
			return TB_EINVAL;
		if (src == NULL)
			src = tb_null(a, t->types[i]);
		if (src == NULL)
			return TB_ENOMEM;
		err = tb_value_convert(a, src, t->types[i], &c[i]);
		if (err != 0)
			return err;
	}
	*out = cty_coll_new(a, t, t->n, c, t->names);
	return *out != NULL ? 0 : TB_ENOMEM;
}

static const conv_fn conversions[] = {
    [TB_STRING] = to_string,    [TB_NUMBER] = to_number,   [TB_BOOL] = to_bool,
    [TB_LIST] = to_list_or_set, [TB_SET] = to_list_or_set, [TB_MAP] = to_map,
    [TB_OBJECT] = to_object,    [TB_TUPLE] = to_tuple,
};

int tb_value_convert(struct tb_arena *a, const struct tb_value *v, const struct tb_type *t,
                     const struct tb_value **out)
{
	const struct tb_value *r = NULL;
	int err = 0;

	if (v == NULL || t == NULL)
		return TB_EINVAL;
	if (t->kind == TB_DYNAMIC || cty_type_same(v->type, t))
		r = v;
	else if (tb_is_unknown(v))
		r = tb_unknown(a, t);
	else if (tb_is_null(v))
		r = tb_null(a, t);
	else if (t->kind < TB_STRING || t->kind > TB_TUPLE || conversions[t->kind] == NULL)
		err = TB_EINVAL;
	else
		err = conversions[t->kind](a, v, t, &r);
	if (err == 0 && r == NULL)
		err = TB_ENOMEM;
	if (err == 0)
		*out = r;
	return err;
}
