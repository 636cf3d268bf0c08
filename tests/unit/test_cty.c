/* cty: types, values, equality, conversion, numbers, JSON codec details. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core_testutil.h"
#include "tb/cty.h"

static struct tb_arena *A;

static int setup(void **state)
{
	A = tb_arena_new();
	return A != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	tb_arena_free(A);
	return 0;
}

static const struct tb_type *T(const char *json)
{
	const struct tb_type *t = NULL;

	if (tb_type_from_json(A, json, strlen(json), &t) != 0)
		fail_msg("bad type %s", json);
	return t;
}

static const struct tb_value *J(const char *type, const char *json)
{
	const struct tb_value *v = NULL;
	int err = tb_json_decode(A, T(type), json, strlen(json), &v);

	if (err != 0)
		fail_msg("decode %s as %s: %d", json, type, err);
	return v;
}

static void test_cty_types(void **state)
{
	static const char *const round_trips[] = {
	    "\"string\"",
	    "\"number\"",
	    "\"bool\"",
	    "\"dynamic\"",
	    "[\"list\",\"string\"]",
	    "[\"set\",[\"map\",\"number\"]]",
	    "[\"object\",{}]",
	    "[\"object\",{\"a\":\"string\",\"b\":[\"list\",\"bool\"]}]",
	    "[\"object\",{\"a\":\"string\",\"b\":\"number\",\"c\":\"bool\"},[\"a\",\"c\"]]",
	    "[\"tuple\",[]]",
	    "[\"tuple\",[\"string\",[\"object\",{\"x\":\"dynamic\"}]]]",
	};
	static const char *const invalid[] = {
	    "\"str\"",
	    "[\"list\"]",
	    "[\"list\",\"string\",\"x\"]",
	    "[\"object\",[]]",
	    "[\"object\",{\"a\":\"string\"},[\"b\"]]",
	    "[\"tuple\",\"string\"]",
	    "42",
	    "[]",
	    "[\"lizt\",\"string\"]",
	    "{",
	    "",
	};
	const struct tb_type *t;
	char *out;

	for (size_t i = 0; i < TB_COUNT(round_trips); i++) {
		t = T(round_trips[i]);
		assert_int_equal(tb_type_to_json(A, t, &out), 0);
		assert_string_equal(out, round_trips[i]);
		assert_true(tb_type_equal(t, T(round_trips[i])));
	}
	for (size_t i = 0; i < TB_COUNT(invalid); i++)
		if (tb_type_from_json(A, invalid[i], strlen(invalid[i]), &t) != TB_EINVAL)
			fail_msg("accepted %s", invalid[i]);
	/* Names are sorted and looked up by binary search. */
	t = T("[\"object\",{\"zeta\":\"string\",\"alpha\":\"number\",\"mid\":\"bool\"}]");
	assert_string_equal(t->names[0], "alpha");
	assert_int_equal(tb_type_attr_index(t, "mid"), 1);
	assert_int_equal(tb_type_attr_index(t, "zeta"), 2);
	assert_int_equal(tb_type_attr_index(t, "nope"), -1);
	assert_int_equal(tb_type_attr_index(&tb_type_string, "x"), -1);
	assert_false(tb_type_equal(T("[\"list\",\"string\"]"), T("[\"set\",\"string\"]")));
	assert_false(tb_type_equal(T("[\"object\",{\"a\":\"string\"}]"),
	                           T("[\"object\",{\"a\":\"string\"},[\"a\"]]")));
	assert_false(tb_type_equal(T("[\"object\",{\"a\":\"string\"}]"),
	                           T("[\"object\",{\"b\":\"string\"}]")));
	{
		const char *names[] = {"a", "a"};
		const struct tb_type *types[] = {&tb_type_string, &tb_type_bool};

		assert_null(tb_type_object(A, 2, names, types, NULL));
	}
}

