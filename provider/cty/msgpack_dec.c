/*
 * msgpack decoder for plugin-protocol values, written against the input
 * bounds: every length is checked against the bytes that remain before
 * anything is allocated, nesting is capped, strings must be UTF-8.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cty_int.h"

enum mp_kind {
	MP_BAD = 0,
	MP_NIL,
	MP_BOOL,
	MP_UINT,
	MP_INT,
	MP_FLOAT32,
	MP_FLOAT64,
	MP_STR,
	MP_BIN,
	MP_ARRAY,
	MP_MAP,
	MP_EXT,
};

enum mp_how {
	HOW_NONE = 0, /* nothing follows (nil) */
	HOW_BYTE,     /* value is the lead byte itself (fixint, bool) */
	HOW_LOW4,     /* length in the low 4 bits */
	HOW_LOW5,     /* length in the low 5 bits */
	HOW_SIZED,    /* size bytes follow holding the value or the length */
	HOW_FIXEXT,   /* extension with a fixed payload length of size bytes */
};

struct mp_code {
	unsigned char kind, how, size;
};

/* One row per lead byte range of the msgpack specification. */
static const struct mp_code mp_codes[256] = {
    [0x00 ... 0x7f] = {.kind = MP_UINT, .how = HOW_BYTE},
    [0x80 ... 0x8f] = {.kind = MP_MAP, .how = HOW_LOW4},
    [0x90 ... 0x9f] = {.kind = MP_ARRAY, .how = HOW_LOW4},
    [0xa0 ... 0xbf] = {.kind = MP_STR, .how = HOW_LOW5},
    [0xc0] = {.kind = MP_NIL, .how = HOW_NONE},
    [0xc2 ... 0xc3] = {.kind = MP_BOOL, .how = HOW_BYTE},
    [0xc4] = {.kind = MP_BIN, .how = HOW_SIZED, .size = 1},
    [0xc5] = {.kind = MP_BIN, .how = HOW_SIZED, .size = 2},
    [0xc6] = {.kind = MP_BIN, .how = HOW_SIZED, .size = 4},
    [0xc7] = {.kind = MP_EXT, .how = HOW_SIZED, .size = 1},
    [0xc8] = {.kind = MP_EXT, .how = HOW_SIZED, .size = 2},
    [0xc9] = {.kind = MP_EXT, .how = HOW_SIZED, .size = 4},
    [0xca] = {.kind = MP_FLOAT32, .how = HOW_SIZED, .size = 4},
    [0xcb] = {.kind = MP_FLOAT64, .how = HOW_SIZED, .size = 8},
    [0xcc] = {.kind = MP_UINT, .how = HOW_SIZED, .size = 1},
    [0xcd] = {.kind = MP_UINT, .how = HOW_SIZED, .size = 2},
    [0xce] = {.kind = MP_UINT, .how = HOW_SIZED, .size = 4},
    [0xcf] = {.kind = MP_UINT, .how = HOW_SIZED, .size = 8},
    [0xd0] = {.kind = MP_INT, .how = HOW_SIZED, .size = 1},
    [0xd1] = {.kind = MP_INT, .how = HOW_SIZED, .size = 2},
    [0xd2] = {.kind = MP_INT, .how = HOW_SIZED, .size = 4},
    [0xd3] = {.kind = MP_INT, .how = HOW_SIZED, .size = 8},
    [0xd4] = {.kind = MP_EXT, .how = HOW_FIXEXT, .size = 1},
    [0xd5] = {.kind = MP_EXT, .how = HOW_FIXEXT, .size = 2},
    [0xd6] = {.kind = MP_EXT, .how = HOW_FIXEXT, .size = 4},
    [0xd7] = {.kind = MP_EXT, .how = HOW_FIXEXT, .size = 8},
    [0xd8] = {.kind = MP_EXT, .how = HOW_FIXEXT, .size = 16},
    [0xd9] = {.kind = MP_STR, .how = HOW_SIZED, .size = 1},
    [0xda] = {.kind = MP_STR, .how = HOW_SIZED, .size = 2},
    [0xdb] = {.kind = MP_STR, .how = HOW_SIZED, .size = 4},
    [0xdc] = {.kind = MP_ARRAY, .how = HOW_SIZED, .size = 2},
    [0xdd] = {.kind = MP_ARRAY, .how = HOW_SIZED, .size = 4},
    [0xde] = {.kind = MP_MAP, .how = HOW_SIZED, .size = 2},
    [0xdf] = {.kind = MP_MAP, .how = HOW_SIZED, .size = 4},
    [0xe0 ... 0xff] = {.kind = MP_INT, .how = HOW_BYTE},
};

