/*
 * Credential sources behind a local HTTP endpoint: ECS container
 * credentials and EC2 instance metadata (IMDSv2, falling back to v1 only
 * when the token call is not supported). Short timeouts, few retries, so
 * that a machine without them fails fast.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/internal.h"

#define CONTAINER_HOST  "http://169.254.170.2"
#define IMDS_HOST       "http://169.254.169.254"
#define IMDS_HOST_V6    "http://[fd00:ec2::254]"
#define IMDS_CREDS_PATH "/latest/meta-data/iam/security-credentials/"
#define AUTH_TOKEN_MAX  (16u << 10)

struct simple_get {
	const char *method;
	const char *url;
	const char *header; /* one "Name: value" line, or NULL */
	int64_t timeout_ms;
	int attempts;
	long status;
	char *body; /* in s->a */
};

static int append_header(struct curl_slist **l, const char *line)
{
	struct curl_slist *n = aws_curl.slist_append(*l, line);

	if (!n)
		return TB_ENOMEM;
	*l = n;
	return 0;
}

/* A plain HTTP exchange (no signing), retried on connection errors and timeouts. */
static int simple_http(struct aws_src_ctx *s, struct simple_get *g)
{
	const char *lines[] = {"Expect:", strcmp(g->method, "PUT") == 0 ? "Content-Type:" : NULL,
	                       g->header};
	struct aws_http_req req = {.method = g->method, .url = g->url, .body = "", .body_len = 0};
	struct curl_slist *h = NULL;
	struct aws_http_resp resp;
	int rc = 0;

	memset(&resp, 0, sizeof(resp));
	tb_buf_init(&resp.body);
	for (size_t i = 0; i < 3 && rc == 0; i++)
		if (lines[i])
			rc = append_header(&h, lines[i]);
	if (rc == 0)
		rc = TB_ETRANSIENT;
	req.headers = h;
	req.timeout_ms = req.connect_timeout_ms = g->timeout_ms;
	for (int i = 0; i < g->attempts && (rc == TB_ETRANSIENT || rc == TB_ETIMEOUT); i++) {
		tb_buf_reset(&resp.body);
		rc = aws_http_perform(s->c, &req, &resp);
	}
	if (rc == 0) {
		g->status = resp.status;
		g->body =
		    tb_arena_strndup(s->a, resp.body.data ? resp.body.data : "", resp.body.len);
		rc = g->body ? 0 : TB_ENOMEM;
	} else {
		tb_buf_printf(s->why, "%s: %s", g->url,
		              resp.errbuf[0] ? resp.errbuf : tb_strerror(rc));
	}
	tb_buf_free(&resp.body);
	aws_curl.slist_free_all(h);
	return rc;
}

static int creds_from_body(struct aws_src_ctx *s, const char *body, struct aws_creds *out)
{
	json_t *o = json_loads(body, 0, NULL);
	int rc;

	if (!o) {
		tb_buf_puts(s->why, "the answer is not JSON");
		return TB_EAWS;
	}
	rc = aws_creds_from_json(s, o, out);
	json_decref(o);
	return rc;
}

static bool host_allowed(const char *url)
{
	static const char *const hosts[] = {"localhost",      "169.254.170.2", "169.254.170.23",
	                                    "[fd00:ec2::23]", "[::1]",         NULL};
	CURLU *u = aws_curl.url();
	char *scheme = NULL, *host = NULL;
	bool ok = false;

	if (u && aws_curl.url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    aws_curl.url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    aws_curl.url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		ok = strcmp(scheme, "https") == 0 || strncmp(host, "127.", 4) == 0;
		for (size_t i = 0; !ok && hosts[i]; i++)
			ok = strcasecmp(host, hosts[i]) == 0;
	}
	aws_curl.free(scheme);
	aws_curl.free(host);
	aws_curl.url_cleanup(u);
	return ok;
}

/* The Authorization header for container credentials, or NULL when none is configured. */
static int container_auth(struct aws_src_ctx *s, const char **header)
{
	const char *file = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *token = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	char *text = NULL;
	size_t n;

	*header = NULL;
	if (file && *file) {
		int rc = aws_read_file(s->a, file, AUTH_TOKEN_MAX, &text, NULL);

		if (rc) {
			tb_buf_printf(s->why, "reading %s: %s", file, tb_strerror(rc));
			return TB_EIO;
		}
		n = strlen(text);
		while (n && (text[n - 1] == '\n' || text[n - 1] == '\r'))
			text[--n] = '\0';
		token = text;
	}
	if (!token || !*token)
		return 0;
	if (strpbrk(token, "\r\n")) {
		tb_buf_puts(s->why, "the container authorization token contains a line break");
		return TB_EINVAL;
	}
	*header = tb_arena_printf(s->a, "Authorization: %s", token);
	return *header ? 0 : TB_ENOMEM;
}

