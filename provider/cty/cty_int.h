/* Internals shared by the cty sources; not part of the module's interface. */
#ifndef TB_CTY_INT_H
#define TB_CTY_INT_H

#include <jansson.h>

#include "tb/cty.h"
#include "tb/util.h"

/* Deepest nesting a decoder accepts (values and types). */
#define CTY_MAX_DEPTH 64

/* Type JSON into b; returns tb_buf's error. */
int cty_type_put_json(struct tb_buf *b, const struct tb_type *t);
/* Type from a parsed JSON document; TB_EINVAL or TB_ENOMEM on failure. */
int cty_type_from_jansson(struct tb_arena *a, const json_t *j, int depth,
                          const struct tb_type **out);
/* Equality ignoring optional-attribute flags (value conformance). */
bool cty_type_same(const struct tb_type *x, const struct tb_type *y);
/* True when v may stand in a slot of type t. */
bool cty_conforms(const struct tb_value *v, const struct tb_type *t);

/* A fresh value of type t with the given flags (arena, zeroed). */
struct tb_value *cty_value_new(struct tb_arena *a, const struct tb_type *t, unsigned flags);
/* String value from bytes already known to be valid UTF-8 (copied). */
const struct tb_value *cty_string_valid(struct tb_arena *a, const char *s, size_t len);
/* Collection value taking ownership of arena arrays (no copy, no checks). */
const struct tb_value *cty_coll_new(struct tb_arena *a, const struct tb_type *t, size_t n,
                                    const struct tb_value *const *items, const char *const *keys);
/* Sorts map pairs by key in place; TB_EINVAL on a duplicate key. */
int cty_sort_pairs(const char **keys, const struct tb_value **items, size_t n);

/* Numbers: decimal text (any notation) or a double into canonical form. */
int cty_num_from_text(struct tb_arena *a, const char *s, size_t n, const struct tb_value **out);
int cty_num_from_double(struct tb_arena *a, double f, const struct tb_value **out);
/* The number whose shortest round-trip text is that of f (JSON reals: 0.1 stays 0.1). */
int cty_num_from_shortest(struct tb_arena *a, double f, const struct tb_value **out);
/* Plain decimal text ("-12.5", "1e3" as "1000"); infinity as "+Inf"/"-Inf". */
int cty_num_put_text(struct tb_buf *b, const struct tb_value *v);
bool cty_num_equal(const struct tb_value *x, const struct tb_value *y);

/*
 * json_loadb with JSON_DECODE_ANY | JSON_ALLOW_NUL. jansson reports some
 * allocation failures as syntax errors, so a failed parse is tried once more:
 * TB_EINVAL only when both fail alike, else TB_ENOMEM.
 */
int cty_json_load(const char *json, size_t len, json_t **out);

/* Copies a tb_buf's contents into the arena (NUL-terminated) and frees b. */
int cty_buf_to_arena(struct tb_arena *a, struct tb_buf *b, char **out, size_t *out_len);

#endif
