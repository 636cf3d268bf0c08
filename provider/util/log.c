/* hclog-style JSON lines, one write(2) per line. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "tb/log.h"
#include "tb/util.h"

#define LOG_MODULE_PREFIX "provider.talentbase"
#define LOG_MAX_FIELD     (64 * 1024)
#define LOG_MAX_LINE      (1024 * 1024)

static atomic_int log_level = TB_LOG_WARN;
static atomic_int log_fd = 2;
static pthread_mutex_t log_write_mu = PTHREAD_MUTEX_INITIALIZER;

static const struct log_level_name {
	const char *name;
	enum tb_log_level level;
} log_levels[] = {
    {.name = "trace", .level = TB_LOG_TRACE}, {.name = "debug", .level = TB_LOG_DEBUG},
    {.name = "info", .level = TB_LOG_INFO},   {.name = "warn", .level = TB_LOG_WARN},
    {.name = "error", .level = TB_LOG_ERROR}, {.name = "off", .level = TB_LOG_OFF},
    {.name = "json", .level = TB_LOG_TRACE},
};

static const char *const level_text[] = {
    [TB_LOG_TRACE] = "trace", [TB_LOG_DEBUG] = "debug", [TB_LOG_INFO] = "info",
    [TB_LOG_WARN] = "warn",   [TB_LOG_ERROR] = "error",
};

/* Unset or empty: WARN. Unrecognised: TRACE, as Terraform does. */
static enum tb_log_level level_from_env(const char *v)
{
	if (v == NULL || *v == '\0')
		return TB_LOG_WARN;
	for (size_t i = 0; i < TB_COUNT(log_levels); i++)
		if (strcasecmp(v, log_levels[i].name) == 0)
			return log_levels[i].level;
	return TB_LOG_TRACE;
}

void tb_log_init(void)
{
	const char *v = getenv("TF_LOG_PROVIDER");

	if (v == NULL || *v == '\0')
		v = getenv("TF_LOG");
	atomic_store(&log_level, level_from_env(v));
}

void tb_log_set_level(enum tb_log_level level)
{
	atomic_store(&log_level, level);
}

void tb_log_set_fd(int fd)
{
	atomic_store(&log_fd, fd);
}

bool tb_log_enabled(enum tb_log_level level)
{
	return level < TB_LOG_OFF && (int)level >= atomic_load(&log_level);
}

static int put_field(struct tb_buf *b, const char *key, const char *val)
{
	size_t n = val != NULL ? strnlen(val, LOG_MAX_FIELD) : 0;
	int err = tb_buf_putc(b, ',');

	if (err == 0)
		err = tb_buf_put_json_string(b, key, strlen(key));
	if (err == 0)
		err = tb_buf_putc(b, ':');
	if (err == 0)
		err = tb_buf_put_json_string(b, val != NULL ? val : "", n);
	return err;
}

/* Writes the start of a line up to and including the @timestamp field. */
static int put_head(struct tb_buf *b, enum tb_log_level level, const char *module, const char *msg)
{
	struct timespec ts;
	struct tm tm;
	char stamp[96], mod[160];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(stamp, sizeof(stamp), "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000);
	snprintf(mod, sizeof(mod), "%s%s%s", LOG_MODULE_PREFIX, module ? "." : "",
	         module ? module : "");
	tb_buf_puts(b, "{\"@level\":\"");
	tb_buf_puts(b, level_text[level]);
	tb_buf_putc(b, '"');
	put_field(b, "@message", msg);
	put_field(b, "@module", mod);
	return put_field(b, "@timestamp", stamp);
}

static void write_line(struct tb_buf *b)
{
	int fd = atomic_load(&log_fd);
	size_t off = 0;
	ssize_t n;

	if (tb_buf_putc(b, '\n') != 0)
		return;
	pthread_mutex_lock(&log_write_mu);
	while (off < b->len) {
		n = write(fd, b->data + off, b->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	pthread_mutex_unlock(&log_write_mu);
}

void tb_log(enum tb_log_level level, const char *module, const char *msg, ...)
{
	struct tb_buf b;
	const char *k, *v;
	va_list ap;

	if (!tb_log_enabled(level))
		return;
	tb_buf_init(&b);
	b.max = LOG_MAX_LINE;
	put_head(&b, level, module, msg);
	va_start(ap, msg);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		put_field(&b, k, v);
	}
	va_end(ap);
	if (tb_buf_putc(&b, '}') == 0)
		write_line(&b);
	tb_buf_free(&b);
}

void tb_logf(enum tb_log_level level, const char *module, const char *fmt, ...)
{
	struct tb_buf msg, b;
	va_list ap;

	if (!tb_log_enabled(level))
		return;
	tb_buf_init(&msg);
	tb_buf_init(&b);
	msg.max = LOG_MAX_FIELD;
	b.max = LOG_MAX_LINE;
	va_start(ap, fmt);
	tb_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	put_head(&b, level, module, msg.failed || msg.data == NULL ? "" : msg.data);
	if (tb_buf_putc(&b, '}') == 0)
		write_line(&b);
	tb_buf_free(&msg);
	tb_buf_free(&b);
}
