/*
 * The credential chain in the SDKs' order, the provider's assume_role on
 * top, and the cache: temporary credentials are refreshed five minutes
 * before they expire, by one thread while the others wait for the result.
 */
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "aws/internal.h"
#include "tb/log.h"

#define REFRESH_EARLY_S 300

/* clang-format off */
const struct aws_cred_source aws_cred_chain[] = {
	{.name = "explicit keys", .fetch = aws_src_explicit},
	{.name = "environment", .fetch = aws_src_env},
	{.name = "web identity", .fetch = aws_src_web_identity},
	{.name = "shared config profile", .names_profile = true, .fetch = aws_src_profile},
	{.name = "ECS container", .fetch = aws_src_container},
	{.name = "EC2 instance metadata", .fetch = aws_src_imds},
};
/* clang-format on */
const size_t aws_n_cred_chain = sizeof(aws_cred_chain) / sizeof(aws_cred_chain[0]);

/* Credentials of one source, with the provider's assume_role applied. */
static int fetch(struct tb_aws_client *c, const struct aws_cred_source *src, struct tb_arena *a,
                 struct tb_buf *why, struct aws_creds *out)
{
	struct aws_src_ctx s = {.c = c, .a = a, .why = why};
	struct aws_creds base = {0};
	int rc = src->fetch(&s, &base);

	if (rc == 0 && c->set.assume_role.role_arn)
		rc = aws_sts_assume_role(&s, &base, &c->set.assume_role, out);
	else if (rc == 0)
		*out = base;
	return rc;
}

static void wipe_free(char *s)
{
	if (s)
		OPENSSL_cleanse(s, strlen(s));
	free(s);
}

static void creds_free(struct aws_creds *cr)
{
	free(cr->access_key);
	wipe_free(cr->secret_key);
	wipe_free(cr->token);
	*cr = (struct aws_creds){0};
}

/* Replaces *dst with malloc'd copies of src. */
static int creds_store(struct aws_creds *dst, const struct aws_creds *src)
{
	struct aws_creds n = {
	    .access_key = strdup(src->access_key),
	    .secret_key = strdup(src->secret_key),
	    .token = src->token && *src->token ? strdup(src->token) : NULL,
	    .expires = src->expires,
	};

	if (!n.access_key || !n.secret_key || (src->token && *src->token && !n.token)) {
		creds_free(&n);
		return TB_ENOMEM;
	}
	creds_free(dst);
	*dst = n;
	return 0;
}

static int append_label(struct tb_aws_client *c, const struct aws_cred_source *src,
                        struct tb_buf *b)
{
	if (src->names_profile)
		return tb_buf_printf(b, "%s \"%s\"", src->name, aws_profile_name(c));
	return tb_buf_puts(b, src->name);
}

/*
 * Row of the chain visited k-th. A profile selected explicitly (provider
 * block or AWS_PROFILE) is tried right after explicit keys, before the
 * environment, as aws-sdk-go-v2 does.
 */
static size_t chain_row(const struct tb_aws_client *c, size_t k)
{
	size_t p = 0;

	while (p < aws_n_cred_chain && !aws_cred_chain[p].names_profile)
		p++;
	if (!c->set.profile_explicit || k == 0 || p == aws_n_cred_chain)
		return k;
	if (k == 1)
		return p;
	return k <= p ? k - 1 : k;
}

/* Walks the chain; *picked is the first source that did not answer TB_ENOTFOUND. */
static int walk_chain(struct tb_aws_client *c, struct tb_arena *a, struct tb_buf *tried,
                      struct tb_buf *why, struct aws_creds *cr, size_t *picked)
{
	int rc = TB_ENOTFOUND;

	for (size_t k = 0; k < aws_n_cred_chain && rc == TB_ENOTFOUND; k++) {
		*picked = chain_row(c, k);
		if (k)
			tb_buf_puts(tried, ", ");
		append_label(c, &aws_cred_chain[*picked], tried);
		tb_buf_reset(why);
		rc = fetch(c, &aws_cred_chain[*picked], a, why, cr);
	}
	return rc;
}