struct mp_dec {
	struct tb_arena *a;
	const unsigned char *p, *end;
};

struct mp_head {
	enum mp_kind kind;
	uint64_t u; /* UINT, BOOL; INT as two's complement */
	double f;
	uint64_t len; /* STR, BIN, EXT payload; ARRAY, MAP item count */
	const unsigned char *data;
	int ext_type;
};

static size_t remaining(const struct mp_dec *d)
{
	return (size_t)(d->end - d->p);
}

static int read_be(struct mp_dec *d, unsigned size, uint64_t *out)
{
	uint64_t v = 0;

	if (remaining(d) < size)
		return TB_EINVAL;
	for (unsigned i = 0; i < size; i++)
		v = (v << 8) | d->p[i];
	d->p += size;
	*out = v;
	return 0;
}

/* Sign-extends a size-byte two's complement value. */
static uint64_t sign_extend(uint64_t v, unsigned size)
{
	unsigned shift = 64 - 8 * size;

	return (uint64_t)((int64_t)(v << shift) >> shift);
}

/* Checks a length against the input left and takes a payload of len bytes. */
static int take_payload(struct mp_dec *d, struct mp_head *h)
{
	if (h->kind == MP_ARRAY || h->kind == MP_MAP) {
		uint64_t min = h->kind == MP_MAP ? 2 * h->len : h->len;

		return min > remaining(d) ? TB_EINVAL : 0;
	}
	if (h->len > remaining(d))
		return TB_EINVAL;
	h->data = d->p;
	d->p += h->len;
	return 0;
}

static void set_scalar(struct mp_head *h, const struct mp_code *c, uint64_t v)
{
	if (h->kind == MP_FLOAT32) {
		uint32_t bits = (uint32_t)v;
		float f;

		memcpy(&f, &bits, sizeof(f));
		h->f = f;
	} else if (h->kind == MP_FLOAT64) {
		memcpy(&h->f, &v, sizeof(h->f));
	} else if (h->kind == MP_INT) {
		h->u = sign_extend(v, c->size);
	} else if (h->kind == MP_STR || h->kind == MP_BIN || h->kind == MP_EXT ||
	           h->kind == MP_ARRAY || h->kind == MP_MAP) {
		h->len = v;
	} else {
		h->u = v;
	}
}

/* The value or length carried by the lead byte and what follows it. */
static int read_arg(struct mp_dec *d, const struct mp_code *c, unsigned char lead, uint64_t *v)
{
	if (c->how == HOW_SIZED)
		return read_be(d, c->size, v);
	if (c->how == HOW_FIXEXT)
		*v = c->size;
	else if (c->how == HOW_LOW4 || c->how == HOW_LOW5)
		*v = lead & (c->how == HOW_LOW4 ? 0x0fu : 0x1fu);
	else if (c->kind == MP_INT)
		*v = sign_extend(lead, 1);
	else
		*v = c->kind == MP_BOOL ? lead & 1u : lead;
	return 0;
}

