/*
 * talentbase_secret, inside: the effective settings of one Secrets Manager
 * secret (the configuration with defaults resolved, or what DescribeSecret
 * reports), the value generator, the computed references, and the steps
 * that create, read, update and delete the secret. Private to the
 * secret_*.c files and their unit tests.
 *
 * The secret's value is never part of the settings a state is built from:
 * it is made (generate) or taken from the configuration (value_wo) only
 * when it is sent, lives in the call's arena, and goes to AWS in
 * CreateSecret or PutSecretValue only. Reads use DescribeSecret; the
 * ephemeral resource (ephemeral.c) is the only place that reads a value.
 *
 *   plan/apply: cty value -> tb_secret_load -> struct tb_secret -> AWS
 *   read:       AWS -> tb_secret_flatten -> struct tb_secret -> tb_secret_state
 */
#ifndef TB_RESOURCES_SECRET_H
#define TB_RESOURCES_SECRET_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resources/kit/kit.h"
#include "tb/aws.h"
#include "tb/provider.h"

#define TB_SECRET_RESOURCE "talentbase_secret"
#define TB_SECRET_MAX_LEN  4096
/* The AWS managed key: no kms:Decrypt statement is needed for it. */
#define TB_SECRET_AWS_KEY "alias/aws/secretsmanager"

/* ---- effective settings ------------------------------------------------- */

/* How a generated value is made (generate { }); all ours, not AWS's. */
struct tb_secret_gen {
	bool set;
	const char *json_key; /* NULL: the value is the generated string itself */
	int64_t length, version;
	bool exclude_punctuation, include_space;
	const char *exclude_characters;
};

/* Rotation; absent (set false) means rotation off. */
struct tb_secret_rot {
	bool set;
	const char *lambda_arn; /* NULL: managed rotation */
	const char *schedule;   /* rate(...) or cron(...), or NULL */
	int64_t days;           /* automatically_after_days, 0: none */
	bool immediately;       /* ours: RotateImmediately */
};

struct tb_secret {
	const char *id, *arn, *name, *description, *kms_key_id, *policy;
	struct tb_secret_gen gen;
	struct tb_kvs template_, tags, tags_all;
	struct tb_strs json_keys;
	int64_t value_wo_version; /* 0: none */
	int64_t recovery_window;  /* valid when has_window */
	bool has_window, restore;
	struct tb_secret_rot rot;
	/* computed */
	const char *version_id, *read_policy_json;
	struct tb_kvs env_refs;
	/* read only: DeletedDate of a secret scheduled for deletion (text) */
	const char *deleted_date;
};

/* ---- schema (schema.c) ------------------------------------------------------ */

extern const struct tb_schema tb_secret_schema;
extern const struct tb_block tb_secret_block;
extern const struct tb_schema tb_secret_ephemeral_schema;
/* Nested block tables by dotted path ("rotation"); NULL if none. */
const struct tb_block *tb_secret_block_at(const char *path);
/* The recovery window of an environment (production 30, staging 7,
 * development 0); 30 for an unknown one. */
int64_t tb_secret_default_window(const char *environment);

/* ---- model (model.c) ---------------------------------------------------------- */

extern const struct tb_kit_model tb_secret_model;

/* Reads v (planned, prior or state) into *out with defaults resolved; the
 * recovery window left null is the environment's. 0 or TB_ENOMEM. */
int tb_secret_load(struct tb_arena *a, const struct tb_meta *meta, const struct tb_value *v,
                   struct tb_secret *out);
/* Builds the resource value for actual (what AWS reports), shaped after
 * prior; settings that are not AWS's (generate, template, json_keys,
 * value_wo_version, recovery_window_days, restore_if_deleted, acknowledge,
 * timeouts) come from prior. Computes env_refs and read_policy_json.
 * emit_all (import) writes every block AWS has. 0 or TB_ENOMEM. */
int tb_secret_state(struct tb_arena *a, const struct tb_meta *meta, const struct tb_secret *actual,
                    const struct tb_value *prior, bool emit_all, const struct tb_value **out);
/* Whether the AWS-side rotation settings of x and y are the same. */
bool tb_secret_rotation_equal(const struct tb_secret *x, const struct tb_secret *y);

/* ---- the value (generate.c) ----------------------------------------------------- */

/*
 * The characters a generated value draws from, in a (as GetRandomPassword:
 * letters and digits, the 32 ASCII punctuation characters unless
 * exclude_punctuation, a space with include_space, less exclude_characters).
 * Sets *n to its length; NULL when out of memory.
 */
char *tb_secret_alphabet(struct tb_arena *a, const struct tb_secret_gen *g, size_t *n);
/*
 * A random value of g->length characters from the alphabet, from the
 * CSPRNG (RAND_bytes) with rejection sampling (every character equally
 * likely). Like GetRandomPassword's RequireEachIncludedType, it holds at
 * least one character of each class the alphabet has (lower case, upper
 * case, digits, punctuation, space): a value that lacks one is drawn again
 * whole. In a, wiped when a is freed. TB_EINVAL for an empty alphabet or
 * a length outside 1-4096, TB_EIO when the CSPRNG fails, TB_ENOMEM.
 */
