/*
 * The helpers behind TB016, TB002 and TB019, by vectors: schedule
 * expressions, time zones, credential-looking values and names, and secret
 * references.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rules/rule.h"

struct vector {
	const char *text;
	bool ok;
};

static const struct vector schedules[] = {
    /* cron: the documents' and AWS's examples */
    {"cron(0 8 ? * MON-FRI *)", true},
    {"cron(0 18 ? * MON-FRI *)", true},
    {"cron(30 6 ? * MON *)", true},
    {"cron(0 10 * * ? *)", true},
    {"cron(15 12 * * ? *)", true},
    {"cron(0 8 1 * ? *)", true},
    {"cron(0/15 * * * ? *)", true},
    {"cron(0/10 * ? * MON-FRI *)", true},
    {"cron(0/5 8-17 ? * MON-FRI *)", true},
    {"cron(0 9 ? * 2#1 *)", true},
    {"cron(0 9 ? * MON#1 *)", true},
    {"cron(0 9 ? * 6L *)", true},
    {"cron(0 9 ? * FRIL *)", true},
    {"cron(0 9 ? * L *)", true},
    {"cron(0 9 L * ? *)", true},
    {"cron(0 9 LW * ? *)", true},
    {"cron(0 9 15W * ? *)", true},
    {"cron(0 0 1 JAN,JUL ? 2026)", true},
    {"cron(0 0 1 jan-mar ? 2026-2030)", true},
    {"cron(0 0 ? NOV-FEB SAT-SUN *)", true},
    {"cron(0,15,30,45 * ? * * *)", true},
    {"cron(*/5 * ? * * *)", true},
    {"cron(10-50/5 * ? * * *)", true},
    {"cron(0  8  ?  *  MON-FRI  *)", true},
    {"cron(0 0 1 1/3 ? *)", true},
    /* cron: wrong */
    {"cron(0 8 * * MON-FRI *)", false},   /* neither dom nor dow is ? */
    {"cron(0 8 ? * ? *)", false},         /* both are ? */
    {"cron(0 8 * *)", false},             /* four fields */
    {"cron(0 8 ? * MON-FRI)", false},     /* five fields */
    {"cron(0 8 ? * MON-FRI * *)", false}, /* seven fields */
    {"cron(60 8 ? * MON *)", false},
    {"cron(0 24 ? * MON *)", false},
    {"cron(0 8 32 * ? *)", false},
    {"cron(0 8 0 * ? *)", false},
    {"cron(0 8 ? 13 MON *)", false},
    {"cron(0 8 ? * 8 *)", false},
    {"cron(0 8 ? * MONDAY *)", false},
    {"cron(0 8 ? FOO MON *)", false},
    {"cron(0 8 ? * MON 1969)", false},
    {"cron(0 8 ? * MON 2200)", false},
    {"cron(? 8 ? * MON *)", false},
    {"cron(0 17-8 ? * MON *)", false}, /* backwards hours */
    {"cron(0/0 8 ? * MON *)", false},  /* step 0 */
    {"cron(0/61 8 ? * MON *)", false}, /* step too large */
    {"cron(0 8 ? * 2#6 *)", false},    /* no sixth Monday */
    {"cron(0 8 L,15 * ? *)", false},   /* L in a list */
    {"cron(0 8 15L * ? *)", false},    /* nL is day-of-week only */
    {"cron(0 8 ? * 3W *)", false},     /* W is day-of-month only */
    {"cron(0 8 1, * ? *)", false},     /* empty list item */
    {"cron(0 8 1-- * ? *)", false},
    {"cron(0 8 ? * MON *", false}, /* no closing parenthesis */
    {"cron()", false},
    {"cron(0 8 ? * MON *))", false},
    /* rate */
    {"rate(5 minutes)", true},
    {"rate(1 minute)", true},
    {"rate(1 hour)", true},
    {"rate(12 hours)", true},
    {"rate(1 day)", true},
    {"rate(7 days)", true},
    {"rate(1 minutes)", false},
    {"rate(5 minute)", false},
    {"rate(0 minutes)", false},
    {"rate(-1 minutes)", false},
    {"rate(5 weeks)", false},
    {"rate(5)", false},
    {"rate(five minutes)", false},
    {"rate(1.5 hours)", false},
    /* at */
    {"at(2026-03-01T08:00:00)", true},
    {"at(2028-02-29T23:59:59)", true},
    {"at(2027-02-29T00:00:00)", false}, /* not a leap year */
    {"at(2026-04-31T00:00:00)", false},
    {"at(2026-13-01T00:00:00)", false},
    {"at(2026-01-01T24:00:00)", false},
    {"at(2026-01-01 08:00:00)", false},
    {"at(2026-01-01T08:00)", false},
    {"at(2026-01-01T08:00:00Z)", false},
    {"at(+026-01-01T08:00:00)", false},
    /* neither */
    {"", false},
    {"0 8 * * 1-5", false},
    {"every(5 minutes)", false},
};

