/*
 * The command of the CLI that started this process, from its command line
 * (/proc/<ppid>/cmdline), its executable (/proc/<ppid>/exe) and the
 * TF_CLI_ARGS variables both clients merge into their arguments.
 */
#include <ctype.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tb/cli.h"
#include "tb/log.h"
#include "tb/util.h"

#define CMDLINE_MAX ((size_t)1 << 20) /* a longer command line is read up to here */

/* Subcommands that decide the answer; every other one is TB_CLI_CHANGE. */
struct subcommand {
	const char *name;
	enum tb_cli_command cmd;
	bool takes_destroy; /* -destroy makes it a destroy */
};

static const struct subcommand subcommands[] = {
    {.name = "validate", .cmd = TB_CLI_VALIDATE},
    {.name = "destroy", .cmd = TB_CLI_DESTROY},
    {.name = "apply", .cmd = TB_CLI_CHANGE, .takes_destroy = true},
    {.name = "plan", .cmd = TB_CLI_CHANGE, .takes_destroy = true},
};

static const char *const command_names[] = {
    [TB_CLI_UNKNOWN] = "unknown",
    [TB_CLI_VALIDATE] = "validate",
    [TB_CLI_CHANGE] = "change",
    [TB_CLI_DESTROY] = "destroy",
};

/* The values Go's strconv.ParseBool accepts, as a boolean flag's =value. */
static const char *const go_true[] = {"1", "t", "T", "true", "TRUE", "True"};
static const char *const go_false[] = {"0", "f", "F", "false", "FALSE", "False"};

/* Returns "unknown", "validate", "change" or "destroy" (static). */
const char *tb_cli_command_name(enum tb_cli_command cmd)
{
	return (size_t)cmd < TB_COUNT(command_names) ? command_names[cmd] : "unknown";
}

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(s, list[i]) == 0)
			return true;
	}
	return false;
}

/* Applies arg to *destroy when it is the -destroy flag (Go flag syntax:
 * -destroy, --destroy, -destroy=<bool>). */
static void destroy_flag(const char *arg, bool *destroy)
{
	const char *v;

	if (arg[0] != '-')
		return;
	arg += arg[1] == '-' ? 2 : 1;
	if (strncmp(arg, "destroy", 7) != 0)
		return;
	v = arg + 7;
	if (*v == '\0')
		*destroy = true;
	else if (*v == '=' && in_list(v + 1, go_true, TB_COUNT(go_true)))
		*destroy = true;
	else if (*v == '=' && in_list(v + 1, go_false, TB_COUNT(go_false)))
		*destroy = false;
}

/* Scans n bytes of NUL-separated words for -destroy, up to a "--". */
static void destroy_in_words(const char *w, size_t n, bool *destroy)
{
	for (const char *p = w; p < w + n; p += strlen(p) + 1) {
		if (strcmp(p, "--") == 0)
			return;
		destroy_flag(p, destroy);
	}
}

/* Copies the word character at *s to *o (quotes group, a backslash escapes
 * outside single quotes); advances both. */
static void word_char(const char **s, char **o, char *quote)
{
	char ch = **s;

	if (ch == *quote)
		*quote = 0;
	else if (*quote == 0 && (ch == '\'' || ch == '"'))
		*quote = ch;
	else if (ch == '\\' && *quote != '\'' && (*s)[1] != '\0')
		*(*o)++ = *++*s;
	else
		*(*o)++ = ch;
}

/*
 * Splits s into NUL-separated words as the clients do with TF_CLI_ARGS
 * (shell words: blanks separate, quotes group, a backslash escapes; no
 * expansions). Returns a new buffer (free it) and its length in *len, or
 * NULL when out of memory.
 */
static char *split_words(const char *s, size_t *len)
{
	char *out = tb_malloc(strlen(s) + 1), *o = out;
	bool in_word = false;
	char quote = 0;

	if (out == NULL)
		return NULL;
	for (; *s; s++) {
		if (quote == 0 && isspace((unsigned char)*s)) {
			if (in_word)
				*o++ = '\0';
			in_word = false;
			continue;
		}
		in_word = true;
		word_char(&s, &o, &quote);
	}
	if (in_word)
		*o++ = '\0';
	*len = (size_t)(o - out);
	return out;
}

/* Scans the environment variable name of the client for -destroy. */
static void destroy_in_env(const char *(*env)(const char *), const char *name, bool *destroy)
{
	const char *v = env != NULL ? env(name) : NULL;
	size_t n = 0;
	char *words;

	if (v == NULL || *v == '\0')
		return;
	words = split_words(v, &n);
	if (words != NULL)
		destroy_in_words(words, n, destroy);
	free(words);
}

