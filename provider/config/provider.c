/*
 * The provider block: schema, validation without AWS, and configuration of
 * the AWS client. The configured settings (struct tb_meta) are immutable
 * once ConfigureProvider returns.
 */
#include <pthread.h>
#include <regex.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "tb/log.h"
#include "tb/provider.h"

/* ---- schema ---------------------------------------------------------------- */

static const struct tb_attr assume_role_attrs[] = {
    {.name = "role_arn",
     .type = "\"string\"",
     .flags = TB_A_REQUIRED,
     .description = "ARN of the IAM role to assume after resolving the base credentials."},
    {.name = "session_name",
     .type = "\"string\"",
     .flags = TB_A_OPTIONAL,
     .description = "Session name recorded in CloudTrail (default: talentbase-provider)."},
    {.name = "external_id",
     .type = "\"string\"",
     .flags = TB_A_OPTIONAL,
     .description = "External ID the role's trust policy requires."},
    {.name = "duration",
     .type = "\"string\"",
     .flags = TB_A_OPTIONAL,
     .description = "Session duration, 15m to 12h, e.g. \"1h\" (default 1h)."},
};

static const struct tb_block assume_role_block = {
    .attrs = assume_role_attrs,
    .n_attrs = TB_COUNT(assume_role_attrs),
    .description = "Assume an IAM role on top of the resolved credentials.",
};

/* Endpoint overrides: one optional URL per service, the provider's keys. */
#define TB_ENDPOINT_ATTR(key, svc)                                                                 \
	{                                                                                          \
		.name = key, .type = "\"string\"", .flags = TB_A_OPTIONAL,                         \
		.description = "Endpoint URL for " svc "."                                         \
	}

static const struct tb_attr endpoint_attrs[] = {
    TB_ENDPOINT_ATTR("appautoscaling", "Application Auto Scaling"),
    TB_ENDPOINT_ATTR("cloudwatch", "CloudWatch"),
    TB_ENDPOINT_ATTR("ec2", "EC2 (preflight and lookups: subnets, route tables, security "
                            "groups, VPCs)"),
    TB_ENDPOINT_ATTR("ecr", "ECR (preflight: images and repositories)"),
    TB_ENDPOINT_ATTR("ecs", "ECS"),
    TB_ENDPOINT_ATTR("elbv2", "Elastic Load Balancing v2"),
    TB_ENDPOINT_ATTR("iam", "IAM"),
    TB_ENDPOINT_ATTR("logs", "CloudWatch Logs"),
    TB_ENDPOINT_ATTR("rds", "RDS"),
    TB_ENDPOINT_ATTR("secretsmanager", "Secrets Manager"),
    TB_ENDPOINT_ATTR("ssm", "SSM"),
    TB_ENDPOINT_ATTR("sts", "STS"),
};

static const struct tb_block endpoints_block = {
    .attrs = endpoint_attrs,
    .n_attrs = TB_COUNT(endpoint_attrs),
    .description = "Custom endpoints (VPC endpoints, emulators). AWS_ENDPOINT_URL and "
                   "AWS_ENDPOINT_URL_<SERVICE> work too.",
};

