/*
 * HTTP transport over libcurl (loaded by curl_api.c): a small pool of easy
 * handles, each keeping its own open connections, sharing one DNS and
 * TLS-session cache; per-request timeouts bounded by the call's deadline,
 * and cancellation through the progress callback. The connection cache is
 * not shared: libcurl documents that as unsafe between concurrent threads
 * (KNOWN_BUGS, "A shared connection cache is not thread-safe").
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/internal.h"

#define BODY_MAX (64u << 20)

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *ud)
{
	struct aws_http_pool *p = ud;
	pthread_mutex_lock(&p->share_mu[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *ud)
{
	struct aws_http_pool *p = ud;
	pthread_mutex_unlock(&p->share_mu[data]);
}

/*
 * Initialises the pool; 0, TB_ENOMEM, or TB_EFAILED with *errmsg (malloc'd)
 * when libcurl cannot be loaded. Must run before any thread uses the client
 * (it also loads libcurl once per process). aws_http_cleanup releases the
 * pool whatever this returned.
 */
int aws_http_init(struct aws_http_pool *p, char **errmsg)
{
	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->mu, NULL);
	for (size_t i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&p->share_mu[i], NULL);
	if (aws_curl_load(errmsg) != 0)
		return TB_EFAILED;
	p->share = aws_curl.share_init();
	if (!p->share)
		return TB_ENOMEM;
	aws_curl.share_setopt(p->share, CURLSHOPT_LOCKFUNC, share_lock);
	aws_curl.share_setopt(p->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
	aws_curl.share_setopt(p->share, CURLSHOPT_USERDATA, p);
	aws_curl.share_setopt(p->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	aws_curl.share_setopt(p->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	return 0;
}

void aws_http_cleanup(struct aws_http_pool *p)
{
	for (size_t i = 0; i < p->n_idle; i++)
		aws_curl.easy_cleanup(p->idle[i]);
	p->n_idle = 0;
	if (p->share)
		aws_curl.share_cleanup(p->share);
	p->share = NULL;
	for (size_t i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&p->share_mu[i]);
	pthread_mutex_destroy(&p->mu);
}

static CURL *pool_get(struct aws_http_pool *p)
{
	CURL *h = NULL;

	pthread_mutex_lock(&p->mu);
	if (p->n_idle)
		h = p->idle[--p->n_idle];
	pthread_mutex_unlock(&p->mu);
	if (h)
		aws_curl.easy_reset(h);
	else
		h = aws_curl.easy_init();
	return h;
}

static void pool_put(struct aws_http_pool *p, CURL *h)
{
	pthread_mutex_lock(&p->mu);
	if (p->n_idle < AWS_POOL_MAX) {
		p->idle[p->n_idle++] = h;
		h = NULL;
	}
	pthread_mutex_unlock(&p->mu);
	if (h)
		aws_curl.easy_cleanup(h);
}

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
	struct aws_http_resp *r = ud;
	return tb_buf_append(&r->body, data, size * n) == 0 ? size * n : 0;
}

static void copy_value(char *dst, size_t cap, const char *v, size_t n)
{
	while (n && (*v == ' ' || *v == '\t'))
		v++, n--;
	while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
		n--;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

/* Records the request ID and error type headers of an answer; see internal.h. */
size_t aws_http_on_header(char *data, size_t size, size_t n, void *ud)
{
	struct aws_http_resp *r = ud;
	size_t len = size * n;
	const char *colon = memchr(data, ':', len);
	size_t nlen = colon ? (size_t)(colon - data) : 0;

	if (!colon)
		return len;
	if ((nlen == 16 && strncasecmp(data, "x-amzn-requestid", nlen) == 0) ||
	    (nlen == 16 && strncasecmp(data, "x-amz-request-id", nlen) == 0))
		copy_value(r->request_id, sizeof(r->request_id), colon + 1, len - nlen - 1);
	else if (nlen == 16 && strncasecmp(data, "x-amzn-errortype", nlen) == 0)
		copy_value(r->error_type, sizeof(r->error_type), colon + 1, len - nlen - 1);
	return len;
}

static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	return tb_aws_canceled(ud) ? 1 : 0;
}

struct curl_class {
	CURLcode cc;
	int err;
};

/* clang-format off */
static const struct curl_class curl_classes[] = {
	{.cc = CURLE_ABORTED_BY_CALLBACK, .err = TB_ECANCELED},
	{.cc = CURLE_OPERATION_TIMEDOUT, .err = TB_ETIMEOUT},
	{.cc = CURLE_COULDNT_CONNECT, .err = TB_ETRANSIENT},
	{.cc = CURLE_SEND_ERROR, .err = TB_ETRANSIENT},
	{.cc = CURLE_RECV_ERROR, .err = TB_ETRANSIENT},
	{.cc = CURLE_GOT_NOTHING, .err = TB_ETRANSIENT},
	{.cc = CURLE_PARTIAL_FILE, .err = TB_ETRANSIENT},
	{.cc = CURLE_HTTP2, .err = TB_ETRANSIENT},
	{.cc = CURLE_HTTP2_STREAM, .err = TB_ETRANSIENT},
	{.cc = CURLE_WRITE_ERROR, .err = TB_ENOMEM},
	{.cc = CURLE_OUT_OF_MEMORY, .err = TB_ENOMEM},
};
/* clang-format on */

static int curl_class(CURLcode cc)
{
	for (size_t i = 0; i < sizeof(curl_classes) / sizeof(curl_classes[0]); i++)
		if (curl_classes[i].cc == cc)
			return curl_classes[i].err;
	return cc == CURLE_OK ? 0 : TB_EIO;
}

static void set_method(CURL *h, const struct aws_http_req *req)
{
	if (strcmp(req->method, "GET") == 0) {
		aws_curl.easy_setopt(h, CURLOPT_HTTPGET, 1L);
		return;
	}
	aws_curl.easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
	aws_curl.easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "");
	if (strcmp(req->method, "POST") != 0)
		aws_curl.easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
}

