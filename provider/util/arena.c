/*
 * Arena allocator: chunked bump allocation guarded by one mutex, with
 * deferred cleanups run last-registered-first when the arena is freed.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tb/util.h"

#define ARENA_ALIGN       16
#define ARENA_FIRST_CHUNK 4096
#define ARENA_MAX_CHUNK   (1024 * 1024)
#define ARENA_DEFAULT_CAP ((size_t)1 << 30)

struct chunk {
	struct chunk *next;
	size_t size; /* usable bytes in data */
	size_t used;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct deferred {
	struct deferred *next;
	void (*fn)(void *);
	void *ptr;
};

struct tb_arena {
	pthread_mutex_t mu;
	struct chunk *chunks;
	struct deferred *defers;
	size_t used;     /* bytes handed out */
	size_t reserved; /* bytes of chunk payload obtained from malloc */
	size_t cap;
	size_t next_chunk;
};

bool (*tb_alloc_hook)(size_t n);

/* malloc that honours tb_alloc_hook. */
void *tb_malloc(size_t n)
{
	if (tb_alloc_hook != NULL && !tb_alloc_hook(n))
		return NULL;
	return malloc(n);
}

/* realloc that honours tb_alloc_hook. */
void *tb_realloc(void *p, size_t n)
{
	if (tb_alloc_hook != NULL && !tb_alloc_hook(n))
		return NULL;
	return realloc(p, n);
}

struct tb_arena *tb_arena_new(void)
{
	struct tb_arena *a = tb_malloc(sizeof(*a));

	if (a == NULL)
		return NULL;
	memset(a, 0, sizeof(*a));
	if (pthread_mutex_init(&a->mu, NULL) != 0) {
		free(a);
		return NULL;
	}
	a->cap = ARENA_DEFAULT_CAP;
	a->next_chunk = ARENA_FIRST_CHUNK;
	return a;
}

void tb_arena_free(struct tb_arena *a)
{
	struct deferred *d, *dn;
	struct chunk *c, *cn;

	if (a == NULL)
		return;
	for (d = a->defers; d != NULL; d = dn) {
		dn = d->next;
		d->fn(d->ptr);
		free(d);
	}
	for (c = a->chunks; c != NULL; c = cn) {
		cn = c->next;
		free(c);
	}
	pthread_mutex_destroy(&a->mu);
	free(a);
}

#ifndef TB_DEBUG_ARENA
static inline size_t round_up(size_t n)
{
	return (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}
#endif

/* Adds a chunk able to hold n bytes; caller holds the lock. */
static struct chunk *add_chunk(struct tb_arena *a, size_t n)
{
	size_t size = n;
	struct chunk *c;

#ifndef TB_DEBUG_ARENA
	if (size < a->next_chunk)
		size = a->next_chunk;
#endif
	if (size > a->cap || a->reserved > a->cap - size)
		return NULL;
	c = tb_malloc(sizeof(*c) + size);
	if (c == NULL)
		return NULL;
	c->size = size;
	c->used = 0;
	c->next = a->chunks;
	a->chunks = c;
	a->reserved += size;
	if (size == a->next_chunk && a->next_chunk < ARENA_MAX_CHUNK)
		a->next_chunk *= 2;
	return c;
}

void *tb_arena_alloc(struct tb_arena *a, size_t n)
{
	struct chunk *c;
	void *p = NULL;

	if (a == NULL || n > a->cap)
		return NULL;
#ifdef TB_DEBUG_ARENA
	n = n == 0 ? 1 : n;
#else
	n = round_up(n == 0 ? 1 : n);
#endif
	pthread_mutex_lock(&a->mu);
	c = a->chunks;
#ifndef TB_DEBUG_ARENA
	if (c == NULL || c->size - c->used < n)
		c = add_chunk(a, n);
#else
	c = add_chunk(a, n);
#endif
	if (c != NULL) {
		p = c->data + c->used;
		c->used += n;
		a->used += n;
	}
	pthread_mutex_unlock(&a->mu);
	if (p != NULL)
		memset(p, 0, n);
	return p;
}

char *tb_arena_strndup(struct tb_arena *a, const char *s, size_t n)
{
	char *p;

	if (s == NULL || n == SIZE_MAX)
		return NULL;
	p = tb_arena_alloc(a, n + 1);
	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *tb_arena_strdup(struct tb_arena *a, const char *s)
{
	if (s == NULL)
		return NULL;
	return tb_arena_strndup(a, s, strlen(s));
}

char *tb_arena_vprintf(struct tb_arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	char *p;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return NULL;
	p = tb_arena_alloc(a, (size_t)n + 1);
	if (p == NULL)
		return NULL;
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *tb_arena_printf(struct tb_arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = tb_arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

size_t tb_arena_used(const struct tb_arena *a)
{
	size_t used;

	pthread_mutex_lock((pthread_mutex_t *)&a->mu);
	used = a->used;
	pthread_mutex_unlock((pthread_mutex_t *)&a->mu);
	return used;
}

void tb_arena_set_cap(struct tb_arena *a, size_t cap)
{
	pthread_mutex_lock(&a->mu);
	a->cap = cap;
	pthread_mutex_unlock(&a->mu);
}

int tb_arena_defer(struct tb_arena *a, void (*fn)(void *), void *ptr)
{
	struct deferred *d = tb_malloc(sizeof(*d));

	if (d == NULL) {
		fn(ptr);
		return TB_ENOMEM;
	}
	d->fn = fn;
	d->ptr = ptr;
	pthread_mutex_lock(&a->mu);
	d->next = a->defers;
	a->defers = d;
	pthread_mutex_unlock(&a->mu);
	return 0;
}
