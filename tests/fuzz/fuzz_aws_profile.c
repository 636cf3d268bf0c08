/*
 * The shared config and credentials file parser (aws/profile.c).
 *
 * Input: the text of a config file, then optionally a NUL byte and the text
 * of a credentials file, parsed into one list the way aws_profiles_load
 * merges them. Every profile has a name; every key is lower case; the
 * lookups the credential chain and endpoint resolution make answer.
 */
#include <ctype.h>

#include "aws/internal.h"
#include "fuzz.h"

static const char *const keys[] = {
    "aws_access_key_id",  "aws_secret_access_key",
    "aws_session_token",  "ca_bundle",
    "credential_process", "credential_source",
    "duration_seconds",   "endpoint_url",
    "external_id",        "region",
    "role_arn",           "role_session_name",
    "source_profile",     "web_identity_token_file",
};

static void check(const struct aws_profile *list)
{
	for (const struct aws_profile *p = list; p; p = p->next) {
		FUZZ_CHECK(p->name && *p->name);
		FUZZ_CHECK(aws_profile_find(list, p->name) == p);
		for (const struct aws_ini_kv *kv = p->kv; kv; kv = kv->next) {
			FUZZ_CHECK(kv->key && kv->value);
			for (const char *k = kv->key; *k; k++)
				FUZZ_CHECK(!isupper((unsigned char)*k));
		}
		for (size_t i = 0; i < TB_COUNT(keys); i++)
			(void)aws_profile_get(p, keys[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tb_arena *a = tb_arena_new();
	struct fuzz_in in = {data, size};
	struct aws_profile *list = NULL;
	char *config, *credentials;

	if (!a)
		return 0;
	config = fuzz_str(a, fuzz_field(&in, '\0', NULL));
	credentials = fuzz_str(a, fuzz_field(&in, '\0', NULL));
	if (config && credentials && aws_ini_parse(a, config, true, &list) == 0 &&
	    aws_ini_parse(a, credentials, false, &list) == 0)
		check(list);
	(void)aws_profile_find(list, "default");
	tb_arena_free(a);
	return 0;
}
