/* JSON value decoding (cty's JSON rules) on top of jansson. */
#include <string.h>

#include "cty_int.h"

struct jd {
	struct tb_arena *a;
	unsigned flags;
};

static int decode(struct jd *d, const json_t *j, const struct tb_type *t, int depth,
                  const struct tb_value **out);

typedef int (*jdecode_fn)(struct jd *d, const json_t *j, const struct tb_type *t, int depth,
                          const struct tb_value **out);

static int done(const struct tb_value *v, const struct tb_value **out)
{
	*out = v;
	return v != NULL ? 0 : TB_ENOMEM;
}

/* A JSON number as a cty number. */
static int number_of(struct jd *d, const json_t *j, const struct tb_value **out)
{
	if (json_is_integer(j))
		return done(tb_int(d->a, json_integer_value(j)), out);
	return cty_num_from_shortest(d->a, json_real_value(j), out);
}

static int dec_string(struct jd *d, const json_t *j, const struct tb_type *t, int depth,
                      const struct tb_value **out)
{
	const struct tb_value *n = NULL;
	int err;

	if (json_is_string(j))
		return done(cty_string_valid(d->a, json_string_value(j), json_string_length(j)),
		            out);
	if (json_is_boolean(j))
		return done(tb_string(d->a, json_is_true(j) ? "true" : "false"), out);
	if (!json_is_number(j))
		return TB_EINVAL;
	err = number_of(d, j, &n);
	if (err != 0)
		return err;
	return tb_value_convert(d->a, n, &tb_type_string, out);
}

static int dec_number(struct jd *d, const json_t *j, const struct tb_type *t, int depth,
                      const struct tb_value **out)
{
	if (json_is_number(j))
		return number_of(d, j, out);
	if (json_is_string(j))
		return cty_num_from_text(d->a, json_string_value(j), json_string_length(j), out);
	return TB_EINVAL;
}

static int dec_bool(struct jd *d, const json_t *j, const struct tb_type *t, int depth,
                    const struct tb_value **out)
{
	const struct tb_value *s;

	if (json_is_boolean(j))
		return done(tb_bool(d->a, json_is_true(j)), out);
	if (!json_is_string(j))
		return TB_EINVAL;
	s = cty_string_valid(d->a, json_string_value(j), json_string_length(j));
	if (s == NULL)
		return TB_ENOMEM;
	return tb_value_convert(d->a, s, &tb_type_bool, out);
}

static int dec_sequence(struct jd *d, const json_t *j, const struct tb_type *t, int depth,
                        const struct tb_value **out)
{
	size_t n = json_array_size(j);
	const struct tb_value **items;
	int err;

	if (!json_is_array(j) || (t->kind == TB_TUPLE && n != t->n))
		return TB_EINVAL;
	items = tb_arena_alloc(d->a, sizeof(*items) * (n + 1));
	if (items == NULL)
		return TB_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		err = decode(d, json_array_get(j, i), t->elem ? t->elem : t->types[i], depth + 1,
		             &items[i]);
		if (err != 0)
			return err;
	}
	return done(cty_coll_new(d->a, t, n, items, NULL), out);
}

static int dec_map(struct jd *d, const json_t *j, const struct tb_type *t, int depth,
                   const struct tb_value **out)
{
	size_t n = json_object_size(j), i = 0;
	const struct tb_value **items = tb_arena_alloc(d->a, sizeof(*items) * (n + 1));
	const char **keys = tb_arena_alloc(d->a, sizeof(*keys) * (n + 1));
	const char *k;
	json_t *v;
	int err;

	if (!json_is_object(j))
		return TB_EINVAL;
	if (items == NULL || keys == NULL)
		return TB_ENOMEM;
	json_object_foreach((json_t *)j, k, v)
	{
		keys[i] = tb_arena_strdup(d->a, k);
		if (keys[i] == NULL)
			return TB_ENOMEM;
		err = decode(d, v, t->elem, depth + 1, &items[i]);
		if (err != 0)
			return err;
		i++;
	}
	err = cty_sort_pairs(keys, items, n);
	if (err != 0)
		return err;
	return done(cty_coll_new(d->a, t, n, items, keys), out);
}

static int dec_object(struct jd *d, const json_t *j, const struct tb_type *t, int depth,
                      const struct tb_value **out)
{
	const struct tb_value **items = tb_arena_alloc(d->a, sizeof(*items) * (t->n + 1));
	const char *k;
	json_t *v;
	int idx, err;

	if (!json_is_object(j))
		return TB_EINVAL;
	if (items == NULL)
		return TB_ENOMEM;
	json_object_foreach((json_t *)j, k, v)
	{
		idx = tb_type_attr_index(t, k);
		if (idx < 0 && (d->flags & TB_JSON_DROP_UNKNOWN))
			continue;
		if (idx < 0)
			return TB_EINVAL;
		err = decode(d, v, t->types[idx], depth + 1, &items[idx]);
		if (err != 0)
			return err;
	}
	for (size_t i = 0; i < t->n; i++)
		if (items[i] == NULL && (items[i] = tb_null(d->a, t->types[i])) == NULL)
			return TB_ENOMEM;
	return done(cty_coll_new(d->a, t, t->n, items, t->names), out);
}

