/*
 * log: JSON lines on stderr in the form Terraform/OpenTofu parse from
 * plugins (hclog JSON): {"@level":"debug","@message":"...","@module":
 * "provider.talentbase","@timestamp":"2026-01-02T03:04:05.000000Z", k: v}.
 * Level from TF_LOG_PROVIDER, else TF_LOG (TRACE, DEBUG, INFO, WARN, ERROR,
 * OFF; JSON means TRACE). Thread-safe: each line is written with one write(2).
 */
#ifndef TB_LOG_H
#define TB_LOG_H

#include <stdbool.h>

enum tb_log_level {
	TB_LOG_TRACE = 0,
	TB_LOG_DEBUG,
	TB_LOG_INFO,
	TB_LOG_WARN,
	TB_LOG_ERROR,
	TB_LOG_OFF,
};

/* Reads the level from the environment. Call once at start. */
void tb_log_init(void);
/* Overrides the level (tests). */
void tb_log_set_level(enum tb_log_level level);
/* Redirects output to fd (tests); default 2. */
void tb_log_set_fd(int fd);
bool tb_log_enabled(enum tb_log_level level);

/*
 * Writes one line. The variadic part is key/value pairs terminated by NULL:
 * each key is a const char *, each value a const char * (written as a JSON
 * string). Use tb_logf for a printf-formatted message without fields.
 *   tb_log(TB_LOG_DEBUG, "aws", "request", "service", "ecs", "action", a, NULL);
 * module is appended to "provider.talentbase." (NULL: no suffix).
 */
void tb_log(enum tb_log_level level, const char *module, const char *msg, ...)
    __attribute__((sentinel));
void tb_logf(enum tb_log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
