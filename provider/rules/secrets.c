/*
 * Recognising secrets where they do not belong (TB002) and checking the
 * references ECS resolves secrets from (TB019). Nothing here ever copies a
 * value that may be secret into a message.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "rules/rule.h"

struct cred_pattern {
	const char *needle; /* case-sensitive, anywhere in the value */
	size_t tail;        /* at least this many token characters follow */
	bool upper;         /* the tail is [A-Z0-9] (AWS key IDs) */
	const char *what;
};

static const struct cred_pattern cred_patterns[] = {
    {.needle = "AKIA", .tail = 16, .upper = true, .what = "an AWS access key ID"},
    {.needle = "ASIA", .tail = 16, .upper = true, .what = "an AWS temporary access key ID"},
    {.needle = "sk_live_", .tail = 1, .what = "a Stripe live secret key"},
    {.needle = "rk_live_", .tail = 1, .what = "a Stripe restricted key"},
    {.needle = "sk_test_", .tail = 1, .what = "a Stripe test secret key"},
    {.needle = "whsec_", .tail = 1, .what = "a Stripe webhook signing secret"},
    {.needle = "ghp_", .tail = 20, .what = "a GitHub personal access token"},
    {.needle = "github_pat_", .tail = 20, .what = "a GitHub personal access token"},
    {.needle = "xoxb-", .tail = 10, .what = "a Slack bot token"},
    {.needle = "xoxp-", .tail = 10, .what = "a Slack user token"},
    {.needle = "glpat-", .tail = 20, .what = "a GitLab access token"},
};

/* Words that make an environment variable name look like a secret. */
static const char *const secret_words[] = {
    "SECRET", "PASSWORD",    "PASSWD",     "TOKEN",      "API_KEY",
    "APIKEY", "PRIVATE_KEY", "CREDENTIAL", "ACCESS_KEY",
};

/* Names that point at a secret rather than hold one (their values are still
 * checked for credentials). */
static const char *const reference_suffixes[] = {
    "_ARN", "_FILE", "_PATH", "_URL", "_NAME",
};

static bool token_char(int ch, bool upper)
{
	if (upper)
		return isdigit(ch) || isupper(ch);
	return isalnum(ch) || ch == '_' || ch == '-';
}

static bool pattern_at(const char *s, const struct cred_pattern *p)
{
	const char *hit = strstr(s, p->needle);

	for (; hit != NULL; hit = strstr(hit + 1, p->needle)) {
		const char *t = hit + strlen(p->needle);
		size_t n = 0;

		if (p->upper && hit > s && token_char((unsigned char)hit[-1], true))
			continue;
		while (token_char((unsigned char)t[n], p->upper))
			n++;
		if (n >= p->tail && (!p->upper || n == p->tail))
			return true;
	}
	return false;
}

static bool pem_private_key(const char *s)
{
	const char *begin = strstr(s, "-----BEGIN ");

	return begin != NULL && strstr(begin, "PRIVATE KEY-----") != NULL;
}

/* scheme://user:password@host */
static bool url_with_password(const char *s)
{
	const char *p = strstr(s, "://");
	const char *end, *colon;

	if (p == NULL)
		return false;
	p += 3;
	end = p + strcspn(p, "/?#@");
	if (*end != '@')
		return false;
	colon = memchr(p, ':', (size_t)(end - p));
	return colon != NULL && colon + 1 < end;
}

/* What value looks like (a static phrase), or NULL; NULL value gives NULL. */
const char *tb_rules_credential_kind(const char *value)
{
	if (value == NULL)
		return NULL;
	for (size_t i = 0; i < TB_COUNT(cred_patterns); i++) {
		if (pattern_at(value, &cred_patterns[i]))
			return cred_patterns[i].what;
	}
	if (pem_private_key(value))
		return "a PEM private key";
	if (url_with_password(value))
		return "a URL with a password in it";
	return NULL;
}

static bool has_suffix_icase(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* The secret word in an environment variable name (static), or NULL. */
const char *tb_rules_secret_name_word(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < TB_COUNT(reference_suffixes); i++) {
		if (has_suffix_icase(name, reference_suffixes[i]))
			return NULL;
	}
	for (size_t i = 0; i < TB_COUNT(secret_words); i++) {
		if (tb_str_icontains(name, secret_words[i]))
			return secret_words[i];
	}
	return NULL;
}

/* ---- TB019: secret references ------------------------------------------- */

#define ARN_MAX_PARTS 12

struct arn {
	size_t n;
	const char *part[ARN_MAX_PARTS];
	size_t len[ARN_MAX_PARTS];
};

static void arn_split(const char *s, struct arn *out)
{
	out->n = 0;
	while (out->n < ARN_MAX_PARTS) {
		const char *colon = strchr(s, ':');

		out->part[out->n] = s;
		out->len[out->n] = colon ? (size_t)(colon - s) : strlen(s);
		out->n++;
		if (colon == NULL)
			return;
		s = colon + 1;
	}
	out->n = ARN_MAX_PARTS + 1; /* too many */
}

static bool part_is(const struct arn *arn, size_t i, const char *s)
{
	return arn->len[i] == strlen(s) && strncmp(arn->part[i], s, arn->len[i]) == 0;
}

