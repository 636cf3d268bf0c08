/*
 * The plugin handshake: protocol negotiation, the stdout line, base64
 * without padding, the debug-mode reattach value, the socket directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "tb/rpc.h"
#include "tb/util.h"

static const struct {
	const char *versions;
	int rc;
} negotiate_cases[] = {
    {"5,6", 0},        {"6,5", 0},        {"6", 0},           {" 5 , 6 ", 0},
    {"4,5,6,7", 0},    {NULL, 0}, /* a client that does not negotiate */
    {"", 0},           {"5", TB_EINVAL},  {"5,7", TB_EINVAL}, {"garbage", TB_EINVAL},
    {"6x", TB_EINVAL}, {"66", TB_EINVAL}, {",", TB_EINVAL},   {"5,", TB_EINVAL},
};

static void test_rpc_negotiate(void **state)
{
	for (size_t i = 0; i < sizeof(negotiate_cases) / sizeof(negotiate_cases[0]); i++) {
		int v = -1;
		int rc = tb_rpc_negotiate(negotiate_cases[i].versions, &v);

		if (rc != negotiate_cases[i].rc)
			fail_msg("\"%s\": rc %d, want %d", negotiate_cases[i].versions, rc,
			         negotiate_cases[i].rc);
		if (rc == 0)
			assert_int_equal(v, 6);
	}
}

/* RFC 4648 section 10 vectors, padding removed. */
static const char *const base64_cases[][2] = {
    {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
    {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
};

static void test_rpc_base64(void **state)
{
	static const unsigned char high[] = {0xfb, 0xff, 0xfe};
	char *s;

	for (size_t i = 0; i < sizeof(base64_cases) / sizeof(base64_cases[0]); i++) {
		assert_int_equal(tb_rpc_base64(base64_cases[i][0], strlen(base64_cases[i][0]), &s),
		                 0);
		assert_string_equal(s, base64_cases[i][1]);
		free(s);
	}
	/* The standard alphabet: '+' and '/', not the URL-safe '-' and '_'. */
	assert_int_equal(tb_rpc_base64(high, sizeof(high), &s), 0);
	assert_string_equal(s, "+//+");
	free(s);
}

static void test_rpc_handshake_line(void **state)
{
	char *line;

	assert_int_equal(tb_rpc_handshake_line("unix", "/tmp/d/plugin1", "QUJD", &line), 0);
	assert_string_equal(line, "1|6|unix|/tmp/d/plugin1|grpc|QUJD");
	free(line);
	/* Plaintext: the certificate field stays, empty (as go-plugin prints it). */
	assert_int_equal(tb_rpc_handshake_line("unix", "/tmp/d/plugin1", NULL, &line), 0);
	assert_string_equal(line, "1|6|unix|/tmp/d/plugin1|grpc|");
	assert_null(strchr(line, '\n'));
	free(line);
}

static void test_rpc_reattach_json(void **state)
{
	char *s;
	json_t *v, *p;
	json_error_t err;

	assert_int_equal(
	    tb_rpc_reattach_json("example.com/ns/name", "/tmp/x \"y\"/plugin9", 4242, &s), 0);
	assert_null(strchr(s, '\n'));
	assert_null(strchr(s, '\''));
	v = json_loads(s, 0, &err);
	assert_non_null(v);
	p = json_object_get(v, "example.com/ns/name");
	assert_non_null(p);
	assert_string_equal(json_string_value(json_object_get(p, "Protocol")), "grpc");
	assert_int_equal(json_integer_value(json_object_get(p, "ProtocolVersion")), 6);
	assert_int_equal(json_integer_value(json_object_get(p, "Pid")), 4242);
	assert_true(json_is_true(json_object_get(p, "Test")));
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(p, "Addr"), "Network")), "unix");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(p, "Addr"), "String")),
	    "/tmp/x \"y\"/plugin9");
	json_decref(v);
	free(s);
}

static void test_rpc_socket_dir(void **state)
{
	char parent[] = "/tmp/tb-rpc-test-XXXXXX";
	char longer[200];
	struct tb_rpc_socket s = {0}, s2 = {0};
	struct stat st;

	assert_non_null(mkdtemp(parent));
	assert_int_equal(tb_rpc_socket_create(parent, &s), 0);
	assert_int_equal(tb_rpc_socket_create(parent, &s2), 0);
	assert_string_not_equal(s.dir, s2.dir);
	assert_int_equal(stat(s.dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_true(strncmp(s.path, s.dir, strlen(s.dir)) == 0);
	assert_true(strncmp(s.path + strlen(s.dir), "/plugin", 7) == 0);
	tb_rpc_socket_remove(&s);
	tb_rpc_socket_remove(&s2);
	assert_null(s.dir);
	assert_int_not_equal(stat(parent, &st), -1);

	/* A parent so deep that the socket path would not fit in sun_path. */
	snprintf(longer, sizeof(longer), "%s/%0120d", parent, 0);
	assert_int_equal(mkdir(longer, 0700), 0);
	assert_int_equal(tb_rpc_socket_create(longer, &s), TB_EINVAL);
	assert_int_equal(rmdir(longer), 0); /* nothing left behind inside */
	assert_int_equal(tb_rpc_socket_create("/nonexistent-dir-for-tb", &s), TB_EIO);
	assert_int_equal(rmdir(parent), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rpc_negotiate),      cmocka_unit_test(test_rpc_base64),
	    cmocka_unit_test(test_rpc_handshake_line), cmocka_unit_test(test_rpc_reattach_json),
	    cmocka_unit_test(test_rpc_socket_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