static void test_cty_values(void **state)
{
	const struct tb_type *lt = tb_type_list(A, &tb_type_string);
	const struct tb_type *mt = tb_type_map(A, &tb_type_number);
	const struct tb_type *ot = T("[\"object\",{\"b\":\"number\",\"a\":\"string\"}]");
	const struct tb_value *items[] = {tb_string(A, "x"), tb_null(A, &tb_type_string)};
	const struct tb_value *nums[] = {tb_int(A, 1), tb_int(A, 2)};
	const char *keys[] = {"z", "a"}, *dup[] = {"k", "k"};
	const struct tb_value *l, *m, *o, *o2, *bad[] = {tb_int(A, 1)};
	int64_t i;
	double f;
	bool b;

	l = tb_list(A, lt, 2, items);
	assert_non_null(l);
	assert_int_equal(tb_len(l), 2);
	assert_null(tb_list(A, lt, 1, bad));
	assert_null(tb_list(A, mt, 1, items));
	m = tb_map(A, mt, 2, keys, nums);
	assert_non_null(m);
	assert_string_equal(m->u.coll.keys[0], "a");
	assert_true(tb_get_int(tb_map_get(m, "a"), &i) && i == 2);
	assert_null(tb_map_get(m, "b"));
	assert_null(tb_map(A, mt, 2, dup, nums));
	{
		const struct tb_value *oi[] = {tb_string(A, "s"), tb_int(A, 5)};

		o = tb_object(A, ot, oi);
	}
	assert_non_null(o);
	assert_string_equal(tb_get_str(tb_attr(o, "a")), "s");
	assert_null(tb_attr(o, "c"));
	o2 = tb_object_with(A, o, "a", tb_string(A, "t"));
	assert_string_equal(tb_get_str(tb_attr(o2, "a")), "t");
	assert_string_equal(tb_get_str(tb_attr(o, "a")), "s");
	assert_null(tb_object_with(A, o, "a", tb_int(A, 1)));
	assert_null(tb_object_with(A, o, "nope", tb_int(A, 1)));
	assert_non_null(tb_object_with(A, o, "a", tb_unknown(A, &tb_type_dynamic)));
	assert_false(tb_get_int(tb_float(A, 1.5), &i));
	assert_int_equal(i, 0);
	assert_true(tb_get_float(tb_float(A, 1.5), &f) && f == 1.5);
	assert_true(tb_get_int(tb_float(A, 3.0), &i) && i == 3);
	assert_false(tb_get_bool(tb_null(A, &tb_type_bool), &b));
	assert_true(tb_get_bool(tb_bool(A, true), &b) && b);
	assert_null(tb_get_str(tb_null(A, &tb_type_string)));
	assert_null(tb_get_str(tb_int(A, 1)));
	assert_int_equal(tb_len(tb_null(A, lt)), 0);
	assert_null(tb_float(A, 0.0 / 0.0));
	/* Invalid UTF-8 is repaired on construction. */
	assert_string_equal(tb_get_str(tb_stringn(A,
	                                          "a\xff"
	                                          "b",
	                                          3)),
	                    "a\xef\xbf\xbd"
	                    "b");
	assert_true(tb_is_wholly_known(l));
	items[0] = tb_unknown(A, &tb_type_string);
	assert_false(tb_is_wholly_known(tb_list(A, lt, 2, items)));
	assert_true(tb_is_null(NULL));
	assert_false(tb_is_known(NULL));
}