static const struct tb_attr provider_attrs[] = {
    {.name = "access_key",
     .type = "\"string\"",
     .flags = TB_A_OPTIONAL | TB_A_SENSITIVE,
     .description = "AWS access key ID. Discouraged: prefer the default credential chain."},
    {.name = "default_tags",
     .type = "[\"map\",\"string\"]",
     .flags = TB_A_OPTIONAL,
     .description = "Tags applied to every taggable object of every resource; a resource's "
                    "own tags win."},
    {.name = "environment",
     .type = "\"string\"",
     .flags = TB_A_OPTIONAL,
     .description = "production, staging or development (default production): chooses "
                    "defaults and rule severities."},
    {.name = "max_retries",
     .type = "\"number\"",
     .flags = TB_A_OPTIONAL,
     .description = "Maximum attempts for a retryable AWS call, 0 to 100 (default 25)."},
    {.name = "preflight",
     .type = "\"bool\"",
     .flags = TB_A_OPTIONAL,
     .description = "Read AWS at plan time to check what the configuration alone cannot show: "
                    "the image was pushed, the listener priority is free, the secrets exist, "
                    "... (rules TB021-TB027; read-only calls, each made once per run). Default "
                    "true; false for offline plans."},
    {.name = "profile",
     .type = "\"string\"",
     .flags = TB_A_OPTIONAL,
     .description = "Shared config profile (else AWS_PROFILE)."},
    {.name = "region",
     .type = "\"string\"",
     .flags = TB_A_OPTIONAL,
     .description = "AWS region (else AWS_REGION, AWS_DEFAULT_REGION, the profile's region)."},
    {.name = "secret_key",
     .type = "\"string\"",
     .flags = TB_A_OPTIONAL | TB_A_SENSITIVE,
     .description = "AWS secret access key."},
    {.name = "shared_config_files",
     .type = "[\"list\",\"string\"]",
     .flags = TB_A_OPTIONAL,
     .description = "Shared config files (default ~/.aws/config)."},
    {.name = "shared_credentials_files",
     .type = "[\"list\",\"string\"]",
     .flags = TB_A_OPTIONAL,
     .description = "Shared credentials files (default ~/.aws/credentials)."},
    {.name = "skip_credentials_validation",
     .type = "\"bool\"",
     .flags = TB_A_OPTIONAL,
     .description = "Skip the sts:GetCallerIdentity check at configure time."},
    {.name = "strict",
     .type = "\"bool\"",
     .flags = TB_A_OPTIONAL,
     .description = "Treat every unacknowledged rule warning as an error (for CI)."},
    {.name = "token",
     .type = "\"string\"",
     .flags = TB_A_OPTIONAL | TB_A_SENSITIVE,
     .description = "AWS session token for temporary credentials."},
};

static const struct tb_nested provider_blocks[] = {
    {.name = "assume_role", .nesting = TB_NEST_LIST, .block = &assume_role_block, .max_items = 1},
    {.name = "endpoints", .nesting = TB_NEST_LIST, .block = &endpoints_block, .max_items = 1},
};

static const struct tb_block provider_block = {
    .attrs = provider_attrs,
    .n_attrs = TB_COUNT(provider_attrs),
    .blocks = provider_blocks,
    .n_blocks = TB_COUNT(provider_blocks),
    .description = "Deploys TalentBase services on ECS Fargate the way the platform "
                   "documents say, refusing bad configurations at plan time.",
};

const struct tb_schema tb_provider_schema = {.version = 0, .block = &provider_block};

/* ---- validation ------------------------------------------------------------ */

static bool matches(const char *pattern, const char *s)
{
	regex_t re;
	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
		return false;
	bool ok = regexec(&re, s, 0, NULL, 0) == 0;
	regfree(&re);
	return ok;
}

static bool valid_environment(const char *s)
{
	return strcmp(s, "production") == 0 || strcmp(s, "staging") == 0 ||
	       strcmp(s, "development") == 0;
}

static bool valid_region(const char *s)
{
	return matches("^[a-z]{2}(-[a-z]+)+-[0-9]+$", s);
}

/* The path-and-name length is checked apart: {1,512} is over musl's
 * RE_DUP_MAX (255), where regcomp refuses it. */
static bool valid_role_arn(const char *s)
{
	return matches("^arn:aws(-cn|-us-gov|-iso|-iso-b)?:iam::[0-9]{12}:role/"
	               "[A-Za-z0-9+=,.@_/-]+$",
	               s) &&
	       strlen(strstr(s, ":role/") + strlen(":role/")) <= 512;
}

static bool valid_duration(const char *s)
{
	int64_t ms = 0;
	return tb_duration_parse(s, &ms) == 0 && ms >= 15 * 60 * 1000 && ms <= 12 * 3600 * 1000;
}

