/*
 * cty msgpack codec: vectors produced by go-cty (tests/data/cty/cty_vectors.tsv),
 * hand-written wire-format rules, malformed input and failing allocations.
 */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "core_testutil.h"
#include "tb/cty.h"

struct vector {
	char *type_json;
	unsigned char *mp;
	size_t mp_len;
	char *json; /* NULL when the value has unknowns */
};

static struct vector vectors[256];
static size_t n_vectors;

static int load_vectors(void **state)
{
	FILE *f = fopen(TB_TEST_DATA "/cty/cty_vectors.tsv", "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	if (f == NULL)
		return -1;
	while ((len = getline(&line, &cap, f)) > 0 && n_vectors < TB_COUNT(vectors)) {
		char *tab1 = strchr(line, '\t'), *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
		struct vector *v = &vectors[n_vectors++];

		if (tab2 == NULL)
			return -1;
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		*tab1 = *tab2 = '\0';
		v->type_json = strdup(line);
		*tab2 = '\0';
		v->mp_len = core_unhex(tab1 + 1, &v->mp);
		v->json = strcmp(tab2 + 1, "-") == 0 ? NULL : strdup(tab2 + 1);
	}
	free(line);
	fclose(f);
	return n_vectors > 0 ? 0 : -1;
}

static int free_vectors(void **state)
{
	for (size_t i = 0; i < n_vectors; i++) {
		free(vectors[i].type_json);
		free(vectors[i].mp);
		free(vectors[i].json);
	}
	return 0;
}

static const struct tb_type *parse_type(struct tb_arena *a, const char *json)
{
	const struct tb_type *t = NULL;

	if (tb_type_from_json(a, json, strlen(json), &t) != 0)
		fail_msg("bad type %s", json);
	return t;
}

static void expect_bytes(const void *got, size_t got_len, const void *want, size_t want_len,
                         const char *what)
{
	if (got_len != want_len || memcmp(got, want, want_len) != 0) {
		char *g = core_hex(got, got_len), *w = core_hex(want, want_len);

		fail_msg("%s: got %s want %s", what, g, w);
	}
}

/* Decoding each vector and encoding it again gives go-cty's bytes. */
static void test_cty_msgpack_vectors(void **state)
{
	for (size_t i = 0; i < n_vectors; i++) {
		struct tb_arena *a = tb_arena_new();
		const struct vector *vc = &vectors[i];
		const struct tb_type *t = parse_type(a, vc->type_json);
		const struct tb_value *v = NULL;
		void *enc = NULL;
		size_t enc_len = 0;
		char *tj = NULL;
		int err = tb_msgpack_decode(a, t, vc->mp, vc->mp_len, &v);

		if (err != 0)
			fail_msg("vector %zu (%s): decode %d", i, vc->type_json, err);
		assert_int_equal(tb_msgpack_encode_as(a, v, t, &enc, &enc_len), 0);
		expect_bytes(enc, enc_len, vc->mp, vc->mp_len, vc->type_json);
		assert_int_equal(tb_type_to_json(a, t, &tj), 0);
		assert_string_equal(tj, vc->type_json);
		assert_true(tb_value_equal(v, v));
		assert_non_null(tb_value_debug(a, v));
		tb_arena_free(a);
	}
}

static json_t *load_json(const char *text)
{
	json_error_t e;
	json_t *j =
	    json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, &e);

	if (j == NULL)
		fail_msg("bad JSON %s: %s", text, e.text);
	return j;
}

/* Our JSON for each known vector parses to the same document as go-cty's. */
static void test_cty_json_vectors(void **state)
{
	for (size_t i = 0; i < n_vectors; i++) {
		const struct vector *vc = &vectors[i];
		struct tb_arena *a;
		const struct tb_type *t;
		const struct tb_value *v = NULL, *jv = NULL, *back = NULL;
		char *out = NULL;
		size_t out_len;
		json_t *x, *y;

		if (vc->json == NULL)
			continue;
		a = tb_arena_new();
		t = parse_type(a, vc->type_json);
		assert_int_equal(tb_msgpack_decode(a, t, vc->mp, vc->mp_len, &v), 0);
		assert_int_equal(tb_json_encode_as(a, v, t, &out, &out_len), 0);
		x = load_json(out);
		y = load_json(vc->json);
		if (!json_equal(x, y))
			fail_msg("vector %zu: JSON %s want %s", i, out, vc->json);
		json_decref(x);
		json_decref(y);
		assert_int_equal(tb_json_decode(a, t, vc->json, strlen(vc->json), &jv), 0);
		assert_int_equal(tb_json_decode(a, t, out, out_len, &back), 0);
		assert_true(tb_value_equal(jv, back));
		/* JSON text of a float64 is its shortest decimal, which cty reads as that decimal.
		 */
		if (vc->mp[0] != 0xcb && !tb_value_equal(v, jv))
			fail_msg("vector %zu: %s vs %s", i, tb_value_debug(a, v),
			         tb_value_debug(a, jv));
		tb_arena_free(a);
	}
}