/* TLS 1.2 or later (what AWS endpoints accept), verified against
 * AWS_CA_BUNDLE or the system's roots found as Go finds them (ca_roots.c). */
static void set_trust(const struct tb_aws_client *c, CURL *h)
{
	const struct aws_ca_roots *roots = aws_ca_roots();

	aws_curl.easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (c->set.ca_bundle)
		aws_curl.easy_setopt(h, CURLOPT_CAINFO, c->set.ca_bundle);
	else if (roots->file[0])
		aws_curl.easy_setopt(h, CURLOPT_CAINFO, roots->file);
	if (roots->dirs[0])
		aws_curl.easy_setopt(h, CURLOPT_CAPATH, roots->dirs);
}

static void set_options(struct tb_aws_client *c, CURL *h, const struct aws_http_req *req,
                        struct aws_http_resp *resp, int64_t timeout_ms)
{
	int64_t connect_ms = req->connect_timeout_ms ? req->connect_timeout_ms : 10000;

	aws_curl.easy_setopt(h, CURLOPT_URL, req->url);
	aws_curl.easy_setopt(h, CURLOPT_SHARE, c->http.share);
	aws_curl.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	aws_curl.easy_setopt(h, CURLOPT_MAXCONNECTS, (long)AWS_POOL_MAX);
	aws_curl.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	aws_curl.easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	aws_curl.easy_setopt(h, CURLOPT_HTTPHEADER, req->headers);
	aws_curl.easy_setopt(h, CURLOPT_USERAGENT, c->set.user_agent);
	aws_curl.easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	aws_curl.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
	                     (long)(connect_ms < timeout_ms ? connect_ms : timeout_ms));
	aws_curl.easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	aws_curl.easy_setopt(h, CURLOPT_WRITEDATA, resp);
	aws_curl.easy_setopt(h, CURLOPT_HEADERFUNCTION, aws_http_on_header);
	aws_curl.easy_setopt(h, CURLOPT_HEADERDATA, resp);
	aws_curl.easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	aws_curl.easy_setopt(h, CURLOPT_XFERINFODATA, c);
	aws_curl.easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	aws_curl.easy_setopt(h, CURLOPT_ERRORBUFFER, resp->errbuf);
	set_trust(c, h);
	set_method(h, req);
}

int aws_http_perform(struct tb_aws_client *c, const struct aws_http_req *req,
                     struct aws_http_resp *resp)
{
	int64_t timeout_ms = req->timeout_ms > 0 ? req->timeout_ms : 60000;
	CURL *h = NULL;
	CURLcode cc;
	int rc = 0;

	resp->status = 0;
	resp->request_id[0] = resp->error_type[0] = resp->errbuf[0] = '\0';
	resp->body.max = BODY_MAX;
	if (req->deadline_ms && req->deadline_ms - tb_now_ms() < timeout_ms)
		timeout_ms = req->deadline_ms - tb_now_ms();
	if (timeout_ms <= 0) {
		snprintf(resp->errbuf, sizeof(resp->errbuf), "deadline exceeded");
		return TB_ETIMEOUT;
	}
	if (tb_aws_canceled(c))
		return TB_ECANCELED;
	h = pool_get(&c->http);
	if (!h)
		return TB_ENOMEM;
	set_options(c, h, req, resp, timeout_ms);
	atomic_fetch_add(&c->requests, 1);
	cc = aws_curl.easy_perform(h);
	if (cc == CURLE_OK)
		aws_curl.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
	else if (cc == CURLE_ABORTED_BY_CALLBACK && tb_aws_canceled(c))
		snprintf(resp->errbuf, sizeof(resp->errbuf), "canceled (StopProvider)");
	else if (!resp->errbuf[0])
		snprintf(resp->errbuf, sizeof(resp->errbuf), "%s", aws_curl.easy_strerror(cc));
	rc = curl_class(cc);
	aws_curl.easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
	pool_put(&c->http, h);
	return rc;
}
