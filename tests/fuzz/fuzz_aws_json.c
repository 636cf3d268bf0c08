/*
 * AWS JSON 1.1 answers and errors (aws/call.c, aws/protocols.c,
 * aws/errors.c, the header callback of aws/http.c): an answer as the
 * request loop settles it, then, for a 2xx answer, its document as
 * tb_aws_json returns it and the pagination token a walk would read.
 * Input: see fuzz_aws.h; the service is ECS.
 */
#include "fuzz_aws.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tb_arena *a = tb_arena_new();
	struct fuzz_in in = {data, size};
	struct aws_http_resp resp;
	struct tb_aws_ctx ctx = {.arena = a};
	struct aws_call call = {.svc = aws_service_find("ecs")};
	json_t *doc = NULL;

	if (!a)
		return 0;
	FUZZ_CHECK(call.svc && call.svc->protocol == AWS_PROTO_JSON);
	if (fuzz_aws_answer(a, &in, &resp, &call.action) &&
	    fuzz_aws_settle(&ctx, &call, &resp) == 0 && aws_json_answer(&ctx, &call, &doc) == 0) {
		FUZZ_CHECK(doc != NULL);
		(void)aws_json_str(doc, "nextToken");
		(void)aws_json_str(doc, "NextToken");
	}
	tb_buf_free(&resp.body);
	tb_arena_free(a);
	return 0;
}