static bool valid_url(const char *s)
{
	return matches("^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[^ ]*)?$", s) ||
	       matches("^https?://\\[[0-9A-Fa-f:]+\\](:[0-9]{1,5})?(/[^ ]*)?$", s);
}

static bool valid_session_name(const char *s)
{
	return matches("^[A-Za-z0-9+=,.@_-]{2,64}$", s);
}

static bool not_blank(const char *s)
{
	return s[strspn(s, " \t")] != '\0';
}

/* One row per string setting checked without AWS. */
struct string_check {
	const char *path;
	bool (*ok)(const char *);
	const char *summary;
	const char *detail;
};

static const struct string_check string_checks[] = {
    {"environment", valid_environment, "Invalid environment",
     "environment must be one of production, staging or development."},
    {"region", valid_region, "Invalid region",
     "region must look like an AWS region name, e.g. us-east-1 or eu-central-1."},
    {"profile", not_blank, "Invalid profile", "profile must not be empty."},
    {"assume_role[0].role_arn", valid_role_arn, "Invalid role ARN",
     "assume_role.role_arn must be an IAM role ARN: "
     "arn:aws:iam::<12-digit account>:role/<name>."},
    {"assume_role[0].session_name", valid_session_name, "Invalid session name",
     "session_name must be 2 to 64 characters of letters, digits and +=,.@_-"},
    {"assume_role[0].duration", valid_duration, "Invalid duration",
     "duration must be a duration between 15m and 12h, e.g. \"1h\"."},
};

static void check_string(struct tb_call *c, const struct tb_value *config,
                         const struct string_check *chk)
{
	struct tb_path path;
	if (tb_path_parse(c->arena, chk->path, &path) != 0)
		return;
	const char *s = tb_get_str(tb_path_get(config, &path));
	if (s == NULL || chk->ok(s))
		return;
	tb_diag_addf(&c->diags, TB_SEV_ERROR, chk->path, chk->summary, "%s Got \"%s\".",
	             chk->detail, s);
}

static void check_endpoints(struct tb_call *c, const struct tb_value *config)
{
	const struct tb_value *list = tb_attr(config, "endpoints");
	if (tb_len(list) == 0)
		return;
	const struct tb_value *ep = list->u.coll.items[0];
	for (size_t i = 0; i < TB_COUNT(endpoint_attrs); i++) {
		const char *name = endpoint_attrs[i].name;
		const char *url = tb_get_str(tb_attr(ep, name));
		if (url == NULL || valid_url(url))
			continue;
		char *path = tb_arena_printf(c->arena, "endpoints[0].%s", name);
		tb_diag_addf(&c->diags, TB_SEV_ERROR, path, "Invalid endpoint URL",
		             "endpoints.%s must be an http:// or https:// URL such as "
		             "http://127.0.0.1:5000. Got \"%s\".",
		             name, url);
	}
}

static void check_retries(struct tb_call *c, const struct tb_value *config)
{
	const struct tb_value *v = tb_attr(config, "max_retries");
	int64_t n = 0;
	if (!tb_is_known(v))
		return;
	if (!tb_get_int(v, &n) || n < 0 || n > 100)
		tb_diag_add(&c->diags, TB_SEV_ERROR, "max_retries", "Invalid max_retries",
		            "max_retries must be a whole number from 0 to 100 (default 25).");
}

static void check_file_lists(struct tb_call *c, const struct tb_value *config)
{
	static const char *const lists[] = {"shared_config_files", "shared_credentials_files"};
	for (size_t i = 0; i < TB_COUNT(lists); i++) {
		const struct tb_value *v = tb_attr(config, lists[i]);
		for (size_t j = 0; j < tb_len(v); j++) {
			const char *s = tb_get_str(v->u.coll.items[j]);
			if (s != NULL && not_blank(s))
				continue;
			if (tb_is_unknown(v->u.coll.items[j]))
				continue;
			char *path = tb_arena_printf(c->arena, "%s[%zu]", lists[i], j);
			tb_diag_add(&c->diags, TB_SEV_ERROR, path, "Invalid file name",
			            "File names must not be empty.");
		}
	}
}