static bool is_client(const char *path)
{
	const char *base = path != NULL ? strrchr(path, '/') : NULL;

	base = base != NULL ? base + 1 : path;
	return base != NULL && (strcasestr(base, "tofu") != NULL || strcasestr(base, "terraform"));
}

static const struct subcommand *find_subcommand(const char *name)
{
	for (size_t i = 0; i < TB_COUNT(subcommands); i++) {
		if (strcmp(subcommands[i].name, name) == 0)
			return &subcommands[i];
	}
	return NULL;
}

/* The answer for subcommand sub; rest..end are the arguments after it. The
 * clients insert TF_CLI_ARGS_<sub>, then TF_CLI_ARGS, right after the
 * subcommand, before the command line's own arguments; the last flag wins. */
static enum tb_cli_command classify(const char *sub, const char *rest, const char *end,
                                    const char *(*env)(const char *))
{
	const struct subcommand *s = find_subcommand(sub);
	char name[64];
	bool destroy = false;

	if (s == NULL)
		return TB_CLI_CHANGE;
	if (!s->takes_destroy)
		return s->cmd;
	snprintf(name, sizeof(name), "TF_CLI_ARGS_%s", sub);
	destroy_in_env(env, name, &destroy);
	destroy_in_env(env, "TF_CLI_ARGS", &destroy);
	destroy_in_words(rest, (size_t)(end - rest), &destroy);
	return destroy ? TB_CLI_DESTROY : TB_CLI_CHANGE;
}

/* Returns the command of the client whose executable is exe (NULL: its first
 * argument) and whose NUL-separated arguments are cmdline[0..len); see
 * tb/cli.h. */
enum tb_cli_command tb_cli_command_parse(const char *exe, const char *cmdline, size_t len,
                                         const char *(*env)(const char *name))
{
	char *args = len > 0 ? tb_malloc(len + 1) : NULL;
	enum tb_cli_command cmd = TB_CLI_UNKNOWN;
	const char *p, *end;

	if (args == NULL)
		return TB_CLI_UNKNOWN;
	memcpy(args, cmdline, len);
	args[len] = '\0'; /* the last argument ends even if the input did not end it */
	end = args + len + (args[len - 1] != '\0');
	if (!is_client(exe) && !is_client(args))
		goto out;
	/* the program, then global options (-chdir=DIR, -help, -version) */
	for (p = args + strlen(args) + 1; p < end && p[0] == '-'; p += strlen(p) + 1)
		;
	if (p < end)
		cmd = classify(p, p + strlen(p) + 1, end, env);
out:
	free(args);
	return cmd;
}

/* Reads a whole /proc file (their size is not known in advance), up to cap
 * bytes. Returns a new buffer (free it), its length in *len; NULL on error. */
static char *read_proc_file(const char *path, size_t cap, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0, size = 4096;
	char *buf = fd >= 0 ? tb_malloc(size) : NULL, *grown;
	ssize_t got = 1;

	while (buf != NULL && got > 0 && n < cap) {
		if (n == size) {
			grown = tb_realloc(buf, size * 2);
			if (grown == NULL)
				break;
			buf = grown;
			size *= 2;
		}
		got = read(fd, buf + n, size - n);
		n += got > 0 ? (size_t)got : 0;
	}
	if (fd >= 0)
		close(fd);
	if (buf != NULL && (got < 0 || n == 0)) {
		free(buf);
		buf = NULL;
	}
	*len = n;
	return buf;
}

static const char *client_env(const char *name)
{
	return getenv(name);
}

static enum tb_cli_command detected = TB_CLI_UNKNOWN;
static pthread_once_t detect_once = PTHREAD_ONCE_INIT;

static void detect(void)
{
	long ppid = (long)getppid();
	char path[64], exe[4096];
	size_t len = 0;
	ssize_t n;
	char *cmdline;

	snprintf(path, sizeof(path), "/proc/%ld/exe", ppid);
	n = readlink(path, exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", ppid);
	cmdline = read_proc_file(path, CMDLINE_MAX, &len);
	if (cmdline != NULL)
		detected = tb_cli_command_parse(n > 0 ? exe : NULL, cmdline, len, client_env);
	free(cmdline);
	tb_log(TB_LOG_DEBUG, "cli", "client command", "command", tb_cli_command_name(detected),
	       NULL);
}

/* Returns the command of the parent process, detected once; see tb/cli.h. */
enum tb_cli_command tb_cli_command(void)
{
	pthread_once(&detect_once, detect);
	return detected;
}
