/*
 * schema: declarative schema tables, diagnostics with attribute paths, and
 * the plan helpers every resource uses. Knows cty, not gRPC or AWS.
 */
#ifndef TB_SCHEMA_H
#define TB_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tb/cty.h"

/* ---- attribute paths ---------------------------------------------------- */

enum tb_step_kind {
	TB_STEP_ATTR = 1, /* .name */
	TB_STEP_KEY,      /* ["key"] (map element) */
	TB_STEP_INDEX,    /* [3] (list/tuple element) */
};

struct tb_step {
	enum tb_step_kind kind;
	const char *name; /* ATTR and KEY */
	int64_t index;    /* INDEX */
};

struct tb_path {
	size_t n;
	const struct tb_step *steps;
};

/*
 * Parses a dotted path with optional indexes: "load_balancer.health_check.path",
 * "environment[\"DB_PASSWORD\"]", "load_balancer.health_check.matcher".
 * Returns TB_EINVAL when malformed. A path into a single nested block is
 * written as plain attributes ("deployment.rollback").
 */
int tb_path_parse(struct tb_arena *a, const char *text, struct tb_path *out);
/* Renders a path back as text (arena). */
char *tb_path_string(struct tb_arena *a, const struct tb_path *p);
/* Value at path in v, or NULL when absent. */
const struct tb_value *tb_path_get(const struct tb_value *v, const struct tb_path *p);

/* ---- diagnostics -------------------------------------------------------- */

enum tb_severity {
	TB_SEV_ERROR = 1,
	TB_SEV_WARNING = 2,
};

struct tb_diag {
	enum tb_severity severity;
	const char *summary;
	const char *detail;
	struct tb_path path; /* n == 0: no attribute */
	struct tb_diag *next;
};

/* A list of diagnostics allocated in one arena. Zero-initialise with the arena set. */
struct tb_diags {
	struct tb_arena *arena;
	struct tb_diag *head, *tail;
	size_t n_errors, n_warnings;
};

void tb_diags_init(struct tb_diags *d, struct tb_arena *a);
/* Appends one; path_text may be NULL. Out of memory is recorded as an error
 * count without a diagnostic. Returns the new diagnostic or NULL. */
struct tb_diag *tb_diag_add(struct tb_diags *d, enum tb_severity sev, const char *path_text,
                            const char *summary, const char *detail);
struct tb_diag *tb_diag_addf(struct tb_diags *d, enum tb_severity sev, const char *path_text,
                             const char *summary, const char *detail_fmt, ...)
    __attribute__((format(printf, 5, 6)));
struct tb_diag *tb_diag_add_path(struct tb_diags *d, enum tb_severity sev,
                                 const struct tb_path *path, const char *summary,
                                 const char *detail);
static inline bool tb_diags_has_errors(const struct tb_diags *d)
{
	return d->n_errors > 0;
}

/* ---- schema tables ------------------------------------------------------ */

enum {
	TB_A_REQUIRED = 1u << 0,
	TB_A_OPTIONAL = 1u << 1,
	TB_A_COMPUTED = 1u << 2,
	TB_A_SENSITIVE = 1u << 3,
	TB_A_WRITE_ONLY = 1u << 4,
	TB_A_FORCE_NEW = 1u << 5, /* a change requires replacement */
	TB_A_DEPRECATED = 1u << 6,
};

struct tb_nested_attrs;

/* Type expressions in tables are JSON type text ("string", "[\"list\",\"string\"]"). */
struct tb_attr {
	const char *name;
	const char *type; /* JSON type encoding; NULL for a nested attribute */
	unsigned flags;
	const char *description;
	/*
	 * Default when the configuration leaves it null (attribute must be
	 * optional+computed). JSON text of the value, e.g. "30", "true", "\"ip\"".
	 * default_fn, when set, wins: it may depend on provider settings. Its
	 * config argument is the object that holds the attribute (the nested
	 * block's own object for an attribute inside a block, not the resource);
	 * it returns NULL for "no default".
	 */
	const char *default_json;
	const struct tb_value *(*default_fn)(struct tb_arena *a, const void *meta,
	                                     const struct tb_value *config);
	/* A nested attribute (protocol 6 nested_type): its value is an object,
	 * or a list, set or map of objects, of these attributes; type is NULL.
	 * Attributes inside it take no defaults. */
	const struct tb_nested_attrs *nested;
};

enum tb_nesting {
	TB_NEST_SINGLE = 1,
	TB_NEST_LIST,
	TB_NEST_SET,
	TB_NEST_MAP,
	TB_NEST_GROUP,
};

