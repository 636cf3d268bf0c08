/*
 * The two wire protocols: JSON 1.1 (X-Amz-Target, JSON body) and Query
 * (form-encoded Action/Version/parameters, XML response; EC2 answers in its
 * own dialect of it), plus the
 * idempotency tokens added to create calls that accept one.
 */
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "aws/internal.h"

struct client_token {
	const char *service;
	const char *action;
	const char *field;
};

/* clang-format off */
static const struct client_token client_tokens[] = {
	{.service = "ecs", .action = "CreateService", .field = "clientToken"},
	{.service = "ecs", .action = "CreateTaskSet", .field = "clientToken"},
	{.service = "secretsmanager", .action = "CreateSecret", .field = "ClientRequestToken"},
	{.service = "secretsmanager", .action = "PutSecretValue", .field = "ClientRequestToken"},
	{.service = "secretsmanager", .action = "UpdateSecret", .field = "ClientRequestToken"},
	{.service = "secretsmanager", .action = "RotateSecret", .field = "ClientRequestToken"},
};
/* clang-format on */

const char *aws_client_token_field(const char *service, const char *action)
{
	for (size_t i = 0; i < sizeof(client_tokens) / sizeof(client_tokens[0]); i++)
		if (tb_str_eq(client_tokens[i].service, service) &&
		    tb_str_eq(client_tokens[i].action, action))
			return client_tokens[i].field;
	return NULL;
}

int aws_uuid4(char out[37])
{
	unsigned char b[16];

	if (RAND_bytes(b, sizeof(b)) != 1)
		return TB_EIO;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
	         b[13], b[14], b[15]);
	return 0;
}

static void decref(void *p)
{
	json_decref(p);
}

/*
 * The request body as text: body itself, or a copy with an idempotency
 * token when the action takes one and the caller gave none. Caller frees.
 */
static int json_request_text(const struct aws_service *svc, const char *action, json_t *body,
                             char **out)
{
	const char *field = aws_client_token_field(svc->id, action);
	json_t *req = body ? json_incref(body) : json_object();
	char uuid[37];
	int rc = req ? 0 : TB_ENOMEM;

	if (rc == 0 && field && !json_object_get(req, field)) {
		json_t *copy = json_copy(req);

		json_decref(req);
		req = copy;
		rc = req && aws_uuid4(uuid) == 0 &&
		             json_object_set_new(req, field, json_string(uuid)) == 0
		         ? 0
		         : TB_ENOMEM;
	}
	*out = rc == 0 ? json_dumps(req, JSON_COMPACT) : NULL;
	if (rc == 0 && !*out)
		rc = TB_ENOMEM;
	json_decref(req);
	return rc;
}

/* Whether svc answers calls of proto: JSON, or Query (which EC2's dialect is). */
static bool speaks(const struct aws_service *svc, enum aws_protocol proto)
{
	if (proto == AWS_PROTO_JSON)
		return svc->protocol == AWS_PROTO_JSON;
	return svc->protocol != AWS_PROTO_JSON;
}

static const struct aws_service *service_for(struct tb_aws_ctx *ctx, const char *service,
                                             const char *action, enum aws_protocol proto)
{
	const struct aws_service *svc = aws_service_find(service);

	if (!svc || !speaks(svc, proto)) {
		aws_fail(ctx, TB_EINVAL, service, action, "no %s service named \"%s\"",
		         proto == AWS_PROTO_JSON ? "JSON" : "Query", service ? service : "");
		return NULL;
	}
	return svc;
}

/* The document of a 2xx JSON answer; see internal.h. */
int aws_json_answer(struct tb_aws_ctx *ctx, const struct aws_call *call, json_t **out)
{
	json_t *resp =
	    call->resp_len ? json_loadb(call->resp, call->resp_len, 0, NULL) : json_object();
	int rc;

	if (!resp)
		return aws_fail(ctx, TB_EAWS, call->svc->id, call->action,
		                "malformed JSON in the response");
	rc = tb_arena_defer(ctx->arena, decref, resp);
	if (rc == 0)
		*out = resp;
	return rc;
}

/*
 * Sends a JSON 1.1 call. Returns 0 and *out (owned by ctx->arena), or the
 * TB_E* class of the failure with ctx->error filled. body is borrowed.
 */
int tb_aws_json(struct tb_aws_ctx *ctx, const char *service, const char *action, json_t *body,
                json_t **out)
{
	const struct aws_service *svc = service_for(ctx, service, action, AWS_PROTO_JSON);
	struct aws_call call = {.svc = svc, .action = action};
	char *text = NULL;
	json_t *resp = NULL;
	int rc = svc ? json_request_text(svc, action, body, &text) : TB_EINVAL;

	if (rc == 0) {
		call.content_type = "application/x-amz-json-1.1";
		call.target = tb_arena_printf(ctx->arena, "%s.%s", svc->api, action);
		call.body = text;
		call.body_len = strlen(text);
		rc = call.target ? aws_call_do(ctx, &call) : TB_ENOMEM;
	}
	if (rc == 0)
		rc = aws_json_answer(ctx, &call, &resp);
	free(text);
	if (rc == 0)
		*out = resp;
	return rc;
}

