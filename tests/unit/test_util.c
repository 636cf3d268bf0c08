/* util: arena, buffers, strings, UTF-8, time and durations. */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core_testutil.h"
#include "tb/util.h"

static void test_util_arena_basics(void **state)
{
	struct tb_arena *a = tb_arena_new();
	char *s;

	assert_non_null(a);
	for (size_t n = 0; n < 5000; n += 37) {
		unsigned char *p = tb_arena_alloc(a, n);

		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(p[i], 0);
		memset(p, 0xab, n);
	}
	assert_true(tb_arena_used(a) > 0);
	s = tb_arena_strdup(a, "hello");
	assert_string_equal(s, "hello");
	assert_null(tb_arena_strdup(a, NULL));
	assert_string_equal(tb_arena_strndup(a, "abcdef", 3), "abc");
	assert_string_equal(tb_arena_printf(a, "%d-%s", 42, "x"), "42-x");
	s = tb_arena_alloc(a, 3 * 1024 * 1024);
	assert_non_null(s);
	s[3 * 1024 * 1024 - 1] = 1;
	tb_arena_free(a);
	tb_arena_free(NULL);
}

static void test_util_arena_cap(void **state)
{
	struct tb_arena *a = tb_arena_new();

	tb_arena_set_cap(a, 64 * 1024);
	assert_non_null(tb_arena_alloc(a, 1000));
	assert_null(tb_arena_alloc(a, 128 * 1024));
	assert_null(tb_arena_alloc(a, SIZE_MAX));
	tb_arena_free(a);
}

static int defer_log[8];
static int defer_n;

static void record(void *p)
{
	defer_log[defer_n++] = (int)(intptr_t)p;
}

static void test_util_arena_defer(void **state)
{
	struct tb_arena *a = tb_arena_new();

	defer_n = 0;
	assert_int_equal(tb_arena_defer(a, record, (void *)1), 0);
	assert_int_equal(tb_arena_defer(a, record, (void *)2), 0);
	assert_int_equal(tb_arena_defer(a, record, (void *)3), 0);
	assert_int_equal(defer_n, 0);
	tb_arena_free(a);
	assert_int_equal(defer_n, 3);
	assert_int_equal(defer_log[0], 3);
	assert_int_equal(defer_log[1], 2);
	assert_int_equal(defer_log[2], 1);

	/* A refused registration runs the cleanup at once. */
	a = tb_arena_new();
	defer_n = 0;
	core_fail_nth(1);
	assert_int_equal(tb_arena_defer(a, record, (void *)7), TB_ENOMEM);
	core_fail_off();
	assert_int_equal(defer_n, 1);
	assert_int_equal(defer_log[0], 7);
	tb_arena_free(a);
	assert_int_equal(defer_n, 1);
}

struct worker {
	struct tb_arena *a;
	int id;
	int ok;
};

static void *arena_worker(void *arg)
{
	struct worker *w = arg;
	unsigned char *ptrs[2000];

	w->ok = 1;
	for (int i = 0; i < 2000; i++) {
		size_t n = (size_t)(i % 97) + 1;

		ptrs[i] = tb_arena_alloc(w->a, n);
		if (ptrs[i] == NULL) {
			w->ok = 0;
			return NULL;
		}
		memset(ptrs[i], w->id, n);
	}
	for (int i = 0; i < 2000; i++)
		for (size_t k = 0; k < (size_t)(i % 97) + 1; k++)
			if (ptrs[i][k] != (unsigned char)w->id)
				w->ok = 0;
	return NULL;
}

