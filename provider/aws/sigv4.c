/*
 * Signature Version 4 (header signing) with OpenSSL, checked against the
 * aws-sig-v4-test-suite vectors in tests/data/sigv4. Paths are normalised
 * (dot segments, repeated slashes) as for every service except S3.
 */
#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#include "aws/internal.h"

#define SHA256_LEN 32

struct canon_header {
	char *name; /* lower case */
	char *value;
	size_t order;
};

struct canon_param {
	char *key, *value; /* encoded */
};

static void hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int sha256_hex(const void *data, size_t n, char out[2 * SHA256_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (!EVP_Digest(data, n, md, &len, EVP_sha256(), NULL))
		return TB_EIO;
	hex_encode(md, len, out);
	return 0;
}

static int hmac(const void *key, size_t klen, const char *msg, unsigned char out[SHA256_LEN])
{
	unsigned int len = SHA256_LEN;

	if (!HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, strlen(msg), out, &len))
		return TB_EIO;
	return 0;
}

static bool unreserved(unsigned char ch)
{
	return isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~';
}

int aws_uri_encode(struct tb_buf *b, const char *s, size_t n, bool keep_slash)
{
	static const char digits[] = "0123456789ABCDEF";
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		unsigned char ch = (unsigned char)s[i];
		char esc[3] = {'%', digits[ch >> 4], digits[ch & 15]};

		if (unreserved(ch) || (keep_slash && ch == '/'))
			rc = tb_buf_putc(b, (char)ch);
		else
			rc = tb_buf_append(b, esc, sizeof(esc));
	}
	return rc;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decodes n bytes of s into a (invalid escapes stay literal). */
