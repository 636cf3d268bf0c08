/*
 * Helpers shared by the libFuzzer targets of tests/fuzz/: splitting an input
 * into fields, and the check that turns a broken invariant into a crash
 * libFuzzer keeps.
 */
#ifndef TB_FUZZ_H
#define TB_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tb/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The unread part of an input. */
struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

/* A field of an input: n bytes at p (not NUL-terminated). */
struct fuzz_span {
	const char *p;
	size_t n;
};

/* The bytes of in up to the first sep (consumed with it), or all of in when
 * there is no sep; *found says which. */
static inline struct fuzz_span fuzz_field(struct fuzz_in *in, char sep, bool *found)
{
	const uint8_t *end = in->n ? memchr(in->p, (unsigned char)sep, in->n) : NULL;
	struct fuzz_span s = {(const char *)in->p, end ? (size_t)(end - in->p) : in->n};

	if (found)
		*found = end != NULL;
	in->p += end ? s.n + 1 : s.n;
	in->n -= end ? s.n + 1 : s.n;
	return s;
}

/* The span as a NUL-terminated string in a (NULL when out of memory). */
static inline char *fuzz_str(struct tb_arena *a, struct fuzz_span s)
{
	return tb_arena_strndup(a, s.p, s.n);
}

/* One byte of in (0 when it is empty), consumed. */
static inline uint8_t fuzz_byte(struct fuzz_in *in)
{
	uint8_t b = in->n ? in->p[0] : 0;

	if (in->n) {
		in->p++;
		in->n--;
	}
	return b;
}

/* A broken invariant: report it and crash, so that libFuzzer keeps the input. */
#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__,       \
			        #cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#endif