static void test_cty_equal(void **state)
{
	const char *st = "[\"set\",\"string\"]";

	assert_true(tb_value_equal(J(st, "[\"a\",\"b\"]"), J(st, "[\"b\",\"a\"]")));
	assert_false(tb_value_equal(J(st, "[\"a\",\"b\"]"), J(st, "[\"a\"]")));
	assert_false(tb_value_equal(J(st, "[\"a\",\"c\"]"), J(st, "[\"a\",\"b\"]")));
	assert_false(tb_value_equal(J("[\"list\",\"string\"]", "[\"a\",\"b\"]"),
	                            J("[\"list\",\"string\"]", "[\"b\",\"a\"]")));
	assert_true(tb_value_equal(J("\"number\"", "1"), J("\"number\"", "1.0")));
	assert_true(tb_value_equal(J("\"number\"", "0.1"), J("\"number\"", "\"0.10\"")));
	assert_false(tb_value_equal(J("\"number\"", "1"), J("\"string\"", "\"1\"")));
	assert_true(tb_value_equal(tb_null(A, &tb_type_string), tb_null(A, &tb_type_dynamic)));
	assert_false(tb_value_equal(tb_null(A, &tb_type_string), tb_string(A, "")));
	assert_false(tb_value_equal(tb_unknown(A, &tb_type_string), tb_string(A, "")));
	assert_true(tb_value_equal(tb_unknown(A, &tb_type_string), tb_unknown(A, &tb_type_string)));
	assert_false(tb_value_equal(tb_null(A, &tb_type_string), tb_unknown(A, &tb_type_string)));
	assert_true(tb_value_equal(J("[\"map\",\"string\"]", "{\"a\":\"1\",\"b\":\"2\"}"),
	                           J("[\"map\",\"string\"]", "{\"b\":\"2\",\"a\":\"1\"}")));
	assert_false(tb_value_equal(J("[\"map\",\"string\"]", "{\"a\":\"1\"}"),
	                            J("[\"map\",\"string\"]", "{\"c\":\"1\"}")));
	assert_true(tb_value_equal(NULL, tb_null(A, &tb_type_bool)));
	assert_false(tb_value_equal(NULL, tb_bool(A, false)));
}

struct conv_case {
	const char *from_type, *from, *to_type;
	int err;
	const char *want; /* debug rendering */
};