static int read_head(struct mp_dec *d, struct mp_head *h)
{
	const struct mp_code *c;
	unsigned char lead;
	uint64_t v = 0, t = 0;
	int err;

	memset(h, 0, sizeof(*h));
	if (d->p >= d->end)
		return TB_EINVAL;
	lead = *d->p++;
	c = &mp_codes[lead];
	h->kind = c->kind;
	if (c->kind == MP_BAD)
		return TB_EINVAL;
	err = read_arg(d, c, lead, &v);
	if (err == 0 && c->kind == MP_EXT)
		err = read_be(d, 1, &t);
	if (err != 0)
		return err;
	h->ext_type = (int)(int8_t)t;
	if (c->how == HOW_BYTE)
		h->u = v;
	else
		set_scalar(h, c, v);
	if (c->kind >= MP_STR)
		return take_payload(d, h);
	return 0;
}

/* Skips one complete item (for ignored refinement entries). */
static int skip_item(struct mp_dec *d, int depth)
{
	struct mp_head h;
	uint64_t n;
	int err;

	if (depth > CTY_MAX_DEPTH)
		return TB_EINVAL;
	err = read_head(d, &h);
	if (err != 0 || (h.kind != MP_ARRAY && h.kind != MP_MAP))
		return err;
	n = h.kind == MP_MAP ? 2 * h.len : h.len;
	for (uint64_t i = 0; i < n && err == 0; i++)
		err = skip_item(d, depth + 1);
	return err;
}

static int decode_value(struct mp_dec *d, const struct tb_type *t, int depth,
                        const struct tb_value **out);

/* ---- refinements (extension 12) ------------------------------------------ */

static bool is_collection(const struct tb_type *t)
{
	return t->kind == TB_LIST || t->kind == TB_SET || t->kind == TB_MAP;
}

static int ref_nullness(struct mp_dec *d, const struct tb_type *t, struct tb_refine *r)
{
	struct mp_head h;
	int err = read_head(d, &h);

	if (err == 0 && h.kind == MP_BOOL) {
		r->has_nullness = true;
		r->not_null = h.u == 0;
	}
	return err;
}

static int ref_prefix(struct mp_dec *d, const struct tb_type *t, struct tb_refine *r)
{
	struct mp_head h;
	int err = read_head(d, &h);

	if (err != 0 || h.kind != MP_STR || t->kind != TB_STRING)
		return err;
	if (!tb_utf8_valid((const char *)h.data, h.len))
		return TB_EINVAL;
	r->prefix = tb_arena_strndup(d->a, (const char *)h.data, h.len);
	return r->prefix != NULL ? 0 : TB_ENOMEM;
}

/* A [number, bool] bound. */
static int ref_bound(struct mp_dec *d, const struct tb_type *t, double *bound, bool *incl,
                     bool *has)
{
	const struct tb_type *types[] = {&tb_type_number, &tb_type_bool};
	const struct tb_value *v = NULL, *num, *inc;
	struct tb_type pair = {.kind = TB_TUPLE, .n = 2, .types = types};
	int err = decode_value(d, &pair, CTY_MAX_DEPTH - 1, &v);

	if (err != 0 || !tb_is_known(v) || t->kind != TB_NUMBER)
		return err;
	num = v->u.coll.items[0];
	inc = v->u.coll.items[1];
	if (!tb_get_float(num, bound) || !tb_get_bool(inc, incl))
		return 0;
	*has = true;
	return 0;
}

static int ref_lower(struct mp_dec *d, const struct tb_type *t, struct tb_refine *r)
{
	return ref_bound(d, t, &r->lower, &r->lower_incl, &r->has_lower);
}

static int ref_upper(struct mp_dec *d, const struct tb_type *t, struct tb_refine *r)
{
	return ref_bound(d, t, &r->upper, &r->upper_incl, &r->has_upper);
}

static int ref_length(struct mp_dec *d, const struct tb_type *t, int64_t *len, bool *has)
{
	struct mp_head h;
	int err = read_head(d, &h);

	if (err != 0 || (h.kind != MP_UINT && h.kind != MP_INT) || !is_collection(t))
		return err;
	if (h.kind == MP_UINT && h.u > INT64_MAX)
		return 0;
	*len = (int64_t)h.u;
	*has = true;
	return 0;
}