int aws_creds_init(struct tb_aws_client *c, char **errmsg)
{
	struct tb_arena *a = tb_arena_new();
	struct tb_buf tried, why, label, msg;
	struct aws_creds cr = {0};
	size_t i = 0;
	int rc = a ? 0 : TB_ENOMEM;

	tb_buf_init(&tried);
	tb_buf_init(&why);
	tb_buf_init(&label);
	tb_buf_init(&msg);
	if (rc == 0)
		rc = walk_chain(c, a, &tried, &why, &cr, &i);
	append_label(c, &aws_cred_chain[i], &label);
	if (rc == 0 && c->set.assume_role.role_arn)
		tb_buf_printf(&label, ", then assume_role %s", c->set.assume_role.role_arn);
	if (rc == TB_ENOTFOUND)
		tb_buf_printf(&msg, "no valid credential sources found: tried %s", tried.data);
	else if (rc)
		tb_buf_printf(&msg, "credential source %s failed (tried %s): %s", label.data,
		              tried.data, why.data ? why.data : tb_strerror(rc));
	if (rc == 0)
		rc = creds_store(&c->creds.cur, &cr);
	if (rc == 0) {
		c->creds.src = &aws_cred_chain[i];
		c->source = tb_arena_strdup(c->arena, label.data);
		c->tried = tb_arena_strdup(c->arena, tried.data);
		if (!c->source || !c->tried)
			rc = TB_ENOMEM;
	}
	if (rc)
		*errmsg = msg.data ? tb_buf_detach(&msg) : strdup(tb_strerror(rc));
	tb_buf_free(&tried);
	tb_buf_free(&why);
	tb_buf_free(&label);
	tb_buf_free(&msg);
	tb_arena_free(a);
	return rc;
}

static int refresh_locked(struct tb_aws_client *c, struct tb_buf *why)
{
	struct aws_cred_cache *cc = &c->creds;
	struct tb_arena *a = tb_arena_new();
	struct aws_creds fresh = {0};
	int rc = a ? fetch(c, cc->src, a, why, &fresh) : TB_ENOMEM;

	if (rc == 0) {
		rc = creds_store(&cc->cur, &fresh);
		cc->refreshes++;
	} else if (tb_wall_time() < (double)cc->cur.expires) {
		tb_log(TB_LOG_WARN, "aws",
		       "refreshing AWS credentials failed; using the current ones", "source",
		       c->source, "error", why->data ? why->data : tb_strerror(rc), NULL);
		rc = 0;
	}
	tb_arena_free(a);
	return rc;
}

int aws_creds_get(struct tb_aws_client *c, struct tb_arena *a, struct aws_creds *out,
                  struct tb_buf *why)
{
	struct aws_cred_cache *cc = &c->creds;
	struct aws_creds cr = {0};
	int rc = 0;

	pthread_mutex_lock(&cc->mu);
	if (cc->cur.expires && tb_wall_time() + REFRESH_EARLY_S >= (double)cc->cur.expires)
		rc = refresh_locked(c, why);
	if (rc == 0) {
		cr.access_key = tb_arena_strdup(a, cc->cur.access_key);
		cr.secret_key = tb_arena_strdup(a, cc->cur.secret_key);
		cr.token = tb_arena_strdup(a, cc->cur.token);
		cr.expires = cc->cur.expires;
		if (!cr.access_key || !cr.secret_key || (cc->cur.token && !cr.token))
			rc = TB_ENOMEM;
	}
	pthread_mutex_unlock(&cc->mu);
	if (rc == 0)
		*out = cr;
	return rc;
}

void aws_creds_cleanup(struct aws_cred_cache *cc)
{
	creds_free(&cc->cur);
	pthread_mutex_destroy(&cc->mu);
}
