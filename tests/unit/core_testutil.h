/* Helpers shared by the util, cty and schema unit tests (header only). */
#ifndef TB_CORE_TESTUTIL_H
#define TB_CORE_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tb/util.h"

/* Failing-allocation hook: refuses exactly the fail_at-th allocation (1-based). */
static long core_alloc_count;
static long core_alloc_fail_at;
static bool core_alloc_refused;

static inline bool core_alloc_hook(size_t n)
{
	(void)n;
	if (++core_alloc_count == core_alloc_fail_at) {
		core_alloc_refused = true;
		return false;
	}
	return true;
}

static inline void core_fail_nth(long n)
{
	core_alloc_count = 0;
	core_alloc_fail_at = n;
	core_alloc_refused = false;
	tb_alloc_hook = core_alloc_hook;
}

static inline void core_fail_off(void)
{
	tb_alloc_hook = NULL;
}

static inline int core_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes hex text (spaces ignored) into a malloc'd buffer; returns its length. */
static inline size_t core_unhex(const char *hex, unsigned char **out)
{
	size_t n = 0, len = strlen(hex);
	unsigned char *buf = malloc(len / 2 + 1);
	int hi = -1;

	for (size_t i = 0; i < len; i++) {
		int v = core_hexval(hex[i]);

		if (v < 0)
			continue;
		if (hi < 0) {
			hi = v;
		} else {
			buf[n++] = (unsigned char)(hi << 4 | v);
			hi = -1;
		}
	}
	*out = buf;
	return n;
}

/* Lower-case hex of n bytes; malloc'd. */
static inline char *core_hex(const void *data, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *p = data;
	char *out = malloc(2 * n + 1);

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
	return out;
}

#endif
