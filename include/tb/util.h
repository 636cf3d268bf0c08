/*
 * util: arena, growing buffers, strings, time and the error codes shared by
 * every module. No I/O except the logger (log.h) and reading the command of
 * the CLI that started the process (cli.h).
 */
#ifndef TB_UTIL_H
#define TB_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Error codes: functions return 0 on success or one of these (negative). */
enum tb_error {
	TB_OK = 0,
	TB_ENOMEM = -1,    /* allocation failed or a hard cap was hit */
	TB_EINVAL = -2,    /* malformed input (codec, user value) */
	TB_ENOTFOUND = -3, /* the named object does not exist */
	TB_ETHROTTLED = -4,
	TB_ECANCELED = -5, /* StopProvider or a timeout interrupted the work */
	TB_ETIMEOUT = -6,
	TB_EACCESS = -7,
	TB_ECONFLICT = -8, /* in use, already exists, dependency violation */
	TB_EVALIDATION = -9,
	TB_ETRANSIENT = -10, /* 5xx, connection reset: worth a retry */
	TB_EIO = -11,        /* local I/O or network failure */
	TB_EAWS = -12,       /* any other AWS error */
	TB_EFAILED = -13,    /* an operation reached a failure state */
};

/* Length of a static array, for table sizes. */
#ifndef TB_COUNT
#define TB_COUNT(x) (sizeof(x) / sizeof((x)[0]))
#endif

/* A list of strings and a list of key/value pairs (maps are sorted by key),
 * borrowed from whatever holds the strings (usually an arena). */
struct tb_strs {
	size_t n;
	const char **v;
};

struct tb_kv {
	const char *key;
	const char *value;
};

struct tb_kvs {
	size_t n;
	struct tb_kv *v;
};

/* Returns a static, human-readable name for an error code. */
const char *tb_strerror(int err);

/*
 * Arena: a bump allocator whose allocations all live until tb_arena_free.
 * One per RPC call. When built with TB_DEBUG_ARENA every allocation is a
 * separate malloc so that ASan and valgrind see each one.
 * Allocation failures return NULL; callers return TB_ENOMEM.
 */
struct tb_arena;

/* Returns a new arena, or NULL when out of memory. Free with tb_arena_free. */
struct tb_arena *tb_arena_new(void);
/* Runs the deferred cleanups (last first), then frees everything. NULL is a no-op. */
void tb_arena_free(struct tb_arena *a);
/* Zeroed, 16-byte aligned memory; NULL on failure or when the arena's cap is hit. */
void *tb_arena_alloc(struct tb_arena *a, size_t n);
/* Copy of s (NUL-terminated); NULL on failure. NULL s gives NULL. */
char *tb_arena_strdup(struct tb_arena *a, const char *s);
/* Copy of n bytes of s plus a NUL terminator. */
char *tb_arena_strndup(struct tb_arena *a, const char *s, size_t n);
/* printf into the arena. */
char *tb_arena_printf(struct tb_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *tb_arena_vprintf(struct tb_arena *a, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Total bytes handed out (for tests and benchmarks). */
size_t tb_arena_used(const struct tb_arena *a);
/* Upper bound on an arena's total size (default 1 GiB). */
void tb_arena_set_cap(struct tb_arena *a, size_t cap);
/*
 * Registers fn(ptr) to run when the arena is freed (last registered runs
 * first): ties foreign objects (jansson values, curl lists) to the call's
 * lifetime. Returns TB_ENOMEM, after calling fn(ptr) at once, on failure.
 * Arenas are thread-safe: fan-out workers of one call may share one.
 */
int tb_arena_defer(struct tb_arena *a, void (*fn)(void *), void *ptr);

/*
 * Test hook: when set, every allocation made by util (arena and buffers)
 * calls it first; a false answer makes that allocation fail. Used by the
 * failing-allocation unit tests. Not thread-safe; tests only.
 */
extern bool (*tb_alloc_hook)(size_t n);
/* malloc/realloc that honour tb_alloc_hook (NULL when it refuses); free with free(). */
void *tb_malloc(size_t n);
void *tb_realloc(void *p, size_t n);

/*
 * Growing byte buffer with a hard cap. Owns its memory (malloc); free with
 * tb_buf_free. data is always NUL-terminated when len > 0 or after any append.
 */
struct tb_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;  /* hard cap; 0 means 256 MiB */
	bool failed; /* a previous append failed: all later appends fail too */
};

void tb_buf_init(struct tb_buf *b);
void tb_buf_free(struct tb_buf *b);
/* Empties b and clears failed; keeps the allocation. */
void tb_buf_reset(struct tb_buf *b);
/* Appends return 0, or TB_ENOMEM when allocation fails or max would be
 * exceeded (b->failed is then set and every later append fails too). */
int tb_buf_append(struct tb_buf *b, const void *data, size_t n);
int tb_buf_puts(struct tb_buf *b, const char *s);
int tb_buf_putc(struct tb_buf *b, char c);
int tb_buf_printf(struct tb_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the buffer's contents and leaves b empty; caller frees with free(). */
char *tb_buf_detach(struct tb_buf *b);
int tb_buf_vprintf(struct tb_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/*
 * Appends the n bytes at s as a quoted JSON string: quotes, backslashes and
 * control characters escaped, invalid UTF-8 bytes replaced by \ufffd.
 */
int tb_buf_put_json_string(struct tb_buf *b, const char *s, size_t n);

/* Strings */
bool tb_str_eq(const char *a, const char *b); /* NULL-safe */
bool tb_str_has_prefix(const char *s, const char *prefix);
bool tb_str_has_suffix(const char *s, const char *suffix);
/* Case-insensitive substring search; returns true when needle is in hay. */
bool tb_str_icontains(const char *hay, const char *needle);
/* True when the n bytes at s are valid UTF-8. */
bool tb_utf8_valid(const char *s, size_t n);
/* Decodes one code point from the n bytes at s (strict: no overlongs,
 * surrogates or values past U+10FFFF). Returns its length, or 0 when invalid. */
size_t tb_utf8_decode(const char *s, size_t n, uint32_t *cp);

/* Numbers */
/* d truncated toward zero as an int64_t, saturated at INT64_MIN / INT64_MAX
 * (a plain cast of a double out of range is undefined); NaN gives 0. */
int64_t tb_double_to_int64(double d);

/* Time */
/* Monotonic milliseconds. */
int64_t tb_now_ms(void);
/* Wall-clock seconds since the epoch, with sub-second precision. */
double tb_wall_time(void);
/* Formats t (UTC) as "YYYYMMDD'T'HHMMSS'Z'" into out[17]. */
void tb_time_amz(int64_t t, char out[17]);
/* Parses an RFC 3339 timestamp ("2026-01-02T03:04:05Z"; 't' or a space for
 * 'T', fractional seconds ignored, "Z" or an offset such as "+02:00") into
 * epoch seconds; TB_EINVAL when malformed. */
int tb_time_parse_iso8601(const char *s, int64_t *out);
/* Parses a Go-style duration ("20m", "1h30m", "45s", "500ms", "1.5h") into
 * milliseconds (truncated); TB_EINVAL when malformed. */
int tb_duration_parse(const char *s, int64_t *out_ms);

#endif