/* The objects of a nested attribute: SINGLE, LIST, SET or MAP of them. */
struct tb_nested_attrs {
	enum tb_nesting nesting;
	const struct tb_attr *attrs;
	size_t n_attrs;
};

struct tb_block;

struct tb_nested {
	const char *name;
	enum tb_nesting nesting;
	const struct tb_block *block;
	int64_t min_items, max_items;
	unsigned flags; /* TB_A_FORCE_NEW only */
};

struct tb_block {
	const struct tb_attr *attrs;
	size_t n_attrs;
	const struct tb_nested *blocks;
	size_t n_blocks;
	const char *description;
	bool deprecated;
};

struct tb_schema {
	int64_t version;
	const struct tb_block *block;
};

/* Length of a static array, for table sizes. */
#ifndef TB_COUNT
#define TB_COUNT(x) (sizeof(x) / sizeof((x)[0]))
#endif

/*
 * The implied cty object type of a block (attributes + nested blocks), built
 * once and cached on first use (thread-safe). NULL on a malformed table.
 */
const struct tb_type *tb_block_type(const struct tb_block *b);
/* Finds an attribute (not a block) by name. */
const struct tb_attr *tb_block_attr(const struct tb_block *b, const char *name);
const struct tb_nested *tb_block_nested(const struct tb_block *b, const char *name);

/* ---- plan helpers ------------------------------------------------------- */

struct tb_plan {
	const struct tb_value *prior; /* null on create */
	const struct tb_value *config;
	const struct tb_value *proposed; /* proposed_new_state from the client */
	const struct tb_value *planned;  /* result: starts as proposed */
	struct tb_path *requires_replace;
	size_t n_requires_replace;
};

/*
 * Fills p->planned from p->proposed: defaults for null optional+computed
 * attributes (walking nested blocks), unknown for computed attributes the
 * config leaves null when creating or when marked by the resource, and
 * write-only attributes set to null. Collects requires_replace for every
 * TB_A_FORCE_NEW attribute or block whose planned value differs from prior.
 * meta is passed to default_fn. Returns 0 or TB_ENOMEM.
 *
 * Details: a default applies only where the config value is null (an unknown
 * config value stays unknown); default_fn gets the config object holding the
 * attribute and may return NULL for "no default". "Creating" is decided per
 * object: the resource (prior null) or a nested element without a prior
 * counterpart (list blocks match by index, map blocks by key, set blocks by
 * their non-computed attributes); there a computed attribute left null
 * without default becomes unknown, elsewhere it keeps the proposed (prior)
 * value. A null single block stays null. requires_replace is collected only
 * when prior is non-null; inside a set block the path is the set block's.
 * A proposed null (destroy) is returned unchanged. TB_EINVAL for a malformed
 * table or default_json.
 */
int tb_plan_prepare(struct tb_arena *a, const struct tb_schema *s, const void *meta,
                    struct tb_plan *p);
/*
 * Applies defaults to a configuration (as tb_plan_prepare does) without
 * planning: used to run rules over effective values at validate time. A
 * default_fn that needs what meta does not have yet (meta NULL or not
 * configured) returns an unknown value.
 */
int tb_schema_apply_defaults(struct tb_arena *a, const struct tb_schema *s, const void *meta,
                             const struct tb_value *config, const struct tb_value **out);
/* Marks the attribute at path_text unknown in p->planned (a computed value that
 * will change). Returns TB_EINVAL when the path does not exist. */
int tb_plan_set_unknown(struct tb_arena *a, struct tb_plan *p, const char *path_text);
/* Sets the value at path_text in p->planned. */
int tb_plan_set(struct tb_arena *a, struct tb_plan *p, const char *path_text,
                const struct tb_value *v);
/* Value at path in v after setting: copy-on-write helper used by the above. */
int tb_value_set_path(struct tb_arena *a, const struct tb_value *root, const struct tb_path *p,
                      const struct tb_value *v, const struct tb_value **out);
/* True when the value at path_text differs between prior and planned. */
bool tb_plan_changed(const struct tb_plan *p, const char *path_text);

/*
 * UpgradeResourceState: decodes raw JSON state of any earlier version into the
 * current schema's type. Attributes the current schema no longer has are
 * dropped; missing ones become null. The resource may transform older
 * versions afterwards.
 */
int tb_upgrade_json_state(struct tb_arena *a, const struct tb_schema *s, const char *json,
                          size_t len, const struct tb_value **out);

#endif