static void check_key_pair(struct tb_call *c, const struct tb_value *config)
{
	const struct tb_value *ak = tb_attr(config, "access_key");
	const struct tb_value *sk = tb_attr(config, "secret_key");
	if (tb_is_unknown(ak) || tb_is_unknown(sk))
		return;
	if (tb_is_null(ak) != tb_is_null(sk))
		tb_diag_add(&c->diags, TB_SEV_ERROR, tb_is_null(ak) ? "secret_key" : "access_key",
		            "Incomplete static credentials",
		            "access_key and secret_key must be given together (or neither: the "
		            "default credential chain is preferred).");
}

/* Checks the provider block without calling AWS; errors go to c->diags on
 * the attribute they concern. Unknown values are skipped. */
void tb_provider_validate(struct tb_call *c, const struct tb_value *config)
{
	for (size_t i = 0; i < TB_COUNT(string_checks); i++)
		check_string(c, config, &string_checks[i]);
	check_endpoints(c, config);
	check_retries(c, config);
	check_file_lists(c, config);
	check_key_pair(c, config);
}

/* ---- configuration --------------------------------------------------------- */

/*
 * The configured provider. Every ConfigureProvider builds a new snapshot and
 * publishes it; each call holds the snapshot it started with
 * (tb_provider_meta_get), so a later ConfigureProvider (debug mode serves
 * many runs, and every provider alias, from one process) never frees
 * settings or an AWS client a running call still uses. The last reference
 * frees it.
 */
struct snapshot {
	struct tb_meta meta;
	struct tb_arena *arena; /* the snapshot and what meta points to, but the client */
	long refs;              /* under current_lock; unconfigured is not counted */
};

static struct snapshot unconfigured;
static struct snapshot *current = &unconfigured;
static pthread_mutex_t current_lock = PTHREAD_MUTEX_INITIALIZER;

static struct snapshot *snapshot_of(const struct tb_meta *m)
{
	return (struct snapshot *)((const char *)m - offsetof(struct snapshot, meta));
}

/* Returns the current settings, borrowed: valid until the next
 * ConfigureProvider or shutdown. Calls use tb_provider_meta_get instead. */
const struct tb_meta *tb_provider_meta(void)
{
	struct snapshot *s;

	pthread_mutex_lock(&current_lock);
	s = current;
	pthread_mutex_unlock(&current_lock);
	return &s->meta;
}

/* Returns the current settings (never NULL), held until tb_provider_meta_put. */
const struct tb_meta *tb_provider_meta_get(void)
{
	struct snapshot *s;

	pthread_mutex_lock(&current_lock);
	s = current;
	if (s != &unconfigured)
		s->refs++;
	pthread_mutex_unlock(&current_lock);
	return &s->meta;
}

/* Drops a reference taken by tb_provider_meta_get; NULL is a no-op. The
 * last one frees the snapshot: its AWS client, then its arena. */
void tb_provider_meta_put(const struct tb_meta *m)
{
	struct snapshot *s = m ? snapshot_of(m) : NULL;
	struct tb_arena *a;
	long left;

	if (s == NULL || s == &unconfigured)
		return;
	pthread_mutex_lock(&current_lock);
	left = --s->refs;
	pthread_mutex_unlock(&current_lock);
	if (left > 0)
		return;
	a = s->arena;
	tb_aws_client_free(s->meta.aws);
	tb_arena_free(a);
}

/* Makes s (or the unconfigured settings, for NULL) current and drops the
 * reference the previous snapshot held as current. */
static void publish(struct snapshot *s)
{
	struct snapshot *old;

	if (s != NULL)
		s->refs = 1;
	pthread_mutex_lock(&current_lock);
	old = current;
	current = s != NULL ? s : &unconfigured;
	pthread_mutex_unlock(&current_lock);
	tb_provider_meta_put(&old->meta);
}

