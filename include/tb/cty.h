/*
 * cty: Terraform's typed values in C, with the msgpack and JSON codecs of the
 * plugin protocol. No I/O. Everything is allocated in a caller's arena and
 * lives as long as it; nothing here is freed individually.
 *
 * Types are immutable once built; the primitive types are static singletons.
 * Values are immutable after construction by convention: helpers that
 * "change" a value return a new one sharing unchanged parts.
 */
#ifndef TB_CTY_H
#define TB_CTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tb/util.h"

enum tb_kind {
	TB_STRING = 1,
	TB_NUMBER,
	TB_BOOL,
	TB_LIST,
	TB_SET,
	TB_MAP,
	TB_OBJECT,
	TB_TUPLE,
	TB_DYNAMIC, /* "any type": values carry their concrete type */
};

struct tb_type {
	enum tb_kind kind;
	const struct tb_type *elem;         /* list, set, map */
	size_t n;                           /* object attributes or tuple elements */
	const char *const *names;           /* object: attribute names, sorted (strcmp) */
	const struct tb_type *const *types; /* object attribute / tuple element types */
	const bool *optional;               /* object: NULL or one flag per attribute */
};

extern const struct tb_type tb_type_string;
extern const struct tb_type tb_type_number;
extern const struct tb_type tb_type_bool;
extern const struct tb_type tb_type_dynamic;

/* Builders: return NULL when out of memory. Names are copied and sorted. */
const struct tb_type *tb_type_list(struct tb_arena *a, const struct tb_type *elem);
const struct tb_type *tb_type_set(struct tb_arena *a, const struct tb_type *elem);
const struct tb_type *tb_type_map(struct tb_arena *a, const struct tb_type *elem);
/* optional may be NULL. */
const struct tb_type *tb_type_object(struct tb_arena *a, size_t n, const char *const *names,
                                     const struct tb_type *const *types, const bool *optional);
const struct tb_type *tb_type_tuple(struct tb_arena *a, size_t n,
                                    const struct tb_type *const *types);
bool tb_type_equal(const struct tb_type *x, const struct tb_type *y);
/* Index of an object attribute, or -1. Binary search. */
int tb_type_attr_index(const struct tb_type *obj, const char *name);

/* JSON type encoding: "string", ["list","string"], ["object",{...}], ... */
/* Returns 0 and a NUL-terminated JSON text in *out (arena). */
int tb_type_to_json(struct tb_arena *a, const struct tb_type *t, char **out);
int tb_type_from_json(struct tb_arena *a, const char *json, size_t len, const struct tb_type **out);

/* Refinements carried by an unknown value (wire ext 12). */
struct tb_refine {
	bool has_nullness;
	bool not_null;
	const char *prefix; /* string prefix, NULL if none */
	bool has_lower, has_upper;
	double lower, upper; /* number bounds */
	bool lower_incl, upper_incl;
	bool has_len_lower, has_len_upper;
	int64_t len_lower, len_upper; /* collection length bounds */
};

enum {
	TB_V_NULL = 1u << 0,
	TB_V_UNKNOWN = 1u << 1,
};

/*
 * A value. For a null or unknown value, only type, flags and refine are
 * meaningful. Numbers are canonical (one representation per value, as cty's
 * msgpack encoding needs): an integer in int64 range is is_int with i; a
 * non-integer that a float64 holds exactly is f; anything else (0.1, 2^64,
 * 1e-30) keeps its plain decimal text in dec ("0.1"), with f the nearest
 * double. f is always set; infinities are f = +-inf.
 * Collections: n items in items[]; for maps and objects keys[] runs parallel
 * (objects: in the type's sorted attribute order, one per attribute; maps:
 * sorted by key). Sets keep the order they were built or decoded in.
 */
struct tb_value {
	const struct tb_type
	    *type; /* concrete type; never TB_DYNAMIC except for null/unknown of dynamic */
	unsigned flags;
	const struct tb_refine *refine; /* unknown only; may be NULL */
	union {
		struct {
			const char *s; /* NUL-terminated, valid UTF-8 */
			size_t len;
		} str;
		struct {
			bool is_int;
			int64_t i;
			double f;
			const char *dec;
		} num;
		bool b;
		struct {
			size_t n;
			const struct tb_value *const *items;
			const char *const *keys;
		} coll;
	} u;
};

/* Constructors: return NULL when out of memory. Strings are copied; invalid
 * UTF-8 bytes are replaced by U+FFFD. tb_null/tb_unknown of tb_type_dynamic
 * may stand in a slot of any type. tb_float(NaN) is NULL. */
const struct tb_value *tb_null(struct tb_arena *a, const struct tb_type *t);
const struct tb_value *tb_unknown(struct tb_arena *a, const struct tb_type *t);
const struct tb_value *tb_string(struct tb_arena *a, const char *s);
const struct tb_value *tb_stringn(struct tb_arena *a, const char *s, size_t len);
const struct tb_value *tb_int(struct tb_arena *a, int64_t i);
const struct tb_value *tb_float(struct tb_arena *a, double f);
const struct tb_value *tb_bool(struct tb_arena *a, bool b);
/* Collections take the items array (copied). For maps, keys are copied and
 * the pairs sorted; duplicate keys give NULL. For objects, items are in
 * t's attribute order, one per attribute. An item whose type does not match
 * the element (attribute) type gives NULL. Sets are not de-duplicated. */
const struct tb_value *tb_list(struct tb_arena *a, const struct tb_type *t, size_t n,
                               const struct tb_value *const *items);
const struct tb_value *tb_set(struct tb_arena *a, const struct tb_type *t, size_t n,
                              const struct tb_value *const *items);