static const struct conv_case conv_cases[] = {
    {.from_type = "\"number\"", .from = "42", .to_type = "\"string\"", .want = "\"42\""},
    {.from_type = "\"number\"", .from = "1.5", .to_type = "\"string\"", .want = "\"1.5\""},
    {.from_type = "\"number\"",
     .from = "\"1e21\"",
     .to_type = "\"string\"",
     .want = "\"1000000000000000000000\""},
    {.from_type = "\"bool\"", .from = "true", .to_type = "\"string\"", .want = "\"true\""},
    {.from_type = "\"string\"", .from = "\"12\"", .to_type = "\"number\"", .want = "12"},
    {.from_type = "\"string\"", .from = "\"-0.25\"", .to_type = "\"number\"", .want = "-0.25"},
    {.from_type = "\"string\"", .from = "\"twelve\"", .to_type = "\"number\"", .err = TB_EINVAL},
    {.from_type = "\"string\"", .from = "\"true\"", .to_type = "\"bool\"", .want = "true"},
    {.from_type = "\"string\"", .from = "\"0\"", .to_type = "\"bool\"", .want = "false"},
    {.from_type = "\"string\"", .from = "\"True\"", .to_type = "\"bool\"", .err = TB_EINVAL},
    {.from_type = "\"bool\"", .from = "true", .to_type = "\"number\"", .err = TB_EINVAL},
    {.from_type = "\"number\"", .from = "1", .to_type = "\"bool\"", .err = TB_EINVAL},
    {.from_type = "[\"list\",\"string\"]",
     .from = "[\"a\",\"a\",\"b\"]",
     .to_type = "[\"set\",\"string\"]",
     .want = "toset([\"a\", \"b\"])"},
    {.from_type = "[\"set\",\"number\"]",
     .from = "[1,2]",
     .to_type = "[\"list\",\"string\"]",
     .want = "[\"1\", \"2\"]"},
    {.from_type = "[\"tuple\",[\"string\",\"number\"]]",
     .from = "[\"a\",1]",
     .to_type = "[\"list\",\"string\"]",
     .want = "[\"a\", \"1\"]"},
    {.from_type = "[\"tuple\",[\"string\",\"bool\"]]",
     .from = "[\"a\",true]",
     .to_type = "[\"list\",\"number\"]",
     .err = TB_EINVAL},
    {.from_type = "[\"list\",\"string\"]",
     .from = "[\"1\",\"x\"]",
     .to_type = "[\"tuple\",[\"number\",\"string\"]]",
     .want = "[1, \"x\"]"},
    {.from_type = "[\"list\",\"string\"]",
     .from = "[\"1\"]",
     .to_type = "[\"tuple\",[\"number\",\"string\"]]",
     .err = TB_EINVAL},
    {.from_type = "[\"object\",{\"a\":\"number\",\"b\":\"string\"}]",
     .from = "{\"a\":1,\"b\":\"x\"}",
     .to_type = "[\"map\",\"string\"]",
     .want = "{ \"a\" = \"1\", \"b\" = \"x\" }"},
    {.from_type = "[\"object\",{\"a\":\"bool\",\"b\":\"number\"}]",
     .from = "{\"a\":true,\"b\":1}",
     .to_type = "[\"map\",\"number\"]",
     .err = TB_EINVAL},
    {.from_type = "[\"map\",\"string\"]",
     .from = "{\"a\":\"1\"}",
     .to_type = "[\"object\",{\"a\":\"number\",\"b\":\"string\"},[\"b\"]]",
     .want = "{ a = 1, b = null }"},
    {.from_type = "[\"map\",\"string\"]",
     .from = "{\"a\":\"1\",\"z\":\"2\"}",
     .to_type = "[\"object\",{\"a\":\"number\"}]",
     .err = TB_EINVAL},
    {.from_type = "[\"object\",{\"a\":\"string\",\"extra\":\"bool\"}]",
     .from = "{\"a\":\"5\",\"extra\":true}",
     .to_type = "[\"object\",{\"a\":\"number\"}]",
     .want = "{ a = 5 }"},
    {.from_type = "[\"object\",{\"a\":\"string\"}]",
     .from = "{\"a\":\"5\"}",
     .to_type = "[\"object\",{\"a\":\"number\",\"b\":\"number\"}]",
     .err = TB_EINVAL},
    {.from_type = "\"string\"", .from = "null", .to_type = "\"number\"", .want = "null"},
    {.from_type = "\"string\"", .from = "\"x\"", .to_type = "\"dynamic\"", .want = "\"x\""},
    {.from_type = "[\"list\",\"string\"]", .from = "[]", .to_type = "\"string\"", .err = TB_EINVAL},
};

static void test_cty_convert(void **state)
{
	for (size_t i = 0; i < TB_COUNT(conv_cases); i++) {
		const struct conv_case *c = &conv_cases[i];
		const struct tb_value *out = NULL;
		const struct tb_type *to = T(c->to_type);
		int err = tb_value_convert(A, J(c->from_type, c->from), to, &out);

		if (err != c->err)
			fail_msg("case %zu: err %d want %d", i, err, c->err);
		if (err == 0 && strcmp(tb_value_debug(A, out), c->want) != 0)
			fail_msg("case %zu: %s want %s", i, tb_value_debug(A, out), c->want);
		if (err == 0 && to->kind != TB_DYNAMIC && !tb_is_null(out))
			assert_int_equal(out->type->kind, to->kind);
	}
	{
		const struct tb_value *out = NULL;

		assert_int_equal(tb_value_convert(A, tb_unknown(A, &tb_type_dynamic),
		                                  T("[\"list\",\"number\"]"), &out),
		                 0);
		assert_true(tb_is_unknown(out));
		assert_int_equal(out->type->kind, TB_LIST);
	}
}