/* Numbers in messages: integers plainly, the rest (huge, infinite, NaN) as %g. */
static void test_rules_num_text(void **state)
{
	struct tb_arena *a = tb_arena_new();

	assert_string_equal(tb_rules_num_text(a, 30), "30");
	assert_string_equal(tb_rules_num_text(a, -4096), "-4096");
	assert_string_equal(tb_rules_num_text(a, 0.5), "0.5");
	assert_string_equal(tb_rules_num_text(a, 1e300), "1e+300");
	assert_string_equal(tb_rules_num_text(a, -1e19), "-1e+19");
	assert_string_equal(tb_rules_num_text(a, INFINITY), "inf");
	assert_string_equal(tb_rules_num_text(a, -INFINITY), "-inf");
	assert_string_equal(tb_rules_num_text(a, NAN), "nan");
	tb_arena_free(a);
}

static void test_rules_schedule_vectors(void **state)
{
	struct tb_arena *a = tb_arena_new();

	(void)state;
	assert_non_null(a);
	for (size_t i = 0; i < sizeof(schedules) / sizeof(schedules[0]); i++) {
		const char *err = tb_rules_schedule_error(a, schedules[i].text);

		if ((err == NULL) != schedules[i].ok)
			fail_msg("%s: expected %s, got %s", schedules[i].text,
			         schedules[i].ok ? "valid" : "invalid", err ? err : "valid");
	}
	assert_null(tb_rules_schedule_error(a, "cron(0 8 ? * MON-FRI *)"));
	assert_non_null(strstr(tb_rules_schedule_error(a, "cron(0 8 * * MON-FRI *)"), "?"));
	assert_non_null(strstr(tb_rules_schedule_error(a, "cron(0 24 ? * MON *)"), "hours"));
	assert_non_null(strstr(tb_rules_schedule_error(a, "rate(5 minute)"), "plural"));
	tb_arena_free(a);
}

static const struct vector zones[] = {
    {"UTC", true},
    {"America/Sao_Paulo", true},
    {"Europe/Berlin", true},
    {"Etc/GMT+9", true},
    {"Pacific/Tahiti", true},
    {"America/Argentina/Buenos_Aires", true},
    {"Mars/Olympus", false},
    {"america/sao_paulo", false},
    {"America", false}, /* a directory */
    {"../zoneinfo/UTC", false},
    {"America/../UTC", false},
    {"/UTC", false},
    {"UTC/", false},
    {"posix/UTC", false},
    {"right/UTC", false},
    {"posixrules", false},
    {"localtime", false},
    {"Factory", false},
    {"", false},
    {"UTC ", false},
    {"zone.tab", false}, /* a file, but not TZif */
    {"tzdata.zi", false},
};

