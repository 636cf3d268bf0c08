/*
 * One AWS call: resolve credentials, sign, send, decode the error, and
 * retry throttling, 5xx, timeouts and connection errors with full-jitter
 * exponential backoff. One debug log line per attempt; never headers or
 * bodies.
 */
#include <curl/curl.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/internal.h"
#include "tb/log.h"

#define SLEEP_SLICE_MS 200

bool tb_aws_canceled(const struct tb_aws_client *c)
{
	return c && c->set.cancel && atomic_load(c->set.cancel);
}

int aws_sleep_deadline(struct tb_aws_client *c, int64_t ms, int64_t deadline_ms)
{
	int64_t end = tb_now_ms() + (ms > 0 ? ms : 0);

	if (deadline_ms && deadline_ms < end)
		end = deadline_ms;
	for (int64_t now = tb_now_ms(); now < end; now = tb_now_ms()) {
		int64_t slice = end - now < SLEEP_SLICE_MS ? end - now : SLEEP_SLICE_MS;
		struct timespec ts = {.tv_sec = slice / 1000, .tv_nsec = (slice % 1000) * 1000000L};

		if (tb_aws_canceled(c))
			return TB_ECANCELED;
		nanosleep(&ts, NULL);
	}
	return tb_aws_canceled(c) ? TB_ECANCELED : 0;
}

/*
 * Sleeps ms milliseconds in slices of at most 200 ms, returning
 * TB_ECANCELED as soon as the client's cancel flag is set, else 0.
 */
int tb_aws_sleep(struct tb_aws_client *c, int64_t ms)
{
	return aws_sleep_deadline(c, ms, 0);
}

int64_t aws_backoff_ms(const struct tb_aws_client *c, int attempt)
{
	int64_t ceiling = c->set.retry_base_ms;
	uint64_t r = 0;

	for (int i = 0; i < attempt && ceiling < c->set.retry_cap_ms; i++)
		ceiling *= 2;
	if (ceiling > c->set.retry_cap_ms)
		ceiling = c->set.retry_cap_ms;
	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		r = (uint64_t)random();
	return (int64_t)(r % (uint64_t)(ceiling + 1));
}

static bool retryable(int err)
{
	return err == TB_ETHROTTLED || err == TB_ETRANSIENT || err == TB_ETIMEOUT;
}

/* Host header value and path of an endpoint URL. */
static int split_url(struct tb_arena *a, const char *url, char **host, char **path)
{
	CURLU *u = aws_curl.url();
	char *h = NULL, *port = NULL, *p = NULL;
	int rc = TB_EINVAL;

	if (u && aws_curl.url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    aws_curl.url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK &&
	    aws_curl.url_get(u, CURLUPART_PATH, &p, 0) == CURLUE_OK) {
		aws_curl.url_get(u, CURLUPART_PORT, &port, 0);
		*host = port ? tb_arena_printf(a, "%s:%s", h, port) : tb_arena_strdup(a, h);
		*path = tb_arena_strdup(a, *p ? p : "/");
		rc = *host && *path ? 0 : TB_ENOMEM;
	}
	aws_curl.free(h);
	aws_curl.free(port);
	aws_curl.free(p);
	aws_curl.url_cleanup(u);
	return rc;
}

static int add_line(struct curl_slist **l, const char *line)
{
	struct curl_slist *n = line ? aws_curl.slist_append(*l, line) : NULL;

	if (!n)
		return TB_ENOMEM;
	*l = n;
	return 0;
}

/* Signs the call with creds (NULL: unsigned) and builds the header list. */
static int sign_headers(struct tb_aws_ctx *ctx, const struct aws_call *call,
                        const struct aws_creds *cr, struct curl_slist **hdrs)
{
	struct tb_arena *a = ctx->arena;
	struct aws_sigv4_header sh[3];
	struct aws_sigv4_input in = {
	    .method = "POST", .body = call->body, .body_len = call->body_len};
	struct aws_sigv4_output out = {0};
	char date[17], *host = NULL, *path = NULL;
	int rc = split_url(a, ctx->client->endpoints[call->svc - aws_services], &host, &path);

	tb_time_amz((int64_t)tb_wall_time(), date);
	sh[0] = (struct aws_sigv4_header){"Host", host};
	sh[1] = (struct aws_sigv4_header){"Content-Type", call->content_type};
	sh[2] = (struct aws_sigv4_header){"X-Amz-Target", call->target};
	in.path = path;
	in.headers = sh;
	in.n_headers = call->target ? 3 : 2;
	in.region = aws_signing_region(ctx->client, call->svc);
	in.service = call->svc->signing_name;
	in.amz_date = date;
	if (rc == 0 && cr) {
		in.access_key = cr->access_key;
		in.secret_key = cr->secret_key;
		in.token = cr->token;
		rc = aws_sigv4_sign(a, &in, &out);
	}
	for (size_t i = 0; rc == 0 && i < in.n_headers; i++)
		rc = add_line(hdrs, tb_arena_printf(a, "%s: %s", sh[i].name, sh[i].value));
	if (rc == 0)
		rc = add_line(hdrs, "Expect:");
	if (rc == 0 && out.date_header)
		rc = add_line(hdrs, out.date_header);
	if (rc == 0 && out.token_header)
		rc = add_line(hdrs, out.token_header);
	if (rc == 0 && out.authorization)
		rc = add_line(hdrs, tb_arena_printf(a, "Authorization: %s", out.authorization));
	return rc;
}

