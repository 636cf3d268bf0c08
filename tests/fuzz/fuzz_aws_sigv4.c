/*
 * SigV4 canonicalisation and signing (aws/sigv4.c): path normalisation and
 * encoding, query sorting, header folding and sorting.
 *
 * Input: a request in the AWS SigV4 test suite's .req format
 * (tests/data/sigv4/): "METHOD /path?query HTTP/1.1", header lines
 * ("Name:value"; indented lines continue the previous value), a blank line,
 * the body. Signing must succeed, give the same result twice, and give an
 * Authorization header of the documented shape.
 */
#include "aws/internal.h"
#include "fuzz.h"

#define MAX_HEADERS 32
#define AUTHZ_PREFIX                                                                               \
	"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "        \
	"SignedHeaders="

struct req {
	char *method, *path, *query;
	struct fuzz_span body;
	struct aws_sigv4_header h[MAX_HEADERS];
	size_t nh;
};

/* "METHOD /path?query HTTP/1.1"; false when the line is not one. */
static bool request_line(struct tb_arena *a, char *line, struct req *r)
{
	char *sp = strchr(line, ' '), *proto = strstr(line, " HTTP/1.1"), *q;

	if (!sp || !proto || proto < sp)
		return false;
	r->method = tb_arena_strndup(a, line, (size_t)(sp - line));
	r->path = proto > sp ? tb_arena_strndup(a, sp + 1, (size_t)(proto - sp - 1)) : NULL;
	if (!r->method || !r->path)
		return false;
	q = strchr(r->path, '?');
	if (q) {
		*q = '\0';
		r->query = q + 1;
	}
	return true;
}

/* One header line (or a continuation); false when it is neither. */
static bool header_line(struct tb_arena *a, char *line, struct req *r)
{
	char *colon = strchr(line, ':');

	if (*line == ' ' || *line == '\t') {
		if (r->nh == 0)
			return false;
		r->h[r->nh - 1].value = tb_arena_printf(a, "%s\n%s", r->h[r->nh - 1].value, line);
		return r->h[r->nh - 1].value != NULL;
	}
	if (!colon || r->nh == MAX_HEADERS)
		return false;
	*colon = '\0';
	r->h[r->nh++] = (struct aws_sigv4_header){line, colon + 1};
	return true;
}

static bool parse(struct tb_arena *a, struct fuzz_in *in, struct req *r)
{
	bool more = true;
	char *line = fuzz_str(a, fuzz_field(in, '\n', &more));

	memset(r, 0, sizeof(*r));
	if (!line || !more || !request_line(a, line, r))
		return false;
	while (in->n) {
		line = fuzz_str(a, fuzz_field(in, '\n', &more));
		if (!line)
			return false;
		if (*line == '\0')
			break;
		if (!header_line(a, line, r))
			return false;
	}
	r->body = (struct fuzz_span){(const char *)in->p, in->n};
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tb_arena *a = tb_arena_new();
	struct fuzz_in in = {data, size};
	struct aws_sigv4_output out = {0}, again = {0};
	struct req r;
	struct aws_sigv4_input sig = {
	    .access_key = "AKIDEXAMPLE",
	    .secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
	    .region = "us-east-1",
	    .service = "service",
	    .amz_date = "20150830T123600Z",
	};

	if (!a)
		return 0;
	if (parse(a, &in, &r)) {
		sig.method = r.method;
		sig.path = r.path;
		sig.query = r.query;
		sig.headers = r.h;
		sig.n_headers = r.nh;
		sig.body = r.body.p;
		sig.body_len = r.body.n;
		sig.token =
		    r.nh % 2 ? "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQW"
		             : NULL;
		FUZZ_CHECK(aws_sigv4_sign(a, &sig, &out) == 0);
		FUZZ_CHECK(aws_sigv4_sign(a, &sig, &again) == 0);
		FUZZ_CHECK(strcmp(out.canonical_request, again.canonical_request) == 0);
		FUZZ_CHECK(strcmp(out.authorization, again.authorization) == 0);
		FUZZ_CHECK(strncmp(out.authorization, AUTHZ_PREFIX, strlen(AUTHZ_PREFIX)) == 0);
		FUZZ_CHECK(strstr(out.authorization, ", Signature=") != NULL);
	}
	tb_arena_free(a);
	return 0;
}
