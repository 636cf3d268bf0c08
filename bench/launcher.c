/*
 * The stack benchmark's measuring parent (bench/stack.py compiles it with cc
 * and installs it as the provider binary). It runs the binary named by
 * TB_BENCH_REAL as its only child, with its own arguments, environment (less
 * the TB_BENCH_ variables) and standard streams, forwards SIGINT and SIGTERM
 * to it, and when the child has exited appends one line to the file named by
 * TB_BENCH_USAGE:
 *
 *     <pid> <wall s> <user s> <sys s> <max RSS KiB>
 *
 * from wait4(), so CPU time comes to the microsecond. Linux carries the
 * high-water mark of the address space an exec replaces into ru_maxrss; this
 * parent is small, so ru_maxrss is the provider's own VmHWM. Exits with the
 * child's status (128 + signal when it was killed).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile pid_t child;

static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

static double seconds(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void record(const char *path, pid_t pid, double wall, const struct rusage *ru)
{
	char line[160];
	int n = snprintf(line, sizeof(line), "%d %.6f %.6f %.6f %ld\n", (int)pid, wall,
	                 seconds(ru->ru_utime), seconds(ru->ru_stime), ru->ru_maxrss);
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return;
	if (n > 0 && write(fd, line, (size_t)n) != n)
		fprintf(stderr, "bench launcher: short write to %s\n", path);
	close(fd);
}

int main(int argc, char **argv)
{
	const char *real_env = getenv("TB_BENCH_REAL");
	const char *usage_env = getenv("TB_BENCH_USAGE");
	struct sigaction sa = {.sa_handler = forward};
	struct rusage ru = {0};
	int status = 0;
	char *real, *usage;
	double start;

	if (argc < 1 || !real_env || !usage_env) {
		fprintf(stderr, "bench launcher: TB_BENCH_REAL and TB_BENCH_USAGE must be set\n");
		return 127;
	}
	real = strdup(real_env);
	usage = strdup(usage_env);
	if (!real || !usage)
		return 127;
	unsetenv("TB_BENCH_REAL");
	unsetenv("TB_BENCH_USAGE");
	argv[0] = real;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	start = now();
	child = fork();
	if (child < 0)
		return 127;
	if (child == 0) {
		execv(real, argv);
		fprintf(stderr, "bench launcher: exec %s: %s\n", real, strerror(errno));
		_exit(127);
	}
	while (wait4(child, &status, 0, &ru) < 0 && errno == EINTR)
		;
	record(usage, child, now() - start, &ru);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