static void test_util_arena_threads(void **state)
{
	struct tb_arena *a = tb_arena_new();
	pthread_t th[8];
	struct worker w[8];

	for (int i = 0; i < 8; i++) {
		w[i] = (struct worker){.a = a, .id = i + 1};
		assert_int_equal(pthread_create(&th[i], NULL, arena_worker, &w[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		assert_true(w[i].ok);
	}
	tb_arena_free(a);
}

static void test_util_arena_alloc_failure(void **state)
{
	struct tb_arena *a;

	core_fail_nth(1);
	assert_null(tb_arena_new());
	core_fail_off();
	a = tb_arena_new();
	core_fail_nth(1);
	assert_null(tb_arena_alloc(a, 10));
	core_fail_off();
	assert_non_null(tb_arena_alloc(a, 10));
	tb_arena_free(a);
}

static void test_util_buf(void **state)
{
	struct tb_buf b;
	char *s;

	tb_buf_init(&b);
	assert_int_equal(tb_buf_puts(&b, "abc"), 0);
	assert_int_equal(tb_buf_putc(&b, 'd'), 0);
	assert_int_equal(tb_buf_printf(&b, "%03d", 7), 0);
	assert_int_equal(tb_buf_append(&b, "xyz", 0), 0);
	assert_string_equal(b.data, "abcd007");
	assert_int_equal(b.len, 7);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(tb_buf_puts(&b, "0123456789"), 0);
	assert_int_equal(b.len, 10007);
	tb_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	tb_buf_puts(&b, "keep");
	s = tb_buf_detach(&b);
	assert_string_equal(s, "keep");
	assert_null(b.data);
	free(s);
	s = tb_buf_detach(&b);
	assert_string_equal(s, "");
	free(s);
	tb_buf_free(&b);
}

static void test_util_buf_cap(void **state)
{
	struct tb_buf b;

	tb_buf_init(&b);
	b.max = 8;
	assert_int_equal(tb_buf_puts(&b, "12345678"), 0);
	assert_int_equal(tb_buf_putc(&b, '9'), TB_ENOMEM);
	assert_true(b.failed);
	assert_int_equal(tb_buf_puts(&b, ""), TB_ENOMEM);
	assert_string_equal(b.data, "12345678");
	tb_buf_reset(&b);
	assert_false(b.failed);
	assert_int_equal(tb_buf_printf(&b, "%s", "123456789"), TB_ENOMEM);
	tb_buf_free(&b);

	tb_buf_init(&b);
	core_fail_nth(1);
	assert_int_equal(tb_buf_puts(&b, "x"), TB_ENOMEM);
	core_fail_off();
	assert_int_equal(tb_buf_puts(&b, "x"), TB_ENOMEM);
	tb_buf_free(&b);
}

static void test_util_double_to_int64(void **state)
{
	assert_true(tb_double_to_int64(0) == 0);
	assert_true(tb_double_to_int64(-0.0) == 0);
	assert_true(tb_double_to_int64(2.9) == 2);
	assert_true(tb_double_to_int64(-2.9) == -2);
	assert_true(tb_double_to_int64(9007199254740993.0) == 9007199254740992);
	assert_true(tb_double_to_int64(-9223372036854775808.0) == INT64_MIN);
	assert_true(tb_double_to_int64(9223372036854775807.0) == INT64_MAX); /* 2^63 */
	assert_true(tb_double_to_int64(1e300) == INT64_MAX);
	assert_true(tb_double_to_int64(-1e300) == INT64_MIN);
	assert_true(tb_double_to_int64(INFINITY) == INT64_MAX);
	assert_true(tb_double_to_int64(-INFINITY) == INT64_MIN);
	assert_true(tb_double_to_int64(NAN) == 0);
}

static void test_util_strings(void **state)
{
	assert_true(tb_str_eq("a", "a"));
	assert_false(tb_str_eq("a", "b"));
	assert_true(tb_str_eq(NULL, NULL));
	assert_false(tb_str_eq("a", NULL));
	assert_true(tb_str_has_prefix("arn:aws:ecs", "arn:"));
	assert_false(tb_str_has_prefix("ar", "arn:"));
	assert_false(tb_str_has_prefix(NULL, "a"));
	assert_true(tb_str_has_suffix("file.json", ".json"));
	assert_false(tb_str_has_suffix("json", ".json"));
	assert_true(tb_str_icontains("Service ThrottlingException", "throttling"));
	assert_false(tb_str_icontains("abc", "abd"));
	assert_false(tb_str_icontains(NULL, "a"));
	assert_string_equal(tb_strerror(TB_ENOTFOUND), "not found");
	assert_string_equal(tb_strerror(0), "success");
	assert_string_equal(tb_strerror(-999), "unknown error");
	assert_string_equal(tb_strerror(5), "unknown error");
}

static const struct utf8_case {
	const char *bytes;
	size_t n;
	bool valid;
} utf8_cases[] = {
    {.bytes = "", .n = 0, .valid = true},
    {.bytes = "plain ascii", .n = 11, .valid = true},
    {.bytes = "h\xc3\xa9llo", .n = 6, .valid = true},
    {.bytes = "\xe2\x9c\x93", .n = 3, .valid = true},
    {.bytes = "\xf0\x9d\x84\x9e", .n = 4, .valid = true},
    {.bytes = "\xf4\x8f\xbf\xbf", .n = 4, .valid = true},
    {.bytes = "a\0b", .n = 3, .valid = true},
    {.bytes = "\xc3", .n = 1, .valid = false},
    {.bytes = "\xc3\x28", .n = 2, .valid = false},
    {.bytes = "\xc0\x80", .n = 2, .valid = false},
    {.bytes = "\xe0\x80\xaf", .n = 3, .valid = false},
    {.bytes = "\xed\xa0\x80", .n = 3, .valid = false},
    {.bytes = "\xf4\x90\x80\x80", .n = 4, .valid = false},
    {.bytes = "\xf8\x88\x80\x80\x80", .n = 5, .valid = false},
    {.bytes = "\x80", .n = 1, .valid = false},
    {.bytes = "\xe2\x9c", .n = 2, .valid = false},
    {.bytes = "\xe2\x28\xa1", .n = 3, .valid = false},
    {.bytes = "\xff", .n = 1, .valid = false},
};

static void test_util_utf8(void **state)
{
	uint32_t cp = 0;

	for (size_t i = 0; i < TB_COUNT(utf8_cases); i++) {
		const struct utf8_case *c = &utf8_cases[i];

		if (tb_utf8_valid(c->bytes, c->n) != c->valid)
			fail_msg("case %zu: expected valid=%d", i, c->valid);
	}
	assert_int_equal(tb_utf8_decode("\xf0\x9d\x84\x9e", 4, &cp), 4);
	assert_int_equal(cp, 0x1d11e);
	assert_int_equal(tb_utf8_decode("\xc3\xa9", 2, &cp), 2);
	assert_int_equal(cp, 0xe9);
	assert_int_equal(tb_utf8_decode("", 0, &cp), 0);
}

static void test_util_json_string(void **state)
{
	struct tb_buf b;

	tb_buf_init(&b);
	assert_int_equal(tb_buf_put_json_string(&b, "a\"b\\c\n\t\x01\x7f\xc3\xa9\xff", 12), 0);
	assert_string_equal(b.data, "\"a\\\"b\\\\c\\n\\t\\u0001\x7f\xc3\xa9\\ufffd\"");
	tb_buf_free(&b);
}

static void test_util_time(void **state)
{
	char out[17];

	tb_time_amz(0, out);
	assert_string_equal(out, "19700101T000000Z");
	tb_time_amz(1700000000, out);
	assert_string_equal(out, "20231114T221320Z");
	assert_true(tb_now_ms() > 0);
	assert_true(tb_wall_time() > 1.6e9);
}

static const struct iso_case {
	const char *text;
	int err;
	int64_t t;
} iso_cases[] = {
    {.text = "2023-11-14T22:13:20Z", .t = 1700000000},
    {.text = "2023-11-14T22:13:20.123456Z", .t = 1700000000},
    {.text = "2023-11-14t22:13:20z", .t = 1700000000},
    {.text = "2023-11-14T23:13:20+01:00", .t = 1700000000},
    {.text = "2023-11-14T21:13:20-0100", .t = 1700000000},
    {.text = "1970-01-01T00:00:00Z", .t = 0},
    {.text = "2023-11-14 22:13:20Z", .t = 1700000000},
    {.text = "2023-11-14T22:13:20", .err = TB_EINVAL},
    {.text = "2023-11-14", .err = TB_EINVAL},
    {.text = "2023-13-14T22:13:20Z", .err = TB_EINVAL},
    {.text = "2023-11-14T22:13:20.Z", .err = TB_EINVAL},
    {.text = "2023-11-14T22:13:20Zjunk", .err = TB_EINVAL},
    {.text = "", .err = TB_EINVAL},
    {.text = NULL, .err = TB_EINVAL},
};

static void test_util_iso8601(void **state)
{
	for (size_t i = 0; i < TB_COUNT(iso_cases); i++) {
		int64_t t = -1;
		int err = tb_time_parse_iso8601(iso_cases[i].text, &t);

		if (err != iso_cases[i].err)
			fail_msg("%s: err %d", iso_cases[i].text ? iso_cases[i].text : "(null)",
			         err);
		if (err == 0 && t != iso_cases[i].t)
			fail_msg("%s: %lld", iso_cases[i].text, (long long)t);
	}
}

static const struct duration_case {
	const char *text;
	int err;
	int64_t ms;
} duration_cases[] = {
    {.text = "20m", .ms = 1200000},
    {.text = "1h30m", .ms = 5400000},
    {.text = "45s", .ms = 45000},
    {.text = "500ms", .ms = 500},
    {.text = "1.5h", .ms = 5400000},
    {.text = "2h45m30s", .ms = 9930000},
    {.text = "0", .ms = 0},
    {.text = "0s", .ms = 0},
    {.text = "-5s", .ms = -5000},
    {.text = "+5s", .ms = 5000},
    {.text = "1500us", .ms = 1},
    {.text = "3000000ns", .ms = 3},
    {.text = "1\xc2\xb5s", .ms = 0},
    {.text = "", .err = TB_EINVAL},
    {.text = "20", .err = TB_EINVAL},
    {.text = "m", .err = TB_EINVAL},
    {.text = "1d", .err = TB_EINVAL},
    {.text = "1h 30m", .err = TB_EINVAL},
    {.text = "-", .err = TB_EINVAL},
    {.text = ".s", .err = TB_EINVAL},
    {.text = "99999999999999999999h", .err = TB_EINVAL},
    {.text = NULL, .err = TB_EINVAL},
};

static void test_util_duration(void **state)
{
	for (size_t i = 0; i < TB_COUNT(duration_cases); i++) {
		int64_t ms = -1;
		int err = tb_duration_parse(duration_cases[i].text, &ms);

		if (err != duration_cases[i].err)
			fail_msg("%s: err %d",
			         duration_cases[i].text ? duration_cases[i].text : "(null)", err);
		if (err == 0 && ms != duration_cases[i].ms)
			fail_msg("%s: %lld", duration_cases[i].text, (long long)ms);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_util_arena_basics),
	    cmocka_unit_test(test_util_arena_cap),
	    cmocka_unit_test(test_util_arena_defer),
	    cmocka_unit_test(test_util_arena_threads),
	    cmocka_unit_test(test_util_arena_alloc_failure),
	    cmocka_unit_test(test_util_buf),
	    cmocka_unit_test(test_util_buf_cap),
	    cmocka_unit_test(test_util_double_to_int64),
	    cmocka_unit_test(test_util_strings),
	    cmocka_unit_test(test_util_utf8),
	    cmocka_unit_test(test_util_json_string),
	    cmocka_unit_test(test_util_time),
	    cmocka_unit_test(test_util_iso8601),
	    cmocka_unit_test(test_util_duration),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