/* Every proper prefix of a valid encoding is rejected. */
static void test_cty_msgpack_truncated(void **state)
{
	for (size_t i = 0; i < n_vectors; i++) {
		struct tb_arena *a = tb_arena_new();
		const struct tb_type *t = parse_type(a, vectors[i].type_json);

		for (size_t k = 0; k < vectors[i].mp_len; k++) {
			const struct tb_value *v = NULL;
			int err = tb_msgpack_decode(a, t, vectors[i].mp, k, &v);

			if (err != TB_EINVAL)
				fail_msg("vector %zu cut at %zu: %d", i, k, err);
		}
		tb_arena_free(a);
	}
}

struct wire_case {
	const char *type;
	const char *hex;
	int err;
	const char *debug;     /* expected rendering on success */
	const char *reencoded; /* expected encoding when it differs from hex */
};

static const struct wire_case wire_cases[] = {
    /* null, unknown, refined unknown */
    {.type = "\"string\"", .hex = "c0", .debug = "null"},
    {.type = "\"string\"", .hex = "d40000", .debug = "(unknown)"},
    {.type = "\"number\"", .hex = "d5000000", .debug = "(unknown)", .reencoded = "d40000"},
    {.type = "\"bool\"", .hex = "c70000", .debug = "(unknown)", .reencoded = "d40000"},
    {.type = "\"bool\"", .hex = "d40700", .debug = "(unknown)", .reencoded = "d40000"},
    {.type = "\"string\"", .hex = "c7030c8101c2", .debug = "(unknown not null)"},
    {.type = "\"string\"", .hex = "c7040c810763c2", .debug = "(unknown)", .reencoded = "d40000"},
    {.type = "\"string\"",
     .hex = "c7060c8163a0a10101",
     .debug = "(unknown)",
     .reencoded = "d40000"},
    {.type = "[\"list\",\"string\"]",
     .hex = "c7050c8205010605",
     .debug = "(unknown len >= 1 len <= 5)"},
    {.type = "\"number\"", .hex = "c7090c82039201c304920ac2", .debug = "(unknown >= 1 < 10)"},
    {.type = "\"dynamic\"", .hex = "c7030c8101c2", .debug = "(unknown)", .reencoded = "d40000"},
    {.type = "\"string\"", .hex = "c7030c9101c2", .err = TB_EINVAL},
    {.type = "\"string\"", .hex = "c7030c8101", .err = TB_EINVAL},
    /* numbers in any encoding */
    {.type = "\"number\"", .hex = "cc05", .debug = "5", .reencoded = "05"},
    {.type = "\"number\"", .hex = "d3fffffffffffffffb", .debug = "-5", .reencoded = "fb"},
    {.type = "\"number\"", .hex = "cb4014000000000000", .debug = "5", .reencoded = "05"},
    {.type = "\"number\"", .hex = "ca3fc00000", .debug = "1.5", .reencoded = "cb3ff8000000000000"},
    {.type = "\"number\"", .hex = "a132", .debug = "2", .reencoded = "02"},
    {.type = "\"number\"", .hex = "a4312e3235", .debug = "1.25", .reencoded = "cb3ff4000000000000"},
    {.type = "\"number\"", .hex = "a3316533", .debug = "1000", .reencoded = "cd03e8"},
    {.type = "\"number\"", .hex = "cb7ff0000000000000", .debug = "+Inf"},
    {.type = "\"number\"", .hex = "cbfff0000000000000", .debug = "-Inf"},
    {.type = "\"number\"", .hex = "cb7ff8000000000000", .err = TB_EINVAL},
    {.type = "\"number\"", .hex = "a3616263", .err = TB_EINVAL},
    {.type = "\"number\"", .hex = "a0", .err = TB_EINVAL},
    {.type = "\"number\"", .hex = "c3", .err = TB_EINVAL},
    /* wrong kinds */
    {.type = "\"string\"", .hex = "c3", .err = TB_EINVAL},
    {.type = "\"string\"", .hex = "05", .err = TB_EINVAL},
    {.type = "\"bool\"", .hex = "a174", .err = TB_EINVAL},
    {.type = "[\"list\",\"string\"]", .hex = "80", .err = TB_EINVAL},
    {.type = "[\"map\",\"string\"]", .hex = "90", .err = TB_EINVAL},
    {.type = "[\"object\",{\"a\":\"string\"}]", .hex = "91a161", .err = TB_EINVAL},
    {.type = "[\"tuple\",[\"string\"]]", .hex = "92a161a162", .err = TB_EINVAL},
    {.type = "[\"list\",\"string\"]", .hex = "9105", .err = TB_EINVAL},
    /* objects: exactly the schema's attributes, any order in, sorted out */
    {.type = "[\"object\",{\"a\":\"string\",\"b\":\"bool\"}]",
     .hex = "82a162c3a161a178",
     .debug = "{ a = \"x\", b = true }",
     .reencoded = "82a161a178a162c3"},
    {.type = "[\"object\",{\"a\":\"string\",\"b\":\"bool\"}]",
     .hex = "81a161a178",
     .err = TB_EINVAL},
    {.type = "[\"object\",{\"a\":\"string\",\"b\":\"bool\"}]",
     .hex = "83a161a178a162c3a163c0",
     .err = TB_EINVAL},
    {.type = "[\"object\",{\"a\":\"string\",\"b\":\"bool\"}]",
     .hex = "82a161a178a163c3",
     .err = TB_EINVAL},
    {.type = "[\"object\",{\"a\":\"string\",\"b\":\"bool\"}]",
     .hex = "82a161a178a161a178",
     .err = TB_EINVAL},
    {.type = "[\"object\",{\"a\":\"string\",\"b\":\"bool\"}]",
     .hex = "8201a178a162c3",
     .err = TB_EINVAL},
    {.type = "[\"object\",{\"a\":\"string\",\"b\":\"bool\"}]", .hex = "80", .err = TB_EINVAL},
    {.type = "[\"object\",{\"ab\":\"string\"}]", .hex = "81a161c0", .err = TB_EINVAL},
    {.type = "[\"object\",{\"a\":\"string\"}]", .hex = "81a26162c0", .err = TB_EINVAL},
    /* maps: string keys, sorted on output, duplicates rejected */
    {.type = "[\"map\",\"number\"]",
     .hex = "82a17a01a16102",
     .debug = "{ \"a\" = 2, \"z\" = 1 }",
     .reencoded = "82a16102a17a01"},
    {.type = "[\"map\",\"number\"]", .hex = "82a16101a16102", .err = TB_EINVAL},
    {.type = "[\"map\",\"number\"]", .hex = "810101", .err = TB_EINVAL},
    {.type = "[\"map\",\"number\"]", .hex = "81a3610062c0", .err = TB_EINVAL},
    {.type = "[\"map\",\"string\"]", .hex = "81c4016101", .err = TB_EINVAL},
    /* strings: UTF-8 only, str8/16/32 all accepted */
    {.type = "\"string\"", .hex = "a2c328", .err = TB_EINVAL},
    {.type = "\"string\"", .hex = "a2c080", .err = TB_EINVAL},
    {.type = "\"string\"", .hex = "a3eda080", .err = TB_EINVAL},
    {.type = "\"string\"", .hex = "a1ff", .err = TB_EINVAL},
    {.type = "\"string\"", .hex = "d90161", .debug = "\"a\"", .reencoded = "a161"},
    {.type = "\"string\"", .hex = "da000161", .debug = "\"a\"", .reencoded = "a161"},
    {.type = "\"string\"", .hex = "db0000000161", .debug = "\"a\"", .reencoded = "a161"},
    {.type = "\"string\"", .hex = "c40161", .debug = "\"a\"", .reencoded = "a161"},
    {.type = "\"string\"", .hex = "a3610062", .debug = "\"a\\u0000b\""},
    /* arrays and maps in every width */
    {.type = "[\"list\",\"number\"]",
     .hex = "dc00020102",
     .debug = "[1, 2]",
     .reencoded = "920102"},
    {.type = "[\"list\",\"number\"]", .hex = "dd0000000101", .debug = "[1]", .reencoded = "9101"},
    {.type = "[\"map\",\"bool\"]",
     .hex = "de0001a161c3",
     .debug = "{ \"a\" = true }",
     .reencoded = "81a161c3"},
    {.type = "[\"map\",\"bool\"]",
     .hex = "df00000001a161c3",
     .debug = "{ \"a\" = true }",
     .reencoded = "81a161c3"},
    {.type = "[\"set\",\"string\"]", .hex = "92a162a161", .debug = "toset([\"b\", \"a\"])"},
    /* absurd lengths: no allocation past the input */
    {.type = "[\"list\",\"string\"]", .hex = "dd80000000", .err = TB_EINVAL},
    {.type = "[\"list\",\"string\"]", .hex = "ddffffffffc0", .err = TB_EINVAL},
    {.type = "[\"map\",\"string\"]", .hex = "df80000000a161", .err = TB_EINVAL},
    {.type = "\"string\"", .hex = "dbffffffff61", .err = TB_EINVAL},
    {.type = "\"string\"", .hex = "c6ffffffff61", .err = TB_EINVAL},
    {.type = "\"string\"", .hex = "c9ffffffff0c", .err = TB_EINVAL},
    {.type = "\"string\"", .hex = "dc", .err = TB_EINVAL},
    /* dynamic */
    {.type = "\"dynamic\"", .hex = "92c40822737472696e6722a178", .debug = "\"x\""},
    {.type = "\"dynamic\"",
     .hex = "92a822737472696e6722a178",
     .debug = "\"x\"",
     .reencoded = "92c40822737472696e6722a178"},
    {.type = "\"dynamic\"", .hex = "93c40822737472696e6722a178c0", .err = TB_EINVAL},
    {.type = "\"dynamic\"", .hex = "92c4052262616422a178", .err = TB_EINVAL},
    {.type = "\"dynamic\"", .hex = "92c4092264796e616d696322c0", .err = TB_EINVAL},
    {.type = "\"dynamic\"", .hex = "92c40822737472696e6722c3", .err = TB_EINVAL},
    {.type = "\"dynamic\"", .hex = "a178", .err = TB_EINVAL},
    /* reserved byte, trailing bytes, empty input */
    {.type = "\"bool\"", .hex = "c1", .err = TB_EINVAL},
    {.type = "\"bool\"", .hex = "c3c3", .err = TB_EINVAL},
    {.type = "\"bool\"", .hex = "", .err = TB_EINVAL},
};

