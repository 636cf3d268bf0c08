/*
 * talentbase_secret: the schema tables of the resource and of the
 * ephemeral resource, and the recovery window each environment defaults to.
 */
#include <string.h>

#include "resources/secret/secret.h"

#define T_STR  "\"string\""
#define T_NUM  "\"number\""
#define T_BOOL "\"bool\""
#define T_MAP  "[\"map\",\"string\"]"
#define T_SET  "[\"set\",\"string\"]"

#define OC (TB_A_OPTIONAL | TB_A_COMPUTED)

/* ---- defaults by environment -------------------------------------------- */

/* clang-format off */
static const struct {
	const char *environment;
	int64_t window;
} windows[] = {
    {.environment = "production", .window = 30},
    {.environment = "staging", .window = 7},
    {.environment = "development", .window = 0},
};
/* clang-format on */

/* The recovery window of an environment. See secret.h. */
int64_t tb_secret_default_window(const char *environment)
{
	for (size_t i = 0; environment && i < TB_COUNT(windows); i++)
		if (strcmp(windows[i].environment, environment) == 0)
			return windows[i].window;
	return 30;
}

/* ---- blocks ------------------------------------------------------------------ */

static const struct tb_attr generate_attrs[] = {
    {.name = "json_key",
     .type = T_STR,
     .flags = TB_A_OPTIONAL,
     .description = "Store the value as {\"<json_key>\": \"<generated>\"} (with the template "
                    "keys beside it); unset: the secret is the generated string itself."},
    {.name = "length",
     .type = T_NUM,
     .flags = OC,
     .description = "Characters in the generated value (default 64, at least 32: rule TB101).",
     .default_json = "64"},
    {.name = "exclude_punctuation",
     .type = T_BOOL,
     .flags = OC,
     .description = "Leave out the 32 ASCII punctuation characters (default false).",
     .default_json = "false"},
    {.name = "include_space",
     .type = T_BOOL,
     .flags = OC,
     .description = "Allow the space character (default false).",
     .default_json = "false"},
    {.name = "exclude_characters",
     .type = T_STR,
     .flags = OC,
     .description = "Characters never used (default none).",
     .default_json = "\"\""},
    {.name = "version",
     .type = T_NUM,
     .flags = OC,
     .description = "Bump to generate and store a new value (default 1). Other changes to "
                    "this block keep the value that is stored.",
     .default_json = "1"},
};

static const struct tb_block generate_block = {
    .attrs = generate_attrs,
    .n_attrs = TB_COUNT(generate_attrs),
    .description = "The value is generated inside the provider from a cryptographic random "
                   "source, sent to Secrets Manager and never stored in state or shown in a "
                   "plan.",
};

static const struct tb_attr rotation_attrs[] = {
    {.name = "lambda_arn",
     .type = T_STR,
     .flags = TB_A_OPTIONAL,
     .description = "The rotation function. Unset: managed rotation, which Secrets Manager "
                    "offers only for secrets another AWS service manages."},
    {.name = "schedule",
     .type = T_STR,
     .flags = TB_A_OPTIONAL,
     .description = "rate(N days), rate(N hours) or cron(...) (UTC); or give "
                    "automatically_after_days."},
    {.name = "automatically_after_days",
     .type = T_NUM,
     .flags = TB_A_OPTIONAL,
     .description = "Days between rotations (1-1000), instead of schedule."},
    {.name = "rotate_immediately",
     .type = T_BOOL,
     .flags = OC,
     .description = "Rotate as soon as rotation is set up or changed (default false: the "
                    "first rotation follows the schedule).",
     .default_json = "false"},
};

static const struct tb_block rotation_block = {
    .attrs = rotation_attrs,
    .n_attrs = TB_COUNT(rotation_attrs),
    .description = "Automatic rotation (RotateSecret).",
};

