/*
 * The credential chain, one test per source, each in a private HOME with
 * the local test server standing in for STS, the ECS credential endpoint
 * and instance metadata; refresh under concurrency; the messages of
 * tb_aws_client_new when nothing works.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <time.h>

#include "aws/internal.h"
#include "helpers/aws_fixture.h"
#include "helpers/http_server.h"
#include "tb/log.h"

struct fixture {
	struct tbt_server *srv;
	struct tb_arena *arena;
	struct tb_aws_client *client;
	char *err;
	atomic_int fetches;
	int first_ttl_s; /* lifetime of the first credentials the fakes hand out */
	int delay_ms;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	tbt_aws_env_reset();
	f->srv = tbt_server_start();
	f->arena = tb_arena_new();
	f->first_ttl_s = 3600;
	setenv("AWS_ENDPOINT_URL_STS", tbt_server_url(f->srv), 1);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tb_aws_client_free(f->client);
	tbt_server_stop(f->srv);
	tb_arena_free(f->arena);
	free(f->err);
	tbt_aws_home_remove();
	free(f);
	return 0;
}

static void iso_time(time_t t, char out[32])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Credentials numbered by fetch: ASIA1, ASIA2, ...; the first expires after first_ttl_s. */
static void next_creds(struct fixture *f, int *n, char exp[32])
{
	*n = atomic_fetch_add(&f->fetches, 1) + 1;
	iso_time(time(NULL) + (*n == 1 ? f->first_ttl_s : 3600), exp);
}

static bool body_has(const struct tbt_request *r, const char *s)
{
	return r->body && strstr(r->body, s);
}

/* STS: AssumeRole and AssumeRoleWithWebIdentity; GetCallerIdentity. */
static void fake_sts(void *ud, const struct tbt_request *req, struct tbt_response *resp)
{
	struct fixture *f = ud;
	const char *action = body_has(req, "Action=AssumeRoleWithWebIdentity")
	                         ? "AssumeRoleWithWebIdentity"
	                     : body_has(req, "Action=AssumeRole") ? "AssumeRole"
	                                                          : NULL;
	char exp[32];
	int n;

	if (!action) {
		resp->body =
		    "<GetCallerIdentityResponse><GetCallerIdentityResult>"
		    "<Account>123456789012</Account><Arn>arn:aws:iam::123456789012:user/t</Arn>"
		    "</GetCallerIdentityResult></GetCallerIdentityResponse>";
		return;
	}
	next_creds(f, &n, exp);
	if (asprintf(
	        &resp->body_owned,
	        "<%sResponse><%sResult><Credentials><AccessKeyId>ASIA%d</AccessKeyId>"
	        "<SecretAccessKey>secret%d</SecretAccessKey><SessionToken>token%d</SessionToken>"
	        "<Expiration>%s</Expiration></Credentials></%sResult></%sResponse>",
	        action, action, n, n, n, exp, action, action) < 0)
		resp->status = 500;
}

/* ECS container endpoint: GET /creds with Authorization "Bearer xyz". */
static void fake_container(void *ud, const struct tbt_request *req, struct tbt_response *resp)
{
	struct fixture *f = ud;
	char auth[128], exp[32];
	int n;

	if (strcmp(req->target, "/creds") != 0 ||
	    !tbt_request_header(req, "Authorization", auth, sizeof(auth)) ||
	    strcmp(auth, "Bearer xyz") != 0) {
		resp->status = 403;
		return;
	}
	resp->delay_ms = f->delay_ms;
	next_creds(f, &n, exp);
	if (asprintf(&resp->body_owned,
	             "{\"AccessKeyId\":\"ASIA%d\",\"SecretAccessKey\":\"secret%d\",\"Token\":"
	             "\"token%d\",\"Expiration\":\"%s\"}",
	             n, n, n, exp) < 0)
		resp->status = 500;
}

