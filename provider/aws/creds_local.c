/*
 * Credential sources that need no network of their own: explicit keys,
 * the environment, web identity (token file + role, exchanged with STS) and
 * shared config profiles (static keys, role_arn + source_profile or
 * credential_source, web_identity_token_file, credential_process).
 */
#include <stdlib.h>
#include <string.h>

#include "aws/internal.h"

#define PROFILE_DEPTH_MAX 4

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

/* A key pair (and optional token) copied into s->a; both or neither must be set. */
static int key_pair(struct aws_src_ctx *s, const char *ak, const char *sk, const char *token,
                    const char *what, struct aws_creds *out)
{
	if (!ak && !sk)
		return TB_ENOTFOUND;
	if (!ak || !sk) {
		tb_buf_printf(s->why, "%s: both the access key and the secret key must be set",
		              what);
		return TB_EINVAL;
	}
	*out = (struct aws_creds){
	    .access_key = tb_arena_strdup(s->a, ak),
	    .secret_key = tb_arena_strdup(s->a, sk),
	    .token = tb_arena_strdup(s->a, token),
	};
	return out->access_key && out->secret_key ? 0 : TB_ENOMEM;
}

int aws_src_explicit(struct aws_src_ctx *s, struct aws_creds *out)
{
	const struct aws_settings *set = &s->c->set;
	return key_pair(s, set->access_key, set->secret_key, set->token, "access_key/secret_key",
	                out);
}

int aws_src_env(struct aws_src_ctx *s, struct aws_creds *out)
{
	const char *ak = env_nonempty("AWS_ACCESS_KEY_ID");
	const char *sk = env_nonempty("AWS_SECRET_ACCESS_KEY");

	if (!ak)
		ak = env_nonempty("AWS_ACCESS_KEY");
	if (!sk)
		sk = env_nonempty("AWS_SECRET_KEY");
	return key_pair(s, ak, sk, env_nonempty("AWS_SESSION_TOKEN"),
	                "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY", out);
}

int aws_src_web_identity(struct aws_src_ctx *s, struct aws_creds *out)
{
	const char *file = env_nonempty("AWS_WEB_IDENTITY_TOKEN_FILE");
	const char *role = env_nonempty("AWS_ROLE_ARN");

	if (!file)
		return TB_ENOTFOUND;
	if (!role) {
		tb_buf_puts(s->why, "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not");
		return TB_EINVAL;
	}
	return aws_sts_web_identity(s, role, env_nonempty("AWS_ROLE_SESSION_NAME"), file, out);
}

static int static_keys(struct aws_src_ctx *s, const struct aws_profile *p, struct aws_creds *out)
{
	return key_pair(s, aws_profile_get(p, "aws_access_key_id"),
	                aws_profile_get(p, "aws_secret_access_key"),
	                aws_profile_get(p, "aws_session_token"), p->name, out);
}

/* AssumeRole with the profile's role_arn, external_id, role_session_name, duration_seconds. */
static int profile_assume(struct aws_src_ctx *s, const struct aws_profile *p,
                          const struct aws_creds *base, struct aws_creds *out)
{
	const char *duration = aws_profile_get(p, "duration_seconds");
	struct tb_aws_assume_role role = {
	    .role_arn = aws_profile_get(p, "role_arn"),
	    .session_name = aws_profile_get(p, "role_session_name"),
	    .external_id = aws_profile_get(p, "external_id"),
	    .duration_s = duration ? strtoll(duration, NULL, 10) : 0,
	};

	return aws_sts_assume_role(s, base, &role, out);
}

struct named_source {
	const char *name;
	int (*fetch)(struct aws_src_ctx *s, struct aws_creds *out);
};

/* clang-format off */
static const struct named_source named_sources[] = {
	{.name = "Environment", .fetch = aws_src_env},
	{.name = "Ec2InstanceMetadata", .fetch = aws_src_imds},
	{.name = "EcsContainer", .fetch = aws_src_container},
};
/* clang-format on */

/* role_arn + credential_source: the named source's credentials, then the role. */
static int credential_source(struct aws_src_ctx *s, const struct aws_profile *p, const char *name,
                             struct aws_creds *out)
{
	const struct named_source *ns = NULL;
	struct aws_creds base = {0};
	int rc;

	for (size_t i = 0; i < sizeof(named_sources) / sizeof(named_sources[0]); i++)
		if (strcmp(named_sources[i].name, name) == 0)
			ns = &named_sources[i];
	if (!ns) {
		tb_buf_printf(s->why, "profile %s: unknown credential_source \"%s\"", p->name,
		              name);
		return TB_EINVAL;
	}
	rc = ns->fetch(s, &base);
	if (rc == TB_ENOTFOUND) {
		tb_buf_printf(s->why, "profile %s: credential_source %s has no credentials",
		              p->name, name);
		return TB_EINVAL;
	}
	return rc ? rc : profile_assume(s, p, &base, out);
}

static int profile_creds(struct aws_src_ctx *s, const struct aws_profile *p, int depth,
                         struct aws_creds *out);

/* role_arn + source_profile (a profile naming itself uses its own static keys). */
static int source_profile(struct aws_src_ctx *s, const struct aws_profile *p, const char *name,
                          int depth, struct aws_creds *out)
{
	const struct aws_profile *sp = aws_profile_find(s->c->profiles, name);
	struct aws_creds base = {0};
	int rc;

	if (!sp) {
		tb_buf_printf(s->why, "profile %s: source_profile \"%s\" does not exist", p->name,
		              name);
		return TB_EINVAL;
	}
	if (depth >= PROFILE_DEPTH_MAX) {
		tb_buf_printf(s->why, "profile %s: source_profile chain is deeper than %d", p->name,
		              PROFILE_DEPTH_MAX);
		return TB_EINVAL;
	}
	rc = sp == p ? static_keys(s, p, &base) : profile_creds(s, sp, depth + 1, &base);
	if (rc == TB_ENOTFOUND) {
		tb_buf_printf(s->why, "profile %s: source_profile %s has no credentials", p->name,
		              name);
		rc = TB_EINVAL;
	}
	return rc ? rc : profile_assume(s, p, &base, out);
}

static int profile_creds(struct aws_src_ctx *s, const struct aws_profile *p, int depth,
                         struct aws_creds *out)
{
	const char *role = aws_profile_get(p, "role_arn");
	const char *src = aws_profile_get(p, "source_profile");
	const char *csrc = aws_profile_get(p, "credential_source");
	const char *token_file = aws_profile_get(p, "web_identity_token_file");
	const char *process = aws_profile_get(p, "credential_process");
	int rc;

	if (role && src)
		return source_profile(s, p, src, depth, out);
	rc = static_keys(s, p, out);
	if (rc != TB_ENOTFOUND)
		return rc;
	if (role && csrc)
		return credential_source(s, p, csrc, out);
	if (token_file && role) {
		char *path = aws_expand_home(s->a, token_file);
		return path ? aws_sts_web_identity(s, role, aws_profile_get(p, "role_session_name"),
		                                   path, out)
		            : TB_ENOMEM;
	}
	if (process)
		return aws_run_credential_process(s, process, out);
	return TB_ENOTFOUND;
}

int aws_src_profile(struct aws_src_ctx *s, struct aws_creds *out)
{
	const struct aws_profile *p = aws_current_profile(s->c);

	if (!p && s->c->set.profile_explicit) {
		tb_buf_printf(s->why,
		              "profile \"%s\" is not in the shared config or credentials files",
		              s->c->set.profile);
		return TB_EINVAL;
	}
	return p ? profile_creds(s, p, 0, out) : TB_ENOTFOUND;
}