static const struct num_case {
	const char *text;
	int err;
	const char *canon;
	int form; /* 0 int, 1 float, 2 decimal text */
} num_cases[] = {
    {.text = "0", .canon = "0", .form = 0},
    {.text = "-12", .canon = "-12", .form = 0},
    {.text = "007", .canon = "7", .form = 0},
    {.text = "1.5", .canon = "1.5", .form = 1},
    {.text = "0.1", .canon = "0.1", .form = 2},
    {.text = "1e-3", .canon = "0.001", .form = 2},
    {.text = "2.5e1", .canon = "25", .form = 0},
    {.text = "9223372036854775807", .canon = "9223372036854775807", .form = 0},
    {.text = "9223372036854775808", .canon = "9223372036854775808", .form = 2},
    {.text = "18446744073709551616", .canon = "18446744073709551616", .form = 2},
    {.text = "123.456000", .canon = "123.456", .form = 2},
    {.text = "0.0625", .canon = "0.0625", .form = 1},
    {.text = "-0.0", .canon = "0", .form = 0},
    {.text = ".5", .canon = "0.5", .form = 1},
    {.text = "5.", .canon = "5", .form = 0},
    {.text = "", .err = TB_EINVAL},
    {.text = "-", .err = TB_EINVAL},
    {.text = "1e", .err = TB_EINVAL},
    {.text = "0x10", .err = TB_EINVAL},
    {.text = "1 ", .err = TB_EINVAL},
    {.text = "inf", .err = TB_EINVAL},
    {.text = "NaN", .err = TB_EINVAL},
    {.text = "1e999999", .err = TB_EINVAL},
};

static void test_cty_numbers(void **state)
{
	for (size_t i = 0; i < TB_COUNT(num_cases); i++) {
		const struct num_case *c = &num_cases[i];
		const struct tb_value *v = NULL;
		int err = tb_number_parse(A, c->text, strlen(c->text), &v);
		int form;

		if (err != c->err)
			fail_msg("%s: err %d", c->text, err);
		if (err != 0)
			continue;
		assert_string_equal(tb_number_text(A, v), c->canon);
		form = v->u.num.is_int ? 0 : v->u.num.dec != NULL ? 2 : 1;
		if (form != c->form)
			fail_msg("%s: form %d want %d", c->text, form, c->form);
	}
	assert_string_equal(
	    tb_number_text(A, tb_float(A, 1e300)),
	    "10000000000000000525047602552044202487044685811081591549158541155118024579889081"
	    "95786371375080447864043704443832883878176942523235360430575644792184786706982848"
	    "38720092657580373783023379478809005936895323497079994508111903896764088007465274"
	    "2780142494579258788820056842838115669472196386865459400540160");
	assert_string_equal(tb_number_text(A, tb_float(A, 0.1)), "0.1");
	assert_null(tb_number_text(A, tb_string(A, "1")));
}