static bool chars_in(const char *s, size_t n, const char *extra)
{
	for (size_t i = 0; i < n; i++) {
		if (!isalnum((unsigned char)s[i]) && strchr(extra, s[i]) == NULL)
			return false;
	}
	return n > 0;
}

/* aws, aws-cn, aws-us-gov, aws-iso-b, ... */
static bool partition_ok(const struct arn *arn)
{
	const char *p = arn->part[1];
	size_t n = arn->len[1];

	if (n == 3)
		return strncmp(p, "aws", 3) == 0;
	for (size_t i = 4; i < n; i++) {
		if (!islower((unsigned char)p[i]) && p[i] != '-')
			return false;
	}
	return n > 4 && strncmp(p, "aws-", 4) == 0;
}

/* us-east-1, us-gov-west-1, eu-central-2 ... */
static bool region_ok(const char *p, size_t n)
{
	size_t dashes = 0;

	for (size_t i = 0; i < n; i++) {
		if (p[i] == '-')
			dashes++;
		else if (!islower((unsigned char)p[i]) && !isdigit((unsigned char)p[i]))
			return false;
	}
	return dashes >= 2 && n > 0 && isdigit((unsigned char)p[n - 1]) && p[0] != '-';
}

static bool account_ok(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return false;
	}
	return n == 12;
}

static const char *secretsmanager_error(const struct arn *arn)
{
	if (arn->n != 7 && arn->n != 10)
		return "a Secrets Manager reference is arn:<partition>:secretsmanager:<region>:"
		       "<account>:secret:<name>, optionally followed by "
		       ":<json-key>:<version-stage>:<version-id> (three fields, each may be empty)";
	if (!part_is(arn, 5, "secret"))
		return "the resource part of a Secrets Manager ARN starts with \"secret:\"";
	if (!chars_in(arn->part[6], arn->len[6], "/_+=.@-"))
		return "the secret name is empty or has characters Secrets Manager does not allow "
		       "(letters, digits and /_+=.@- only)";
	if (arn->n == 10 && arn->len[8] > 0 && arn->len[9] > 0)
		return "give either a version stage or a version ID, not both";
	return NULL;
}

static const char *ssm_error(const struct arn *arn)
{
	const char *p = arn->part[5];
	size_t n = arn->len[5];

	if (arn->n != 6 || n <= strlen("parameter/") || strncmp(p, "parameter/", 10) != 0)
		return "an SSM parameter reference is arn:<partition>:ssm:<region>:<account>:"
		       "parameter/<name> (for /a/b write parameter/a/b)";
	if (!chars_in(p + 10, n - 10, "/_.-"))
		return "the parameter name has characters SSM does not allow (letters, digits and "
		       "/_.- only)";
	return NULL;
}

static const char *arn_common_error(struct tb_arena *a, const struct arn *arn)
{
	if (arn->n < 6 || arn->n > ARN_MAX_PARTS || !part_is(arn, 0, "arn"))
		return "the value is not an ARN; ECS reads secrets only from a Secrets Manager "
		       "secret "
		       "ARN or an SSM parameter ARN";
	if (!partition_ok(arn))
		return "the partition (second field) is not an AWS partition such as aws, aws-cn "
		       "or "
		       "aws-us-gov";
	if (!part_is(arn, 2, "secretsmanager") && !part_is(arn, 2, "ssm"))
		return tb_arena_printf(
		    a,
		    "the ARN is of service \"%.*s\"; ECS reads secrets only from "
		    "secretsmanager or ssm",
		    (int)arn->len[2], arn->part[2]);
	if (!region_ok(arn->part[3], arn->len[3]))
		return "the region (fourth field) is missing or not a region name such as "
		       "us-east-1";
	if (!account_ok(arn->part[4], arn->len[4]))
		return "the account (fifth field) is not a 12-digit AWS account ID";
	return NULL;
}

static const char *arn_place_error(struct tb_arena *a, const struct arn *arn, const char *partition,
                                   const char *region)
{
	if (partition != NULL && !part_is(arn, 1, partition))
		return tb_arena_printf(a,
		                       "the ARN is in partition \"%.*s\" but the provider works in "
		                       "\"%s\"",
		                       (int)arn->len[1], arn->part[1], partition);
	if (region != NULL && !part_is(arn, 3, region))
		return tb_arena_printf(a,
		                       "the ARN is in region \"%.*s\" but the provider deploys to "
		                       "\"%s\": every task start would depend on another region "
		                       "(and a copy of the secret that is easily forgotten)",
		                       (int)arn->len[3], arn->part[3], region);
	return NULL;
}

/* NULL when value is a usable ECS secret reference, else the reason (static or
 * in a); the reason never quotes the value. */
const char *tb_rules_secret_ref_error(struct tb_arena *a, const char *value, const char *partition,
                                      const char *region)
{
	struct arn arn;
	const char *err;

	if (value == NULL || *value == '\0')
		return "the value is empty";
	arn_split(value, &arn);
	err = arn_common_error(a, &arn);
	if (err == NULL)
		err = part_is(&arn, 2, "ssm") ? ssm_error(&arn) : secretsmanager_error(&arn);
	if (err == NULL)
		err = arn_place_error(a, &arn, partition, region);
	return err;
}
