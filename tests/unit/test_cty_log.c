/* util log (checked with jansson, hence linked via cty): hclog JSON lines, levels from the
 * environment, escaping, threads. */
#include <jansson.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tb/log.h"
#include "tb/util.h"

/* Captures log output in a temporary file; returns its contents (malloc). */
static FILE *capture;

static void capture_start(void)
{
	capture = tmpfile();
	assert_non_null(capture);
	tb_log_set_fd(fileno(capture));
}

static char *capture_end(void)
{
	long n;
	char *text;

	tb_log_set_fd(2);
	fflush(capture);
	n = ftell(capture);
	text = calloc(1, (size_t)n + 1);
	rewind(capture);
	assert_int_equal(fread(text, 1, (size_t)n, capture), (size_t)n);
	fclose(capture);
	return text;
}

static json_t *parse_line(const char *line, size_t len)
{
	json_error_t err;
	json_t *j = json_loadb(line, len, 0, &err);

	if (j == NULL)
		fail_msg("invalid JSON line: %.*s (%s)", (int)len, line, err.text);
	return j;
}

static void test_util_log_fields(void **state)
{
	char *text;
	json_t *j;
	const char *ts;

	tb_log_set_level(TB_LOG_DEBUG);
	capture_start();
	tb_log(TB_LOG_DEBUG, "aws", "request", "service", "ecs", "action", "CreateService", NULL);
	text = capture_end();
	assert_int_equal(text[strlen(text) - 1], '\n');
	j = parse_line(text, strlen(text) - 1);
	assert_string_equal(json_string_value(json_object_get(j, "@level")), "debug");
	assert_string_equal(json_string_value(json_object_get(j, "@message")), "request");
	assert_string_equal(json_string_value(json_object_get(j, "@module")),
	                    "provider.talentbase.aws");
	assert_string_equal(json_string_value(json_object_get(j, "service")), "ecs");
	assert_string_equal(json_string_value(json_object_get(j, "action")), "CreateService");
	ts = json_string_value(json_object_get(j, "@timestamp"));
	assert_non_null(ts);
	assert_int_equal(strlen(ts), strlen("2026-11-22T03:04:05.123456Z"));
	assert_int_equal(ts[10], 'T');
	assert_int_equal(ts[19], '.');
	assert_int_equal(ts[26], 'Z');
	assert_true(strncmp(text, "{\"@level\":", 10) == 0);
	json_decref(j);
	free(text);
}

static void test_util_log_module_and_format(void **state)
{
	char *text;
	json_t *j;

	tb_log_set_level(TB_LOG_TRACE);
	capture_start();
	tb_logf(TB_LOG_INFO, NULL, "count=%d name=%s", 3, "x");
	text = capture_end();
	j = parse_line(text, strlen(text) - 1);
	assert_string_equal(json_string_value(json_object_get(j, "@module")),
	                    "provider.talentbase");
	assert_string_equal(json_string_value(json_object_get(j, "@message")), "count=3 name=x");
	assert_string_equal(json_string_value(json_object_get(j, "@level")), "info");
	json_decref(j);
	free(text);
}

static void test_util_log_escaping(void **state)
{
	const char *nasty =
	    "quote\" backslash\\ nl\n tab\t ctl\x01\x1f bad\xff\xfe utf8 \xc3\xa9 \xe2\x9c\x93";
	char *text;
	json_t *j;

	tb_log_set_level(TB_LOG_TRACE);
	capture_start();
	tb_log(TB_LOG_WARN, "x", nasty, "k\"ey", nasty, "nullval", NULL, NULL);
	text = capture_end();
	assert_null(strchr(text, '\t'));
	assert_ptr_equal(strchr(text, '\n'), text + strlen(text) - 1);
	j = parse_line(text, strlen(text) - 1);
	assert_string_equal(
	    json_string_value(json_object_get(j, "@message")),
	    "quote\" backslash\\ nl\n tab\t ctl\x01\x1f bad\xef\xbf\xbd\xef\xbf\xbd utf8 "
	    "\xc3\xa9 \xe2\x9c\x93");
	assert_non_null(json_object_get(j, "k\"ey"));
	assert_string_equal(json_string_value(json_object_get(j, "nullval")), "");
	json_decref(j);
	free(text);
}

