/*
 * cli (part of util): which command the CLI that started this process runs.
 * The plugin protocol does not say it: a `destroy` first plans every
 * instance exactly like `plan` does (OpenTofu's and Terraform's pre-destroy
 * refresh is a normal plan), so only the client's own command line tells a
 * destroy from a plan. Read from the parent process (/proc on Linux) and the
 * TF_CLI_ARGS variables the client merges into its arguments.
 */
#ifndef TB_CLI_H
#define TB_CLI_H

#include <stddef.h>

enum tb_cli_command {
	/* Not started by tofu or terraform (debug mode, a test harness), or the
	 * parent's command line cannot be read. */
	TB_CLI_UNKNOWN = 0,
	TB_CLI_VALIDATE, /* validate */
	TB_CLI_CHANGE,   /* plan, apply, import, test, console, ...: may create or update */
	TB_CLI_DESTROY,  /* destroy, apply -destroy, plan -destroy */
};

/*
 * The command of the process that started this one. Read once, on first use
 * (thread-safe), then cached for the life of the process. Never fails:
 * anything it cannot read or recognise is TB_CLI_UNKNOWN. Nothing of the
 * command line is kept or logged (it may hold -var values).
 */
enum tb_cli_command tb_cli_command(void);

/*
 * The command of a client given its executable (path or name; NULL: the
 * first argument is used) and its command line: len bytes of NUL-separated
 * arguments, the first being the program (the layout of /proc/PID/cmdline).
 * env looks up the client's environment (TF_CLI_ARGS, TF_CLI_ARGS_<command>;
 * NULL: none). The executable's name must contain "tofu" or "terraform".
 */
enum tb_cli_command tb_cli_command_parse(const char *exe, const char *cmdline, size_t len,
                                         const char *(*env)(const char *name));

/* "unknown", "validate", "change" or "destroy" (static). */
const char *tb_cli_command_name(enum tb_cli_command cmd);

#endif