static void test_cty_msgpack_wire_rules(void **state)
{
	for (size_t i = 0; i < TB_COUNT(wire_cases); i++) {
		const struct wire_case *c = &wire_cases[i];
		struct tb_arena *a = tb_arena_new();
		const struct tb_type *t = parse_type(a, c->type);
		const struct tb_value *v = NULL;
		unsigned char *in, *want;
		size_t in_len = core_unhex(c->hex, &in), want_len;
		void *enc = NULL;
		size_t enc_len = 0;
		int err = tb_msgpack_decode(a, t, in, in_len, &v);

		if (err != c->err)
			fail_msg("case %zu (%s %s): err %d want %d", i, c->type, c->hex, err,
			         c->err);
		if (err == 0) {
			const char *d = tb_value_debug(a, v);

			if (strcmp(d, c->debug) != 0)
				fail_msg("case %zu (%s): %s want %s", i, c->hex, d, c->debug);
			assert_int_equal(tb_msgpack_encode_as(a, v, t, &enc, &enc_len), 0);
			want_len = core_unhex(c->reencoded ? c->reencoded : c->hex, &want);
			expect_bytes(enc, enc_len, want, want_len, c->hex);
			free(want);
		}
		free(in);
		tb_arena_free(a);
	}
}

/* Refinements built in C encode as cty does. */
static void test_cty_msgpack_refined_encode(void **state)
{
	struct tb_arena *a = tb_arena_new();
	struct tb_refine r = {.has_nullness = true, .not_null = true, .prefix = "arn:aws:"};
	struct tb_refine empty = {0};
	struct tb_value *v = (struct tb_value *)tb_unknown(a, &tb_type_string);
	unsigned char *want;
	size_t want_len, len;
	void *enc;

	v->refine = &r;
	assert_int_equal(tb_msgpack_encode(a, v, &enc, &len), 0);
	want_len = core_unhex("c70d0c8201c202a861726e3a6177733a", &want);
	expect_bytes(enc, len, want, want_len, "prefix");
	free(want);
	v->refine = &empty;
	assert_int_equal(tb_msgpack_encode(a, v, &enc, &len), 0);
	expect_bytes(enc, len, "\xd4\x00\x00", 3, "empty refinements");
	r = (struct tb_refine){.prefix = "a"};
	v->refine = &r;
	assert_int_equal(tb_msgpack_encode(a, v, &enc, &len), 0);
	want_len = core_unhex("d60c8102a161", &want);
	expect_bytes(enc, len, want, want_len, "fixext4");
	free(want);
	tb_arena_free(a);
}

