/*
 * talentbase_secret, the sequences: create (with the way back from a name
 * scheduled for deletion), update, and what a failure leaves behind.
 */
#include <string.h>

#include "resources/secret/secret.h"

#define SM "secretsmanager"

/* clang-format off */
static const struct tb_kit_step after_create[] = {
    {.name = "putting resource policy", .run = tb_secret_policy_step},
    {.name = "configuring rotation", .run = tb_secret_rotation_step},
};
static const struct tb_kit_step update_first[] = {
    {.name = "updating secret", .run = tb_secret_update_step},
    {.name = "updating tags", .run = tb_secret_tags_step},
    {.name = "updating resource policy", .run = tb_secret_policy_step},
};
static const struct tb_kit_step update_rotation[] = {
    {.name = "updating rotation", .run = tb_secret_rotation_step},
};
/* clang-format on */

/* Updates old to s in place. See secret.h. */
int tb_secret_update_bundle(struct tb_op *op, const struct tb_secret *old, struct tb_secret *s,
                            const char *value)
{
	int err;

	op->old = old;
	err = TB_KIT_RUN(op, s, update_first);
	if (err == 0 && value)
		err = tb_kit_fail(op, &op->ctx, "storing the new value",
		                  tb_secret_put_value(&op->ctx, s, value));
	if (err == 0)
		err = TB_KIT_RUN(op, s, update_rotation);
	return err;
}

/* ---- a name scheduled for deletion -------------------------------------------------- */

/* The error CreateSecret gave, explained: the deletion date and the two
 * ways out. */
static void report_scheduled(const struct tb_op *op, const struct tb_aws_error *e,
                             const struct tb_secret *old)
{
	struct tb_call *c = op->call;
	char *what = tb_aws_error_string(c->arena, e);

	tb_diag_addf(&c->diags, TB_SEV_ERROR, "name",
	             tb_arena_printf(c->arena, "creating secret for %s \"%s\": %s", op->res->name,
	                             old->name, what ? what : "CreateSecret failed"),
	             "A secret named \"%s\" (%s) is scheduled for deletion on %s, and Secrets "
	             "Manager keeps the name until then.\n\nEither set restore_if_deleted = true "
	             "on this resource: the next apply restores that secret (RestoreSecret), "
	             "updates it to this configuration and stores the new value. Or wait until "
	             "%s, or delete it now without recovery:\n  aws secretsmanager delete-secret "
	             "--secret-id %s --force-delete-without-recovery",
	             old->name, old->arn, old->deleted_date, old->deleted_date, old->arn);
}

/*
 * After CreateSecret refused the name: whether a secret of that name is
 * scheduled for deletion (0 and *found, with *old filled), or the error of
 * looking.
 */
static int scheduled_secret(struct tb_op *op, const char *name, struct tb_secret *old, bool *found)
{
	json_t *d = NULL;
	int err = tb_secret_describe(&op->ctx, name, &d);

	*found = false;
	if (err == TB_ENOTFOUND)
		return 0;
	if (err == 0)
		err = tb_secret_flatten(op->call->arena, d, NULL, old);
	*found = err == 0 && old->deleted_date != NULL;
	return err;
}

/* RestoreSecret, then the secret as it is, updated to s with value. */
static int restore_and_update(struct tb_op *op, struct tb_secret *old, struct tb_secret *s,
                              const char *value)
{
	int err = tb_kit_fail(op, &op->ctx, "restoring secret scheduled for deletion",
	                      tb_secret_restore(&op->ctx, old));

	if (err != 0)
		return err;
	s->arn = old->arn;
	s->version_id = old->version_id;
	old->deleted_date = NULL;
	err =
	    tb_kit_fail(op, &op->ctx, "reading restored secret", tb_secret_read_aws(&op->ctx, old));
	return err == 0 ? tb_secret_update_bundle(op, old, s, value) : err;
}

/* CreateSecret failed with err: the way back from a name scheduled for
 * deletion, or the failure. */
static int create_refused(struct tb_op *op, struct tb_secret *s, const char *value, int err)
{
	struct tb_aws_ctx failed = op->ctx;
	struct tb_secret *old = tb_arena_alloc(op->call->arena, sizeof(*old));
	bool found = false;

	if (old == NULL)
		return TB_ENOMEM;
	if ((err == TB_EVALIDATION || err == TB_ECONFLICT) &&
	    scheduled_secret(op, s->name, old, &found) == 0 && found) {
		if (!s->restore) {
			report_scheduled(op, &failed.error, old);
			return err;
		}
		return restore_and_update(op, old, s, value);
	}
	return tb_kit_fail(op, &failed, "creating secret", err);
}

/* ---- create ---------------------------------------------------------------------------- */

/* A failed step after CreateSecret: the new secret (nothing uses it yet)
 * is deleted again; if that fails too, it stays in the partial state. */
static void roll_back(struct tb_op *op, struct tb_secret *s)
{
	struct tb_aws_ctx ctx = op->ctx;
	json_t *b = tb_kit_pack(op->call->arena, "{s:s, s:b}", "SecretId", s->arn,
	                        "ForceDeleteWithoutRecovery", 1);

	ctx.deadline_ms = 0; /* the operation's time may be up; the clean-up still runs */
	if (tb_kit_call(&ctx, SM, "DeleteSecret", b, NULL) != 0) {
		tb_diag_addf(&op->call->diags, TB_SEV_WARNING, NULL, "The new secret was kept",
		             "Deleting secret %s after the failure failed too (%s); it is recorded "
		             "in the state, and the next apply replaces it.",
		             s->arn, tb_aws_error_string(op->call->arena, &ctx.error));
		return;
	}
	tb_diag_addf(&op->call->diags, TB_SEV_WARNING, NULL, "The new secret was deleted again",
	             "Secret %s was created moments before the failure and deleted again "
	             "(ForceDeleteWithoutRecovery): nothing is left behind, and the next apply "
	             "creates it again.",
	             s->arn);
	s->arn = NULL;
	s->version_id = NULL;
}

/* Creates the secret, its policy and rotation. See secret.h. */
int tb_secret_create_bundle(struct tb_op *op, struct tb_secret *s, const char *value)
{
	const char *token = tb_secret_token(op->call->arena);
	json_t *resp = NULL;
	int err;

	if (token == NULL)
		return tb_kit_fail(op, &op->ctx, "creating secret", TB_ENOMEM);
	err = tb_kit_call(&op->ctx, SM, "CreateSecret",
	                  tb_secret_create_request(op->call->arena, s, value, token), &resp);
	if (err != 0)
		return create_refused(op, s, value, err);
	s->arn = tb_arena_strdup(op->call->arena, tb_kit_jstr(resp, "ARN"));
	s->version_id = tb_arena_strdup(op->call->arena, tb_kit_jstr(resp, "VersionId"));
	if (s->arn == NULL)
		return tb_kit_fail(op, &op->ctx, "creating secret", TB_ENOMEM);
	op->old = NULL;
	err = TB_KIT_RUN(op, s, after_create);
	if (err != 0)
		roll_back(op, s);
	return err;
}