static void test_cty_json_codec(void **state)
{
	const char *ot = "[\"object\",{\"a\":\"string\",\"b\":\"number\",\"d\":\"dynamic\"}]";
	const struct tb_value *v = NULL;
	char *out;
	size_t len;

	/* Missing attributes are null; unknown ones are an error unless dropped. */
	v = J(ot, "{\"a\":\"x\"}");
	assert_true(tb_is_null(tb_attr(v, "b")));
	assert_int_equal(tb_json_decode(A, T(ot), "{\"zz\":1}", 8, &v), TB_EINVAL);
	assert_int_equal(
	    tb_json_decode_ex(A, T(ot), "{\"zz\":1,\"a\":\"q\"}", 16, TB_JSON_DROP_UNKNOWN, &v), 0);
	assert_string_equal(tb_get_str(tb_attr(v, "a")), "q");
	/* Primitive conversions on input, as cty's JSON decoder does. */
	assert_string_equal(tb_value_debug(A, J(ot, "{\"a\":12,\"b\":\"7\",\"d\":null}")),
	                    "{ a = \"12\", b = 7, d = null }");
	assert_string_equal(tb_value_debug(A, J("\"bool\"", "\"true\"")), "true");
	/* Long numbers keep every digit. */
	assert_string_equal(tb_value_debug(A, J("\"number\"", "123456789012345678901234567890.5")),
	                    "123456789012345678901234567890.5");
	assert_string_equal(tb_value_debug(A, J("\"number\"", "1e400")),
	                    tb_value_debug(A, J("\"number\"", "\"1e400\"")));
	assert_string_equal(tb_value_debug(A, J("[\"list\",\"string\"]", "[\"1e5\", 1e5]")),
	                    "[\"1e5\", \"1e5\"]");
	/* Dynamic values carry their type. */
	v = J(ot, "{\"d\":{\"value\":[1,2],\"type\":[\"list\",\"number\"]}}");
	assert_int_equal(tb_attr(v, "d")->type->kind, TB_LIST);
	assert_int_equal(tb_json_encode(A, v, &out, &len), 0);
	assert_string_equal(
	    out, "{\"a\":null,\"b\":null,\"d\":{\"value\":[1,2],\"type\":[\"list\",\"number\"]}}");
	assert_int_equal(tb_json_decode(A, T("\"dynamic\""), "{\"value\":1}", 11, &v), TB_EINVAL);
	assert_int_equal(tb_json_decode(A, T("\"dynamic\""),
	                                "{\"value\":1,\"type\":\"number\",\"x\":1}", 32, &v),
	                 TB_EINVAL);
	/* Unknown and infinite values cannot be written as JSON. */
	assert_int_equal(tb_json_encode(A, tb_unknown(A, &tb_type_string), &out, &len), TB_EINVAL);
	assert_int_equal(tb_json_encode(A, tb_float(A, 1.0 / 0.0), &out, &len), TB_EINVAL);
	/* Malformed JSON, wrong kinds, strings with NUL. */
	assert_int_equal(tb_json_decode(A, T("\"string\""), "{", 1, &v), TB_EINVAL);
	assert_int_equal(tb_json_decode(A, T("\"string\""), "[]", 2, &v), TB_EINVAL);
	assert_int_equal(tb_json_decode(A, T("\"bool\""), "1", 1, &v), TB_EINVAL);
	assert_int_equal(tb_json_decode(A, T("[\"tuple\",[\"bool\"]]"), "[true,true]", 11, &v),
	                 TB_EINVAL);
	assert_int_equal(
	    tb_json_decode(A, T("[\"map\",\"bool\"]"), "{\"a\":true,\"a\":false}", 20, &v), 0);
	v = J("\"string\"", "\"a\\u0000b\"");
	assert_int_equal(v->u.str.len, 3);
	assert_int_equal(tb_json_encode(A, v, &out, &len), 0);
	assert_string_equal(out, "\"a\\u0000b\"");
}

static void test_cty_debug(void **state)
{
	struct tb_refine r = {.has_nullness = true, .not_null = true, .prefix = "p"};
	struct tb_value *u = (struct tb_value *)tb_unknown(A, &tb_type_string);

	u->refine = &r;
	assert_string_equal(tb_value_debug(A, u), "(unknown not null prefix \"p\")");
	assert_string_equal(tb_value_debug(A, NULL), "(absent)");
	assert_string_equal(tb_value_debug(A, J("[\"object\",{}]", "{}")), "{}");
	assert_string_equal(
	    tb_value_debug(
	        A, J("[\"object\",{\"s\":[\"set\",\"bool\"],\"t\":[\"tuple\",[\"string\"]]}]",
	             "{\"s\":[true],\"t\":[\"q\\\"\"]}")),
	    "{ s = toset([true]), t = [\"q\\\"\"] }");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cty_types),   cmocka_unit_test(test_cty_values),
	    cmocka_unit_test(test_cty_equal),   cmocka_unit_test(test_cty_convert),
	    cmocka_unit_test(test_cty_numbers), cmocka_unit_test(test_cty_json_codec),
	    cmocka_unit_test(test_cty_debug),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