static void test_cty_msgpack_deep_nesting(void **state)
{
	struct tb_arena *a = tb_arena_new();
	const struct tb_type *t = &tb_type_string;
	unsigned char *in = malloc(1001);
	const struct tb_value *v = NULL;
	struct tb_buf tj;

	for (int i = 0; i < 1000; i++)
		t = tb_type_list(a, t);
	memset(in, 0x91, 1000);
	in[1000] = 0xc0;
	assert_int_equal(tb_msgpack_decode(a, t, in, 1001, &v), TB_EINVAL);
	/* A dynamic value whose type JSON nests 1000 lists. */
	tb_buf_init(&tj);
	for (int i = 0; i < 1000; i++)
		tb_buf_puts(&tj, "[\"list\",");
	tb_buf_puts(&tj, "\"string\"");
	for (int i = 0; i < 1000; i++)
		tb_buf_putc(&tj, ']');
	{
		struct tb_buf w;

		tb_buf_init(&w);
		tb_buf_append(&w, "\x92\xc5", 2);
		tb_buf_putc(&w, (char)(tj.len >> 8));
		tb_buf_putc(&w, (char)(tj.len & 0xff));
		tb_buf_append(&w, tj.data, tj.len);
		tb_buf_putc(&w, (char)0x90);
		assert_int_equal(tb_msgpack_decode(a, &tb_type_dynamic, w.data, w.len, &v),
		                 TB_EINVAL);
		tb_buf_free(&w);
	}
	/* 64 levels are fine. */
	t = &tb_type_string;
	for (int i = 0; i < 63; i++)
		t = tb_type_list(a, t);
	memset(in, 0x91, 63);
	in[63] = 0xa0;
	assert_int_equal(tb_msgpack_decode(a, t, in, 64, &v), 0);
	tb_buf_free(&tj);
	free(in);
	tb_arena_free(a);
}

