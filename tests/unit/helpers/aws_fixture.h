/*
 * Fixtures for the aws unit tests (header-only, so that other modules'
 * tests do not link the aws module): a clean environment with a private
 * HOME, and a client configuration aimed at the local test server.
 */
#ifndef TBT_AWS_FIXTURE_H
#define TBT_AWS_FIXTURE_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tb/aws.h"

static const char *const tbt_aws_env_vars[] = {
    "AWS_ACCESS_KEY_ID",
    "AWS_ACCESS_KEY",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SECRET_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_ECS",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL_IAM",
    "AWS_ENDPOINT_URL_SECRETS_MANAGER",
    "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_CA_BUNDLE",
    "AWS_RETRY_MODE",
    NULL,
};

static char tbt_aws_home[256];

static inline int tbt_aws_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* Removes the private HOME made by tbt_aws_env_reset. */
static inline void tbt_aws_home_remove(void)
{
	if (tbt_aws_home[0])
		nftw(tbt_aws_home, tbt_aws_rm, 16, FTW_DEPTH | FTW_PHYS);
	tbt_aws_home[0] = '\0';
}

/*
 * Unsets every AWS_* variable the client reads, points HOME at a new empty
 * directory and disables instance metadata, so no test reaches anything but
 * the local server.
 */
static inline void tbt_aws_env_reset(void)
{
	for (size_t i = 0; tbt_aws_env_vars[i]; i++)
		unsetenv(tbt_aws_env_vars[i]);
	tbt_aws_home_remove();
	snprintf(tbt_aws_home, sizeof(tbt_aws_home), "/tmp/tb-aws-test-XXXXXX");
	if (!mkdtemp(tbt_aws_home))
		abort();
	setenv("HOME", tbt_aws_home, 1);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
}

/* Writes text to $HOME/rel (creating $HOME/.aws if needed); returns the full path. */
static inline const char *tbt_aws_write(const char *rel, const char *text)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/.aws", tbt_aws_home);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/%s", tbt_aws_home, rel);
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
	return path;
}

/* Static keys, us-east-1, fast retries, short timeouts, no validation. */
static inline struct tb_aws_config tbt_aws_config(void)
{
	return (struct tb_aws_config){
	    .region = "us-east-1",
	    .access_key = "AKIDTEST",
	    .secret_key = "TESTSECRETKEYTESTSECRETKEY",
	    .max_retries = 3,
	    .skip_credentials_validation = true,
	    .retry_base_ms = 5,
	    .request_timeout_ms = 3000,
	};
}

#endif