static char *uri_decode(struct tb_arena *a, const char *s, size_t n)
{
	char *out = tb_arena_alloc(a, n + 1);
	size_t j = 0;

	for (size_t i = 0; out && i < n; i++) {
		int hi = i + 2 < n ? hexval(s[i + 1]) : -1;
		int lo = i + 2 < n ? hexval(s[i + 2]) : -1;

		if (s[i] == '%' && hi >= 0 && lo >= 0) {
			out[j++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			out[j++] = s[i];
		}
	}
	return out;
}

/* Encodes a string for the canonical request and returns it in a. */
static char *encode_dup(struct tb_arena *a, const char *s, bool keep_slash)
{
	struct tb_buf b;
	char *out = NULL;

	tb_buf_init(&b);
	if (s && aws_uri_encode(&b, s, strlen(s), keep_slash) == 0)
		out = tb_arena_strndup(a, b.data ? b.data : "", b.len);
	tb_buf_free(&b);
	return out;
}

struct segments {
	size_t *start, *len;
	size_t n;
	bool trailing; /* the last segment was empty, "." or ".." */
};

/* Splits path on '/', dropping empty and "." segments and resolving "..". */
static void split_segments(const char *path, size_t n, struct segments *sg)
{
	for (size_t i = 0; i <= n;) {
		size_t j = i + strcspn(path + i, "/"), sl = j - i;
		bool dot = sl == 1 && path[i] == '.';
		bool dotdot = sl == 2 && path[i] == '.' && path[i + 1] == '.';

		if (dotdot && sg->n > 0) {
			sg->n--;
		} else if (sl > 0 && !dot && !dotdot) {
			sg->start[sg->n] = i;
			sg->len[sg->n++] = sl;
		}
		sg->trailing = sl == 0 || dot || dotdot;
		i = j + 1;
	}
}

/*
 * Removes dot segments and empty segments (RFC 3986 5.2.4 plus the
 * collapsing of repeated slashes), then encodes each segment. A trailing
 * slash survives when the last segment was empty, "." or "..".
 */
static int canonical_path(struct tb_buf *out, const char *path)
{
	size_t n = strlen(path);
	struct segments sg = {.start = calloc(n + 1, sizeof(size_t)),
	                      .len = calloc(n + 1, sizeof(size_t))};
	int rc = sg.start && sg.len ? 0 : TB_ENOMEM;

	if (rc == 0)
		split_segments(path, n, &sg);
	for (size_t k = 0; rc == 0 && k < sg.n; k++) {
		rc = tb_buf_putc(out, '/');
		if (rc == 0)
			rc = aws_uri_encode(out, path + sg.start[k], sg.len[k], false);
	}
	if (rc == 0 && (sg.n == 0 || sg.trailing))
		rc = tb_buf_putc(out, '/');
	free(sg.start);
	free(sg.len);
	return rc;
}

static int param_cmp(const void *x, const void *y)
{
	const struct canon_param *a = x, *b = y;
	int c = strcmp(a->key, b->key);
	return c ? c : strcmp(a->value, b->value);
}

/* Splits the query, re-encodes each key and value, sorts and joins them. */
static int canonical_query(struct tb_arena *a, struct tb_buf *out, const char *query)
{
	size_t n = 0, cap = 1;
	struct canon_param *p;
	int rc = 0;

	for (const char *q = query; q && *q; q++)
		cap += *q == '&';
	p = tb_arena_alloc(a, cap * sizeof(*p));
	if (!p)
		return TB_ENOMEM;
	for (const char *q = query; q && *q && rc == 0;) {
		size_t len = strcspn(q, "&");
		const char *eq = memchr(q, '=', len);
		size_t klen = eq ? (size_t)(eq - q) : len;

		if (len > 0) {
			p[n].key = encode_dup(a, uri_decode(a, q, klen), false);
			p[n].value =
			    encode_dup(a, eq ? uri_decode(a, eq + 1, len - klen - 1) : "", false);
			rc = p[n].key && p[n].value ? 0 : TB_ENOMEM;
			n++;
		}
		q += len + (q[len] == '&');
	}
	qsort(p, n, sizeof(*p), param_cmp);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = tb_buf_printf(out, "%s%s=%s", i ? "&" : "", p[i].key, p[i].value);
	return rc;
}

/* Lower-cases the name, trims the value and collapses runs of whitespace. */
static int canon_header_set(struct tb_arena *a, struct canon_header *h, const char *name,
                            const char *value, size_t order)
{
	size_t n = strlen(value), j = 0;
	bool space = false;

	h->name = tb_arena_strdup(a, name);
	h->value = tb_arena_alloc(a, n + 1);
	h->order = order;
	if (!h->name || !h->value)
		return TB_ENOMEM;
	for (char *p = h->name; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	for (size_t i = 0; i < n; i++) {
		if (isspace((unsigned char)value[i])) {
			space = j > 0;
			continue;
		}
		if (space)
			h->value[j++] = ' ';
		space = false;
		h->value[j++] = value[i];
	}
	return 0;
}

static int header_cmp(const void *x, const void *y)
{
	const struct canon_header *a = x, *b = y;
	int c = strcmp(a->name, b->name);

	if (c)
		return c;
	return a->order < b->order ? -1 : a->order > b->order;
}

static bool has_header(const struct aws_sigv4_input *in, const char *name)
{
	for (size_t i = 0; i < in->n_headers; i++)
		if (strcasecmp(in->headers[i].name, name) == 0)
			return true;
	return false;
}

/*
 * Collects the headers to sign (the request's, plus X-Amz-Date and
 * X-Amz-Security-Token when the caller did not set them), sorted.
 */
static int collect_headers(struct tb_arena *a, const struct aws_sigv4_input *in,
                           struct aws_sigv4_output *out, struct canon_header **hs, size_t *n)
{
	struct canon_header *h = tb_arena_alloc(a, (in->n_headers + 2) * sizeof(*h));
	size_t k = 0;
	int rc = h ? 0 : TB_ENOMEM;

	for (size_t i = 0; rc == 0 && i < in->n_headers; i++, k++)
		rc = canon_header_set(a, &h[k], in->headers[i].name, in->headers[i].value, k);
	if (rc == 0 && !has_header(in, "x-amz-date")) {
		out->date_header = tb_arena_printf(a, "X-Amz-Date: %s", in->amz_date);
		rc = canon_header_set(a, &h[k], "x-amz-date", in->amz_date, k);
		k++;
	}
	if (rc == 0 && in->token && *in->token && !has_header(in, "x-amz-security-token")) {
		out->token_header = tb_arena_printf(a, "X-Amz-Security-Token: %s", in->token);
		rc = canon_header_set(a, &h[k], "x-amz-security-token", in->token, k);
		k++;
	}
	if (rc == 0)
		qsort(h, k, sizeof(*h), header_cmp);
	*hs = h;
	*n = k;
	return rc;
}

/* Appends "name:v1,v2\n" lines to canon and "name;..." to signed_names. */
static int canonical_headers(const struct canon_header *h, size_t n, struct tb_buf *canon,
                             struct tb_buf *signed_names)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < n; i++) {
		bool same = i > 0 && strcmp(h[i].name, h[i - 1].name) == 0;
		bool last = i + 1 == n || strcmp(h[i].name, h[i + 1].name) != 0;

		if (same)
			rc = tb_buf_printf(canon, ",%s", h[i].value);
		else
			rc = tb_buf_printf(canon, "%s:%s", h[i].name, h[i].value);
		if (rc == 0 && last)
			rc = tb_buf_putc(canon, '\n');
		if (rc == 0 && !same)
			rc = tb_buf_printf(signed_names, "%s%s", signed_names->len ? ";" : "",
			                   h[i].name);
	}
	return rc;
}

