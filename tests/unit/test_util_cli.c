/*
 * util cli: the command of the CLI that started the process. A table of
 * command lines as the clients write them (/proc/PID/cmdline: arguments
 * separated by NUL) with TF_CLI_ARGS variables, then the real detection: this
 * test runs itself again as a process called "tofu" with a command line, and
 * a child of that process reads it back from /proc.
 */
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

#include "tb/cli.h"

/* Arguments separated by '|' stand for NUL in the cases below. */
struct cli_case {
	const char *exe; /* NULL: the first argument */
	const char *args;
	const char *cli_args;     /* TF_CLI_ARGS, or NULL */
	const char *cli_args_cmd; /* TF_CLI_ARGS_<subcommand>, or NULL */
	enum tb_cli_command want;
};

static const struct cli_case *current;

static const char *case_env(const char *name)
{
	if (strcmp(name, "TF_CLI_ARGS") == 0)
		return current->cli_args;
	if (strncmp(name, "TF_CLI_ARGS_", 12) == 0)
		return current->cli_args_cmd;
	return NULL;
}

#define V TB_CLI_VALIDATE
#define C TB_CLI_CHANGE
#define D TB_CLI_DESTROY
#define U TB_CLI_UNKNOWN

static const struct cli_case cases[] = {
    {NULL, "tofu|validate", NULL, NULL, V},
    {NULL, "terraform|validate|-json", NULL, NULL, V},
    {NULL, "/usr/local/bin/terraform|plan|-input=false|-out=tfplan", NULL, NULL, C},
    {NULL, "tofu|apply|-auto-approve|-var|image_tag=v1", NULL, NULL, C},
    {NULL, "tofu|destroy|-auto-approve", NULL, NULL, D},
    {NULL, "terraform|destroy|-target=talentbase_service.web", NULL, NULL, D},
    {NULL, "tofu|apply|-destroy|-auto-approve", NULL, NULL, D},
    {NULL, "terraform|apply|--destroy", NULL, NULL, D},
    {NULL, "tofu|plan|-destroy=true|-out=p", NULL, NULL, D},
    {NULL, "tofu|plan|-destroy=1", NULL, NULL, D},
    {NULL, "tofu|apply|-destroy=false", NULL, NULL, C},
    {NULL, "tofu|apply|-destroy|-destroy=F", NULL, NULL, C},
    {NULL, "tofu|apply|-destroy=maybe", NULL, NULL, C},
    {NULL, "tofu|apply|-destroyer", NULL, NULL, C},
    {NULL, "tofu|apply|tfplan", NULL, NULL, C},
    {NULL, "tofu|apply|--|-destroy", NULL, NULL, C},
    {NULL, "tofu|-chdir=infra|destroy", NULL, NULL, D},
    {NULL, "terraform|-chdir=infra|apply|-destroy", NULL, NULL, D},
    {NULL, "tofu|import|talentbase_service.web|c/web", NULL, NULL, C},
    {NULL, "terraform|test", NULL, NULL, C},
    {NULL, "tofu|console", NULL, NULL, C},
    {NULL, "tofu|-version", NULL, NULL, U},
    {NULL, "tofu", NULL, NULL, U},
    /* the variables both clients merge after the subcommand, before the command line */
    {NULL, "tofu|apply", "-destroy", NULL, D},
    {NULL, "tofu|plan", NULL, "-lock=false -destroy", D},
    {NULL, "tofu|plan", "-destroy", "-destroy=false", D},
    {NULL, "tofu|plan", NULL, "-destroy", D},
    {NULL, "tofu|apply|-destroy=false", "-destroy", NULL, C},
    {NULL, "tofu|apply", "-var 'note=-destroy'", NULL, C},
    {NULL, "tofu|apply", "  -var \"x=1\"   \"-destroy\"  ", NULL, D},
    {NULL, "tofu|validate", "-destroy", NULL, V},
    /* the executable decides whether this is a client at all */
    {"/opt/tofu/1.8.0/tofu", "tofu-wrapper|destroy", NULL, NULL, D},
    {"/usr/bin/terraform (deleted)", "tf|destroy", NULL, NULL, D},
    {"/usr/bin/python3.11", "python3|-m|pytest|destroy", NULL, NULL, U},
    {NULL, "bash|destroy", NULL, NULL, U},
    {NULL, "make|destroy", NULL, NULL, U},
    {"/usr/bin/make", "terraform|destroy", NULL, NULL, D},
};

/* The case's arguments with '|' turned into NUL; *len gets their length,
 * with the final NUL that /proc writes. */
