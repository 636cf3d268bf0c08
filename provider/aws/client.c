/*
 * The client: settings copied from the provider block and the
 * environment, region and partition, endpoints, the HTTP pool, the
 * credential chain, and the sts:GetCallerIdentity check.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "aws/internal.h"

#define DEFAULT_MAX_RETRIES        25
#define DEFAULT_RETRY_BASE_MS      1000
#define RETRY_CAP_MS               20000
#define DEFAULT_REQUEST_TIMEOUT_MS 60000

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

static const char *env_nonempty(const char *name)
{
	return nonempty(getenv(name));
}

/* NULL-terminated copy of a list, or of the single fallback path when list is empty. */
static char **copy_list(struct tb_arena *a, const char *const *list, const char *fallback)
{
	size_t n = 0;
	char **out;

	while (list && list[n])
		n++;
	out = tb_arena_alloc(a, (n ? n + 1 : 2) * sizeof(char *));
	for (size_t i = 0; out && i < n; i++)
		if (!(out[i] = aws_expand_home(a, list[i])))
			return NULL;
	if (out && n == 0 && !(out[0] = aws_expand_home(a, fallback)))
		return NULL;
	return out;
}

static int copy_assume_role(struct tb_arena *a, const struct tb_aws_assume_role *in,
                            struct tb_aws_assume_role *out)
{
	if (!in->role_arn || !*in->role_arn)
		return 0;
	out->role_arn = tb_arena_strdup(a, in->role_arn);
	out->session_name = tb_arena_strdup(a, in->session_name);
	out->external_id = tb_arena_strdup(a, in->external_id);
	out->duration_s = in->duration_s;
	return out->role_arn ? 0 : TB_ENOMEM;
}

static char *user_agent(struct tb_arena *a, const char *extra)
{
	return tb_arena_printf(a, "terraform-provider-talentbase/%s libcurl/%s%s%s", TB_VERSION,
	                       aws_curl.version_info(CURLVERSION_NOW)->version, extra ? " " : "",
	                       extra ? extra : "");
}

/* Profile, files, region and keys (strings copied into the client arena). */
static int copy_identity(struct tb_aws_client *c, const struct tb_aws_config *cfg)
{
	struct tb_arena *a = c->arena;
	struct aws_settings *s = &c->set;
	const char *profile = nonempty(cfg->profile);
	const char *config = env_nonempty("AWS_CONFIG_FILE");
	const char *creds = env_nonempty("AWS_SHARED_CREDENTIALS_FILE");

	if (!profile)
		profile = env_nonempty("AWS_PROFILE");
	s->profile_explicit = profile != NULL;
	s->profile = tb_arena_strdup(a, profile ? profile : "default");
	s->config_files = copy_list(a, cfg->shared_config_files, config ? config : "~/.aws/config");
	s->credentials_files =
	    copy_list(a, cfg->shared_credentials_files, creds ? creds : "~/.aws/credentials");
	s->region = tb_arena_strdup(a, nonempty(cfg->region));
	s->access_key = tb_arena_strdup(a, nonempty(cfg->access_key));
	s->secret_key = tb_arena_strdup(a, nonempty(cfg->secret_key));
	s->token = tb_arena_strdup(a, nonempty(cfg->token));
	if (!s->profile || !s->config_files || !s->credentials_files)
		return TB_ENOMEM;
	return copy_assume_role(a, &cfg->assume_role, &s->assume_role);
}

static int copy_settings(struct tb_aws_client *c, const struct tb_aws_config *cfg)
{
	struct aws_settings *s = &c->set;

	s->max_retries = cfg->max_retries < 0 ? DEFAULT_MAX_RETRIES : cfg->max_retries;
	s->retry_base_ms = cfg->retry_base_ms > 0 ? cfg->retry_base_ms : DEFAULT_RETRY_BASE_MS;
	s->retry_cap_ms = RETRY_CAP_MS;
	/* The SDKs' switch: "standard" retries without pacing; "adaptive"
	 * (the default here) paces a service once it throttles. */
	s->adaptive = !tb_str_eq(getenv("AWS_RETRY_MODE"), "standard") &&
	              !tb_str_eq(getenv("AWS_RETRY_MODE"), "legacy");
	s->request_timeout_ms =
	    cfg->request_timeout_ms > 0 ? cfg->request_timeout_ms : DEFAULT_REQUEST_TIMEOUT_MS;
	s->cancel = cfg->cancel;
	s->user_agent = user_agent(c->arena, nonempty(cfg->user_agent));
	if (!s->user_agent)
		return TB_ENOMEM;
	return copy_identity(c, cfg);
}

const struct aws_profile *aws_current_profile(const struct tb_aws_client *c)
{
	return aws_profile_find(c->profiles, c->set.profile);
}

const char *aws_profile_name(const struct tb_aws_client *c)
{
	return c->set.profile;
}

const char *aws_resolve_region(struct tb_aws_client *c)
{
	const char *r = c->set.region;

	if (!r)
		r = env_nonempty("AWS_REGION");
	if (!r)
		r = env_nonempty("AWS_DEFAULT_REGION");
	if (!r)
		r = aws_profile_get(aws_current_profile(c), "region");
	return r && *r ? r : NULL;
}

/* A region is a hostname label: lower-case letters, digits and dashes. */
static bool valid_region(const char *r)
{
	for (const char *p = r; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '-')
			return false;
	return *r != '\0' && strlen(r) < 64;
}

