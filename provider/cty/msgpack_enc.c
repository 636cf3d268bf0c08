/* msgpack encoder for plugin-protocol values (cty's wire conventions). */
#include <math.h>
#include <string.h>

#include "cty_int.h"

#define EXT_REFINED 12

static void put_be(struct tb_buf *b, unsigned char lead, uint64_t v, unsigned size)
{
	unsigned char out[9];

	out[0] = lead;
	for (unsigned i = 0; i < size; i++)
		out[1 + i] = (unsigned char)(v >> (8 * (size - 1 - i)));
	tb_buf_append(b, out, 1 + size);
}

/* Smallest encoding: positive fixint / uint8..64, negative fixint / int8..64. */
static void put_int(struct tb_buf *b, int64_t i)
{
	uint64_t u = (uint64_t)i;

	if (i >= 0 && i < 128)
		tb_buf_putc(b, (char)i);
	else if (i >= 0)
		put_be(b,
		       u <= 0xff          ? 0xcc
		       : u <= 0xffff      ? 0xcd
		       : u <= 0xffffffffu ? 0xce
		                          : 0xcf,
		       u,
		       u <= 0xff          ? 1
		       : u <= 0xffff      ? 2
		       : u <= 0xffffffffu ? 4
		                          : 8);
	else if (i >= -32)
		tb_buf_putc(b, (char)(0xe0 | (i + 32)));
	else if (i >= INT8_MIN)
		put_be(b, 0xd0, u, 1);
	else if (i >= INT16_MIN)
		put_be(b, 0xd1, u, 2);
	else if (i >= INT32_MIN)
		put_be(b, 0xd2, u, 4);
	else
		put_be(b, 0xd3, u, 8);
}

/* Header for len: fix form when len <= fixmax, else one of three sized leads. */
static void put_len(struct tb_buf *b, uint64_t len, unsigned char fix, uint64_t fixmax,
                    const unsigned char sized[3])
{
	if (fix != 0 && len <= fixmax)
		tb_buf_putc(b, (char)(fix | len));
	else if (sized[0] != 0 && len <= 0xff)
		put_be(b, sized[0], len, 1);
	else if (len <= 0xffff)
		put_be(b, sized[1], len, 2);
	else
		put_be(b, sized[2], len, 4);
}

static void put_str(struct tb_buf *b, const char *s, size_t n)
{
	static const unsigned char sized[3] = {0xd9, 0xda, 0xdb};

	put_len(b, n, 0xa0, 31, sized);
	tb_buf_append(b, s, n);
}

static void put_bin(struct tb_buf *b, const char *s, size_t n)
{
	static const unsigned char sized[3] = {0xc4, 0xc5, 0xc6};

	put_len(b, n, 0, 0, sized);
	tb_buf_append(b, s, n);
}

static void put_array(struct tb_buf *b, size_t n)
{
	static const unsigned char sized[3] = {0, 0xdc, 0xdd};

	put_len(b, n, 0x90, 15, sized);
}

static void put_map(struct tb_buf *b, size_t n)
{
	static const unsigned char sized[3] = {0, 0xde, 0xdf};

	put_len(b, n, 0x80, 15, sized);
}

static void put_double(struct tb_buf *b, double f)
{
	uint64_t bits;

	memcpy(&bits, &f, sizeof(bits));
	put_be(b, 0xcb, bits, 8);
}

static void put_number(struct tb_buf *b, const struct tb_value *v)
{
	if (v->u.num.is_int)
		put_int(b, v->u.num.i);
	else if (v->u.num.dec != NULL)
		put_str(b, v->u.num.dec, strlen(v->u.num.dec));
	else
		put_double(b, v->u.num.f);
}

static void put_bound(struct tb_buf *r, int key, double f, bool incl)
{
	struct tb_value bound = {.type = &tb_type_number};

	bound.u.num.is_int = f == trunc(f) && fabs(f) < 9.2e18;
	bound.u.num.i = bound.u.num.is_int ? (int64_t)f : 0;
	bound.u.num.f = f;
	tb_buf_putc(r, (char)key);
	put_array(r, 2);
	put_number(r, &bound);
	tb_buf_putc(r, (char)(incl ? 0xc3 : 0xc2));
}