static void test_rules_timezones(void **state)
{
	(void)state;
	if (tb_rules_timezone(NULL, "UTC") == TB_TZ_CANNOT_TELL)
		skip(); /* no /usr/share/zoneinfo on this machine */
	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		enum tb_rules_tz got = tb_rules_timezone(NULL, zones[i].text);

		if ((got == TB_TZ_VALID) != zones[i].ok)
			fail_msg("zone \"%s\": expected %s", zones[i].text,
			         zones[i].ok ? "valid" : "invalid");
	}
	assert_int_equal(tb_rules_timezone("/nonexistent-zoneinfo", "UTC"), TB_TZ_CANNOT_TELL);
	assert_int_equal(tb_rules_timezone("/nonexistent-zoneinfo", "../etc/passwd"),
	                 TB_TZ_INVALID);
}

struct credential_vector {
	const char *value;
	const char *kind; /* NULL: not a credential */
};

static const struct credential_vector credentials[] = {
    {"AKIAIOSFODNN7EXAMPLE", "an AWS access key ID"},
    {"key=AKIAIOSFODNN7EXAMPLE;", "an AWS access key ID"},
    {"ASIAIOSFODNN7EXAMPLE", "an AWS temporary access key ID"},
    {"AKIA", NULL},
    {"AKIAIOSFODNN7EXAMPLEX", NULL}, /* too long for a key ID */
    {"XAKIAIOSFODNN7EXAMPLE", NULL},
    {"sk_live_4eC39HqLyjWDarjtT1zdp7dc", "a Stripe live secret key"},
    {"sk_live_xxx", "a Stripe live secret key"},
    {"whsec_xxx", "a Stripe webhook signing secret"},
    {"rk_live_abc", "a Stripe restricted key"},
    {"-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----", "a PEM private key"},
    {"-----BEGIN OPENSSH PRIVATE KEY-----", "a PEM private key"},
    {"-----BEGIN CERTIFICATE-----", NULL},
    {"postgresql://user:pass@endpoint:5432/db", "a URL with a password in it"},
    {"redis://:secret@cache:6379", "a URL with a password in it"},
    {"postgresql://user@endpoint:5432/db", NULL},
    {"https://example.com/a:b@c", NULL},
    {"ghp_0123456789abcdefghij0123", "a GitHub personal access token"},
    {"xoxb-1234567890-abc", "a Slack bot token"},
    {"production", NULL},
    {"3000", NULL},
    {"https://api.example.com", NULL},
    {"", NULL},
};

static void test_rules_credentials(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(credentials) / sizeof(credentials[0]); i++) {
		const char *got = tb_rules_credential_kind(credentials[i].value);

		if (credentials[i].kind == NULL ? got != NULL
		                                : got == NULL || strcmp(got, credentials[i].kind))
			fail_msg("value %zu: expected %s, got %s", i,
			         credentials[i].kind ? credentials[i].kind : "nothing",
			         got ? got : "nothing");
	}
	assert_null(tb_rules_credential_kind(NULL));
}

static const struct credential_vector names[] = {
    {"DB_PASSWORD", "PASSWORD"},
    {"db_passwd", "PASSWD"},
    {"SESSION_SECRET", "SECRET"},
    {"STRIPE_SECRET_KEY", "SECRET"},
    {"GITHUB_TOKEN", "TOKEN"},
    {"OPENAI_API_KEY", "API_KEY"},
    {"SendgridApiKey", "APIKEY"},
    {"JWT_PRIVATE_KEY", "PRIVATE_KEY"},
    {"GOOGLE_APPLICATION_CREDENTIALS", "CREDENTIAL"},
    {"AWS_SECRET_ACCESS_KEY", "SECRET"},
    {"AWS_ACCESS_KEY_ID", "ACCESS_KEY"},
    {"SESSION_SECRET_ARN", NULL},
    {"DB_PASSWORD_FILE", NULL},
    {"TOKEN_URL", NULL},
    {"NODE_ENV", NULL},
    {"PORT", NULL},
    {"VITE_API_URL", NULL},
};

static void test_rules_secret_names(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *got = tb_rules_secret_name_word(names[i].value);

		if (names[i].kind == NULL ? got != NULL : got == NULL || strcmp(got, names[i].kind))
			fail_msg("name %s: expected %s, got %s", names[i].value,
			         names[i].kind ? names[i].kind : "nothing", got ? got : "nothing");
	}
}