int tb_secret_generate(struct tb_arena *a, const struct tb_secret_gen *g, char **out);
/* A uuid (version 4, from RAND_bytes) for ClientRequestToken; NULL on failure. */
char *tb_secret_token(struct tb_arena *a);
/*
 * The value to send: value_wo from the call's configuration, or a new
 * generated value ({json_key: generated} with the template keys beside
 * it, or the generated string). In a, wiped when a is freed; never
 * logged. TB_EINVAL when the configuration has neither (an error
 * diagnostic says so), or the generator's error.
 */
int tb_secret_value(struct tb_call *c, const struct tb_secret *s, const char **out);

/* ---- computed references (refs.c) ------------------------------------------------ */

/* The JSON keys env_refs lists: generate.json_key and the template keys, or
 * json_keys; none for a plain-string secret. In a. */
int tb_secret_keys(struct tb_arena *a, const struct tb_secret *s, struct tb_strs *out);
/* The env_refs name of a plain-string secret: the last path segment of
 * name, upper-cased, with characters other than letters, digits and _
 * made _ ("talentbase-prod/web/session-secret" -> "SESSION_SECRET"). */
char *tb_secret_plain_key(struct tb_arena *a, const char *name);
/* env_refs: each key to "<arn>:<key>::", or the plain key to "<arn>"
 * (sorted by key). arn NULL: values NULL (unknown). 0 or TB_ENOMEM. */
int tb_secret_env_refs(struct tb_arena *a, const struct tb_secret *s, const char *arn,
                       struct tb_kvs *out);
/* The least-privilege read policy document for arn (and kms_key_id when it
 * is a customer key), as JSON text in a; NULL when out of memory or arn is
 * not a Secrets Manager ARN. */
char *tb_secret_read_policy(struct tb_arena *a, const char *arn, const char *kms_key_id);
/* Whether two policy documents are the same JSON (NULL and "" are none). */
bool tb_secret_policy_equal(const char *x, const char *y);

/* ---- Secrets Manager (sm.c) --------------------------------------------------------- */

/* The CreateSecret body for s with value and token (owned by a), or NULL. */
json_t *tb_secret_create_request(struct tb_arena *a, const struct tb_secret *s, const char *value,
                                 const char *token);
/* The RotateSecret body for s, or NULL. */
json_t *tb_secret_rotate_request(struct tb_arena *a, const struct tb_secret *s, const char *token);
/* Fills the AWS-side settings of *s from a DescribeSecret answer (and
 * deleted_date when it has a DeletedDate): 0, TB_EINVAL without an ARN,
 * or TB_ENOMEM. prior (may be NULL) says how the rotation schedule was
 * written (automatically_after_days or schedule). */
int tb_secret_flatten(struct tb_arena *a, const json_t *d, const struct tb_secret *prior,
                      struct tb_secret *s);
/* DescribeSecret of id (name or ARN): the answer in *out, or TB_ENOTFOUND. */
int tb_secret_describe(struct tb_aws_ctx *ctx, const char *id, json_t **out);
/* Reads the secret s->arn (else s->name) into s: DescribeSecret and
 * GetResourcePolicy. TB_ENOTFOUND when it is gone or scheduled for
 * deletion (s->deleted_date then says when). */
int tb_secret_read_aws(struct tb_aws_ctx *ctx, struct tb_secret *s);

/* Steps (slot is a struct tb_secret; op->old the prior settings on update). */
int tb_secret_policy_step(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot);
int tb_secret_rotation_step(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot);
int tb_secret_update_step(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot);
int tb_secret_tags_step(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot);

/* PutSecretValue of value with a new token: 0 and the new version in
 * s->version_id, or the error. */
int tb_secret_put_value(struct tb_aws_ctx *ctx, struct tb_secret *s, const char *value);
/* RestoreSecret of s->arn. */
int tb_secret_restore(struct tb_aws_ctx *ctx, const struct tb_secret *s);
/* DeleteSecret with the recovery window (ForceDeleteWithoutRecovery for 0),
 * then waits until DescribeSecret shows it scheduled for deletion (or, for
 * 0, gone). A secret already gone is no error. */
int tb_secret_delete_aws(struct tb_op *op, const struct tb_secret *s);

/* ---- the lifecycle (bundle.c) ------------------------------------------------------- */

/*
 * Creates the secret (or restores one scheduled for deletion with
 * restore_if_deleted, updating it to s), then its policy and rotation.
 * s receives the ARN and version as they come into being. After a failure
 * s->arn names the secret that exists (the partial state records it), or
 * is NULL when nothing does: a secret this call created is deleted again
 * when a later step fails. Diagnostics go to op->call.
 */
int tb_secret_create_bundle(struct tb_op *op, struct tb_secret *s, const char *value);
/* Updates old to s in place; value (NULL: keep the value) is pushed with
 * PutSecretValue. */
int tb_secret_update_bundle(struct tb_op *op, const struct tb_secret *old, struct tb_secret *s,
                            const char *value);

#endif
