/*
 * Query/XML answers and errors (aws/call.c, aws/protocols.c, aws/errors.c,
 * aws/xml.c, the header callback of aws/http.c): an answer as the request
 * loop settles it, then, for a 2xx answer, its <ActionResult> as
 * tb_aws_query returns it, and the lookups resources and pagination make
 * in it. Input: see fuzz_aws.h; the service is Elastic Load Balancing.
 */
#include "fuzz_aws.h"

/* Paths the provider reads from Query answers (and the markers of pagination). */
static const char *const paths[] = {
    "NextMarker",
    "Marker",
    "NextToken",
    "TargetGroups/member/TargetGroupArn",
    "Rules/member/Conditions/member/Values/member",
    "Attributes/member/Key",
    "Credentials/AccessKeyId",
    "DBProxies/member/Endpoint",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tb_arena *a = tb_arena_new();
	struct fuzz_in in = {data, size};
	struct aws_http_resp resp;
	struct tb_aws_ctx ctx = {.arena = a};
	struct aws_call call = {.svc = aws_service_find("elasticloadbalancing")};
	const struct tb_xml *res = NULL;

	if (!a)
		return 0;
	FUZZ_CHECK(call.svc && call.svc->protocol == AWS_PROTO_QUERY);
	if (fuzz_aws_answer(a, &in, &resp, &call.action) &&
	    fuzz_aws_settle(&ctx, &call, &resp) == 0 && aws_query_answer(&ctx, &call, &res) == 0) {
		FUZZ_CHECK(res != NULL && res->name && res->text);
		for (size_t i = 0; i < TB_COUNT(paths); i++)
			(void)tb_xml_text(res, paths[i]);
		for (const struct tb_xml *n = res->children; n; n = n->next)
			FUZZ_CHECK(n->name && n->text);
	}
	tb_buf_free(&resp.body);
	tb_arena_free(a);
	return 0;
}