/* Copies strings out of the configuration into an arena; oom records a
 * failed copy so that an allocation failure is not mistaken for an unset
 * attribute. */
struct reader {
	struct tb_arena *a;
	bool oom;
};

static const char *config_str(struct reader *r, const struct tb_value *obj, const char *name)
{
	const char *s = tb_get_str(tb_attr(obj, name));
	const char *copy = tb_arena_strdup(r->a, s);

	if (s != NULL && copy == NULL)
		r->oom = true;
	return copy;
}

/* A NULL-terminated copy of a list(string) attribute, or NULL when unset. */
static const char *const *config_str_list(struct reader *r, const struct tb_value *obj,
                                          const char *name)
{
	const struct tb_value *v = tb_attr(obj, name);
	size_t n = tb_len(v);
	if (n == 0)
		return NULL;
	const char **out = tb_arena_alloc(r->a, (n + 1) * sizeof(*out));
	if (out == NULL) {
		r->oom = true;
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		const char *s = tb_get_str(v->u.coll.items[i]);
		out[i] = tb_arena_strdup(r->a, s);
		if (s != NULL && out[i] == NULL)
			r->oom = true;
	}
	return out;
}

static const struct tb_value *first_block(const struct tb_value *config, const char *name)
{
	const struct tb_value *list = tb_attr(config, name);
	return tb_len(list) > 0 ? list->u.coll.items[0] : NULL;
}

static void read_assume_role(struct reader *r, const struct tb_value *config,
                             struct tb_aws_assume_role *out)
{
	const struct tb_value *ar = first_block(config, "assume_role");
	int64_t ms = 0;
	if (ar == NULL)
		return;
	out->role_arn = config_str(r, ar, "role_arn");
	out->session_name = config_str(r, ar, "session_name");
	out->external_id = config_str(r, ar, "external_id");
	const char *d = tb_get_str(tb_attr(ar, "duration"));
	if (d != NULL && tb_duration_parse(d, &ms) == 0)
		out->duration_s = ms / 1000;
}

static void read_endpoints(struct reader *r, const struct tb_value *config,
                           struct tb_aws_config *out)
{
	const struct tb_value *ep = first_block(config, "endpoints");
	struct tb_aws_endpoint *list;
	if (ep == NULL)
		return;
	list = tb_arena_alloc(r->a, TB_COUNT(endpoint_attrs) * sizeof(*list));
	if (list == NULL) {
		r->oom = true;
		return;
	}
	for (size_t i = 0; i < TB_COUNT(endpoint_attrs); i++) {
		const char *url = config_str(r, ep, endpoint_attrs[i].name);
		if (url == NULL)
			continue;
		list[out->n_endpoints].service = endpoint_attrs[i].name;
		list[out->n_endpoints++].url = url;
	}
	out->endpoints = list;
}

/* The AWS client's settings, strings in the call's arena (the client copies
 * what it keeps). Returns 0 or TB_ENOMEM. */
static int read_aws_config(struct tb_call *c, const struct tb_value *config,
                           struct tb_aws_config *out)
{
	struct reader r = {.a = c->arena};
	int64_t retries = -1;
	bool skip = false;
	memset(out, 0, sizeof(*out));
	out->region = config_str(&r, config, "region");
	out->profile = config_str(&r, config, "profile");
	out->shared_config_files = config_str_list(&r, config, "shared_config_files");
	out->shared_credentials_files = config_str_list(&r, config, "shared_credentials_files");
	out->access_key = config_str(&r, config, "access_key");
	out->secret_key = config_str(&r, config, "secret_key");
	out->token = config_str(&r, config, "token");
	read_assume_role(&r, config, &out->assume_role);
	read_endpoints(&r, config, out);
	if (!tb_get_int(tb_attr(config, "max_retries"), &retries))
		retries = -1;
	out->max_retries = (int)retries;
	if (tb_get_bool(tb_attr(config, "skip_credentials_validation"), &skip))
		out->skip_credentials_validation = skip;
	out->cancel = c->cancel;
	out->user_agent = "terraform-provider-talentbase/" TB_VERSION;
	return r.oom ? TB_ENOMEM : 0;
}