const struct tb_value *tb_map(struct tb_arena *a, const struct tb_type *t, size_t n,
                              const char *const *keys, const struct tb_value *const *items);
const struct tb_value *tb_object(struct tb_arena *a, const struct tb_type *t,
                                 const struct tb_value *const *items);
const struct tb_value *tb_tuple(struct tb_arena *a, const struct tb_type *t,
                                const struct tb_value *const *items);
/* Copy of obj with attribute name set to v; NULL when name is not an attribute. */
const struct tb_value *tb_object_with(struct tb_arena *a, const struct tb_value *obj,
                                      const char *name, const struct tb_value *v);

/* Predicates */
static inline bool tb_is_null(const struct tb_value *v)
{
	return v == NULL || (v->flags & TB_V_NULL);
}
static inline bool tb_is_unknown(const struct tb_value *v)
{
	return v != NULL && (v->flags & TB_V_UNKNOWN);
}
static inline bool tb_is_known(const struct tb_value *v)
{
	return v != NULL && !(v->flags & (TB_V_UNKNOWN | TB_V_NULL));
}
/* True when v and everything inside it is known (nulls allowed). */
bool tb_is_wholly_known(const struct tb_value *v);
/* Deep equality (types, nullness, unknownness, contents; sets as sets).
 * NULL counts as null; two nulls (or two unknowns) are equal when their
 * types match or either is dynamic; refinements are ignored. */
bool tb_value_equal(const struct tb_value *x, const struct tb_value *y);

/* Accessors. Borrowed pointers, valid as long as the arena. */
/* Object attribute by name; NULL when v is not a known object or lacks it. */
const struct tb_value *tb_attr(const struct tb_value *v, const char *name);
/* Map element by key; NULL when absent. */
const struct tb_value *tb_map_get(const struct tb_value *v, const char *key);
/* String contents of a known string, else NULL. */
const char *tb_get_str(const struct tb_value *v);
/* A known number as int64 (0 and false when null/unknown/not integral). */
bool tb_get_int(const struct tb_value *v, int64_t *out);
bool tb_get_float(const struct tb_value *v, double *out);
/* A known bool; false when null/unknown. */
bool tb_get_bool(const struct tb_value *v, bool *out);
/* Item count of a known collection; 0 otherwise. */
size_t tb_len(const struct tb_value *v);

/* Converts v to type t where Terraform would (number<->string, bool<->string
 * ("true"/"1", "false"/"0"), list/set/tuple into each other, object->map,
 * map/object->object with optional attributes filled with null). Null and
 * unknown take the new type; a dynamic t keeps v. Returns TB_EINVAL when
 * impossible, TB_ENOMEM. */
int tb_value_convert(struct tb_arena *a, const struct tb_value *v, const struct tb_type *t,
                     const struct tb_value **out);

/*
 * msgpack codec (plugin-protocol DynamicValue). Decoding validates against
 * t: wrong kinds, invalid UTF-8, missing or extra object attributes, absurd
 * lengths and nesting deeper than 64 give TB_EINVAL; every extension type
 * decodes as unknown (ext 12 refinements are read). Encoding writes unknown
 * as ext 0, or ext 12 when it carries refinements.
 */
int tb_msgpack_decode(struct tb_arena *a, const struct tb_type *t, const void *data, size_t len,
                      const struct tb_value **out);
/* Returns 0 and the encoding in *out / *out_len (arena). */
int tb_msgpack_encode(struct tb_arena *a, const struct tb_value *v, void **out, size_t *out_len);
/* As tb_msgpack_encode for a value in a slot of type t: a dynamic t wraps the
 * value as [type JSON, value]. tb_msgpack_encode(v) is tb_msgpack_encode_as(v, v->type). */
int tb_msgpack_encode_as(struct tb_arena *a, const struct tb_value *v, const struct tb_type *t,
                         void **out, size_t *out_len);

/*
 * JSON codec (UpgradeResourceState raw state, JSON DynamicValue). Unknowns
 * cannot be encoded (TB_EINVAL). Dynamic-typed values are encoded as
 * {"value": ..., "type": ...} per cty's JSON rules.
 */
int tb_json_decode(struct tb_arena *a, const struct tb_type *t, const char *json, size_t len,
                   const struct tb_value **out);
/* tb_json_decode with flags: TB_JSON_DROP_UNKNOWN ignores object attributes
 * the type does not have (at any depth) instead of failing. */
enum {
	TB_JSON_DROP_UNKNOWN = 1u << 0,
};
int tb_json_decode_ex(struct tb_arena *a, const struct tb_type *t, const char *json, size_t len,
                      unsigned flags, const struct tb_value **out);
int tb_json_encode(struct tb_arena *a, const struct tb_value *v, char **out, size_t *out_len);
/* As tb_json_encode for a value in a slot of type t ({"value","type"} when t is dynamic). */
int tb_json_encode_as(struct tb_arena *a, const struct tb_value *v, const struct tb_type *t,
                      char **out, size_t *out_len);

/*
 * Parses decimal number text ("42", "-1.5", "1e3", "0.1") into a number
 * value; TB_EINVAL when it is not a number. Canonical form: see tb_value.
 */
int tb_number_parse(struct tb_arena *a, const char *s, size_t len, const struct tb_value **out);
/* Plain decimal text of a known number ("1000", "0.1"); NULL otherwise. */
char *tb_number_text(struct tb_arena *a, const struct tb_value *v);

/* Debug rendering (HCL-ish), for test failure messages and logs. */
char *tb_value_debug(struct tb_arena *a, const struct tb_value *v);

#endif