static int ref_len_lower(struct mp_dec *d, const struct tb_type *t, struct tb_refine *r)
{
	return ref_length(d, t, &r->len_lower, &r->has_len_lower);
}

static int ref_len_upper(struct mp_dec *d, const struct tb_type *t, struct tb_refine *r)
{
	return ref_length(d, t, &r->len_upper, &r->has_len_upper);
}

static int (*const ref_readers[])(struct mp_dec *, const struct tb_type *, struct tb_refine *) = {
    [1] = ref_nullness, [2] = ref_prefix,    [3] = ref_lower,
    [4] = ref_upper,    [5] = ref_len_lower, [6] = ref_len_upper,
};

static bool refine_empty(const struct tb_refine *r)
{
	return !r->has_nullness && r->prefix == NULL && !r->has_lower && !r->has_upper &&
	       !r->has_len_lower && !r->has_len_upper;
}

/* Reads the refinement map of an ext 12 payload; unknown keys are skipped. */
static int read_refinements(struct mp_dec *d, const struct tb_type *t, struct tb_refine *r)
{
	struct mp_head h, k;
	int err = read_head(d, &h);

	if (err == 0 && h.kind != MP_MAP)
		err = TB_EINVAL;
	for (uint64_t i = 0; err == 0 && i < h.len; i++) {
		err = read_head(d, &k);
		if (err != 0)
			break;
		if ((k.kind == MP_UINT || k.kind == MP_INT) && k.u < TB_COUNT(ref_readers) &&
		    ref_readers[k.u] != NULL)
			err = ref_readers[k.u](d, t, r);
		else
			err = skip_item(d, 1);
	}
	return err;
}

static int decode_unknown(struct mp_dec *d, const struct tb_type *t, const struct tb_value **out)
{
	struct tb_refine *r = NULL;
	struct tb_value *v;
	struct mp_head h;
	int err = read_head(d, &h);

	if (err != 0)
		return err;
	if (h.ext_type == 12 && h.len > 1 && t->kind != TB_DYNAMIC) {
		struct mp_dec sub = {.a = d->a, .p = h.data, .end = h.data + h.len};

		r = tb_arena_alloc(d->a, sizeof(*r));
		if (r == NULL)
			return TB_ENOMEM;
		err = read_refinements(&sub, t, r);
		if (err != 0)
			return err;
	}
	v = cty_value_new(d->a, t, TB_V_UNKNOWN);
	if (v == NULL)
		return TB_ENOMEM;
	v->refine = r != NULL && !refine_empty(r) ? r : NULL;
	*out = v;
	return 0;
}

/* ---- primitives ---------------------------------------------------------- */

typedef int (*decode_fn)(struct mp_dec *d, const struct tb_type *t, int depth,
                         const struct tb_value **out);

static int decode_string(struct mp_dec *d, const struct tb_type *t, int depth,
                         const struct tb_value **out)
{
	struct mp_head h;
	int err = read_head(d, &h);

	if (err != 0)
		return err;
	if ((h.kind != MP_STR && h.kind != MP_BIN) || !tb_utf8_valid((const char *)h.data, h.len))
		return TB_EINVAL;
	*out = cty_string_valid(d->a, (const char *)h.data, h.len);
	return *out != NULL ? 0 : TB_ENOMEM;
}