static const struct tb_attr timeouts_attrs[] = {
    {.name = "create",
     .type = T_STR,
     .flags = TB_A_OPTIONAL,
     .description = "How long create may take, e.g. \"5m\" (default 10m)."},
    {.name = "update",
     .type = T_STR,
     .flags = TB_A_OPTIONAL,
     .description = "How long update may take (default 10m)."},
    {.name = "delete",
     .type = T_STR,
     .flags = TB_A_OPTIONAL,
     .description = "How long delete may take, the wait for the deletion included "
                    "(default 10m)."},
};

static const struct tb_block timeouts_block = {
    .attrs = timeouts_attrs,
    .n_attrs = TB_COUNT(timeouts_attrs),
    .description = "Operation timeouts.",
};

/* ---- the resource ------------------------------------------------------------- */

static const struct tb_attr secret_attrs[] = {
    {.name = "id", .type = T_STR, .flags = TB_A_COMPUTED, .description = "The secret's ARN."},
    {.name = "arn", .type = T_STR, .flags = TB_A_COMPUTED, .description = "The secret's ARN."},
    {.name = "name",
     .type = T_STR,
     .flags = TB_A_REQUIRED | TB_A_FORCE_NEW,
     .description = "Secret name, e.g. talentbase-prod/web/session-secret (rule TB105)."},
    {.name = "description",
     .type = T_STR,
     .flags = TB_A_OPTIONAL,
     .description = "What the secret is for."},
    {.name = "kms_key_id",
     .type = T_STR,
     .flags = TB_A_OPTIONAL,
     .description = "ARN of the customer managed KMS key that encrypts the value; unset: the "
                    "AWS managed key aws/secretsmanager."},
    {.name = "template",
     .type = T_MAP,
     .flags = TB_A_OPTIONAL,
     .description = "Other, non-secret JSON keys stored beside generate.json_key (written "
                    "with each generated value)."},
    {.name = "value_wo",
     .type = T_STR,
     .flags = TB_A_OPTIONAL | TB_A_SENSITIVE | TB_A_WRITE_ONLY,
     .description = "A value you have (write-only: sent to AWS, never stored in state or "
                    "plan). Needs Terraform 1.11 or OpenTofu 1.11. Sent at create and when "
                    "value_wo_version changes."},
    {.name = "value_wo_version",
     .type = T_NUM,
     .flags = TB_A_OPTIONAL,
     .description = "Change it to send value_wo again."},
    {.name = "json_keys",
     .type = T_SET,
     .flags = TB_A_OPTIONAL,
     .description = "The JSON keys of value_wo, for env_refs (the value itself is never "
                    "read)."},
    {.name = "policy",
     .type = T_STR,
     .flags = TB_A_OPTIONAL,
     .description = "Resource policy (JSON), put with BlockPublicPolicy."},
    {.name = "recovery_window_days",
     .type = T_NUM,
     .flags = TB_A_OPTIONAL,
     .description = "Days a destroyed secret can still be restored: 0 (deleted at once) or "
                    "7-30. Unset: 30 in production, 7 in staging, 0 in development."},
    {.name = "restore_if_deleted",
     .type = T_BOOL,
     .flags = TB_A_OPTIONAL,
     .description = "When the name belongs to a secret scheduled for deletion, restore it "
                    "(RestoreSecret), update it to this configuration and store the value "
                    "(default false: the apply fails and says so)."},
    {.name = "tags",
     .type = T_MAP,
     .flags = TB_A_OPTIONAL,
     .description = "Tags of the secret, over the provider's default_tags."},
    {.name = "tags_all",
     .type = T_MAP,
     .flags = TB_A_COMPUTED,
     .description = "tags merged over the provider's default_tags."},
    {.name = "acknowledge",
     .type = T_MAP,
     .flags = TB_A_OPTIONAL,
     .description = "Rule ID -> reason: turns that rule's error into a warning."},
    {.name = "version_id",
     .type = T_STR,
     .flags = TB_A_COMPUTED,
     .description = "The version with the staging label AWSCURRENT."},
    {.name = "env_refs",
     .type = T_MAP,
     .flags = TB_A_COMPUTED,
     .description = "The valueFrom string ECS needs for each JSON key (\"<arn>:<key>::\"), or "
                    "for a plain-string secret one entry named after the last part of name "
                    "(\"<arn>\"): talentbase_service.secrets = this."},
    {.name = "read_policy_json",
     .type = T_STR,
     .flags = TB_A_COMPUTED,
     .description = "IAM policy document that allows reading exactly this secret "
                    "(secretsmanager:GetSecretValue, and kms:Decrypt through Secrets Manager "
                    "for a customer key): for the execution role."},
};

