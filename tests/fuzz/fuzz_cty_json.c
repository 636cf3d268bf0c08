/*
 * The JSON decoder of cty values (cty/json_dec.c: UpgradeResourceState's raw
 * state, JSON DynamicValues) and the type JSON parser (cty/type_json.c).
 *
 * Input: an optional '!' (decode with TB_JSON_DROP_UNKNOWN), a type in
 * cty's JSON type encoding, a newline, then the JSON value; without a
 * newline (or when the type does not parse) the whole input is a value of
 * type dynamic. A value that decodes must encode, decode again and encode
 * to the same text, and survive a msgpack round trip as an equal value.
 * (The first JSON round trip may change a number: like go-cty, the encoder
 * writes a float64 as its shortest text, 777777777777777.75 as
 * 777777777777777.8, which decodes as that decimal; the text is then stable.)
 */
#include "fuzz.h"
#include "tb/cty.h"

static void roundtrip(struct tb_arena *a, const struct tb_type *t, const struct tb_value *v)
{
	const struct tb_value *w = NULL, *m = NULL;
	char *enc = NULL, *enc2 = NULL;
	size_t n = 0, n2 = 0, mn = 0;
	void *mp = NULL;

	FUZZ_CHECK(tb_json_encode_as(a, v, t, &enc, &n) == 0);
	FUZZ_CHECK(tb_json_decode(a, t, enc, n, &w) == 0);
	FUZZ_CHECK(tb_json_encode_as(a, w, t, &enc2, &n2) == 0);
	FUZZ_CHECK(n == n2 && memcmp(enc, enc2, n) == 0);
	FUZZ_CHECK(tb_msgpack_encode_as(a, v, t, &mp, &mn) == 0);
	FUZZ_CHECK(tb_msgpack_decode(a, t, mp, mn, &m) == 0);
	FUZZ_CHECK(tb_value_equal(v, m));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tb_arena *a = tb_arena_new();
	struct fuzz_in in = {data, size};
	const struct tb_type *t = &tb_type_dynamic, *t2 = NULL;
	const struct tb_value *v = NULL;
	unsigned flags = 0;
	bool typed = false;
	struct fuzz_span type;
	char *text;

	if (!a)
		return 0;
	if (in.n && in.p[0] == '!') {
		flags = TB_JSON_DROP_UNKNOWN;
		fuzz_byte(&in);
	}
	type = fuzz_field(&in, '\n', &typed);
	if (!typed || tb_type_from_json(a, type.p, type.n, &t) != 0) {
		t = &tb_type_dynamic;
		in = (struct fuzz_in){data, size};
	}
	if (t != &tb_type_dynamic) {
		FUZZ_CHECK(tb_type_to_json(a, t, &text) == 0);
		FUZZ_CHECK(tb_type_from_json(a, text, strlen(text), &t2) == 0);
		FUZZ_CHECK(tb_type_equal(t, t2));
	}
	if (tb_json_decode_ex(a, t, (const char *)in.p, in.n, flags, &v) == 0)
		roundtrip(a, t, v);
	tb_arena_free(a);
	return 0;
}
