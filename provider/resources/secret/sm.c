/*
 * talentbase_secret, Secrets Manager: request bodies (pure), what
 * DescribeSecret says (pure), and the calls and steps that read, change and
 * delete a secret. No call here reads a secret's value: DescribeSecret and
 * GetResourcePolicy tell everything the state needs.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "resources/secret/secret.h"

#define SM "secretsmanager"

/* ---- requests ---------------------------------------------------------------- */

/* The CreateSecret body. See secret.h. */
json_t *tb_secret_create_request(struct tb_arena *a, const struct tb_secret *s, const char *value,
                                 const char *token)
{
	json_t *b = tb_kit_pack(a, "{s:s, s:s, s:s}", "Name", s->name, "ClientRequestToken", token,
	                        "SecretString", value);

	if (b && s->description && *s->description)
		json_object_set_new(b, "Description", json_string(s->description));
	if (b && s->kms_key_id && *s->kms_key_id)
		json_object_set_new(b, "KmsKeyId", json_string(s->kms_key_id));
	if (b && s->tags_all.n > 0)
		json_object_set(b, "Tags", tb_aws_tags_json(a, SM, &s->tags_all));
	return b;
}

/* The RotateSecret body. See secret.h. */
json_t *tb_secret_rotate_request(struct tb_arena *a, const struct tb_secret *s, const char *token)
{
	json_t *rules = s->rot.schedule
	                    ? json_pack("{s:s}", "ScheduleExpression", s->rot.schedule)
	                    : json_pack("{s:I}", "AutomaticallyAfterDays", (json_int_t)s->rot.days);
	json_t *b =
	    tb_kit_pack(a, "{s:s, s:s, s:o, s:b}", "SecretId", s->arn, "ClientRequestToken", token,
	                "RotationRules", rules, "RotateImmediately", (int)s->rot.immediately);

	if (b && s->rot.lambda_arn)
		json_object_set_new(b, "RotationLambdaARN", json_string(s->rot.lambda_arn));
	return b;
}

/* ---- answers -------------------------------------------------------------------- */

