/*
 * The msgpack decoder of DynamicValues (cty/msgpack_dec.c).
 *
 * Input: a type in cty's JSON type encoding, a newline, then the msgpack
 * bytes; without a newline (or when the type does not parse) the whole
 * input is a value of type dynamic. A value that decodes must encode, decode
 * again to an equal value, and encode to the same bytes the second time
 * (the encoding is canonical).
 */
#include "fuzz.h"
#include "tb/cty.h"

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
		FUZZ_CHECK(tb_json_encode_as(a, v, t, &json, &json_len) == 0);
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