/* {"value": ..., "type": ...} */
static int dec_dynamic(struct jd *d, const json_t *j, const struct tb_type *t, int depth,
                       const struct tb_value **out)
{
	const json_t *jt = json_object_get(j, "type"), *jv = json_object_get(j, "value");
	const struct tb_type *vt = NULL;
	int err;

	if (!json_is_object(j) || jt == NULL || jv == NULL || json_object_size(j) != 2)
		return TB_EINVAL;
	err = cty_type_from_jansson(d->a, jt, depth + 1, &vt);
	if (err != 0)
		return err;
	if (vt->kind == TB_DYNAMIC)
		return TB_EINVAL;
	return decode(d, jv, vt, depth + 1, out);
}

static const jdecode_fn jdecoders[] = {
    [TB_STRING] = dec_string, [TB_NUMBER] = dec_number,  [TB_BOOL] = dec_bool,
    [TB_LIST] = dec_sequence, [TB_SET] = dec_sequence,   [TB_MAP] = dec_map,
    [TB_OBJECT] = dec_object, [TB_TUPLE] = dec_sequence, [TB_DYNAMIC] = dec_dynamic,
};

static int decode(struct jd *d, const json_t *j, const struct tb_type *t, int depth,
                  const struct tb_value **out)
{
	if (depth > CTY_MAX_DEPTH || t->kind < TB_STRING || t->kind > TB_DYNAMIC)
		return TB_EINVAL;
	if (json_is_null(j))
		return done(tb_null(d->a, t), out);
	return jdecoders[t->kind](d, j, t, depth, out);
}

/*
 * jansson reads numbers into int64 or double, which loses integers past
 * int64 and decimals with more digits than a double holds. Such number
 * tokens (more than JSON_EXACT_DIGITS digits, or an exponent) are quoted
 * before parsing: a JSON number and its text decode alike for number and
 * string targets, and the text keeps every digit.
 */
#define JSON_EXACT_DIGITS 15

/* Length of the string token at s (which starts with a quote). */
static size_t string_token(const char *s, const char *end)
{
	const char *p = s + 1;

	while (p < end && *p != '"')
		p += (*p == '\\' && p + 1 < end) ? 2 : 1;
	return (size_t)(p < end ? p + 1 - s : end - s);
}

/* Length of the number token at s; *quote set when it needs quoting. */
static size_t number_token(const char *s, const char *end, bool *quote)
{
	const char *p = s;
	size_t digits = 0;
	bool exp = false;

	for (; p < end && strchr("0123456789+-.eE", *p) != NULL; p++) {
		exp = exp || *p == 'e' || *p == 'E';
		digits += !exp && *p >= '0' && *p <= '9';
	}
	*quote = exp || digits > JSON_EXACT_DIGITS;
	return (size_t)(p - s);
}

/* Copy of json with long number tokens quoted into b; *changed false when none. */
static int quote_long_numbers(const char *json, size_t len, struct tb_buf *b, bool *changed)
{
	const char *p = json, *end = json + len, *copied = json;
	bool quote;
	size_t n;

	*changed = false;
	while (p < end) {
		if (*p == '"') {
			p += string_token(p, end);
			continue;
		}
		if (*p != '-' && (*p < '0' || *p > '9')) {
			p++;
			continue;
		}
		n = number_token(p, end, &quote);
		if (quote) {
			tb_buf_append(b, copied, (size_t)(p - copied));
			tb_buf_putc(b, '"');
			tb_buf_append(b, p, n);
			tb_buf_putc(b, '"');
			copied = p + n;
			*changed = true;
		}
		p += n;
	}
	if (*changed)
		tb_buf_append(b, copied, (size_t)(end - copied));
	return b->failed ? TB_ENOMEM : 0;
}

/* Parses the text with jansson (see cty_json_load for the error codes). */
static int load(const char *json, size_t len, json_t **out)
{
	struct tb_buf b;
	bool changed = false;
	int err;

	tb_buf_init(&b);
	err = quote_long_numbers(json, len, &b, &changed);
	if (err == 0)
		err = changed ? cty_json_load(b.data, b.len, out) : cty_json_load(json, len, out);
	tb_buf_free(&b);
	return err;
}

int tb_json_decode_ex(struct tb_arena *a, const struct tb_type *t, const char *json, size_t len,
                      unsigned flags, const struct tb_value **out)
{
	struct jd d = {.a = a, .flags = flags};
	const struct tb_value *v = NULL;
	json_t *j = NULL;
	int err;

	if (t == NULL || json == NULL)
		return TB_EINVAL;
	err = load(json, len, &j);
	if (err != 0)
		return err;
	err = decode(&d, j, t, 0, &v);
	json_decref(j);
	if (err == 0)
		*out = v;
	return err;
}

int tb_json_decode(struct tb_arena *a, const struct tb_type *t, const char *json, size_t len,
                   const struct tb_value **out)
{
	return tb_json_decode_ex(a, t, json, len, 0, out);
}
