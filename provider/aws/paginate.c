/*
 * Pagination: JSON services pass a token (nextToken / NextToken) back in
 * the next request; Query services a Marker. A token repeated by the
 * service ends the walk instead of looping forever.
 */
#include <string.h>

#include "aws/internal.h"

static void decref(void *p)
{
	json_decref(p);
}

/* Hands the page to fn; 1 when the walk is over (fn stopped it or no token). */
static int json_page(struct tb_aws_ctx *ctx, json_t *page, json_t *req, const char *token_key,
                     int (*fn)(void *ud, json_t *page), void *ud)
{
	const char *next = aws_json_str(page, token_key);
	const char *prev = aws_json_str(req, token_key);
	int rc = fn(ud, page);

	if (rc)
		return rc;
	if (!next || !*next || tb_str_eq(next, prev))
		return 1;
	return json_object_set_new(req, token_key, json_string(next)) == 0 ? 0 : TB_ENOMEM;
}

/*
 * Calls action until the answer has no token_key (NULL: the service's
 * token name), fn returns 1, or an error. body is borrowed (copied once). Returns 0, fn's negative
 * value, or the call's error class with ctx->error filled.
 */
int tb_aws_json_paginate(struct tb_aws_ctx *ctx, const char *service, const char *action,
                         json_t *body, const char *token_key, int (*fn)(void *ud, json_t *page),
                         void *ud)
{
	const struct aws_service *svc = aws_service_find(service);
	json_t *req = body ? json_copy(body) : json_object();
	int rc = req ? tb_arena_defer(ctx->arena, decref, req) : TB_ENOMEM;

	if (token_key == NULL)
		token_key = svc && svc->page_token ? svc->page_token : "NextToken";

	while (rc == 0) {
		json_t *page = NULL;

		rc = tb_aws_json(ctx, service, action, req, &page);
		if (rc == 0)
			rc = json_page(ctx, page, req, token_key, fn, ud);
	}
	return rc == 1 ? 0 : rc;
}

/* The request parameter that carries a result's marker back, where its
 * name differs. */
static const struct {
	const char *result, *request;
} marker_params[] = {
    {.result = "NextMarker", .request = "Marker"},   /* ELBv2 */
    {.result = "nextToken", .request = "NextToken"}, /* EC2 */
};

/*
 * The request parameter that carries the marker back: "Marker" for
 * ELBv2's NextMarker and RDS's Marker, "NextToken" for CloudWatch's
 * NextToken and EC2's nextToken.
 */
static const char *marker_param(const char *marker_out_path)
{
	const char *slash = strrchr(marker_out_path, '/');
	const char *last = slash ? slash + 1 : marker_out_path;

	for (size_t i = 0; i < sizeof(marker_params) / sizeof(marker_params[0]); i++)
		if (strcmp(last, marker_params[i].result) == 0)
			return marker_params[i].request;
	return last;
}

/* The caller's parameters, with the marker parameter replaced once there is one. */
static int with_marker(struct tb_aws_ctx *ctx, const struct tb_aws_params *in, const char *name,
                       const char *marker, struct tb_aws_params *out)
{
	int rc = 0;

	tb_aws_params_init(out, ctx->arena);
	for (size_t i = 0; rc == 0 && in && i < in->n; i++)
		if (!marker || strcmp(in->items[i].name, name) != 0)
			rc = tb_aws_params_add(out, in->items[i].name, in->items[i].value);
	if (rc == 0 && marker)
		rc = tb_aws_params_add(out, name, marker);
	return rc;
}

/*
 * Calls action until the result has no marker at marker_out_path
 * ("NextMarker" for ELBv2, "Marker" for RDS, "NextToken" for CloudWatch,
 * "nextToken" for EC2), fn returns 1, or an error; the marker goes back as
 * Marker (NextToken for CloudWatch and EC2). Returns as
 * tb_aws_json_paginate.
 */
int tb_aws_query_paginate(struct tb_aws_ctx *ctx, const char *service, const char *action,
                          const struct tb_aws_params *params, const char *marker_out_path,
                          int (*fn)(void *ud, const struct tb_xml *result), void *ud)
{
	const char *marker = NULL;
	int rc = 0;

	while (rc == 0) {
		struct tb_aws_params p;
		const struct tb_xml *res = NULL;
		const char *next;

		rc = with_marker(ctx, params, marker_param(marker_out_path), marker, &p);
		if (rc == 0)
			rc = tb_aws_query(ctx, service, action, &p, &res);
		if (rc == 0)
			rc = fn(ud, res);
		if (rc)
			break;
		next = tb_xml_text(res, marker_out_path);
		if (!next || !*next || tb_str_eq(next, marker))
			break;
		marker = next;
	}
	return rc == 1 ? 0 : rc;
}