static int decode_number(struct mp_dec *d, const struct tb_type *t, int depth,
                         const struct tb_value **out)
{
	struct mp_head h;
	char text[32];
	int err = read_head(d, &h);

	if (err != 0)
		return err;
	if (h.kind == MP_INT || (h.kind == MP_UINT && h.u <= INT64_MAX)) {
		*out = tb_int(d->a, (int64_t)h.u);
		return *out != NULL ? 0 : TB_ENOMEM;
	}
	if (h.kind == MP_UINT) {
		snprintf(text, sizeof(text), "%llu", (unsigned long long)h.u);
		return cty_num_from_text(d->a, text, strlen(text), out);
	}
	if (h.kind == MP_FLOAT32 || h.kind == MP_FLOAT64)
		return cty_num_from_double(d->a, h.f, out);
	if (h.kind == MP_STR)
		return cty_num_from_text(d->a, (const char *)h.data, h.len, out);
	return TB_EINVAL;
}

static int decode_bool(struct mp_dec *d, const struct tb_type *t, int depth,
                       const struct tb_value **out)
{
	struct mp_head h;
	int err = read_head(d, &h);

	if (err != 0)
		return err;
	if (h.kind != MP_BOOL)
		return TB_EINVAL;
	*out = tb_bool(d->a, h.u != 0);
	return *out != NULL ? 0 : TB_ENOMEM;
}

/* ---- collections and structurals ------------------------------------------ */

static int read_container(struct mp_dec *d, enum mp_kind kind, uint64_t *n)
{
	struct mp_head h;
	int err = read_head(d, &h);

	if (err != 0)
		return err;
	if (h.kind != kind)
		return TB_EINVAL;
	*n = h.len;
	return 0;
}

static int decode_sequence(struct mp_dec *d, const struct tb_type *t, int depth,
                           const struct tb_value **out)
{
	const struct tb_value **items;
	uint64_t n;
	int err = read_container(d, MP_ARRAY, &n);

	if (err != 0)
		return err;
	if (t->kind == TB_TUPLE && n != t->n)
		return TB_EINVAL;
	items = tb_arena_alloc(d->a, sizeof(*items) * (n + 1));
	if (items == NULL)
		return TB_ENOMEM;
	for (uint64_t i = 0; i < n; i++) {
		err =
		    decode_value(d, t->elem != NULL ? t->elem : t->types[i], depth + 1, &items[i]);
		if (err != 0)
			return err;
	}
	*out = cty_coll_new(d->a, t, n, items, NULL);
	return *out != NULL ? 0 : TB_ENOMEM;
}

/* A string key: valid UTF-8 without NUL bytes. */
static int read_key(struct mp_dec *d, struct mp_head *h)
{
	int err = read_head(d, h);

	if (err != 0)
		return err;
	if (h->kind != MP_STR || !tb_utf8_valid((const char *)h->data, h->len) ||
	    memchr(h->data, 0, h->len) != NULL)
		return TB_EINVAL;
	return 0;
}

static int decode_map(struct mp_dec *d, const struct tb_type *t, int depth,
                      const struct tb_value **out)
{
	const struct tb_value **items;
	const char **keys;
	struct mp_head k;
	uint64_t n;
	int err = read_container(d, MP_MAP, &n);

	if (err != 0)
		return err;
	items = tb_arena_alloc(d->a, sizeof(*items) * (n + 1));
	keys = tb_arena_alloc(d->a, sizeof(*keys) * (n + 1));
	if (items == NULL || keys == NULL)
		return TB_ENOMEM;
	for (uint64_t i = 0; i < n; i++) {
		err = read_key(d, &k);
		if (err != 0)
			return err;
		keys[i] = tb_arena_strndup(d->a, (const char *)k.data, k.len);
		if (keys[i] == NULL)
			return TB_ENOMEM;
		err = decode_value(d, t->elem, depth + 1, &items[i]);
		if (err != 0)
			return err;
	}
	err = cty_sort_pairs(keys, items, n);
	if (err != 0)
		return err;
	*out = cty_coll_new(d->a, t, n, items, keys);
	return *out != NULL ? 0 : TB_ENOMEM;
}