/* IMDSv2: a PUT for the token, then the role name and the role's credentials. */
static void fake_imds(void *ud, const struct tbt_request *req, struct tbt_response *resp)
{
	struct fixture *f = ud;
	char h[128], exp[32];
	int n;

	if (strcmp(req->method, "PUT") == 0 && strcmp(req->target, "/latest/api/token") == 0 &&
	    tbt_request_header(req, "X-aws-ec2-metadata-token-ttl-seconds", h, sizeof(h))) {
		resp->body = "imds-session-token";
		return;
	}
	if (!tbt_request_header(req, "X-aws-ec2-metadata-token", h, sizeof(h)) ||
	    strcmp(h, "imds-session-token") != 0) {
		resp->status = 401;
		return;
	}
	if (strcmp(req->target, "/latest/meta-data/iam/security-credentials/") == 0) {
		resp->body = "web-role\n";
		return;
	}
	if (strcmp(req->target, "/latest/meta-data/iam/security-credentials/web-role") != 0) {
		resp->status = 404;
		return;
	}
	next_creds(f, &n, exp);
	if (asprintf(
	        &resp->body_owned,
	        "{\"Code\":\"Success\",\"Type\":\"AWS-HMAC\",\"AccessKeyId\":\"ASIA%d\","
	        "\"SecretAccessKey\":\"secret%d\",\"Token\":\"token%d\",\"Expiration\":\"%s\"}",
	        n, n, n, exp) < 0)
		resp->status = 500;
}

static int new_client(struct fixture *f, struct tb_aws_config cfg)
{
	free(f->err);
	f->err = NULL;
	tb_aws_client_free(f->client);
	f->client = NULL;
	return tb_aws_client_new(&cfg, &f->client, &f->err);
}

/* Config with no keys of its own. */
static struct tb_aws_config bare_config(void)
{
	struct tb_aws_config cfg = tbt_aws_config();

	cfg.access_key = cfg.secret_key = NULL;
	return cfg;
}

static struct aws_creds current(struct fixture *f)
{
	struct aws_creds cr = {0};
	struct tb_buf why;

	tb_buf_init(&why);
	assert_int_equal(aws_creds_get(f->client, f->arena, &cr, &why), 0);
	tb_buf_free(&why);
	return cr;
}

static void assert_creds(struct fixture *f, const char *ak, const char *sk, const char *token)
{
	struct aws_creds cr = current(f);

	assert_string_equal(cr.access_key, ak);
	assert_string_equal(cr.secret_key, sk);
	if (token)
		assert_string_equal(cr.token, token);
	else
		assert_null(cr.token);
}

static const char *header(struct fixture *f, size_t i, const char *name)
{
	static char buf[1024];
	const struct tbt_request *r = tbt_server_request(f->srv, i);

	assert_non_null(r);
	return tbt_request_header(r, name, buf, sizeof(buf));
}