/* Builds the canonical request into b; *signed_names lives in a. */
static int canonical_request(struct tb_arena *a, const struct aws_sigv4_input *in,
                             struct aws_sigv4_output *out, struct tb_buf *b, char **signed_names)
{
	struct tb_buf names;
	struct canon_header *h = NULL;
	size_t nh = 0;
	int rc;

	tb_buf_init(&names);
	rc = tb_buf_printf(b, "%s\n", in->method);
	if (rc == 0)
		rc = canonical_path(b, in->path && *in->path ? in->path : "/");
	if (rc == 0)
		rc = tb_buf_putc(b, '\n');
	if (rc == 0)
		rc = canonical_query(a, b, in->query);
	if (rc == 0)
		rc = tb_buf_putc(b, '\n');
	if (rc == 0)
		rc = collect_headers(a, in, out, &h, &nh);
	if (rc == 0)
		rc = canonical_headers(h, nh, b, &names);
	if (rc == 0)
		rc = tb_buf_printf(b, "\n%s\n%s", names.data ? names.data : "", out->payload_hash);
	if (rc == 0)
		*signed_names = tb_arena_strdup(a, names.data ? names.data : "");
	if (rc == 0 && !*signed_names)
		rc = TB_ENOMEM;
	tb_buf_free(&names);
	return rc;
}

/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" secret, date), region), service), "aws4_request") */
static int signing_key(const struct aws_sigv4_input *in, const char *date,
                       unsigned char key[SHA256_LEN])
{
	size_t slen = strlen(in->secret_key);
	char *k0 = malloc(slen + 5);
	int rc = k0 ? 0 : TB_ENOMEM;

	if (k0) {
		memcpy(k0, "AWS4", 4);
		memcpy(k0 + 4, in->secret_key, slen + 1);
		rc = hmac(k0, slen + 4, date, key);
		OPENSSL_cleanse(k0, slen + 4);
	}
	if (rc == 0)
		rc = hmac(key, SHA256_LEN, in->region, key);
	if (rc == 0)
		rc = hmac(key, SHA256_LEN, in->service, key);
	if (rc == 0)
		rc = hmac(key, SHA256_LEN, "aws4_request", key);
	free(k0);
	return rc;
}

/* Signature over the string to sign; writes the Authorization header into o. */
static int authorize(struct tb_arena *a, const struct aws_sigv4_input *in, const char *date,
                     const char *names, struct aws_sigv4_output *o)
{
	unsigned char key[SHA256_LEN], mac[SHA256_LEN];
	char sig[2 * SHA256_LEN + 1];
	int rc = signing_key(in, date, key);

	if (rc == 0)
		rc = hmac(key, SHA256_LEN, o->string_to_sign, mac);
	if (rc == 0) {
		hex_encode(mac, SHA256_LEN, sig);
		o->authorization = tb_arena_printf(
		    a,
		    "AWS4-HMAC-SHA256 Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=%s, "
		    "Signature=%s",
		    in->access_key, date, in->region, in->service, names, sig);
		rc = o->authorization ? 0 : TB_ENOMEM;
	}
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

int aws_sigv4_sign(struct tb_arena *a, const struct aws_sigv4_input *in,
                   struct aws_sigv4_output *out)
{
	struct aws_sigv4_output o = {0};
	struct tb_buf creq;
	char hash[2 * SHA256_LEN + 1], date[9], *names = NULL;
	int rc;

	tb_buf_init(&creq);
	snprintf(date, sizeof(date), "%.8s", in->amz_date);
	rc = sha256_hex(in->body ? in->body : "", in->body ? in->body_len : 0, hash);
	o.payload_hash = rc == 0 ? tb_arena_strdup(a, hash) : NULL;
	if (rc == 0 && !o.payload_hash)
		rc = TB_ENOMEM;
	if (rc == 0)
		rc = canonical_request(a, in, &o, &creq, &names);
	if (rc == 0)
		rc = sha256_hex(creq.data, creq.len, hash);
	if (rc == 0) {
		o.canonical_request = tb_arena_strndup(a, creq.data, creq.len);
		o.string_to_sign =
		    tb_arena_printf(a, "AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s",
		                    in->amz_date, date, in->region, in->service, hash);
		rc = o.canonical_request && o.string_to_sign ? 0 : TB_ENOMEM;
	}
	if (rc == 0)
		rc = authorize(a, in, date, names, &o);
	tb_buf_free(&creq);
	if (rc == 0)
		*out = o;
	return rc;
}
