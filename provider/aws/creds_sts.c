/*
 * Temporary credentials from STS (AssumeRole, AssumeRoleWithWebIdentity)
 * and from a credential_process command.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "aws/internal.h"

#define TOKEN_MAX          (64u << 10)
#define PROCESS_OUTPUT_MAX (64u << 10)

static int parse_expiration(struct aws_src_ctx *s, const char *text, struct aws_creds *out)
{
	if (!text || !*text)
		return 0;
	if (tb_time_parse_iso8601(text, &out->expires) == 0)
		return 0;
	tb_buf_printf(s->why, "unparseable credential expiration \"%s\"", text);
	return TB_EAWS;
}

int aws_creds_from_json(struct aws_src_ctx *s, const json_t *o, struct aws_creds *out)
{
	const char *token = aws_json_str(o, "Token");
	struct aws_creds cr = {0};

	if (!token)
		token = aws_json_str(o, "SessionToken");
	cr.access_key = tb_arena_strdup(s->a, aws_json_str(o, "AccessKeyId"));
	cr.secret_key = tb_arena_strdup(s->a, aws_json_str(o, "SecretAccessKey"));
	cr.token = tb_arena_strdup(s->a, token);
	if (!cr.access_key || !cr.secret_key) {
		tb_buf_puts(s->why, "the answer has no AccessKeyId and SecretAccessKey");
		return TB_EAWS;
	}
	if (parse_expiration(s, aws_json_str(o, "Expiration"), &cr) != 0)
		return TB_EAWS;
	*out = cr;
	return 0;
}

static int creds_from_sts(struct aws_src_ctx *s, const struct tb_xml *result, struct aws_creds *out)
{
	const struct tb_xml *x = tb_xml_child(result, "Credentials");
	struct aws_creds cr = {
	    .access_key = (char *)tb_xml_text(x, "AccessKeyId"),
	    .secret_key = (char *)tb_xml_text(x, "SecretAccessKey"),
	    .token = (char *)tb_xml_text(x, "SessionToken"),
	};

	if (!cr.access_key || !cr.secret_key) {
		tb_buf_puts(s->why, "the STS answer has no credentials");
		return TB_EAWS;
	}
	if (parse_expiration(s, tb_xml_text(x, "Expiration"), &cr) != 0)
		return TB_EAWS;
	*out = cr;
	return 0;
}

static const char *session_name(struct aws_src_ctx *s, const char *given)
{
	if (given && *given)
		return given;
	return tb_arena_printf(s->a, "talentbase-%lld", (long long)(tb_wall_time() * 1000));
}

/* One STS call for a source; on failure the AWS error goes to s->why. */
static int sts_call(struct aws_src_ctx *s, const char *action, const struct tb_aws_params *params,
                    const struct aws_creds *base, struct aws_creds *out)
{
	struct tb_aws_ctx ctx = {.client = s->c, .arena = s->a};
	const struct tb_xml *res = NULL;
	int rc = aws_query_call(&ctx, "sts", action, params, base, base == NULL, &res);

	if (rc) {
		tb_buf_puts(s->why, tb_aws_error_string(s->a, &ctx.error));
		return rc;
	}
	return creds_from_sts(s, res, out);
}

int aws_sts_assume_role(struct aws_src_ctx *s, const struct aws_creds *base,
                        const struct tb_aws_assume_role *role, struct aws_creds *out)
{
	struct tb_aws_params p;
	char duration[24];
	int rc;

	snprintf(duration, sizeof(duration), "%lld",
	         (long long)(role->duration_s > 0 ? role->duration_s : 3600));
	tb_aws_params_init(&p, s->a);
	rc = tb_aws_params_add(&p, "RoleArn", role->role_arn);
	if (rc == 0)
		rc = tb_aws_params_add(&p, "RoleSessionName", session_name(s, role->session_name));
	if (rc == 0)
		rc = tb_aws_params_add(&p, "DurationSeconds", duration);
	if (rc == 0 && role->external_id && *role->external_id)
		rc = tb_aws_params_add(&p, "ExternalId", role->external_id);
	if (rc == 0) {
		tb_buf_printf(s->why, "assuming role %s: ", role->role_arn);
		rc = sts_call(s, "AssumeRole", &p, base, out);
	}
	return rc;
}

static char *trim_token(char *t)
{
	size_t n = strlen(t);

	while (n && (t[n - 1] == '\n' || t[n - 1] == '\r' || t[n - 1] == ' '))
		t[--n] = '\0';
	return t;
}

int aws_sts_web_identity(struct aws_src_ctx *s, const char *role_arn, const char *session,
                         const char *token_file, struct aws_creds *out)
{
	struct tb_aws_params p;
	char *token = NULL;
	int rc = aws_read_file(s->a, token_file, TOKEN_MAX, &token, NULL);

	if (rc) {
		tb_buf_printf(s->why, "reading web identity token file %s: %s", token_file,
		              tb_strerror(rc));
		return rc == TB_ENOTFOUND ? TB_EIO : rc;
	}
	tb_aws_params_init(&p, s->a);
	rc = tb_aws_params_add(&p, "RoleArn", role_arn);
	if (rc == 0)
		rc = tb_aws_params_add(&p, "RoleSessionName", session_name(s, session));
	if (rc == 0)
		rc = tb_aws_params_add(&p, "WebIdentityToken", trim_token(token));
	if (rc == 0) {
		tb_buf_printf(s->why, "assuming role %s with web identity: ", role_arn);
		rc = sts_call(s, "AssumeRoleWithWebIdentity", &p, NULL, out);
	}
	return rc;
}

/* Runs cmd through /bin/sh and collects its standard output. */
static int run_command(struct aws_src_ctx *s, const char *cmd, struct tb_buf *output)
{
	FILE *f = popen(cmd, "r");
	char chunk[4096];
	size_t n;
	int status, rc = 0;

	if (!f) {
		tb_buf_puts(s->why, "credential_process: cannot start the command");
		return TB_EIO;
	}
	output->max = PROCESS_OUTPUT_MAX;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (rc == 0)
			rc = tb_buf_append(output, chunk, n);
	status = pclose(f);
	if (rc == 0 && (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
		tb_buf_printf(s->why, "credential_process exited with status %d",
		              status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		rc = TB_EIO;
	} else if (rc) {
		tb_buf_puts(s->why, "credential_process: output larger than 64 KiB");
	}
	return rc;
}

int aws_run_credential_process(struct aws_src_ctx *s, const char *cmd, struct aws_creds *out)
{
	struct tb_buf output;
	json_t *o = NULL;
	int rc;

	tb_buf_init(&output);
	rc = run_command(s, cmd, &output);
	if (rc == 0) {
		o = json_loadb(output.data ? output.data : "", output.len, 0, NULL);
		if (json_integer_value(json_object_get(o, "Version")) != 1) {
			tb_buf_puts(s->why,
			            "credential_process: output is not JSON with \"Version\": 1");
			rc = TB_EINVAL;
		}
	}
	if (rc == 0) {
		tb_buf_puts(s->why, "credential_process: ");
		rc = aws_creds_from_json(s, o, out);
	}
	json_decref(o);
	tb_buf_free(&output);
	return rc;
}