/* Copies a value into the long-lived arena (values are arena-bound). */
static const struct tb_value *keep_value(struct tb_arena *from, struct tb_arena *to,
                                         const struct tb_value *v)
{
	void *buf = NULL;
	size_t len = 0;
	const struct tb_value *out = NULL;
	if (v == NULL || tb_msgpack_encode(from, v, &buf, &len) != 0)
		return NULL;
	if (tb_msgpack_decode(to, v->type, buf, len, &out) != 0)
		return NULL;
	return out;
}

/* A snapshot of the settings around client (which it then owns, also when
 * this fails). Returns 0 and *out, or TB_ENOMEM. */
static int new_snapshot(struct tb_call *c, const struct tb_value *config,
                        struct tb_aws_client *client, struct snapshot **out)
{
	struct tb_arena *a = tb_arena_new();
	struct snapshot *s = a ? tb_arena_alloc(a, sizeof(*s)) : NULL;
	struct reader r = {.a = a};
	const struct tb_value *tags = tb_attr(config, "default_tags");
	bool strict = false, preflight = true;

	if (s == NULL) {
		tb_arena_free(a);
		tb_aws_client_free(client);
		return TB_ENOMEM;
	}
	s->arena = a;
	s->meta.aws = client;
	s->meta.environment = config_str(&r, config, "environment");
	if (s->meta.environment == NULL)
		s->meta.environment = "production";
	s->meta.strict = tb_get_bool(tb_attr(config, "strict"), &strict) && strict;
	s->meta.preflight = !tb_get_bool(tb_attr(config, "preflight"), &preflight) || preflight;
	s->meta.default_tags = tb_is_known(tags) ? keep_value(c->arena, a, tags) : NULL;
	s->meta.region = tb_aws_region(client);
	s->meta.partition = tb_aws_partition(client);
	s->meta.account_id = tb_aws_account_id(client);
	if (r.oom || (tags != NULL && tb_is_known(tags) && s->meta.default_tags == NULL)) {
		s->refs = 1;
		tb_provider_meta_put(&s->meta);
		return TB_ENOMEM;
	}
	*out = s;
	return 0;
}

/* Builds the AWS client from the provider block and publishes the settings
 * for the calls that start afterwards. Returns 0, or a TB_E* code with an
 * error diagnostic naming the credential source tried and what AWS
 * answered (TB_ENOMEM may come without one). */
int tb_provider_configure(struct tb_call *c, const struct tb_value *config)
{
	struct tb_aws_config cfg;
	struct tb_aws_client *client = NULL;
	struct snapshot *s = NULL;
	char *errmsg = NULL;
	int rc = read_aws_config(c, config, &cfg);

	if (rc != 0)
		return rc;
	rc = tb_aws_client_new(&cfg, &client, &errmsg);
	if (rc != 0) {
		tb_diag_add(&c->diags, TB_SEV_ERROR, NULL, "Failed to configure AWS credentials",
		            errmsg ? errmsg : tb_strerror(rc));
		free(errmsg);
		return rc;
	}
	rc = new_snapshot(c, config, client, &s);
	if (rc != 0)
		return rc;
	tb_log(TB_LOG_INFO, NULL, "provider configured", "environment", s->meta.environment,
	       "region", s->meta.region ? s->meta.region : "", "credentials",
	       tb_aws_credential_source(client), NULL);
	publish(s);
	return 0;
}

/* Unpublishes the settings at shutdown; the AWS client is freed once no call
 * holds them. */
void tb_provider_shutdown(void)
{
	publish(NULL);
}