static size_t put_number_refinements(struct tb_buf *r, const struct tb_refine *ref)
{
	size_t n = 0;

	if (ref->has_lower && isfinite(ref->lower)) {
		put_bound(r, 3, ref->lower, ref->lower_incl);
		n++;
	}
	if (ref->has_upper && isfinite(ref->upper)) {
		put_bound(r, 4, ref->upper, ref->upper_incl);
		n++;
	}
	return n;
}

/* The prefix cut to at most 255 bytes on a character boundary. */
static size_t put_prefix_refinement(struct tb_buf *r, const struct tb_refine *ref)
{
	size_t len;

	if (ref->prefix == NULL || ref->prefix[0] == '\0')
		return 0;
	len = strnlen(ref->prefix, 255);
	while (len > 0 && !tb_utf8_valid(ref->prefix, len))
		len--;
	tb_buf_putc(r, 2);
	put_str(r, ref->prefix, len);
	return 1;
}

static size_t put_length_refinements(struct tb_buf *r, const struct tb_refine *ref)
{
	size_t n = 0;

	if (ref->has_len_lower && ref->len_lower != 0) {
		tb_buf_putc(r, 5);
		put_int(r, ref->len_lower);
		n++;
	}
	if (ref->has_len_upper) {
		tb_buf_putc(r, 6);
		put_int(r, ref->len_upper);
		n++;
	}
	return n;
}

/* The refinement map's entries, in cty's order, into r; returns the count. */
static size_t put_refinements(struct tb_buf *r, const struct tb_refine *ref,
                              const struct tb_type *t)
{
	size_t n = 0;

	if (ref->has_nullness) {
		tb_buf_putc(r, 1);
		tb_buf_putc(r, (char)(ref->not_null ? 0xc2 : 0xc3));
		n++;
	}
	if (t->kind == TB_NUMBER)
		n += put_number_refinements(r, ref);
	if (t->kind == TB_STRING)
		n += put_prefix_refinement(r, ref);
	if (t->kind == TB_LIST || t->kind == TB_SET || t->kind == TB_MAP)
		n += put_length_refinements(r, ref);
	return n;
}

/* Extension header: fixext for payloads of 1, 2, 4, 8 or 16 bytes, else ext8/16/32. */
static void put_ext_header(struct tb_buf *b, size_t len, int type)
{
	static const unsigned char sized[3] = {0xc7, 0xc8, 0xc9};
	static const unsigned char fixext[17] = {
	    [1] = 0xd4, [2] = 0xd5, [4] = 0xd6, [8] = 0xd7, [16] = 0xd8};

	if (len < sizeof(fixext) && fixext[len] != 0)
		tb_buf_putc(b, (char)fixext[len]);
	else
		put_len(b, len, 0, 0, sized);
	tb_buf_putc(b, (char)type);
}

static int put_unknown(struct tb_buf *b, const struct tb_value *v, const struct tb_type *t)
{
	struct tb_buf r, m;
	size_t n = 0;

	tb_buf_init(&r);
	tb_buf_init(&m);
	if (v->refine != NULL && t->kind != TB_DYNAMIC)
		n = put_refinements(&r, v->refine, t);
	if (n == 0) {
		tb_buf_append(b, "\xd4\x00\x00", 3);
	} else {
		put_map(&m, n);
		tb_buf_append(&m, r.data, r.len);
		put_ext_header(b, m.len, EXT_REFINED);
		tb_buf_append(b, m.data, m.len);
	}
	if (r.failed || m.failed)
		b->failed = true;
	tb_buf_free(&r);
	tb_buf_free(&m);
	return b->failed ? TB_ENOMEM : 0;
}

static int encode_value(struct tb_buf *b, const struct tb_value *v, const struct tb_type *t,
                        int depth);

typedef int (*encode_fn)(struct tb_buf *b, const struct tb_value *v, const struct tb_type *t,
                         int depth);

static int enc_string(struct tb_buf *b, const struct tb_value *v, const struct tb_type *t,
                      int depth)
{
	put_str(b, v->u.str.s, v->u.str.len);
	return 0;
}

