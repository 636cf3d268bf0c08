/*
 * Trust roots are found as Go finds them: SSL_CERT_FILE, else the first
 * bundle file of the list that exists; SSL_CERT_DIR (colon-separated), else
 * the listed directories that exist. Candidates live in a temporary
 * directory so the test does not depend on the machine's own bundle.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "aws/internal.h"

struct ca_fixture {
	char root[64];
	char missing[128], second[128], third[128]; /* bundle files */
	char dir_a[128], dir_b[128], dir_missing[128];
	const char *files[4], *dirs[4];
};

static void touch(const char *path)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs("-----BEGIN CERTIFICATE-----\n", f);
	fclose(f);
}

static int setup(void **state)
{
	struct ca_fixture *fx = calloc(1, sizeof(*fx));

	snprintf(fx->root, sizeof(fx->root), "/tmp/tb-ca-XXXXXX");
	assert_non_null(mkdtemp(fx->root));
	snprintf(fx->missing, sizeof(fx->missing), "%s/none.crt", fx->root);
	snprintf(fx->second, sizeof(fx->second), "%s/second.crt", fx->root);
	snprintf(fx->third, sizeof(fx->third), "%s/third.pem", fx->root);
	snprintf(fx->dir_a, sizeof(fx->dir_a), "%s/certs-a", fx->root);
	snprintf(fx->dir_b, sizeof(fx->dir_b), "%s/certs-b", fx->root);
	snprintf(fx->dir_missing, sizeof(fx->dir_missing), "%s/certs-none", fx->root);
	touch(fx->second);
	touch(fx->third);
	assert_int_equal(mkdir(fx->dir_a, 0755), 0);
	assert_int_equal(mkdir(fx->dir_b, 0755), 0);
	fx->files[0] = fx->missing, fx->files[1] = fx->second, fx->files[2] = fx->third;
	fx->dirs[0] = fx->dir_missing, fx->dirs[1] = fx->dir_a, fx->dirs[2] = fx->dir_b;
	unsetenv("SSL_CERT_FILE");
	unsetenv("SSL_CERT_DIR");
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct ca_fixture *fx = *state;

	unlink(fx->second);
	unlink(fx->third);
	rmdir(fx->dir_a);
	rmdir(fx->dir_b);
	rmdir(fx->root);
	unsetenv("SSL_CERT_FILE");
	unsetenv("SSL_CERT_DIR");
	free(fx);
	return 0;
}

static void test_aws_ca_first_existing_file_and_all_dirs(void **state)
{
	struct ca_fixture *fx = *state;
	struct aws_ca_roots r;
	char want[300];

	aws_ca_roots_find(&r, fx->files, fx->dirs);
	assert_string_equal(r.file, fx->second);
	snprintf(want, sizeof(want), "%s:%s", fx->dir_a, fx->dir_b);
	assert_string_equal(r.dirs, want);
}

static void test_aws_ca_environment_replaces_lists(void **state)
{
	struct ca_fixture *fx = *state;
	struct aws_ca_roots r;
	char env[600];

	setenv("SSL_CERT_FILE", fx->third, 1);
	snprintf(env, sizeof(env), "%s:%s::%s", fx->dir_b, fx->dir_missing, fx->second);
	setenv("SSL_CERT_DIR", env, 1);
	aws_ca_roots_find(&r, fx->files, fx->dirs);
	assert_string_equal(r.file, fx->third);
	assert_string_equal(r.dirs, fx->dir_b); /* missing, empty and a file skipped */
}

static void test_aws_ca_named_file_missing_means_none(void **state)
{
	struct ca_fixture *fx = *state;
	struct aws_ca_roots r;

	setenv("SSL_CERT_FILE", fx->missing, 1);
	aws_ca_roots_find(&r, fx->files, fx->dirs);
	assert_string_equal(r.file, ""); /* as Go: the list is not searched then */
	fx->files[1] = fx->files[2] = NULL;
	fx->dirs[1] = NULL;
	unsetenv("SSL_CERT_FILE");
	aws_ca_roots_find(&r, fx->files, fx->dirs);
	assert_string_equal(r.file, "");
	assert_string_equal(r.dirs, "");
}

static void test_aws_ca_go_lists(void **state)
{
	/* the six bundle files and two directories Go's crypto/x509 tries */
	size_t n = 0;

	while (aws_ca_files[n])
		n++;
	assert_int_equal(n, 6);
	assert_string_equal(aws_ca_files[0], "/etc/ssl/certs/ca-certificates.crt");
	assert_string_equal(aws_ca_files[5], "/etc/ssl/cert.pem");
	assert_string_equal(aws_ca_dirs[0], "/etc/ssl/certs");
	assert_string_equal(aws_ca_dirs[1], "/etc/pki/tls/certs");
	assert_null(aws_ca_dirs[2]);
	assert_non_null(aws_ca_roots());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_aws_ca_first_existing_file_and_all_dirs, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_aws_ca_environment_replaces_lists, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_aws_ca_named_file_missing_means_none, setup,
	                                    teardown),
	    cmocka_unit_test(test_aws_ca_go_lists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