struct ref_vector {
	const char *arn;
	const char *partition, *region;
	const char *error; /* NULL: valid; else a fragment of the message */
};

#define SM "arn:aws:secretsmanager:us-east-1:123456789012:secret:"

static const struct ref_vector refs[] = {
    {SM "talentbase-prod/web/session-secret-AbCdEf", "aws", "us-east-1", NULL},
    {SM "talentbase-prod/web/session-secret-AbCdEf:SESSION_SECRET::", "aws", "us-east-1", NULL},
    {SM "db-credentials:url::", NULL, NULL, NULL},
    {SM "db:password:AWSCURRENT:", NULL, NULL, NULL},
    {SM "db:password::0123-4567", NULL, NULL, NULL},
    {SM "db:password:AWSCURRENT:0123-4567", NULL, NULL, "not both"},
    {SM "db:password", NULL, NULL, "three fields"},
    {SM "db:password:", NULL, NULL, "three fields"},
    {SM "", NULL, NULL, "secret name"},
    {SM "bad name!", NULL, NULL, "secret name"},
    {"arn:aws:secretsmanager:us-east-1:123456789012:parameter:x", NULL, NULL, "secret:"},
    {"arn:aws:ssm:us-east-1:123456789012:parameter/talentbase/prod/api-url", "aws", "us-east-1",
     NULL},
    {"arn:aws:ssm:us-east-1:123456789012:parameter/x", NULL, NULL, NULL},
    {"arn:aws:ssm:us-east-1:123456789012:parameter/", NULL, NULL, "parameter/"},
    {"arn:aws:ssm:us-east-1:123456789012:secret:x", NULL, NULL, "parameter/"},
    {"arn:aws-us-gov:ssm:us-gov-west-1:123456789012:parameter/x", "aws-us-gov", "us-gov-west-1",
     NULL},
    {"arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:x", "aws-cn", "cn-north-1", NULL},
    {"arn:aws:secretsmanager:us-west-2:123456789012:secret:x", "aws", "us-east-1",
     "region \"us-west-2\""},
    {"arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:x", "aws", NULL,
     "partition \"aws-cn\""},
    {"arn:aws:s3:::bucket/key", NULL, NULL, "service \"s3\""},
    {"arn:aws:kms:us-east-1:123456789012:key/x", NULL, NULL, "service \"kms\""},
    {"arn:aws:secretsmanager:us-east-1:1234:secret:x", NULL, NULL, "12-digit"},
    {"arn:aws:secretsmanager:region:123456789012:secret:x", NULL, NULL, "region"},
    {"arn:amazon:secretsmanager:us-east-1:123456789012:secret:x", NULL, NULL, "partition"},
    {"hunter2", NULL, NULL, "not an ARN"},
    {"", NULL, NULL, "empty"},
    {"talentbase/prod/api-url", NULL, NULL, "not an ARN"},
};

static void test_rules_secret_refs(void **state)
{
	struct tb_arena *a = tb_arena_new();

	(void)state;
	assert_non_null(a);
	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		const char *err =
		    tb_rules_secret_ref_error(a, refs[i].arn, refs[i].partition, refs[i].region);

		if (refs[i].error == NULL && err != NULL)
			fail_msg("%s: expected valid, got %s", refs[i].arn, err);
		if (refs[i].error != NULL && (err == NULL || strstr(err, refs[i].error) == NULL))
			fail_msg("%s: expected \"%s\", got %s", refs[i].arn, refs[i].error,
			         err ? err : "valid");
		if (err != NULL && strlen(refs[i].arn) > 6)
			assert_null(strstr(err, refs[i].arn));
	}
	tb_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rules_num_text),
	    cmocka_unit_test(test_rules_schedule_vectors),
	    cmocka_unit_test(test_rules_timezones),
	    cmocka_unit_test(test_rules_credentials),
	    cmocka_unit_test(test_rules_secret_names),
	    cmocka_unit_test(test_rules_secret_refs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
