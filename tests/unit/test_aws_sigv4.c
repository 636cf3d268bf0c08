/*
 * SigV4 against the public aws-sig-v4-test-suite (tests/data/sigv4): for
 * each case the canonical request, string to sign and Authorization header
 * must match the .creq, .sts and .authz files byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aws/internal.h"

#define MAX_HEADERS 16

static const char *const vector_cases[] = {
    "get-header-key-duplicate",
    "get-header-value-multiline",
    "get-header-value-order",
    "get-header-value-trim",
    "get-unreserved",
    "get-utf8",
    "get-vanilla",
    "get-vanilla-empty-query-key",
    "get-vanilla-query",
    "get-vanilla-query-order-encoded",
    "get-vanilla-query-order-key",
    "get-vanilla-query-order-key-case",
    "get-vanilla-query-order-value",
    "get-vanilla-query-unreserved",
    "get-vanilla-utf8-query",
    "get-vanilla-with-session-token",
    "get-relative",
    "get-relative-relative",
    "get-slash",
    "get-slash-dot-slash",
    "get-slash-pointless-dot",
    "get-slashes",
    "get-space",
    "get-special-character",
    "post-header-key-case",
    "post-header-key-sort",
    "post-header-value-case",
    "post-sts-header-after",
    "post-sts-header-before",
    "post-vanilla",
    "post-vanilla-empty-query-value",
    "post-vanilla-query",
    "post-x-www-form-urlencoded",
    "post-x-www-form-urlencoded-parameters",
};

/* The token the suite's session-token case signs with (the header is added by the signer). */
static const char session_token_case[] = "get-vanilla-with-session-token";
static const char session_token[] =
    "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";

struct parsed_req {
	char *method, *path, *query, *body;
	struct aws_sigv4_header h[MAX_HEADERS];
	size_t nh;
};

static char *load(struct tb_arena *a, const char *name, const char *ext)
{
	char path[512], *text = NULL;

	snprintf(path, sizeof(path), "%s/sigv4/%s/%s.%s", TB_TEST_DATA, name, name, ext);
	assert_int_equal(aws_read_file(a, path, 1 << 20, &text, NULL), 0);
	return text;
}

/* "METHOD /path?query HTTP/1.1" */
static void parse_request_line(struct tb_arena *a, char *line, struct parsed_req *r)
{
	char *sp = strchr(line, ' '), *proto = strstr(line, " HTTP/1.1"), *q;

	assert_non_null(sp);
	assert_non_null(proto);
	r->method = tb_arena_strndup(a, line, (size_t)(sp - line));
	r->path = tb_arena_strndup(a, sp + 1, (size_t)(proto - sp - 1));
	q = strchr(r->path, '?');
	r->query = NULL;
	if (q) {
		*q = '\0';
		r->query = q + 1;
	}
}

/* Headers until a blank line; indented lines continue the previous value. */
static void parse_req(struct tb_arena *a, char *text, struct parsed_req *r)
{
	char *line = text, *next;

	memset(r, 0, sizeof(*r));
	next = strchr(line, '\n');
	if (next)
		*next++ = '\0';
	parse_request_line(a, line, r);
	r->body = "";
	for (line = next; line; line = next) {
		char *colon;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (*line == '\0') {
			r->body = next ? next : "";
			break;
		}
		if (*line == ' ' || *line == '\t') {
			assert_true(r->nh > 0);
			r->h[r->nh - 1].value =
			    tb_arena_printf(a, "%s\n%s", r->h[r->nh - 1].value, line);
			continue;
		}
		colon = strchr(line, ':');
		assert_non_null(colon);
		assert_true(r->nh < MAX_HEADERS);
		*colon = '\0';
		r->h[r->nh++] = (struct aws_sigv4_header){line, colon + 1};
	}
}

static void test_vector(void **state)
{
	const char *name = *state;
	struct tb_arena *a = tb_arena_new();
	struct parsed_req r;
	struct aws_sigv4_output out;
	struct aws_sigv4_input in = {
	    .access_key = "AKIDEXAMPLE",
	    .secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
	    .region = "us-east-1",
	    .service = "service",
	    .amz_date = "20150830T123600Z",
	};

	parse_req(a, load(a, name, "req"), &r);
	in.method = r.method;
	in.path = r.path;
	in.query = r.query;
	in.headers = r.h;
	in.n_headers = r.nh;
	in.body = r.body;
	in.body_len = strlen(r.body);
	if (strcmp(name, session_token_case) == 0)
		in.token = session_token;
	assert_int_equal(aws_sigv4_sign(a, &in, &out), 0);
	assert_string_equal(out.canonical_request, load(a, name, "creq"));
	assert_string_equal(out.string_to_sign, load(a, name, "sts"));
	assert_string_equal(out.authorization, load(a, name, "authz"));
	assert_null(out.date_header);
	if (in.token)
		assert_string_equal(out.token_header + strlen("X-Amz-Security-Token: "),
		                    session_token);
	tb_arena_free(a);
}

/* The signer adds X-Amz-Date itself when the request lacks it. */
static void test_adds_date_header(void **state)
{
	struct tb_arena *a = tb_arena_new();
	struct aws_sigv4_header h[] = {{"Host", "example.amazonaws.com"}};
	struct aws_sigv4_output out;
	struct aws_sigv4_input in = {
	    .method = "GET",
	    .path = "/",
	    .headers = h,
	    .n_headers = 1,
	    .access_key = "AKIDEXAMPLE",
	    .secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
	    .region = "us-east-1",
	    .service = "service",
	    .amz_date = "20150830T123600Z",
	};

	assert_int_equal(aws_sigv4_sign(a, &in, &out), 0);
	assert_string_equal(out.date_header, "X-Amz-Date: 20150830T123600Z");
	assert_string_equal(out.authorization, load(a, "get-vanilla", "authz"));
	tb_arena_free(a);
}

int main(void)
{
	struct CMUnitTest tests[sizeof(vector_cases) / sizeof(vector_cases[0]) + 1];
	size_t n = sizeof(vector_cases) / sizeof(vector_cases[0]);

	for (size_t i = 0; i < n; i++)
		tests[i] = (struct CMUnitTest){.name = vector_cases[i],
		                               .test_func = test_vector,
		                               .initial_state = (void *)vector_cases[i]};
	tests[n] =
	    (struct CMUnitTest){.name = "adds_date_header", .test_func = test_adds_date_header};
	return _cmocka_run_group_tests("aws_sigv4", tests, n + 1, NULL, NULL);
}