int aws_src_container(struct aws_src_ctx *s, struct aws_creds *out)
{
	const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	struct simple_get g = {.method = "GET", .timeout_ms = 5000, .attempts = 3};
	int rc;

	if ((!rel || !*rel) && (!full || !*full))
		return TB_ENOTFOUND;
	g.url = rel && *rel ? tb_arena_printf(s->a, "%s%s", CONTAINER_HOST, rel) : full;
	if (!(rel && *rel) && !host_allowed(full)) {
		tb_buf_printf(s->why,
		              "AWS_CONTAINER_CREDENTIALS_FULL_URI %s: only https, loopback "
		              "and the ECS/EKS credential hosts are allowed",
		              full);
		return TB_EINVAL;
	}
	rc = g.url ? container_auth(s, &g.header) : TB_ENOMEM;
	if (rc == 0)
		rc = simple_http(s, &g);
	if (rc == 0 && g.status != 200) {
		tb_buf_printf(s->why, "%s answered HTTP %ld", g.url, g.status);
		rc = TB_EAWS;
	}
	return rc ? rc : creds_from_body(s, g.body, out);
}

static const char *imds_base(struct aws_src_ctx *s)
{
	const char *ep = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	const char *mode = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
	size_t n;

	if (!ep || !*ep)
		return mode && strcasecmp(mode, "IPv6") == 0 ? IMDS_HOST_V6 : IMDS_HOST;
	n = strlen(ep);
	while (n && ep[n - 1] == '/')
		n--;
	return tb_arena_strndup(s->a, ep, n);
}

/* IMDSv2 session token header; NULL header when the service only speaks v1. */
static int imds_token(struct aws_src_ctx *s, const char *base, const char **header)
{
	struct simple_get g = {.method = "PUT",
	                       .header = "X-aws-ec2-metadata-token-ttl-seconds: 21600",
	                       .timeout_ms = 1000,
	                       .attempts = 2};
	int rc;

	*header = NULL;
	g.url = tb_arena_printf(s->a, "%s/latest/api/token", base);
	rc = g.url ? simple_http(s, &g) : TB_ENOMEM;
	if (rc)
		return rc == TB_ENOMEM || rc == TB_ECANCELED ? rc : TB_ENOTFOUND;
	if (g.status == 404 || g.status == 405)
		return 0;
	if (g.status != 200) {
		tb_buf_printf(s->why, "IMDS token request answered HTTP %ld", g.status);
		return TB_EACCESS;
	}
	*header = tb_arena_printf(s->a, "X-aws-ec2-metadata-token: %s", g.body);
	return *header ? 0 : TB_ENOMEM;
}

static int imds_get(struct aws_src_ctx *s, const char *url, const char *token, char **body)
{
	struct simple_get g = {
	    .method = "GET", .url = url, .header = token, .timeout_ms = 1000, .attempts = 2};
	int rc = url ? simple_http(s, &g) : TB_ENOMEM;

	if (rc == 0 && g.status == 404)
		rc = TB_ENOTFOUND;
	else if (rc == 0 && g.status != 200) {
		tb_buf_printf(s->why, "%s answered HTTP %ld", url, g.status);
		rc = TB_EAWS;
	}
	*body = g.body;
	return rc;
}

int aws_src_imds(struct aws_src_ctx *s, struct aws_creds *out)
{
	const char *disabled = getenv("AWS_EC2_METADATA_DISABLED");
	const char *base, *token = NULL;
	char *role = NULL, *body = NULL;
	int rc;

	if (disabled && strcasecmp(disabled, "true") == 0)
		return TB_ENOTFOUND;
	base = imds_base(s);
	rc = base ? imds_token(s, base, &token) : TB_ENOMEM;
	if (rc == 0)
		rc =
		    imds_get(s, tb_arena_printf(s->a, "%s%s", base, IMDS_CREDS_PATH), token, &role);
	if (rc == 0) {
		role[strcspn(role, "\r\n")] = '\0';
		rc = *role
		         ? imds_get(s, tb_arena_printf(s->a, "%s%s%s", base, IMDS_CREDS_PATH, role),
		                    token, &body)
		         : TB_ENOTFOUND;
	}
	if (rc == 0)
		rc = creds_from_body(s, body, out);
	return rc;
}