void tb_aws_params_init(struct tb_aws_params *p, struct tb_arena *a)
{
	*p = (struct tb_aws_params){.arena = a};
}

/* Adds a name/value pair (both copied into the arena). 0 or TB_ENOMEM. */
int tb_aws_params_add(struct tb_aws_params *p, const char *name, const char *value)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 16;
		struct tb_aws_param *items = tb_arena_alloc(p->arena, cap * sizeof(*items));

		if (!items)
			return TB_ENOMEM;
		if (p->n)
			memcpy(items, p->items, p->n * sizeof(*items));
		p->items = items;
		p->cap = cap;
	}
	p->items[p->n].name = tb_arena_strdup(p->arena, name);
	p->items[p->n].value = tb_arena_strdup(p->arena, value ? value : "");
	if (!p->items[p->n].name || !p->items[p->n].value)
		return TB_ENOMEM;
	p->n++;
	return 0;
}

/* Adds a pair whose name is printf-formatted. 0 or TB_ENOMEM. */
int tb_aws_params_addf(struct tb_aws_params *p, const char *value, const char *name_fmt, ...)
{
	va_list ap;
	char *name;

	va_start(ap, name_fmt);
	name = tb_arena_vprintf(p->arena, name_fmt, ap);
	va_end(ap);
	return name ? tb_aws_params_add(p, name, value) : TB_ENOMEM;
}

static int form_pair(struct tb_buf *b, const char *name, const char *value)
{
	int rc = tb_buf_putc(b, '&');

	if (rc == 0)
		rc = aws_uri_encode(b, name, strlen(name), false);
	if (rc == 0)
		rc = tb_buf_putc(b, '=');
	if (rc == 0)
		rc = aws_uri_encode(b, value, strlen(value), false);
	return rc;
}

/* The form body: Action=..&Version=..&name=value... */
static int query_body(const struct aws_service *svc, const char *action,
                      const struct tb_aws_params *params, struct tb_buf *b)
{
	int rc = tb_buf_puts(b, "Action=");

	if (rc == 0)
		rc = aws_uri_encode(b, action, strlen(action), false);
	if (rc == 0)
		rc = form_pair(b, "Version", svc->api);
	for (size_t i = 0; rc == 0 && params && i < params->n; i++)
		rc = form_pair(b, params->items[i].name, params->items[i].value);
	return rc;
}

/* <ActionResult> of a Query answer, or an empty element when there is none;
 * for EC2 the answer's root <ActionResponse>, which holds the result. See
 * internal.h. */
int aws_query_answer(struct tb_aws_ctx *ctx, const struct aws_call *call, const struct tb_xml **out)
{
	const struct tb_xml *root = NULL, *res;
	char *name = tb_arena_printf(ctx->arena, "%sResult", call->action);
	struct tb_xml *empty;
	int rc = name ? tb_xml_parse(ctx->arena, call->resp, call->resp_len, &root) : TB_ENOMEM;

	if (rc)
		return aws_fail(ctx, rc == TB_ENOMEM ? rc : TB_EAWS, call->svc->id, call->action,
		                "malformed XML in the response");
	res = call->svc->protocol == AWS_PROTO_EC2 ? root : tb_xml_child(root, name);
	if (!res) {
		empty = tb_arena_alloc(ctx->arena, sizeof(*empty));
		if (!empty)
			return TB_ENOMEM;
		empty->name = name;
		empty->text = "";
		res = empty;
	}
	*out = res;
	return 0;
}

int aws_query_call(struct tb_aws_ctx *ctx, const char *service, const char *action,
                   const struct tb_aws_params *params, const struct aws_creds *creds,
                   bool anonymous, const struct tb_xml **out)
{
	const struct aws_service *svc = service_for(ctx, service, action, AWS_PROTO_QUERY);
	struct aws_call call = {
	    .svc = svc, .action = action, .creds = creds, .anonymous = anonymous};
	struct tb_buf body;
	int rc = svc ? 0 : TB_EINVAL;

	tb_buf_init(&body);
	if (rc == 0)
		rc = query_body(svc, action, params, &body);
	if (rc == 0) {
		call.content_type = "application/x-www-form-urlencoded; charset=utf-8";
		call.body = body.data;
		call.body_len = body.len;
		rc = aws_call_do(ctx, &call);
	}
	if (rc == 0)
		rc = aws_query_answer(ctx, &call, out);
	tb_buf_free(&body);
	return rc;
}

/*
 * Sends a Query call. Returns 0 and *out (the <ActionResult> element, in
 * ctx->arena; an empty element when the answer has none; for ec2 the
 * <ActionResponse> root), or the TB_E*
 * class of the failure with ctx->error filled. params may be NULL.
 */
int tb_aws_query(struct tb_aws_ctx *ctx, const char *service, const char *action,
                 const struct tb_aws_params *params, const struct tb_xml **out)
{
	return aws_query_call(ctx, service, action, params, NULL, false, out);
}