/* Credentials for the call: its own, none, or the client's chain. */
static int call_creds(struct tb_aws_ctx *ctx, const struct aws_call *call, struct aws_creds *cr,
                      const struct aws_creds **out)
{
	struct tb_buf why;
	int rc = 0;

	*out = NULL;
	if (call->anonymous)
		return 0;
	if (call->creds) {
		*out = call->creds;
		return 0;
	}
	tb_buf_init(&why);
	rc = aws_creds_get(ctx->client, ctx->arena, cr, &why);
	if (rc)
		aws_fail(ctx, rc, call->svc->id, call->action, "refreshing credentials: %s",
		         why.data ? why.data : tb_strerror(rc));
	else
		*out = cr;
	tb_buf_free(&why);
	return rc;
}

static void log_attempt(struct tb_aws_ctx *ctx, const struct aws_call *call, int rc, int attempt,
                        int64_t ms)
{
	char status[16], dur[24], att[16];

	if (!tb_log_enabled(TB_LOG_DEBUG))
		return;
	snprintf(status, sizeof(status), "%ld", call->status);
	snprintf(dur, sizeof(dur), "%lld", (long long)ms);
	snprintf(att, sizeof(att), "%d", attempt);
	tb_log(TB_LOG_DEBUG, "aws", "AWS request", "service", call->svc->id, "action", call->action,
	       "http_status", status, "duration_ms", dur, "attempt", att, "request_id",
	       rc ? (ctx->error.request_id ? ctx->error.request_id : "") : call->request_id,
	       rc ? "error_code" : NULL, ctx->error.code ? ctx->error.code : tb_strerror(rc), NULL);
}

/* Outcome of one HTTP exchange: success, an AWS error, or a transport error;
 * see internal.h. */
int aws_call_settle(struct tb_aws_ctx *ctx, struct aws_call *call, struct aws_http_resp *resp,
                    int rc)
{
	call->status = resp->status;
	if (rc)
		return aws_fail(ctx, rc, call->svc->id, call->action, "%s",
		                resp->errbuf[0] ? resp->errbuf : tb_strerror(rc));
	if (resp->status >= 200 && resp->status < 300) {
		call->resp = tb_arena_strndup(ctx->arena, resp->body.data ? resp->body.data : "",
		                              resp->body.len);
		call->resp_len = resp->body.len;
		call->request_id = tb_arena_strdup(ctx->arena, resp->request_id);
		return call->resp && call->request_id ? 0 : TB_ENOMEM;
	}
	aws_error_decode(ctx->arena, call->svc->protocol, resp, &ctx->error);
	ctx->error.service = call->svc->id;
	ctx->error.action = call->action;
	return ctx->error.err;
}

static int attempt_once(struct tb_aws_ctx *ctx, struct aws_call *call, struct aws_http_resp *resp,
                        int attempt)
{
	struct tb_aws_client *c = ctx->client;
	struct aws_creds store;
	const struct aws_creds *cr = NULL;
	struct curl_slist *hdrs = NULL;
	struct aws_http_req req = {
	    .method = "POST",
	    .url = c->endpoints[call->svc - aws_services],
	    .body = call->body,
	    .body_len = call->body_len,
	    .timeout_ms = c->set.request_timeout_ms,
	    .deadline_ms = ctx->deadline_ms,
	};
	int64_t t0 = tb_now_ms();
	int rc = call_creds(ctx, call, &store, &cr);

	if (rc)
		return rc;
	rc = sign_headers(ctx, call, cr, &hdrs);
	if (rc) {
		aws_curl.slist_free_all(hdrs);
		return aws_fail(ctx, rc, call->svc->id, call->action, "signing the request failed");
	}
	req.headers = hdrs;
	tb_buf_reset(&resp->body);
	rc = aws_call_settle(ctx, call, resp, aws_http_perform(c, &req, resp));
	aws_curl.slist_free_all(hdrs);
	log_attempt(ctx, call, rc, attempt, tb_now_ms() - t0);
	return rc;
}

int aws_call_do(struct tb_aws_ctx *ctx, struct aws_call *call)
{
	struct tb_aws_client *c = ctx->client;
	struct aws_http_resp resp;
	int rc;

	memset(&resp, 0, sizeof(resp));
	tb_buf_init(&resp.body);
	ctx->error = (struct tb_aws_error){0};
	for (int attempt = 0;; attempt++) {
		if (aws_rate_acquire(c, call->svc, ctx->deadline_ms) != 0) {
			rc = aws_fail(ctx, TB_ECANCELED, call->svc->id, call->action,
			              "canceled while pacing requests after throttling");
			break;
		}
		call->status = 0;
		rc = attempt_once(ctx, call, &resp, attempt + 1);
		if (call->status > 0)
			aws_rate_record(c, call->svc, rc == TB_ETHROTTLED);
		if (rc == 0 || !retryable(rc) || attempt >= c->set.max_retries)
			break;
		if (ctx->deadline_ms && tb_now_ms() >= ctx->deadline_ms)
			break;
		if (aws_sleep_deadline(c, aws_backoff_ms(c, attempt), ctx->deadline_ms) != 0) {
			rc = aws_fail(ctx, TB_ECANCELED, call->svc->id, call->action,
			              "canceled while waiting to retry after: %s",
			              tb_aws_error_string(ctx->arena, &ctx->error));
			break;
		}
	}
	tb_buf_free(&resp.body);
	return rc;
}