/* Files, region, partition, endpoints, CA bundle; a message in why on failure. */
static int resolve(struct tb_aws_client *c, const struct tb_aws_config *cfg, struct tb_buf *why)
{
	const char *region, *ca;
	int rc =
	    aws_profiles_load(c->arena, (const char *const *)c->set.config_files,
	                      (const char *const *)c->set.credentials_files, &c->profiles, why);

	if (rc)
		return rc;
	region = aws_resolve_region(c);
	if (!region) {
		tb_buf_puts(why, "no region: set region in the provider block, AWS_REGION, "
		                 "AWS_DEFAULT_REGION or the profile's region");
		return TB_EINVAL;
	}
	if (!valid_region(region)) {
		tb_buf_printf(why, "invalid region \"%s\"", region);
		return TB_EINVAL;
	}
	c->set.region = tb_arena_strdup(c->arena, region);
	c->partition = aws_partition_for(region);
	ca = env_nonempty("AWS_CA_BUNDLE");
	if (!ca)
		ca = aws_profile_get(aws_current_profile(c), "ca_bundle");
	c->set.ca_bundle = aws_expand_home(c->arena, ca);
	if (!c->set.region || (ca && !c->set.ca_bundle))
		return TB_ENOMEM;
	return aws_resolve_endpoints(c, cfg, why);
}

/* The per-service rate limiters and the shared-read registry. */
static int client_shared_init(struct tb_aws_client *c)
{
	c->rates = calloc(aws_n_services, sizeof(*c->rates));
	c->shared = aws_shared_new();
	if (!c->rates || !c->shared)
		return TB_ENOMEM;
	for (size_t i = 0; i < aws_n_services; i++)
		aws_rate_init(&c->rates[i]);
	return 0;
}

/* sts:GetCallerIdentity; keeps the account ID. */
static int validate(struct tb_aws_client *c, char **errmsg)
{
	struct tb_arena *a = tb_arena_new();
	struct tb_aws_ctx ctx = {.client = c, .arena = a};
	const struct tb_xml *res = NULL;
	int rc = a ? tb_aws_query(&ctx, "sts", "GetCallerIdentity", NULL, &res) : TB_ENOMEM;

	if (rc == 0) {
		c->account_id = tb_arena_strdup(c->arena, tb_xml_text(res, "Account"));
	} else if (a) {
		char *msg =
		    tb_arena_printf(a, "credentials from %s (tried %s) were not accepted: %s",
		                    c->source, c->tried, tb_aws_error_string(a, &ctx.error));
		*errmsg = strdup(msg ? msg : tb_strerror(rc));
	}
	tb_arena_free(a);
	return rc;
}

/*
 * Builds a client from cfg (borrowed; everything needed later is copied).
 * Returns 0 and *out (free with tb_aws_client_free), or a TB_E* code and
 * *errmsg (malloc'd, caller frees): libcurl.so.4 could not be loaded, a bad
 * setting, the credential sources tried, or what sts:GetCallerIdentity
 * answered.
 */
int tb_aws_client_new(const struct tb_aws_config *cfg, struct tb_aws_client **out, char **errmsg)
{
	struct tb_aws_client *c = calloc(1, sizeof(*c));
	struct tb_buf why;
	int rc;

	*errmsg = NULL;
	if (!c) {
		*errmsg = strdup(tb_strerror(TB_ENOMEM));
		return TB_ENOMEM;
	}
	tb_buf_init(&why);
	pthread_mutex_init(&c->creds.mu, NULL);
	rc = aws_http_init(&c->http, errmsg);
	if (rc == 0 && (rc = client_shared_init(c)) != 0)
		*errmsg = strdup(tb_strerror(rc));
	c->arena = tb_arena_new();
	if (!c->arena)
		rc = TB_ENOMEM;
	if (rc == 0)
		rc = copy_settings(c, cfg);
	if (rc == 0)
		rc = resolve(c, cfg, &why);
	if (rc && !*errmsg)
		*errmsg = why.len ? tb_buf_detach(&why) : strdup(tb_strerror(rc));
	if (rc == 0)
		rc = aws_creds_init(c, errmsg);
	if (rc == 0 && !cfg->skip_credentials_validation)
		rc = validate(c, errmsg);
	tb_buf_free(&why);
	if (rc) {
		tb_aws_client_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void tb_aws_client_free(struct tb_aws_client *c)
{
	if (!c)
		return;
	aws_http_cleanup(&c->http);
	aws_creds_cleanup(&c->creds);
	for (size_t i = 0; c->rates && i < aws_n_services; i++)
		aws_rate_cleanup(&c->rates[i]);
	free(c->rates);
	aws_shared_free(c->shared);
	if (c->arena)
		tb_arena_free(c->arena);
	free(c);
}

const char *tb_aws_region(const struct tb_aws_client *c)
{
	return c->set.region;
}

const char *tb_aws_partition(const struct tb_aws_client *c)
{
	return c->partition->name;
}

const char *tb_aws_account_id(const struct tb_aws_client *c)
{
	return c->account_id;
}

const char *tb_aws_credential_source(const struct tb_aws_client *c)
{
	return c->source;
}

uint64_t tb_aws_request_count(const struct tb_aws_client *c)
{
	return atomic_load(&c->requests);
}