static int enc_number(struct tb_buf *b, const struct tb_value *v, const struct tb_type *t,
                      int depth)
{
	put_number(b, v);
	return 0;
}

static int enc_bool(struct tb_buf *b, const struct tb_value *v, const struct tb_type *t, int depth)
{
	return tb_buf_putc(b, (char)(v->u.b ? 0xc3 : 0xc2));
}

static int enc_sequence(struct tb_buf *b, const struct tb_value *v, const struct tb_type *t,
                        int depth)
{
	int err = 0;

	if (t->kind == TB_TUPLE && v->u.coll.n != t->n)
		return TB_EINVAL;
	put_array(b, v->u.coll.n);
	for (size_t i = 0; i < v->u.coll.n && err == 0; i++)
		err = encode_value(b, v->u.coll.items[i], t->elem != NULL ? t->elem : t->types[i],
		                   depth + 1);
	return err;
}

static int enc_pairs(struct tb_buf *b, const struct tb_value *v, const struct tb_type *t, int depth)
{
	int err = 0;

	if (t->kind == TB_OBJECT && v->u.coll.n != t->n)
		return TB_EINVAL;
	put_map(b, v->u.coll.n);
	for (size_t i = 0; i < v->u.coll.n && err == 0; i++) {
		const char *k = t->kind == TB_OBJECT ? t->names[i] : v->u.coll.keys[i];

		put_str(b, k, strlen(k));
		err = encode_value(b, v->u.coll.items[i], t->elem != NULL ? t->elem : t->types[i],
		                   depth + 1);
	}
	return err;
}

/* [type JSON as bin, value] for a concrete value in a dynamic slot. */
static int enc_dynamic(struct tb_buf *b, const struct tb_value *v, const struct tb_type *t,
                       int depth)
{
	struct tb_buf tj;
	int err;

	tb_buf_init(&tj);
	err = cty_type_put_json(&tj, v->type);
	if (err == 0 && tj.failed)
		err = TB_ENOMEM;
	if (err == 0) {
		put_array(b, 2);
		put_bin(b, tj.data, tj.len);
		err = encode_value(b, v, v->type, depth + 1);
	}
	tb_buf_free(&tj);
	return err;
}

static const encode_fn encoders[] = {
    [TB_STRING] = enc_string, [TB_NUMBER] = enc_number,  [TB_BOOL] = enc_bool,
    [TB_LIST] = enc_sequence, [TB_SET] = enc_sequence,   [TB_MAP] = enc_pairs,
    [TB_OBJECT] = enc_pairs,  [TB_TUPLE] = enc_sequence,
};

static int encode_value(struct tb_buf *b, const struct tb_value *v, const struct tb_type *t,
                        int depth)
{
	if (v == NULL || t == NULL || depth > CTY_MAX_DEPTH)
		return TB_EINVAL;
	if (t->kind == TB_DYNAMIC && v->type->kind != TB_DYNAMIC)
		return enc_dynamic(b, v, t, depth);
	if (tb_is_unknown(v))
		return put_unknown(b, v, t);
	if (tb_is_null(v))
		return tb_buf_putc(b, (char)0xc0);
	if (t->kind != v->type->kind || t->kind < TB_STRING || t->kind > TB_TUPLE)
		return TB_EINVAL;
	return encoders[t->kind](b, v, t, depth);
}

int tb_msgpack_encode_as(struct tb_arena *a, const struct tb_value *v, const struct tb_type *t,
                         void **out, size_t *out_len)
{
	struct tb_buf b;
	char *data = NULL;
	size_t len = 0;
	int err;

	if (v == NULL || t == NULL)
		return TB_EINVAL;
	tb_buf_init(&b);
	err = encode_value(&b, v, t, 0);
	if (err != 0) {
		tb_buf_free(&b);
		return err;
	}
	err = cty_buf_to_arena(a, &b, &data, &len);
	if (err != 0)
		return err;
	*out = data;
	*out_len = len;
	return 0;
}

int tb_msgpack_encode(struct tb_arena *a, const struct tb_value *v, void **out, size_t *out_len)
{
	if (v == NULL)
		return TB_EINVAL;
	return tb_msgpack_encode_as(a, v, v->type, out, out_len);
}