static void test_explicit_keys(void **state)
{
	struct fixture *f = *state;

	setenv("AWS_ACCESS_KEY_ID", "ENVKEY", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
	assert_int_equal(new_client(f, tbt_aws_config()), 0);
	assert_string_equal(tb_aws_credential_source(f->client), "explicit keys");
	assert_creds(f, "AKIDTEST", "TESTSECRETKEYTESTSECRETKEY", NULL);
}

static void test_explicit_keys_incomplete(void **state)
{
	struct fixture *f = *state;
	struct tb_aws_config cfg = tbt_aws_config();

	cfg.secret_key = NULL;
	assert_int_equal(new_client(f, cfg), TB_EINVAL);
	assert_non_null(strstr(f->err, "credential source explicit keys failed"));
	assert_non_null(strstr(f->err, "both the access key and the secret key"));
}

static void test_environment(void **state)
{
	struct fixture *f = *state;

	setenv("AWS_ACCESS_KEY_ID", "ENVKEY", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
	setenv("AWS_SESSION_TOKEN", "envtoken", 1);
	assert_int_equal(new_client(f, bare_config()), 0);
	assert_string_equal(tb_aws_credential_source(f->client), "environment");
	assert_creds(f, "ENVKEY", "envsecret", "envtoken");
}

static void test_shared_files_profiles(void **state)
{
	struct fixture *f = *state;

	tbt_aws_write(".aws/credentials", "[default]\naws_access_key_id = DEFKEY\n"
	                                  "aws_secret_access_key = defsecret\n\n"
	                                  "# a comment\n[dev]\naws_access_key_id=DEVKEY\n"
	                                  "aws_secret_access_key=devsecret\n");
	tbt_aws_write(".aws/config", "[default]\nregion = eu-west-1\n"
	                             "[profile dev]\nregion = eu-central-1\n"
	                             "aws_access_key_id = CONFIGKEY\n"
	                             "s3 =\n  max_concurrent_requests = 20\n");
	assert_int_equal(new_client(f, bare_config()), 0);
	assert_string_equal(tb_aws_credential_source(f->client),
	                    "shared config profile \"default\"");
	assert_creds(f, "DEFKEY", "defsecret", NULL);

	setenv("AWS_PROFILE", "dev", 1);
	assert_int_equal(new_client(f, bare_config()), 0);
	assert_string_equal(tb_aws_credential_source(f->client), "shared config profile \"dev\"");
	assert_creds(f, "DEVKEY", "devsecret", NULL);
	assert_string_equal(tb_aws_region(f->client), "us-east-1");
}

/* The environment wins over the default profile, a selected profile over the environment. */
static void test_env_and_profile_precedence(void **state)
{
	struct fixture *f = *state;

	tbt_aws_write(".aws/credentials", "[default]\naws_access_key_id = DEFKEY\n"
	                                  "aws_secret_access_key = defsecret\n"
	                                  "[dev]\naws_access_key_id = DEVKEY\n"
	                                  "aws_secret_access_key = devsecret\n");
	setenv("AWS_ACCESS_KEY_ID", "ENVKEY", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
	assert_int_equal(new_client(f, bare_config()), 0);
	assert_creds(f, "ENVKEY", "envsecret", NULL);
	setenv("AWS_PROFILE", "dev", 1);
	assert_int_equal(new_client(f, bare_config()), 0);
	assert_creds(f, "DEVKEY", "devsecret", NULL);
	assert_int_equal(new_client(f, tbt_aws_config()), 0);
	assert_creds(f, "AKIDTEST", "TESTSECRETKEYTESTSECRETKEY", NULL);
}

static void test_profile_from_config_and_custom_paths(void **state)
{
	struct fixture *f = *state;
	struct tb_aws_config cfg = bare_config();
	const char *const files[] = {"~/custom-config", NULL};
	const char *const none[] = {"~/does-not-exist", NULL};

	tbt_aws_write("custom-config", "[profile ops]\naws_access_key_id = OPSKEY\n"
	                               "aws_secret_access_key = opssecret\n"
	                               "aws_session_token = opstoken\n");
	cfg.profile = "ops";
	cfg.shared_config_files = files;
	cfg.shared_credentials_files = none;
	assert_int_equal(new_client(f, cfg), 0);
	assert_creds(f, "OPSKEY", "opssecret", "opstoken");
}

static void test_missing_named_profile(void **state)
{
	struct fixture *f = *state;
	struct tb_aws_config cfg = bare_config();

	cfg.profile = "nope";
	assert_int_equal(new_client(f, cfg), TB_EINVAL);
	assert_non_null(strstr(f->err, "profile \"nope\" is not in the shared config"));
}

static void test_source_profile_role(void **state)
{
	struct fixture *f = *state;

	tbt_server_set_handler(f->srv, fake_sts, f);
	tbt_aws_write(".aws/credentials", "[base]\naws_access_key_id = BASEKEY\n"
	                                  "aws_secret_access_key = basesecret\n");
	tbt_aws_write(".aws/config", "[profile deploy]\n"
	                             "role_arn = arn:aws:iam::123456789012:role/deploy\n"
	                             "source_profile = base\nexternal_id = ext-1\n"
	                             "role_session_name = ci\nduration_seconds = 900\n");
	setenv("AWS_PROFILE", "deploy", 1);
	assert_int_equal(new_client(f, bare_config()), 0);
	assert_creds(f, "ASIA1", "secret1", "token1");
	assert_int_equal(tbt_server_count(f->srv), 1);
	assert_string_equal(tbt_server_request(f->srv, 0)->body,
	                    "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A"
	                    "123456789012%3Arole%2Fdeploy&RoleSessionName=ci&DurationSeconds=900&"
	                    "ExternalId=ext-1");
	assert_true(tb_str_has_prefix(header(f, 0, "Authorization"),
	                              "AWS4-HMAC-SHA256 Credential=BASEKEY/"));
	assert_non_null(strstr(header(f, 0, "Authorization"), "/us-east-1/sts/aws4_request"));
}

static void test_source_profile_missing(void **state)
{
	struct fixture *f = *state;

	tbt_aws_write(".aws/config", "[default]\nrole_arn = arn:aws:iam::1:role/x\n"
	                             "source_profile = ghost\n");
	assert_int_equal(new_client(f, bare_config()), TB_EINVAL);
	assert_non_null(strstr(f->err, "source_profile \"ghost\" does not exist"));
}

static void test_credential_source_environment(void **state)
{
	struct fixture *f = *state;

	tbt_server_set_handler(f->srv, fake_sts, f);
	tbt_aws_write(".aws/config", "[profile env-role]\nrole_arn = arn:aws:iam::1:role/x\n"
	                             "credential_source = Environment\n");
	setenv("AWS_PROFILE", "env-role", 1);
	setenv("AWS_ACCESS_KEY", "LEGACYENV", 1);
	setenv("AWS_SECRET_KEY", "legacysecret", 1);
	assert_int_equal(new_client(f, bare_config()), 0);
	assert_creds(f, "ASIA1", "secret1", "token1");
	assert_true(tb_str_has_prefix(header(f, 0, "Authorization"),
	                              "AWS4-HMAC-SHA256 Credential=LEGACYENV/"));
}

static void test_credential_process(void **state)
{
	struct fixture *f = *state;

	tbt_aws_write(".aws/config",
	              "[default]\ncredential_process = printf '{\"Version\": 1, \"AccessKeyId\": "
	              "\"PROCKEY\", \"SecretAccessKey\": \"procsecret\", \"SessionToken\": "
	              "\"proctoken\", \"Expiration\": \"2999-01-01T00:00:00Z\"}'\n"
	              "[profile broken]\ncredential_process = sh -c 'echo oops; exit 3'\n"
	              "[profile garbage]\ncredential_process = echo '{\"Version\": 2}'\n");
	assert_int_equal(new_client(f, bare_config()), 0);
	assert_creds(f, "PROCKEY", "procsecret", "proctoken");

	setenv("AWS_PROFILE", "broken", 1);
	assert_int_equal(new_client(f, bare_config()), TB_EIO);
	assert_non_null(strstr(f->err, "credential_process exited with status 3"));
	setenv("AWS_PROFILE", "garbage", 1);
	assert_int_equal(new_client(f, bare_config()), TB_EINVAL);
	assert_non_null(strstr(f->err, "\"Version\": 1"));
}

static void test_web_identity(void **state)
{
	struct fixture *f = *state;

	tbt_server_set_handler(f->srv, fake_sts, f);
	setenv("AWS_WEB_IDENTITY_TOKEN_FILE", tbt_aws_write("oidc-token", "eyJ.oidc.token\n"), 1);
	setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/ci", 1);
	setenv("AWS_ROLE_SESSION_NAME", "gha", 1);
	assert_int_equal(new_client(f, bare_config()), 0);
	assert_string_equal(tb_aws_credential_source(f->client), "web identity");
	assert_creds(f, "ASIA1", "secret1", "token1");
	assert_string_equal(tbt_server_request(f->srv, 0)->body,
	                    "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws"
	                    "%3Aiam%3A%3A123456789012%3Arole%2Fci&RoleSessionName=gha&"
	                    "WebIdentityToken=eyJ.oidc.token");
	assert_null(header(f, 0, "Authorization"));
}

static void test_web_identity_without_role(void **state)
{
	struct fixture *f = *state;

	setenv("AWS_WEB_IDENTITY_TOKEN_FILE", tbt_aws_write("oidc-token", "t"), 1);
	assert_int_equal(new_client(f, bare_config()), TB_EINVAL);
	assert_non_null(strstr(f->err, "AWS_ROLE_ARN"));
}

static void test_container(void **state)
{
	struct fixture *f = *state;
	char url[128];

	tbt_server_set_handler(f->srv, fake_container, f);
	snprintf(url, sizeof(url), "%s/creds", tbt_server_url(f->srv));
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong", 1);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", tbt_aws_write("auth", "Bearer xyz\n"), 1);
	assert_int_equal(new_client(f, bare_config()), 0);
	assert_string_equal(tb_aws_credential_source(f->client), "ECS container");
	assert_creds(f, "ASIA1", "secret1", "token1");
	assert_string_equal(tbt_server_request(f->srv, 0)->method, "GET");
}

static void test_container_host_restricted(void **state)
{
	struct fixture *f = *state;

	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://192.0.2.1/creds", 1);
	assert_int_equal(new_client(f, bare_config()), TB_EINVAL);
	assert_non_null(strstr(f->err, "only https, loopback"));
}

static void test_imds_v2(void **state)
{
	struct fixture *f = *state;

	tbt_server_set_handler(f->srv, fake_imds, f);
	unsetenv("AWS_EC2_METADATA_DISABLED");
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", tbt_server_url(f->srv), 1);
	assert_int_equal(new_client(f, bare_config()), 0);
	assert_string_equal(tb_aws_credential_source(f->client), "EC2 instance metadata");
	assert_creds(f, "ASIA1", "secret1", "token1");
	assert_int_equal(tbt_server_count(f->srv), 3);
	assert_string_equal(tbt_server_request(f->srv, 0)->method, "PUT");
	assert_string_equal(header(f, 0, "X-aws-ec2-metadata-token-ttl-seconds"), "21600");
	assert_string_equal(header(f, 1, "X-aws-ec2-metadata-token"), "imds-session-token");
	assert_string_equal(header(f, 2, "X-aws-ec2-metadata-token"), "imds-session-token");
}

static void test_imds_disabled_and_nothing_else(void **state)
{
	struct fixture *f = *state;

	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", tbt_server_url(f->srv), 1);
	assert_int_equal(new_client(f, bare_config()), TB_ENOTFOUND);
	assert_string_equal(f->err, "no valid credential sources found: tried explicit keys, "
	                            "environment, web identity, shared config profile \"default\", "
	                            "ECS container, EC2 instance metadata");
	assert_int_equal(tbt_server_count(f->srv), 0);
}

static void test_imds_unreachable_fails_fast(void **state)
{
	struct fixture *f = *state;
	int64_t t0 = tb_now_ms();

	unsetenv("AWS_EC2_METADATA_DISABLED");
	tbt_server_set_default(f->srv, &(struct tbt_response){.action = TBT_HANG});
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", tbt_server_url(f->srv), 1);
	assert_int_equal(new_client(f, bare_config()), TB_ENOTFOUND);
	assert_true(tb_now_ms() - t0 < 3500);
	assert_int_equal(tbt_server_count(f->srv), 2);
	assert_non_null(strstr(f->err, "no valid credential sources found"));
}

static void test_provider_assume_role(void **state)
{
	struct fixture *f = *state;
	struct tb_aws_config cfg = tbt_aws_config();

	tbt_server_set_handler(f->srv, fake_sts, f);
	cfg.assume_role = (struct tb_aws_assume_role){
	    .role_arn = "arn:aws:iam::1:role/top", .session_name = "tf", .duration_s = 1800};
	assert_int_equal(new_client(f, cfg), 0);
	assert_string_equal(tb_aws_credential_source(f->client),
	                    "explicit keys, then assume_role arn:aws:iam::1:role/top");
	assert_creds(f, "ASIA1", "secret1", "token1");
	assert_non_null(strstr(tbt_server_request(f->srv, 0)->body, "DurationSeconds=1800"));
	assert_true(tb_str_has_prefix(header(f, 0, "Authorization"),
	                              "AWS4-HMAC-SHA256 Credential=AKIDTEST/"));
}

static void test_assume_role_denied(void **state)
{
	struct fixture *f = *state;
	struct tb_aws_config cfg = tbt_aws_config();

	tbt_server_set_default(
	    f->srv, &(struct tbt_response){
	                .status = 403,
	                .body = "<ErrorResponse><Error><Code>AccessDenied</Code><Message>not "
	                        "authorized to perform sts:AssumeRole</Message></Error>"
	                        "<RequestId>deny-1</RequestId></ErrorResponse>"});
	cfg.assume_role.role_arn = "arn:aws:iam::1:role/top";
	assert_int_equal(new_client(f, cfg), TB_EACCESS);
	assert_non_null(strstr(f->err, "credential source explicit keys failed"));
	assert_non_null(strstr(f->err, "assuming role arn:aws:iam::1:role/top: sts AssumeRole: "
	                               "AccessDenied: not authorized to perform sts:AssumeRole "
	                               "(request id deny-1)"));
}

static void test_validation(void **state)
{
	struct fixture *f = *state;
	struct tb_aws_config cfg = tbt_aws_config();

	tbt_server_set_handler(f->srv, fake_sts, f);
	cfg.skip_credentials_validation = false;
	assert_int_equal(new_client(f, cfg), 0);
	assert_string_equal(tb_aws_account_id(f->client), "123456789012");
	assert_string_equal(tb_aws_partition(f->client), "aws");
	assert_non_null(strstr(tbt_server_request(f->srv, 0)->body, "Action=GetCallerIdentity"));
}

static void test_validation_failure_message(void **state)
{
	struct fixture *f = *state;
	struct tb_aws_config cfg = bare_config();

	setenv("AWS_ACCESS_KEY_ID", "BADKEY", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "bad", 1);
	tbt_server_push(
	    f->srv,
	    &(struct tbt_response){.status = 403,
	                           .body = "<ErrorResponse><Error><Code>InvalidClientTokenId</Code>"
	                                   "<Message>The security token included in the request "
	                                   "is invalid.</Message></Error><RequestId>v-9</RequestId>"
	                                   "</ErrorResponse>"});
	cfg.skip_credentials_validation = false;
	assert_int_equal(new_client(f, cfg), TB_EACCESS);
	assert_string_equal(f->err, "credentials from environment (tried explicit keys, "
	                            "environment) were not accepted: sts GetCallerIdentity: "
	                            "InvalidClientTokenId: The security token included in the "
	                            "request is invalid. (request id v-9)");
	assert_int_equal(tbt_server_count(f->srv), 1);
}

struct getter {
	struct fixture *f;
	pthread_barrier_t *go;
	char key[32];
	int rc;
};

static void *get_creds(void *arg)
{
	struct getter *g = arg;
	struct tb_arena *a = tb_arena_new();
	struct aws_creds cr = {0};
	struct tb_buf why;

	tb_buf_init(&why);
	pthread_barrier_wait(g->go);
	g->rc = aws_creds_get(g->f->client, a, &cr, &why);
	if (g->rc == 0)
		snprintf(g->key, sizeof(g->key), "%s", cr.access_key);
	tb_buf_free(&why);
	tb_arena_free(a);
	return NULL;
}

static void test_refresh_once_under_concurrency(void **state)
{
	struct fixture *f = *state;
	struct getter g[8];
	pthread_t th[8];
	pthread_barrier_t go;
	char url[128];

	f->first_ttl_s = 120;
	f->delay_ms = 200;
	tbt_server_set_handler(f->srv, fake_container, f);
	snprintf(url, sizeof(url), "%s/creds", tbt_server_url(f->srv));
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer xyz", 1);
	assert_int_equal(new_client(f, bare_config()), 0);
	assert_int_equal(tbt_server_count(f->srv), 1);
	pthread_barrier_init(&go, NULL, 8);
	for (int i = 0; i < 8; i++) {
		g[i] = (struct getter){.f = f, .go = &go};
		pthread_create(&th[i], NULL, get_creds, &g[i]);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(g[i].rc, 0);
		assert_string_equal(g[i].key, "ASIA2");
	}
	pthread_barrier_destroy(&go);
	assert_int_equal(tbt_server_count(f->srv), 2);
	assert_int_equal(f->client->creds.refreshes, 1);
	assert_creds(f, "ASIA2", "secret2", "token2");
	assert_int_equal(tbt_server_count(f->srv), 2);
}

static void test_refresh_failure_keeps_valid_creds(void **state)
{
	struct fixture *f = *state;
	char url[128];

	f->first_ttl_s = 120;
	tbt_server_set_handler(f->srv, fake_container, f);
	snprintf(url, sizeof(url), "%s/creds", tbt_server_url(f->srv));
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer xyz", 1);
	assert_int_equal(new_client(f, bare_config()), 0);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer revoked", 1);
	assert_creds(f, "ASIA1", "secret1", "token1");
	assert_int_equal(tbt_server_count(f->srv), 2);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_explicit_keys),
	    T(test_explicit_keys_incomplete),
	    T(test_environment),
	    T(test_shared_files_profiles),
	    T(test_env_and_profile_precedence),
	    T(test_profile_from_config_and_custom_paths),
	    T(test_missing_named_profile),
	    T(test_source_profile_role),
	    T(test_source_profile_missing),
	    T(test_credential_source_environment),
	    T(test_credential_process),
	    T(test_web_identity),
	    T(test_web_identity_without_role),
	    T(test_container),
	    T(test_container_host_restricted),
	    T(test_imds_v2),
	    T(test_imds_disabled_and_nothing_else),
	    T(test_imds_unreachable_fails_fast),
	    T(test_provider_assume_role),
	    T(test_assume_role_denied),
	    T(test_validation),
	    T(test_validation_failure_message),
	    T(test_refresh_once_under_concurrency),
	    T(test_refresh_failure_keeps_valid_creds),
	};

	tb_log_set_level(TB_LOG_OFF);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
