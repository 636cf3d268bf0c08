/*
 * libcurl is loaded by the first AWS client, not at start; when it cannot be
 * loaded, creating the client fails with a message saying so. The failure
 * cases run in a child process started with LD_LIBRARY_PATH naming a
 * directory whose libcurl.so.4 is broken (the loader reads that variable
 * only when a process starts).
 */
#include <dlfcn.h>
#include <link.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "aws/internal.h"
#include "helpers/aws_fixture.h"

#define CHILD_ENV "TBT_CURL_CHILD"

static int find_curl(struct dl_phdr_info *info, size_t size, void *found)
{
	if (strstr(info->dlpi_name, "/libcurl.so"))
		*(bool *)found = true;
	return 0;
}

static bool curl_loaded(void)
{
	bool found = false;

	dl_iterate_phdr(find_curl, &found);
	return found;
}

/* In the child: creates a client and prints the error message. */
static int child_main(void)
{
	struct tb_aws_config cfg = tbt_aws_config();
	struct tb_aws_client *c = NULL;
	char *err = NULL;
	int rc;

	tbt_aws_env_reset();
	rc = tb_aws_client_new(&cfg, &c, &err);
	printf("%d %s", rc, err ? err : "");
	tb_aws_client_free(c);
	free(err);
	tbt_aws_home_remove();
	return 0;
}

/* Runs this program as a child with LD_LIBRARY_PATH=dir; returns its output. */
static char *run_child(const char *dir)
{
	static char out[1024];
	char exe[512];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int fd[2], status;
	size_t len = 0;
	pid_t pid;

	assert_true(n > 0);
	exe[n] = '\0';
	assert_int_equal(pipe(fd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fd[1], STDOUT_FILENO);
		close(fd[0]);
		setenv("LD_LIBRARY_PATH", dir, 1);
		setenv(CHILD_ENV, "1", 1);
		execl(exe, exe, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	while (len < sizeof(out) - 1 && (n = read(fd[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(fd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return out;
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* A shared object that is not libcurl: this process's cmocka, copied. */
static void copy_cmocka(const char *to)
{
	Dl_info info;
	FILE *f;
	char *data;
	long len;

	assert_true(dladdr((void *)_cmocka_run_group_tests, &info) != 0);
	f = fopen(info.dli_fname, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	data = malloc((size_t)len);
	assert_int_equal(fread(data, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	write_file(to, data, (size_t)len);
	free(data);
}

static void test_loaded_by_first_client(void **state)
{
	struct tb_aws_config cfg = tbt_aws_config();
	struct tb_aws_client *c = NULL;
	char *err = NULL;

	tbt_aws_env_reset();
	assert_false(curl_loaded());
	assert_int_equal(tb_aws_client_new(&cfg, &c, &err), 0);
	assert_true(curl_loaded());
	assert_non_null(aws_curl.easy_perform);
	tb_aws_client_free(c);
	tbt_aws_home_remove();
}

static void test_broken_library(void **state)
{
	char dir[] = "/tmp/tb-curl-test-XXXXXX", path[64];
	const char *out;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/libcurl.so.4", dir);
	write_file(path, "not ELF", 7);
	out = run_child(dir);
	unlink(path);
	rmdir(dir);
	assert_int_equal(atoi(out), TB_EFAILED);
	assert_non_null(strstr(out, " libcurl.so.4 could not be loaded: "));
}

static void test_library_without_curl(void **state)
{
	char dir[] = "/tmp/tb-curl-test-XXXXXX", path[64];
	const char *out;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/libcurl.so.4", dir);
	copy_cmocka(path);
	out = run_child(dir);
	unlink(path);
	rmdir(dir);
	assert_int_equal(atoi(out), TB_EFAILED);
	assert_non_null(strstr(out, " libcurl.so.4 has no curl_global_init"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_loaded_by_first_client),
	    cmocka_unit_test(test_broken_library),
	    cmocka_unit_test(test_library_without_curl),
	};

	if (getenv(CHILD_ENV))
		return child_main();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