static void test_util_log_levels(void **state)
{
	char *text;

	tb_log_set_level(TB_LOG_WARN);
	assert_false(tb_log_enabled(TB_LOG_INFO));
	assert_true(tb_log_enabled(TB_LOG_WARN));
	assert_true(tb_log_enabled(TB_LOG_ERROR));
	assert_false(tb_log_enabled(TB_LOG_OFF));
	capture_start();
	tb_log(TB_LOG_DEBUG, NULL, "hidden", NULL);
	tb_logf(TB_LOG_INFO, NULL, "hidden %d", 1);
	tb_log(TB_LOG_ERROR, NULL, "shown", NULL);
	text = capture_end();
	assert_null(strstr(text, "hidden"));
	assert_non_null(strstr(text, "shown"));
	free(text);
	tb_log_set_level(TB_LOG_OFF);
	assert_false(tb_log_enabled(TB_LOG_ERROR));
}

static const struct env_case {
	const char *provider, *tf_log;
	enum tb_log_level want;
} env_cases[] = {
    {.provider = NULL, .tf_log = NULL, .want = TB_LOG_WARN},
    {.provider = NULL, .tf_log = "", .want = TB_LOG_WARN},
    {.provider = NULL, .tf_log = "debug", .want = TB_LOG_DEBUG},
    {.provider = NULL, .tf_log = "DEBUG", .want = TB_LOG_DEBUG},
    {.provider = NULL, .tf_log = "Info", .want = TB_LOG_INFO},
    {.provider = NULL, .tf_log = "json", .want = TB_LOG_TRACE},
    {.provider = NULL, .tf_log = "off", .want = TB_LOG_OFF},
    {.provider = NULL, .tf_log = "bogus", .want = TB_LOG_TRACE},
    {.provider = "error", .tf_log = "trace", .want = TB_LOG_ERROR},
    {.provider = "", .tf_log = "info", .want = TB_LOG_INFO},
    {.provider = "TRACE", .tf_log = NULL, .want = TB_LOG_TRACE},
    {.provider = "warn", .tf_log = NULL, .want = TB_LOG_WARN},
};

static enum tb_log_level current_level(void)
{
	for (int l = TB_LOG_TRACE; l < TB_LOG_OFF; l++)
		if (tb_log_enabled((enum tb_log_level)l))
			return (enum tb_log_level)l;
	return TB_LOG_OFF;
}

static void set_env(const char *name, const char *v)
{
	if (v == NULL)
		unsetenv(name);
	else
		setenv(name, v, 1);
}

static void test_util_log_env(void **state)
{
	for (size_t i = 0; i < TB_COUNT(env_cases); i++) {
		set_env("TF_LOG_PROVIDER", env_cases[i].provider);
		set_env("TF_LOG", env_cases[i].tf_log);
		tb_log_init();
		if (current_level() != env_cases[i].want)
			fail_msg("case %zu: level %d, want %d", i, current_level(),
			         env_cases[i].want);
	}
	unsetenv("TF_LOG_PROVIDER");
	unsetenv("TF_LOG");
}

static void *log_worker(void *arg)
{
	char field[3000];

	memset(field, 'a' + (int)(intptr_t)arg, sizeof(field) - 1);
	field[sizeof(field) - 1] = '\0';
	for (int i = 0; i < 200; i++)
		tb_log(TB_LOG_INFO, "t", "line", "payload", field, NULL);
	return NULL;
}

static void test_util_log_threads(void **state)
{
	pthread_t th[8];
	char *text, *line, *next;
	int lines = 0;

	tb_log_set_level(TB_LOG_TRACE);
	capture_start();
	for (int i = 0; i < 8; i++)
		pthread_create(&th[i], NULL, log_worker, (void *)(intptr_t)i);
	for (int i = 0; i < 8; i++)
		pthread_join(th[i], NULL);
	text = capture_end();
	for (line = text; *line != '\0'; line = next + 1) {
		json_t *j;

		next = strchr(line, '\n');
		assert_non_null(next);
		j = parse_line(line, (size_t)(next - line));
		assert_int_equal(strlen(json_string_value(json_object_get(j, "payload"))), 2999);
		json_decref(j);
		lines++;
	}
	assert_int_equal(lines, 1600);
	free(text);
}

static void test_util_log_long_message(void **state)
{
	char *big = malloc(200000), *text;
	json_t *j;

	memset(big, 'x', 199999);
	big[199999] = '\0';
	tb_log_set_level(TB_LOG_TRACE);
	capture_start();
	tb_log(TB_LOG_INFO, NULL, big, NULL);
	text = capture_end();
	j = parse_line(text, strlen(text) - 1);
	assert_true(strlen(json_string_value(json_object_get(j, "@message"))) >= 60000);
	json_decref(j);
	free(text);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_util_log_fields),
	    cmocka_unit_test(test_util_log_module_and_format),
	    cmocka_unit_test(test_util_log_escaping),
	    cmocka_unit_test(test_util_log_levels),
	    cmocka_unit_test(test_util_log_env),
	    cmocka_unit_test(test_util_log_threads),
	    cmocka_unit_test(test_util_log_long_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