static const struct tb_nested secret_nested[] = {
    {.name = "generate",
     .nesting = TB_NEST_SINGLE,
     .block = &generate_block,
     .min_items = 0,
     .max_items = 1},
    {.name = "rotation",
     .nesting = TB_NEST_SINGLE,
     .block = &rotation_block,
     .min_items = 0,
     .max_items = 1},
    {.name = "timeouts",
     .nesting = TB_NEST_SINGLE,
     .block = &timeouts_block,
     .min_items = 0,
     .max_items = 1},
};

const struct tb_block tb_secret_block = {
    .attrs = secret_attrs,
    .n_attrs = TB_COUNT(secret_attrs),
    .blocks = secret_nested,
    .n_blocks = TB_COUNT(secret_nested),
    .description = "A Secrets Manager secret whose value is generated by the provider or given "
                   "write-only, never in state or plan output, with rotation, a resource "
                   "policy, the valueFrom strings ECS needs and a least-privilege read policy "
                   "(rules TB101-TB105).",
};

const struct tb_schema tb_secret_schema = {
    .version = 0,
    .block = &tb_secret_block,
};

/* clang-format off */
static const struct {
	const char *path;
	const struct tb_block *block;
} block_paths[] = {
    {.path = "", .block = &tb_secret_block},
    {.path = "generate", .block = &generate_block},
    {.path = "rotation", .block = &rotation_block},
    {.path = "timeouts", .block = &timeouts_block},
};
/* clang-format on */

/* Returns the block table at a dotted path ("" is the resource), or NULL. */
const struct tb_block *tb_secret_block_at(const char *path)
{
	for (size_t i = 0; path && i < TB_COUNT(block_paths); i++)
		if (strcmp(block_paths[i].path, path) == 0)
			return block_paths[i].block;
	return NULL;
}

/* ---- the ephemeral resource ------------------------------------------------------ */

static const struct tb_attr ephemeral_attrs[] = {
    {.name = "arn", .type = T_STR, .flags = OC, .description = "ARN of the secret (or give name)."},
    {.name = "name",
     .type = T_STR,
     .flags = OC,
     .description = "Name of the secret (or give arn)."},
    {.name = "json_key",
     .type = T_STR,
     .flags = TB_A_OPTIONAL,
     .description = "One key of a JSON secret: value is that key's value."},
    {.name = "version_id",
     .type = T_STR,
     .flags = OC,
     .description = "The version to read; unset: the one labelled version_stage."},
    {.name = "version_stage",
     .type = T_STR,
     .flags = OC,
     .description = "The staging label to read (default AWSCURRENT)."},
    {.name = "value",
     .type = T_STR,
     .flags = TB_A_COMPUTED | TB_A_SENSITIVE,
     .description = "The secret's value (or its json_key's), for this run only: for write-only "
                    "arguments and other ephemeral contexts, never stored."},
};

static const struct tb_block ephemeral_block = {
    .attrs = ephemeral_attrs,
    .n_attrs = TB_COUNT(ephemeral_attrs),
    .description = "The value of a Secrets Manager secret for one run (GetSecretValue), never "
                   "written to state or plan.",
};

const struct tb_schema tb_secret_ephemeral_schema = {
    .version = 0,
    .block = &ephemeral_block,
};