/* Numbers: the canonical representation decides the wire form. */
static void test_cty_msgpack_numbers(void **state)
{
	static const struct {
		const char *text;
		const char *hex;
	} cases[] = {
	    {.text = "0", .hex = "00"},
	    {.text = "-0", .hex = "00"},
	    {.text = "9223372036854775807", .hex = "cf7fffffffffffffff"},
	    {.text = "-9223372036854775808", .hex = "d38000000000000000"},
	    {.text = "9223372036854775808", .hex = "b339323233333732303336383534373735383038"},
	    {.text = "-9223372036854775809", .hex = "b42d39323233333732303336383534373735383039"},
	    {.text = "0.5", .hex = "cb3fe0000000000000"},
	    {.text = "5e-1", .hex = "cb3fe0000000000000"},
	    {.text = "0.1", .hex = "a3302e31"},
	    {.text = "1.10", .hex = "a3312e31"},
	    {.text = "100.0", .hex = "64"},
	    {.text = "1E2", .hex = "64"},
	    {.text = "+7", .hex = "07"},
	    {.text = "0.000001", .hex = "a8302e303030303031"},
	};

	for (size_t i = 0; i < TB_COUNT(cases); i++) {
		struct tb_arena *a = tb_arena_new();
		const struct tb_value *v = NULL;
		unsigned char *want;
		size_t want_len, len;
		void *enc;

		assert_int_equal(tb_number_parse(a, cases[i].text, strlen(cases[i].text), &v), 0);
		assert_int_equal(tb_msgpack_encode(a, v, &enc, &len), 0);
		want_len = core_unhex(cases[i].hex, &want);
		expect_bytes(enc, len, want, want_len, cases[i].text);
		free(want);
		tb_arena_free(a);
	}
}

/* Every byte of every vector replaced by interesting values: decode gives 0 or
 * TB_EINVAL, and whatever decodes encodes again. */