/* "2026-05-01 12:00:00 UTC" for an epoch-seconds JSON number, in a. */
static const char *date_text(struct tb_arena *a, const json_t *t)
{
	char buf[64];
	struct tm tm;
	time_t secs;

	if (json_is_string(t))
		return tb_arena_strdup(a, json_string_value(t));
	if (!json_is_number(t))
		return NULL;
	secs = (time_t)json_number_value(t);
	if (gmtime_r(&secs, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		return tb_arena_strdup(a, "an unknown date");
	return tb_arena_strdup(a, buf);
}

/* The version that has the staging label AWSCURRENT. */
static const char *current_version(struct tb_arena *a, const json_t *stages)
{
	const char *id;
	json_t *labels;

	json_object_foreach((json_t *)stages, id, labels)
	{
		for (size_t i = 0; i < json_array_size(labels); i++)
			if (tb_str_eq(json_string_value(json_array_get(labels, i)), "AWSCURRENT"))
				return tb_arena_strdup(a, id);
	}
	return NULL;
}

/* Tags the user can manage: AWS's own (aws:...) are left out. */
static int user_tags(struct tb_arena *a, const json_t *list, struct tb_kvs *out)
{
	size_t n = 0;
	int err = tb_kit_jpairs(a, list, "Key", "Value", out);

	for (size_t i = 0; err == 0 && i < out->n; i++)
		if (!tb_str_has_prefix(out->v[i].key, "aws:"))
			out->v[n++] = out->v[i];
	out->n = err == 0 ? n : 0;
	return err;
}

/* The rotation schedule as the prior configuration wrote it. */
static void flatten_rules(struct tb_arena *a, const json_t *rules, const struct tb_secret *prior,
                          struct tb_secret_rot *r)
{
	const char *expr = tb_kit_jstr(rules, "ScheduleExpression");
	int64_t days = tb_kit_jint(rules, "AutomaticallyAfterDays");
	const char *as_rate = prior && prior->rot.days ? tb_arena_printf(a, "rate(%lld days)",
	                                                                 (long long)prior->rot.days)
	                                               : NULL;

	r->schedule = NULL;
	r->days = 0;
	if (expr && *expr && !(as_rate && tb_str_eq(expr, as_rate)))
		r->schedule = tb_arena_strdup(a, expr);
	else if (expr && *expr)
		r->days = prior->rot.days;
	else
		r->days = days;
}

/* Fills s from a DescribeSecret answer. See secret.h. */
int tb_secret_flatten(struct tb_arena *a, const json_t *d, const struct tb_secret *prior,
                      struct tb_secret *s)
{
	const char *arn = tb_kit_jstr(d, "ARN"), *lambda = tb_kit_jstr(d, "RotationLambdaARN");
	const char *desc = tb_kit_jstr(d, "Description");

	if (arn == NULL)
		return TB_EINVAL;
	s->arn = tb_arena_strdup(a, arn);
	s->name = tb_arena_strdup(a, tb_kit_jstr(d, "Name") ? tb_kit_jstr(d, "Name") : s->name);
	s->description = desc && *desc ? tb_arena_strdup(a, desc) : NULL;
	s->kms_key_id = tb_arena_strdup(a, tb_kit_jstr(d, "KmsKeyId"));
	if (tb_str_eq(s->kms_key_id, TB_SECRET_AWS_KEY))
		s->kms_key_id = NULL;
	s->version_id = current_version(a, json_object_get(d, "VersionIdsToStages"));
	s->deleted_date = date_text(a, json_object_get(d, "DeletedDate"));
	s->rot.set = json_is_true(json_object_get(d, "RotationEnabled"));
	s->rot.lambda_arn = lambda && *lambda ? tb_arena_strdup(a, lambda) : NULL;
	flatten_rules(a, json_object_get(d, "RotationRules"), prior, &s->rot);
	return user_tags(a, json_object_get(d, "Tags"), &s->tags_all);
}

/* ---- calls --------------------------------------------------------------------------- */

/* DescribeSecret. See secret.h. */
int tb_secret_describe(struct tb_aws_ctx *ctx, const char *id, json_t **out)
{
	return tb_kit_call(ctx, SM, "DescribeSecret",
	                   tb_kit_pack(ctx->arena, "{s:s}", "SecretId", id ? id : ""), out);
}

static int read_policy(struct tb_aws_ctx *ctx, struct tb_secret *s)
{
	json_t *resp = NULL;
	const char *p;
	int err = tb_kit_call(ctx, SM, "GetResourcePolicy",
	                      tb_kit_pack(ctx->arena, "{s:s}", "SecretId", s->arn), &resp);

	if (err != 0)
		return err;
	p = tb_kit_jstr(resp, "ResourcePolicy");
	s->policy = p && *p ? tb_arena_strdup(ctx->arena, p) : NULL;
	return 0;
}

/* Reads the secret into s. See secret.h. */
int tb_secret_read_aws(struct tb_aws_ctx *ctx, struct tb_secret *s)
{
	struct tb_secret prior = *s;
	json_t *d = NULL;
	int err = tb_secret_describe(ctx, s->arn ? s->arn : s->name, &d);

	if (err == 0)
		err = tb_secret_flatten(ctx->arena, d, &prior, s);
	if (err == 0 && s->deleted_date)
		return TB_ENOTFOUND;
	return err == 0 ? read_policy(ctx, s) : err;
}

/* PutSecretValue. See secret.h. */
int tb_secret_put_value(struct tb_aws_ctx *ctx, struct tb_secret *s, const char *value)
{
	const char *token = tb_secret_token(ctx->arena);
	json_t *resp = NULL;
	int err;

	if (token == NULL)
		return TB_ENOMEM;
	err = tb_kit_call(ctx, SM, "PutSecretValue",
	                  tb_kit_pack(ctx->arena, "{s:s, s:s, s:s}", "SecretId", s->arn,
	                              "ClientRequestToken", token, "SecretString", value),
	                  &resp);
	if (err == 0)
		s->version_id = tb_arena_strdup(ctx->arena, tb_kit_jstr(resp, "VersionId"));
	return err;
}

/* RestoreSecret. See secret.h. */
int tb_secret_restore(struct tb_aws_ctx *ctx, const struct tb_secret *s)
{
	return tb_kit_call(ctx, SM, "RestoreSecret",
	                   tb_kit_pack(ctx->arena, "{s:s}", "SecretId", s->arn), NULL);
}

/* ---- steps ------------------------------------------------------------------------------ */

/* Puts or deletes the resource policy when it differs from op->old's (or
 * from none, on create). BlockPublicPolicy is always on. */
int tb_secret_policy_step(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	const struct tb_secret *old = op->old, *s = slot;

	if (tb_secret_policy_equal(old ? old->policy : NULL, s->policy))
		return 0;
	if (s->policy == NULL || *s->policy == '\0')
		return tb_kit_call(ctx, SM, "DeleteResourcePolicy",
		                   tb_kit_pack(ctx->arena, "{s:s}", "SecretId", s->arn), NULL);
	return tb_kit_call(ctx, SM, "PutResourcePolicy",
	                   tb_kit_pack(ctx->arena, "{s:s, s:s, s:b}", "SecretId", s->arn,
	                               "ResourcePolicy", s->policy, "BlockPublicPolicy", 1),
	                   NULL);
}

/* Starts or changes rotation (RotateSecret) or turns it off
 * (CancelRotateSecret) when it differs from op->old's. */
int tb_secret_rotation_step(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	const struct tb_secret *old = op->old, *s = slot;
	const char *token;

	if (old ? tb_secret_rotation_equal(old, s) : !s->rot.set)
		return 0;
	if (!s->rot.set)
		return tb_kit_call(ctx, SM, "CancelRotateSecret",
		                   tb_kit_pack(ctx->arena, "{s:s}", "SecretId", s->arn), NULL);
	if ((token = tb_secret_token(ctx->arena)) == NULL)
		return TB_ENOMEM;
	return tb_kit_call(ctx, SM, "RotateSecret", tb_secret_rotate_request(ctx->arena, s, token),
	                   NULL);
}

/* UpdateSecret of the description and the KMS key when they changed. */
int tb_secret_update_step(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	const struct tb_secret *old = op->old, *s = slot;
	json_t *b;

	if (tb_str_eq(old->description, s->description) &&
	    tb_str_eq(old->kms_key_id, s->kms_key_id))
		return 0;
	b = tb_kit_pack(ctx->arena, "{s:s, s:s}", "SecretId", s->arn, "Description",
	                s->description ? s->description : "");
	if (b && !tb_str_eq(old->kms_key_id, s->kms_key_id))
		json_object_set_new(b, "KmsKeyId",
		                    json_string(s->kms_key_id ? s->kms_key_id : TB_SECRET_AWS_KEY));
	return tb_kit_call(ctx, SM, "UpdateSecret", b, NULL);
}

/* TagResource / UntagResource with what changed in tags_all. */
int tb_secret_tags_step(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot)
{
	const struct tb_secret *old = op->old, *s = slot;
	struct tb_kit_tag_diff d;
	int err = tb_kit_tags_diff(ctx->arena, &old->tags_all, &s->tags_all, &d);

	return err == 0 ? tb_kit_retag(ctx, SM, &s->arn, 1, &d) : err;
}

/* ---- delete --------------------------------------------------------------------------------- */

struct gone {
	const char *arn;
};

/* ACTIVE, SCHEDULED (a DeletedDate) or NOT_FOUND (TB_ENOTFOUND). */
static int deletion_state(struct tb_aws_ctx *ctx, void *ud, const char **state)
{
	const struct gone *g = ud;
	json_t *d = NULL;
	int err = tb_secret_describe(ctx, g->arn, &d);

	if (err == 0)
		*state = json_object_get(d, "DeletedDate") ? "SCHEDULED" : "ACTIVE";
	return err;
}

static const char *const pending_active[] = {"ACTIVE", NULL};
static const char *const pending_any[] = {"ACTIVE", "SCHEDULED", NULL};
static const char *const target_scheduled[] = {"SCHEDULED", "NOT_FOUND", NULL};
static const char *const target_gone[] = {"NOT_FOUND", NULL};

static int delete_call(struct tb_aws_ctx *ctx, const struct tb_secret *s)
{
	json_t *b = s->recovery_window == 0
	                ? tb_kit_pack(ctx->arena, "{s:s, s:b}", "SecretId", s->arn,
	                              "ForceDeleteWithoutRecovery", 1)
	                : tb_kit_pack(ctx->arena, "{s:s, s:I}", "SecretId", s->arn,
	                              "RecoveryWindowInDays", (json_int_t)s->recovery_window);
	int err = tb_kit_call(ctx, SM, "DeleteSecret", b, NULL);

	/* already gone, or already scheduled for deletion by someone else */
	if (err == TB_ENOTFOUND || (err == TB_EVALIDATION && s->recovery_window > 0))
		return 0;
	return err;
}

/* Deletes the secret and waits. See secret.h. */
int tb_secret_delete_aws(struct tb_op *op, const struct tb_secret *s)
{
	struct gone g = {.arn = s->arn};
	struct tb_aws_waiter w = {
	    .what = tb_arena_printf(op->call->arena, "secret %s to be %s", s->name,
	                            s->recovery_window == 0 ? "deleted" : "scheduled for deletion"),
	    .pending = s->recovery_window == 0 ? pending_any : pending_active,
	    .target = s->recovery_window == 0 ? target_gone : target_scheduled,
	    .min_delay_ms = 1000,
	    .max_delay_ms = 5000,
	    .refresh = deletion_state,
	    .ud = &g,
	};
	int err = tb_kit_fail(op, &op->ctx, "deleting secret", delete_call(&op->ctx, s));

	if (err != 0)
		return err;
	err = tb_aws_wait(&op->ctx, &w);
	return tb_kit_fail(op, &op->ctx, "waiting for the secret's deletion", err);
}