static char *cmdline_of(const char *args, size_t *len)
{
	size_t n = strlen(args);
	char *out = malloc(n + 1);

	assert_non_null(out);
	for (size_t i = 0; i <= n; i++)
		out[i] = args[i] == '|' ? '\0' : args[i];
	*len = n + 1;
	return out;
}

static void test_util_cli_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len;
		char *cmdline = cmdline_of(cases[i].args, &len);
		enum tb_cli_command got;

		current = &cases[i];
		got = tb_cli_command_parse(cases[i].exe, cmdline, len, case_env);
		if (got != cases[i].want)
			fail_msg("\"%s\" (TF_CLI_ARGS %s, TF_CLI_ARGS_<cmd> %s): %s, expected %s",
			         cases[i].args, cases[i].cli_args ? cases[i].cli_args : "-",
			         cases[i].cli_args_cmd ? cases[i].cli_args_cmd : "-",
			         tb_cli_command_name(got), tb_cli_command_name(cases[i].want));
		/* without the final NUL (a truncated read) the answer is the same */
		got = tb_cli_command_parse(cases[i].exe, cmdline, len - 1, case_env);
		assert_int_equal(got, cases[i].want);
		free(cmdline);
	}
}

static void test_util_cli_parse_empty(void **state)
{
	(void)state;
	assert_int_equal(tb_cli_command_parse(NULL, "", 0, NULL), TB_CLI_UNKNOWN);
	assert_int_equal(tb_cli_command_parse(NULL, "tofu\0destroy\0", 13, NULL), TB_CLI_DESTROY);
	assert_string_equal(tb_cli_command_name(TB_CLI_DESTROY), "destroy");
	assert_string_equal(tb_cli_command_name((enum tb_cli_command)42), "unknown");
}

/* Under ctest (or a shell) the parent is no client. */
static void test_util_cli_not_a_client(void **state)
{
	(void)state;
	assert_int_equal(tb_cli_command(), TB_CLI_UNKNOWN);
	assert_int_equal(tb_cli_command(), TB_CLI_UNKNOWN); /* cached */
}

#define ROLE_ENV "TB_TEST_CLI_ROLE"

/* Runs this program again as argv (argv[0] names it) with TF_CLI_ARGS_plan
 * set to plan_args (NULL: unset); that process forks a child that calls
 * tb_cli_command(). Returns the child's answer. */
static enum tb_cli_command detect_under(char *const argv[], const char *plan_args)
{
	pid_t pid = fork();
	int status = 0;

	assert_true(pid >= 0);
	if (pid == 0) {
		setenv(ROLE_ENV, "client", 1);
		if (plan_args)
			setenv("TF_CLI_ARGS_plan", plan_args, 1);
		else
			unsetenv("TF_CLI_ARGS_plan");
		execv("/proc/self/exe", argv);
		_exit(99);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_not_equal(WEXITSTATUS(status), 99);
	return (enum tb_cli_command)WEXITSTATUS(status);
}

static void test_util_cli_detects_parent(void **state)
{
	char *destroy[] = {"tofu", "destroy", "-auto-approve", NULL};
	char *apply_destroy[] = {"terraform", "apply", "-destroy", NULL};
	char *plan[] = {"tofu", "plan", "-out=tfplan", NULL};
	char *validate[] = {"terraform", "validate", NULL};
	char *other[] = {"sh", "destroy", NULL};

	(void)state;
	assert_int_equal(detect_under(destroy, NULL), TB_CLI_DESTROY);
	assert_int_equal(detect_under(apply_destroy, NULL), TB_CLI_DESTROY);
	assert_int_equal(detect_under(plan, NULL), TB_CLI_CHANGE);
	assert_int_equal(detect_under(plan, "-destroy"), TB_CLI_DESTROY);
	assert_int_equal(detect_under(validate, NULL), TB_CLI_VALIDATE);
	assert_int_equal(detect_under(other, NULL), TB_CLI_UNKNOWN);
}

/* As the "client": fork a child (whose parent this process is) that exits
 * with tb_cli_command(); exit with its status. */
static int act_as_client(void)
{
	pid_t pid = fork();
	int status = 0;

	if (pid < 0)
		return 98;
	if (pid == 0) {
		unsetenv(ROLE_ENV);
		_exit((int)tb_cli_command());
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 97;
	return WEXITSTATUS(status);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_util_cli_parse),
	    cmocka_unit_test(test_util_cli_parse_empty),
	    cmocka_unit_test(test_util_cli_not_a_client),
	    cmocka_unit_test(test_util_cli_detects_parent),
	};

	if (getenv(ROLE_ENV) != NULL)
		return act_as_client();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
