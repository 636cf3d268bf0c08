/* JSON value encoding (cty's JSON rules); unknown values cannot be encoded. */
#include <math.h>
#include <string.h>

#include "cty_int.h"

static int encode(struct tb_buf *b, const struct tb_value *v, const struct tb_type *t, int depth);

typedef int (*jencode_fn)(struct tb_buf *b, const struct tb_value *v, const struct tb_type *t,
                          int depth);

static int enc_string(struct tb_buf *b, const struct tb_value *v, const struct tb_type *t,
                      int depth)
{
	return tb_buf_put_json_string(b, v->u.str.s, v->u.str.len);
}

static int enc_number(struct tb_buf *b, const struct tb_value *v, const struct tb_type *t,
                      int depth)
{
	if (!v->u.num.is_int && v->u.num.dec == NULL && isinf(v->u.num.f))
		return TB_EINVAL;
	return cty_num_put_text(b, v);
}

static int enc_bool(struct tb_buf *b, const struct tb_value *v, const struct tb_type *t, int depth)
{
	return tb_buf_puts(b, v->u.b ? "true" : "false");
}

static int enc_sequence(struct tb_buf *b, const struct tb_value *v, const struct tb_type *t,
                        int depth)
{
	int err = 0;

	if (t->kind == TB_TUPLE && v->u.coll.n != t->n)
		return TB_EINVAL;
	tb_buf_putc(b, '[');
	for (size_t i = 0; i < v->u.coll.n && err == 0; i++) {
		if (i > 0)
			tb_buf_putc(b, ',');
		err = encode(b, v->u.coll.items[i], t->elem ? t->elem : t->types[i], depth + 1);
	}
	if (err == 0)
		err = tb_buf_putc(b, ']');
	return err;
}

static int enc_pairs(struct tb_buf *b, const struct tb_value *v, const struct tb_type *t, int depth)
{
	int err = 0;

	if (t->kind == TB_OBJECT && v->u.coll.n != t->n)
		return TB_EINVAL;
	tb_buf_putc(b, '{');
	for (size_t i = 0; i < v->u.coll.n && err == 0; i++) {
		const char *k = t->kind == TB_OBJECT ? t->names[i] : v->u.coll.keys[i];

		if (i > 0)
			tb_buf_putc(b, ',');
		tb_buf_put_json_string(b, k, strlen(k));
		tb_buf_putc(b, ':');
		err = encode(b, v->u.coll.items[i], t->elem ? t->elem : t->types[i], depth + 1);
	}
	if (err == 0)
		err = tb_buf_putc(b, '}');
	return err;
}

static int enc_dynamic(struct tb_buf *b, const struct tb_value *v, int depth)
{
	int err;

	tb_buf_puts(b, "{\"value\":");
	err = encode(b, v, v->type, depth + 1);
	if (err == 0) {
		tb_buf_puts(b, ",\"type\":");
		err = cty_type_put_json(b, v->type);
	}
	if (err == 0)
		err = tb_buf_putc(b, '}');
	return err;
}

static const jencode_fn jencoders[] = {
    [TB_STRING] = enc_string, [TB_NUMBER] = enc_number,  [TB_BOOL] = enc_bool,
    [TB_LIST] = enc_sequence, [TB_SET] = enc_sequence,   [TB_MAP] = enc_pairs,
    [TB_OBJECT] = enc_pairs,  [TB_TUPLE] = enc_sequence,
};

static int encode(struct tb_buf *b, const struct tb_value *v, const struct tb_type *t, int depth)
{
	if (v == NULL || t == NULL || depth > CTY_MAX_DEPTH || tb_is_unknown(v))
		return TB_EINVAL;
	if (t->kind == TB_DYNAMIC && v->type->kind != TB_DYNAMIC)
		return enc_dynamic(b, v, depth);
	if (tb_is_null(v))
		return tb_buf_puts(b, "null");
	if (t->kind != v->type->kind || t->kind < TB_STRING || t->kind > TB_TUPLE)
		return TB_EINVAL;
	return jencoders[t->kind](b, v, t, depth);
}

int tb_json_encode_as(struct tb_arena *a, const struct tb_value *v, const struct tb_type *t,
                      char **out, size_t *out_len)
{
	struct tb_buf b;
	int err;

	if (v == NULL || t == NULL)
		return TB_EINVAL;
	tb_buf_init(&b);
	err = encode(&b, v, t, 0);
	if (err != 0) {
		tb_buf_free(&b);
		return err;
	}
	return cty_buf_to_arena(a, &b, out, out_len);
}

int tb_json_encode(struct tb_arena *a, const struct tb_value *v, char **out, size_t *out_len)
{
	if (v == NULL)
		return TB_EINVAL;
	return tb_json_encode_as(a, v, v->type, out, out_len);
}