static void test_cty_msgpack_mutations(void **state)
{
	static const unsigned char subst[] = {0x00, 0x01, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf,
	                                      0xc0, 0xc1, 0xc2, 0xc4, 0xc7, 0xca, 0xcb, 0xcf, 0xd3,
	                                      0xd4, 0xd8, 0xd9, 0xdb, 0xdd, 0xdf, 0xe0, 0xff};

	for (size_t i = 0; i < n_vectors; i++) {
		const struct vector *vc = &vectors[i];
		unsigned char *buf = malloc(vc->mp_len);

		for (size_t pos = 0; pos < vc->mp_len; pos++) {
			for (size_t k = 0; k < TB_COUNT(subst); k++) {
				struct tb_arena *a = tb_arena_new();
				const struct tb_type *t = parse_type(a, vc->type_json);
				const struct tb_value *v = NULL;
				void *enc;
				size_t len;
				int err;

				memcpy(buf, vc->mp, vc->mp_len);
				buf[pos] = subst[k];
				err = tb_msgpack_decode(a, t, buf, vc->mp_len, &v);
				if (err != 0 && err != TB_EINVAL)
					fail_msg("vector %zu byte %zu = %02x: %d", i, pos, subst[k],
					         err);
				if (err == 0)
					assert_int_equal(tb_msgpack_encode_as(a, v, t, &enc, &len),
					                 0);
				tb_arena_free(a);
			}
		}
		free(buf);
	}
}

/*
 * Runs op with the Nth allocation failing, N = 1.. until no allocation is
 * refused: each run must succeed or give TB_ENOMEM. jansson's own
 * allocations are left alone: jansson 2.14 crashes inside json_loadb when
 * some of its allocations fail (e.g. the 4th while reading a string token).
 */
static void failing_runs(const char *what, int (*op)(struct tb_arena *a, const void *arg),
                         const void *arg)
{
	for (long n = 1; n < 100000; n++) {
		struct tb_arena *a = tb_arena_new();
		int err;

		core_fail_nth(n);
		err = op(a, arg);
		core_fail_off();
		tb_arena_free(a);
		if (err != 0 && err != TB_ENOMEM)
			fail_msg("%s: allocation %ld refused, got %d", what, n, err);
		if (!core_alloc_refused)
			break;
	}
}

static int decode_encode_op(struct tb_arena *a, const void *arg)
{
	const struct vector *vc = arg;
	const struct tb_type *t = NULL;
	const struct tb_value *v = NULL;
	void *enc;
	size_t len;
	int err = tb_type_from_json(a, vc->type_json, strlen(vc->type_json), &t);

	if (err == 0)
		err = tb_msgpack_decode(a, t, vc->mp, vc->mp_len, &v);
	if (err == 0)
		err = tb_msgpack_encode_as(a, v, t, &enc, &len);
	return err;
}

static int json_op(struct tb_arena *a, const void *arg)
{
	const struct vector *vc = arg;
	const struct tb_type *t = NULL;
	const struct tb_value *v = NULL;
	char *out;
	size_t len;
	int err = tb_type_from_json(a, vc->type_json, strlen(vc->type_json), &t);

	if (err == 0)
		err = tb_json_decode(a, t, vc->json, strlen(vc->json), &v);
	if (err == 0)
		err = tb_json_encode_as(a, v, t, &out, &len);
	return err;
}

static void test_cty_msgpack_failing_alloc(void **state)
{
	for (size_t i = 0; i < n_vectors; i++) {
		failing_runs(vectors[i].type_json, decode_encode_op, &vectors[i]);
		if (vectors[i].json != NULL)
			failing_runs(vectors[i].json, json_op, &vectors[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cty_msgpack_vectors),
	    cmocka_unit_test(test_cty_json_vectors),
	    cmocka_unit_test(test_cty_msgpack_truncated),
	    cmocka_unit_test(test_cty_msgpack_wire_rules),
	    cmocka_unit_test(test_cty_msgpack_refined_encode),
	    cmocka_unit_test(test_cty_msgpack_deep_nesting),
	    cmocka_unit_test(test_cty_msgpack_numbers),
	    cmocka_unit_test(test_cty_msgpack_mutations),
	    cmocka_unit_test(test_cty_msgpack_failing_alloc),
	};

	return cmocka_run_group_tests(tests, load_vectors, free_vectors);
}
