/* Schema tables: implied object types (built once, cached) and lookups. */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "tb/schema.h"

#define CACHE_BUCKETS 128

struct cache_entry {
	const struct tb_block *block;
	const struct tb_type *type;
	struct cache_entry *next;
};

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct tb_arena *cache_arena;
static struct cache_entry *cache[CACHE_BUCKETS];

static size_t bucket_of(const struct tb_block *b)
{
	return ((uintptr_t)b >> 4) % CACHE_BUCKETS;
}

static const struct tb_type *block_type_locked(const struct tb_block *b, int depth);

/* Collection wrapper of a nested block's object type; NULL: the object itself. */
static const struct tb_type *(*const nest_wrap[])(struct tb_arena *, const struct tb_type *) = {
    [TB_NEST_SINGLE] = NULL,     [TB_NEST_LIST] = tb_type_list, [TB_NEST_SET] = tb_type_set,
    [TB_NEST_MAP] = tb_type_map, [TB_NEST_GROUP] = NULL,
};

static const struct tb_type *nested_type(const struct tb_nested *n, int depth)
{
	const struct tb_type *obj;

	if (n->nesting < TB_NEST_SINGLE || n->nesting > TB_NEST_GROUP)
		return NULL;
	obj = block_type_locked(n->block, depth + 1);
	if (obj == NULL || nest_wrap[n->nesting] == NULL)
		return obj;
	return nest_wrap[n->nesting](cache_arena, obj);
}

static const struct tb_type *attr_type(const struct tb_attr *at, int depth);

/* The object type of attrs[0..n). */
static const struct tb_type *attrs_object(const struct tb_attr *attrs, size_t n, int depth)
{
	const char **names = tb_arena_alloc(cache_arena, sizeof(*names) * (n + 1));
	const struct tb_type **types = tb_arena_alloc(cache_arena, sizeof(*types) * (n + 1));

	if (names == NULL || types == NULL || depth > 32)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		names[i] = attrs[i].name;
		if ((types[i] = attr_type(&attrs[i], depth + 1)) == NULL)
			return NULL;
	}
	return tb_type_object(cache_arena, n, names, types, NULL);
}

/* An attribute's type: its JSON type text, or the objects of a nested
 * attribute in their collection. */
static const struct tb_type *attr_type(const struct tb_attr *at, int depth)
{
	const struct tb_nested_attrs *na = at->nested;
	const struct tb_type *t = NULL;

	if (na == NULL) {
		if (at->type == NULL ||
		    tb_type_from_json(cache_arena, at->type, strlen(at->type), &t) != 0)
			return NULL;
		return t;
	}
	if (na->nesting < TB_NEST_SINGLE || na->nesting > TB_NEST_MAP)
		return NULL;
	t = attrs_object(na->attrs, na->n_attrs, depth);
	if (t == NULL || nest_wrap[na->nesting] == NULL)
		return t;
	return nest_wrap[na->nesting](cache_arena, t);
}

static const struct tb_type *build(const struct tb_block *b, int depth)
{
	size_t n = b->n_attrs + b->n_blocks;
	const char **names = tb_arena_alloc(cache_arena, sizeof(*names) * (n + 1));
	const struct tb_type **types = tb_arena_alloc(cache_arena, sizeof(*types) * (n + 1));

	if (names == NULL || types == NULL)
		return NULL;
	for (size_t i = 0; i < b->n_attrs; i++) {
		names[i] = b->attrs[i].name;
		if ((types[i] = attr_type(&b->attrs[i], depth)) == NULL)
			return NULL;
	}
	for (size_t i = 0; i < b->n_blocks; i++) {
		names[b->n_attrs + i] = b->blocks[i].name;
		types[b->n_attrs + i] = nested_type(&b->blocks[i], depth);
		if (types[b->n_attrs + i] == NULL)
			return NULL;
	}
	return tb_type_object(cache_arena, n, names, types, NULL);
}

static const struct tb_type *block_type_locked(const struct tb_block *b, int depth)
{
	struct cache_entry *e;
	size_t k = bucket_of(b);

	if (b == NULL || depth > 32)
		return NULL;
	for (e = cache[k]; e != NULL; e = e->next)
		if (e->block == b)
			return e->type;
	if (cache_arena == NULL && (cache_arena = tb_arena_new()) == NULL)
		return NULL;
	e = tb_arena_alloc(cache_arena, sizeof(*e));
	if (e == NULL)
		return NULL;
	e->block = b;
	e->type = build(b, depth);
	if (e->type == NULL)
		return NULL;
	e->next = cache[k];
	cache[k] = e;
	return e->type;
}

const struct tb_type *tb_block_type(const struct tb_block *b)
{
	const struct tb_type *t;

	pthread_mutex_lock(&cache_mu);
	t = block_type_locked(b, 0);
	pthread_mutex_unlock(&cache_mu);
	return t;
}

const struct tb_attr *tb_block_attr(const struct tb_block *b, const char *name)
{
	for (size_t i = 0; b != NULL && name != NULL && i < b->n_attrs; i++)
		if (strcmp(b->attrs[i].name, name) == 0)
			return &b->attrs[i];
	return NULL;
}

const struct tb_nested *tb_block_nested(const struct tb_block *b, const char *name)
{
	for (size_t i = 0; b != NULL && name != NULL && i < b->n_blocks; i++)
		if (strcmp(b->blocks[i].name, name) == 0)
			return &b->blocks[i];
	return NULL;
}
