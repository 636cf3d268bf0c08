/*
 * The msgpack decoder of DynamicValues (cty/msgpack_dec.c).
 *
 * Input: a type in cty's JSON type encoding, a newline, then the msgpack
 * bytes; without a newline (or when the type does not parse) the whole
 * input is a value of type dynamic. A value that decodes must encode, decode
 * again to an equal value, and encode to the same bytes the second time
 * (the encoding is canonical); a wholly known one encodes as JSON unless it
 * holds an infinite number (msgpack has them, JSON does not).
 */
#include <math.h>

#include "fuzz.h"
#include "tb/cty.h"

static bool has_infinity(const struct tb_value *v)
{
	if (!tb_is_known(v))
		return false;
	if (v->type->kind == TB_NUMBER)
		return isinf(v->u.num.f) && !v->u.num.is_int && !v->u.num.dec;
	if (v->type->kind == TB_STRING || v->type->kind == TB_BOOL)
		return false;
	for (size_t i = 0; i < v->u.coll.n; i++)
		if (has_infinity(v->u.coll.items[i]))
			return true;
	return false;
}

static void roundtrip(struct tb_arena *a, const struct tb_type *t, const struct tb_value *v)
{
	const struct tb_value *w = NULL;
	void *enc = NULL, *enc2 = NULL;
	size_t n = 0, n2 = 0;
	char *json;
	size_t json_len;

	FUZZ_CHECK(tb_msgpack_encode_as(a, v, t, &enc, &n) == 0);
	FUZZ_CHECK(tb_msgpack_decode(a, t, enc, n, &w) == 0);
	FUZZ_CHECK(tb_value_equal(v, w));
	FUZZ_CHECK(tb_msgpack_encode_as(a, w, t, &enc2, &n2) == 0);
	FUZZ_CHECK(n == n2 && memcmp(enc, enc2, n) == 0);
	FUZZ_CHECK(tb_value_debug(a, v) != NULL);
	if (tb_is_wholly_known(v))
		FUZZ_CHECK((tb_json_encode_as(a, v, t, &json, &json_len) == 0) != has_infinity(v));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tb_arena *a = tb_arena_new();
	struct fuzz_in in = {data, size};
	const struct tb_type *t = &tb_type_dynamic;
	const struct tb_value *v = NULL;
	bool typed = false;
	struct fuzz_span type = fuzz_field(&in, '\n', &typed);

	if (!a)
		return 0;
	if (!typed || tb_type_from_json(a, type.p, type.n, &t) != 0) {
		t = &tb_type_dynamic;
		in = (struct fuzz_in){data, size};
	}
	if (tb_msgpack_decode(a, t, in.p, in.n, &v) == 0)
		roundtrip(a, t, v);
	tb_arena_free(a);
	return 0;
}
