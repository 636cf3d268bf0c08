/*
 * talentbase_secret, what others need from a secret: the valueFrom strings
 * ECS resolves (env_refs) and the least-privilege read policy. Pure
 * functions of the ARN and the settings.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "resources/secret/secret.h"

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The JSON keys env_refs lists. See secret.h. */
int tb_secret_keys(struct tb_arena *a, const struct tb_secret *s, struct tb_strs *out)
{
	size_t cap = s->template_.n + s->json_keys.n + 2, n = 0;
	const char **v = tb_arena_alloc(a, cap * sizeof(*v));

	if (v == NULL)
		return TB_ENOMEM;
	if (s->gen.set && s->gen.json_key) {
		v[n++] = s->gen.json_key;
		for (size_t i = 0; i < s->template_.n; i++)
			if (!tb_str_eq(s->template_.v[i].key, s->gen.json_key))
				v[n++] = s->template_.v[i].key;
	} else if (!s->gen.set) {
		for (size_t i = 0; i < s->json_keys.n; i++)
			if (s->json_keys.v[i])
				v[n++] = s->json_keys.v[i];
	}
	qsort(v, n, sizeof(*v), cmp_str);
	out->v = v;
	out->n = n;
	return 0;
}

/* The env_refs name of a plain-string secret. See secret.h. */
char *tb_secret_plain_key(struct tb_arena *a, const char *name)
{
	const char *slash = name ? strrchr(name, '/') : NULL;
	char *k = tb_arena_strdup(a, slash ? slash + 1 : name ? name : "");

	for (char *p = k; p && *p; p++)
		*p = isalnum((unsigned char)*p) ? (char)toupper((unsigned char)*p) : '_';
	return k;
}

/* env_refs. See secret.h. */
int tb_secret_env_refs(struct tb_arena *a, const struct tb_secret *s, const char *arn,
                       struct tb_kvs *out)
{
	struct tb_strs keys;
	int err = tb_secret_keys(a, s, &keys);
	struct tb_kv *kv;

	if (err != 0)
		return err;
	kv = tb_arena_alloc(a, (keys.n + 1) * sizeof(*kv));
	if (kv == NULL)
		return TB_ENOMEM;
	for (size_t i = 0; i < keys.n; i++) {
		kv[i].key = keys.v[i];
		kv[i].value = arn ? tb_arena_printf(a, "%s:%s::", arn, keys.v[i]) : NULL;
		if (arn && kv[i].value == NULL)
			return TB_ENOMEM;
	}
	out->n = keys.n;
	if (keys.n == 0) {
		kv[0].key = tb_secret_plain_key(a, s->name);
		kv[0].value = arn;
		out->n = kv[0].key ? 1 : 0;
	}
	out->v = kv;
	return 0;
}

/* Field i (0-based) of a colon-separated ARN, in a; NULL when missing. */
static char *arn_field(struct tb_arena *a, const char *arn, int i)
{
	const char *p = arn;

	for (int k = 0; k < i && p; k++) {
		p = strchr(p, ':');
		p = p ? p + 1 : NULL;
	}
	if (p == NULL)
		return NULL;
	return tb_arena_strndup(a, p, strcspn(p, ":"));
}

/* The KMS part of the policy: Resource and an extra condition for an alias. */
static json_t *kms_statement(struct tb_arena *a, const char *key, const char *partition,
                             const char *region, const char *account)
{
	const char *alias = tb_str_has_prefix(key, "alias/") ? key
	                    : strstr(key, ":alias/") != NULL ? strstr(key, ":alias/") + 1
	                                                     : NULL;
	char *resource = tb_str_has_prefix(key, "arn:") && !alias
	                     ? tb_arena_strdup(a, key)
	                     : tb_arena_printf(a, "arn:%s:kms:%s:%s:key/%s", partition, region,
	                                       account, alias ? "*" : key);
	json_t *cond = json_pack("{s:{s:s}}", "StringEquals", "kms:ViaService",
	                         tb_arena_printf(a, "secretsmanager.%s.amazonaws.com", region));

	if (cond && alias)
		json_object_set_new(cond, "ForAnyValue:StringEquals",
		                    json_pack("{s:s}", "kms:ResourceAliases", alias));
	return tb_aws_json_own(a, json_pack("{s:s, s:s, s:s, s:s, s:o}", "Sid", "DecryptSecret",
	                                    "Effect", "Allow", "Action", "kms:Decrypt", "Resource",
	                                    resource ? resource : "", "Condition", cond));
}

/* The read policy. See secret.h. */
char *tb_secret_read_policy(struct tb_arena *a, const char *arn, const char *kms_key_id)
{
	char *partition = arn ? arn_field(a, arn, 1) : NULL;
	char *region = arn ? arn_field(a, arn, 3) : NULL;
	char *account = arn ? arn_field(a, arn, 4) : NULL;
	json_t *doc, *stmts;
	char *text, *out;

	if (!partition || !region || !account || !tb_str_has_prefix(arn, "arn:"))
		return NULL;
	stmts = json_pack("[{s:s, s:s, s:s, s:s}]", "Sid", "ReadSecret", "Effect", "Allow",
	                  "Action", "secretsmanager:GetSecretValue", "Resource", arn);
	if (stmts && kms_key_id && *kms_key_id && !tb_str_eq(kms_key_id, TB_SECRET_AWS_KEY))
		json_array_append(stmts, kms_statement(a, kms_key_id, partition, region, account));
	doc = tb_aws_json_own(a,
	                      json_pack("{s:s, s:o}", "Version", "2012-10-17", "Statement", stmts));
	text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	out = text ? tb_arena_strdup(a, text) : NULL;
	free(text);
	return out;
}

/* Same policy JSON. See secret.h. */
bool tb_secret_policy_equal(const char *x, const char *y)
{
	json_t *jx, *jy;
	bool same;

	if (x == NULL || *x == '\0' || y == NULL || *y == '\0')
		return (x == NULL || *x == '\0') && (y == NULL || *y == '\0');
	jx = json_loads(x, 0, NULL);
	jy = json_loads(y, 0, NULL);
	same = jx && jy ? json_equal(jx, jy) : strcmp(x, y) == 0;
	json_decref(jx);
	json_decref(jy);
	return same;
}
