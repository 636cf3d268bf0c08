/*
 * The input of the AWS answer targets, shaped like the answer itself:
 *
 *   <status> <Action>\n
 *   <header line>\r\n        (any number, each handed to the header callback)
 *   \r\n
 *   <body>
 */
#ifndef TB_FUZZ_AWS_H
#define TB_FUZZ_AWS_H

#include "aws/internal.h"
#include "fuzz.h"

/* Fills resp (body in resp->body: the caller frees it) and *action (arena)
 * from in; false when out of memory. */
static inline bool fuzz_aws_answer(struct tb_arena *a, struct fuzz_in *in,
                                   struct aws_http_resp *resp, const char **action)
{
	struct fuzz_span first = fuzz_field(in, '\n', NULL);
	char *line = fuzz_str(a, first), *sp;
	bool more = true;

	if (!line)
		return false;
	memset(resp, 0, sizeof(*resp));
	tb_buf_init(&resp->body);
	resp->status = strtol(line, &sp, 10) % 1000;
	*action = *sp == ' ' ? sp + 1 : "DescribeThings";
	while (more && in->n) {
		struct fuzz_in rest = *in;
		struct fuzz_span h = fuzz_field(in, '\n', &more);
		size_t n = h.n + (more ? 1 : 0);

		if (h.n == 0 || (h.n == 1 && h.p[0] == '\r'))
			break;
		aws_http_on_header((char *)rest.p, 1, n, resp);
	}
	return tb_buf_append(&resp->body, in->p, in->n) == 0;
}

/* One exchange of call as the request loop settles it; the error, when there
 * is one, must name the service and action and format. */
static inline int fuzz_aws_settle(struct tb_aws_ctx *ctx, struct aws_call *call,
                                  struct aws_http_resp *resp)
{
	int rc = aws_call_settle(ctx, call, resp, 0);

	if (rc != 0) {
		FUZZ_CHECK(rc < 0);
		FUZZ_CHECK(ctx->error.err == rc);
		FUZZ_CHECK(ctx->error.service && ctx->error.action);
		FUZZ_CHECK(ctx->error.code || ctx->error.message);
		FUZZ_CHECK(tb_aws_error_string(ctx->arena, &ctx->error) != NULL);
	}
	return rc;
}

#endif