/* Index of the attribute named by len bytes at s, or -1. */
static int attr_index_n(const struct tb_type *t, const unsigned char *s, size_t len)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *name = t->names[mid];
		int c = strncmp(name, (const char *)s, len);

		if (c == 0 && name[len] != '\0')
			c = 1;
		if (c == 0)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int decode_object(struct mp_dec *d, const struct tb_type *t, int depth,
                         const struct tb_value **out)
{
	const struct tb_value **items;
	struct mp_head k;
	uint64_t n;
	int idx, err = read_container(d, MP_MAP, &n);

	if (err != 0)
		return err;
	if (n != t->n)
		return TB_EINVAL;
	items = tb_arena_alloc(d->a, sizeof(*items) * (n + 1));
	if (items == NULL)
		return TB_ENOMEM;
	for (uint64_t i = 0; i < n; i++) {
		err = read_key(d, &k);
		if (err != 0)
			return err;
		idx = attr_index_n(t, k.data, k.len);
		if (idx < 0 || items[idx] != NULL)
			return TB_EINVAL;
		err = decode_value(d, t->types[idx], depth + 1, &items[idx]);
		if (err != 0)
			return err;
	}
	*out = cty_coll_new(d->a, t, n, items, t->names);
	return *out != NULL ? 0 : TB_ENOMEM;
}

/* [type JSON as bin or str, value]; nil is a null of dynamic type. */
static int decode_dynamic(struct mp_dec *d, const struct tb_type *t, int depth,
                          const struct tb_value **out)
{
	const struct tb_type *vt = NULL;
	struct mp_head h;
	uint64_t n;
	int err;

	if (*d->p == 0xc0) {
		d->p++;
		*out = tb_null(d->a, &tb_type_dynamic);
		return *out != NULL ? 0 : TB_ENOMEM;
	}
	err = read_container(d, MP_ARRAY, &n);
	if (err == 0 && n != 2)
		err = TB_EINVAL;
	if (err == 0)
		err = read_head(d, &h);
	if (err == 0 && h.kind != MP_BIN && h.kind != MP_STR)
		err = TB_EINVAL;
	if (err == 0)
		err = tb_type_from_json(d->a, (const char *)h.data, h.len, &vt);
	if (err != 0)
		return err;
	if (vt->kind == TB_DYNAMIC)
		return TB_EINVAL;
	return decode_value(d, vt, depth + 1, out);
}

static const decode_fn decoders[] = {
    [TB_STRING] = decode_string, [TB_NUMBER] = decode_number,  [TB_BOOL] = decode_bool,
    [TB_LIST] = decode_sequence, [TB_SET] = decode_sequence,   [TB_MAP] = decode_map,
    [TB_OBJECT] = decode_object, [TB_TUPLE] = decode_sequence, [TB_DYNAMIC] = decode_dynamic,
};

static int decode_value(struct mp_dec *d, const struct tb_type *t, int depth,
                        const struct tb_value **out)
{
	if (depth > CTY_MAX_DEPTH || d->p >= d->end)
		return TB_EINVAL;
	if (t->kind < TB_STRING || t->kind > TB_DYNAMIC)
		return TB_EINVAL;
	if (mp_codes[*d->p].kind == MP_EXT)
		return decode_unknown(d, t, out);
	if (*d->p == 0xc0 && t->kind != TB_DYNAMIC) {
		d->p++;
		*out = tb_null(d->a, t);
		return *out != NULL ? 0 : TB_ENOMEM;
	}
	return decoders[t->kind](d, t, depth, out);
}

int tb_msgpack_decode(struct tb_arena *a, const struct tb_type *t, const void *data, size_t len,
                      const struct tb_value **out)
{
	struct mp_dec d = {.a = a, .p = data, .end = (const unsigned char *)data + len};
	const struct tb_value *v = NULL;
	int err;

	if (t == NULL || (data == NULL && len > 0))
		return TB_EINVAL;
	err = decode_value(&d, t, 0, &v);
	if (err == 0 && d.p != d.end)
		err = TB_EINVAL;
	if (err == 0)
		*out = v;
	return err;
}
