/*
 * The resource kit: what every resource shares, so that a resource is its
 * schema, its AWS objects and its rules.
 *
 *   op.c      the operation preamble (configured check, timeouts, per-call
 *             AWS context, the object's name) behind tb_resource_create &c.,
 *             and failure diagnostics naming the calling resource
 *   steps.c   phases of parallel steps, each writing its own slot
 *   fields.c  the field-table engine: cty value <-> a resource's struct
 *   wire.c    JSON request bodies, reading JSON and XML answers
 *   tags.c    tags over default_tags, tag differences
 *   plan.c    plan and apply helpers: replacements, apply results,
 *             timeouts checks, rules
 *   import.c  the import skeleton
 *   ephemeral.c  the ephemeral resources' preamble (tb_ephemeral_open &c.)
 *   facts.c   reads of AWS facts several resources judge, once per process
 *
 * Private to provider/resources/ (and its unit tests).
 */
#ifndef TB_RESOURCES_KIT_H
#define TB_RESOURCES_KIT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tb/aws.h"
#include "tb/provider.h"
#include "tb/rules.h"

/* ---- one operation (op.c) -------------------------------------------------- */

/*
 * One create, read, update, delete or import of a resource, made by the
 * kit's preamble before the resource's callback runs: the call, the
 * resource row, an AWS context whose deadline is the operation's timeout,
 * and the object's name for diagnostics.
 */
struct tb_op {
	struct tb_call *call;
	const struct tb_resource *res;
	struct tb_aws_ctx ctx;
	const char *rname; /* value of res->name_attr, or NULL */
	const void *old;   /* update: the resource's prior settings, if it sets them */
};

/* An operation for verb ("create", "read", "update", "delete") of res on v
 * (whose "timeouts" block may override the resource's default timeout). */
void tb_kit_op_init(struct tb_op *op, struct tb_call *c, const struct tb_resource *res,
                    const char *verb, const struct tb_value *v);
/*
 * Adds one error diagnostic for a failed step and returns err (0 passes
 * through, adding nothing): "<step> for <resource> \"<name>\": <service>
 * <action>: <code>: <message> (request id <id>)" when ctx's AWS error is
 * the cause, on the attribute the resource's error_paths name for its code;
 * else "<step> for <resource> \"<name>\": <message>" with ctx's error
 * message when it is err's (a waiter's "timeout after 30s waiting for
 * ..."), or what err means.
 */
int tb_kit_fail(const struct tb_op *op, const struct tb_aws_ctx *ctx, const char *step, int err);
/* 0 when the provider has an AWS client or needs_aws is false; else an
 * error diagnostic ("Provider not configured") and TB_EINVAL. */
int tb_kit_configured(struct tb_call *c, bool needs_aws);
/* Adds an AWS failure as an error diagnostic on path (NULL: the resource). */
void tb_kit_diag_aws(struct tb_call *c, const char *path, const char *step, const char *resource,
                     const char *name, const struct tb_aws_error *e);

/* ---- steps (steps.c) --------------------------------------------------------
 * A phase is an array of steps run in parallel. Each step works on its own
 * copy (its slot) of the resource's settings as they were when the phase
 * started, and merge copies what the step produced into the settings once
 * every step of the phase is done — also after a failure, so that what a
 * failed phase created is still recorded. No step sees another's writes;
 * steps add no diagnostics (the runner reports the first failure).
 */
struct tb_kit_step {
	const char *name; /* "creating log group": in the diagnostic */
	int (*run)(const struct tb_op *op, struct tb_aws_ctx *ctx, void *slot);
	/* Copies the step's results from slot into state; NULL: it has none. */
	void (*merge)(void *state, const void *slot);
};

/* Runs steps[0..n) as one phase over state (size bytes). Returns 0, or the
 * error of the first failed step in index order after adding its
 * diagnostic (tb_kit_fail with the step's name). */
int tb_kit_run_steps(const struct tb_op *op, void *state, size_t size,
                     const struct tb_kit_step *steps, size_t n);
#define TB_KIT_RUN(op, state, steps)                                                               \
	tb_kit_run_steps(op, state, sizeof(*(state)), steps, TB_COUNT(steps))

/* One fetch of a read that runs beside others (tb_kit_parallel). */
typedef int (*tb_kit_fetch)(struct tb_aws_ctx *ctx, void *ud);

/* Runs fetches[0..n) in parallel, each with its own context sharing ctx's
 * client, arena and deadline; each must write only outputs of its own in
 * ud. Returns 0, or the first failure in index order with ctx->error set. */
int tb_kit_parallel(struct tb_aws_ctx *ctx, const tb_kit_fetch *fetches, size_t n, void *ud);

/* ---- the wire (wire.c) ---------------------------------------------------------
 * Requests follow the AWS layer's ownership rule (tb_aws_json_own): every
 * json_t returned here is the arena's, borrowed by the caller (compose it
 * with json_pack "O" or json_object_set). Inside one builder, new
 * references it made itself go into the body it is building with json_pack
 * "o" or tb_kit_set_new, which take them over.
 */
/* Sets o[key] to v, taking over the new reference v; -1 when v is NULL
 * (building it failed) or on failure, 0 otherwise. */
int tb_kit_set_new(json_t *o, const char *key, json_t *v);
/* json_pack into a's ownership; NULL when out of memory or fmt fails. */
json_t *tb_kit_pack(struct tb_arena *a, const char *fmt, ...);
/* tb_aws_json that refuses a missing body (TB_ENOMEM: building it failed)
 * instead of sending "{}"; out may be NULL. */
int tb_kit_call(struct tb_aws_ctx *ctx, const char *service, const char *action, json_t *body,
                json_t **out);
/* ["a", "b"] of strs; NULL when out of memory. */
json_t *tb_kit_json_strs(struct tb_arena *a, const struct tb_strs *strs);
/* [{kname: key, vname: value}, ...] of kvs; NULL when out of memory. */
json_t *tb_kit_json_pairs(struct tb_arena *a, const struct tb_kvs *kvs, const char *kname,
                          const char *vname);

/* Answers. Strings returned are borrowed from the answer (the arena's). */
/* The string at key of object o, or NULL. */
const char *tb_kit_jstr(const json_t *o, const char *key);
/* The number at key (an integer, a real or a numeric string), else 0. */
int64_t tb_kit_jint(const json_t *o, const char *key);
/* [{kname: k, vname: v}, ...] -> *out sorted by key (copies in a); items
 * without kname are skipped. 0 or TB_ENOMEM. */
int tb_kit_jpairs(struct tb_arena *a, const json_t *arr, const char *kname, const char *vname,
                  struct tb_kvs *out);
/* The strings of a JSON array in order (copies in a). 0 or TB_ENOMEM. */
int tb_kit_jstrs(struct tb_arena *a, const json_t *arr, struct tb_strs *out);
/* EC2's Query dialect. Adds Filter.<n>.Name = name and its values as
 * Filter.<n>.Value.<i>. 0 or TB_ENOMEM. */
int tb_kit_ec2_filter(struct tb_aws_params *p, unsigned n, const char *name,
                      const char *const *values, size_t n_values);
/* Adds one Filter.<n> per tag: "tag:<key>" = value, from n onwards;
 * *next is the number after the last. 0 or TB_ENOMEM. */
int tb_kit_ec2_tag_filters(struct tb_aws_params *p, unsigned n, const struct tb_kvs *tags,
                           unsigned *next);
/* The first <item> of an EC2 answer's set (result/<set>/item), or NULL;
 * the next ones are its ->next siblings. */
const struct tb_xml *tb_kit_ec2_items(const struct tb_xml *result, const char *set);
/* The integer text at path of an XML answer, else 0. */
int64_t tb_kit_xint(const struct tb_xml *n, const char *path);
/* The texts of list's <member> children, in order. 0 or TB_ENOMEM. */
int tb_kit_xstrs(struct tb_arena *a, const struct tb_xml *list, struct tb_strs *out);

/* ---- the field engine (fields.c) ---------------------------------------------
 * A resource keeps its effective settings in a struct of its own; one
 * table maps every attribute to a field of it by offset. Loading resolves
 * defaults through the schema rows (a default is written once); building a
 * state walks the schema and asks the table for each attribute.
 */
enum tb_kit_kind {
	TB_KIT_STR = 1, /* const char * */
	TB_KIT_INT,     /* int64_t */
	TB_KIT_BOOL,    /* bool */
	TB_KIT_NUM,     /* double */
	TB_KIT_STRS,    /* struct tb_strs */
	TB_KIT_KVS,     /* struct tb_kvs */
};

/* LOCAL: the provider's own setting, not something AWS reports.
 * DERIVED: null stands for a value derived from other settings
 * (model->derived); a read keeps it null while AWS has exactly that value. */
#define TB_KIT_LOCAL   1u
#define TB_KIT_DERIVED 2u

struct tb_kit_field {
	const char *block; /* dotted block path, "" for the resource itself */
	const char *attr;
	enum tb_kit_kind kind;
	size_t off;
	unsigned flags;
};

#define TB_KIT_FIELD(type, b, a, k, member, fl)                                                    \
	{                                                                                          \
		.block = b, .attr = a, .kind = k, .off = offsetof(type, member), .flags = fl       \
	}

/*
 * Nested single blocks. FEATURE: absent means "none" (no such object).
 * SETTINGS: absent means "the defaults", written back only when AWS differs
 * from them. REQUIRED: always there. OPAQUE: not AWS's, copied from prior.
 */
enum tb_kit_block_kind {
	TB_KIT_FEATURE = 1,
	TB_KIT_SETTINGS,
	TB_KIT_REQUIRED,
	TB_KIT_OPAQUE,
};

struct tb_kit_blockdef {
	const char *path;
	enum tb_kit_block_kind kind;
	size_t set_off; /* the block's "set" bool in the struct; SIZE_MAX: none */
};

#define TB_KIT_BLOCK(type, p, k, member)                                                           \
	{                                                                                          \
		.path = p, .kind = k, .set_off = offsetof(type, member)                            \
	}
#define TB_KIT_OPAQUE_BLOCK(p)                                                                     \
	{                                                                                          \
		.path = p, .kind = TB_KIT_OPAQUE, .set_off = SIZE_MAX                              \
	}

struct tb_kit_model {
	const struct tb_kit_field *fields;
	size_t n_fields;
	const struct tb_kit_blockdef *blocks;
	size_t n_blocks;
	/* The schema block at a dotted path ("" is the resource). */
	const struct tb_block *(*block_at)(const char *path);
	/* DERIVED fields: what a null attribute stands for (root is the resource value). */
	const struct tb_value *(*derived)(struct tb_arena *a, const struct tb_meta *meta,
	                                  const struct tb_value *root, const char *block,
	                                  const char *attr);
	/* Set- and list-nested blocks and nested attributes, which the resource
	 * keeps itself: loading them from v, building them (at a dotted path)
	 * from act, and comparing them inside block. Any may be NULL. */
	int (*load_nested)(struct tb_arena *a, const struct tb_value *v, void *s);
	const struct tb_value *(*build_nested)(struct tb_arena *a, const char *path,
	                                       const void *act, const struct tb_type *t,
	                                       const struct tb_value *prior);
	bool (*nested_equal)(const char *block, const void *x, const void *y);
};

/*
 * Reads v (planned, prior or state value) into *out (the model's struct)
 * with every default resolved: null attributes and absent blocks get the
 * schema's defaults (default_json or default_fn with meta). Unknown values
 * read as zero/NULL. Everything lives in a. Returns 0 or TB_ENOMEM.
 */
int tb_kit_load(const struct tb_kit_model *m, struct tb_arena *a, const struct tb_meta *meta,
                const struct tb_value *v, void *out);
/*
 * Builds the resource value for act (what AWS reports), shaped after prior
 * (dflt is prior loaded: the defaults where prior leaves a block out): a
 * SETTINGS block left out of prior stays out while act matches dflt;
 * emit_all (import) writes every block act has. Attributes without a field
 * come from prior. Returns 0 or TB_ENOMEM.
 */
int tb_kit_build_state(const struct tb_kit_model *m, struct tb_arena *a, const void *act,
                       const void *dflt, const struct tb_value *prior, bool emit_all,
                       const struct tb_value **out);
/* Field-by-field equality of one block's AWS-side fields (nested blocks
 * included; FEATURE blocks also by presence). */
bool tb_kit_block_equal(const struct tb_kit_model *m, const char *block, const void *x,
                        const void *y);
/* Equality of one attribute; sets compare as sets. */
bool tb_kit_attr_equal(const struct tb_kit_model *m, const char *block, const char *attr,
                       const void *x, const void *y);
/* Copy of planned with each unknown replaced by the value at the same place
 * in full (or null when full has none there). */
const struct tb_value *tb_kit_fill_unknowns(struct tb_arena *a, const struct tb_value *planned,
                                            const struct tb_value *full);

/* ---- tags (tags.c) ------------------------------------------------------------------ */

/* tags merged over the provider's default_tags (map(string)); either may be
 * null; an unknown input makes the result unknown. NULL when out of memory. */
const struct tb_value *tb_kit_tags_all(struct tb_arena *a, const struct tb_meta *m,
                                       const struct tb_value *tags);
/* Plans tags_all from the planned tags. 0 or TB_ENOMEM. */
int tb_kit_plan_tags(struct tb_arena *a, const struct tb_meta *m, struct tb_plan *p);
/* The tags attribute AWS's tags_all stands for: the part of all that
 * default_tags do not explain, and every key prior's tags name. In a. */
int tb_kit_tags_actual(struct tb_arena *a, const struct tb_meta *m, const struct tb_value *prior,
                       const struct tb_kvs *all, struct tb_kvs *out);

/* What changes from old to now: tags to set (new or changed) and keys removed. */
struct tb_kit_tag_diff {
	struct tb_kvs set;
	struct tb_strs removed;
};

int tb_kit_tags_diff(struct tb_arena *a, const struct tb_kvs *old, const struct tb_kvs *now,
                     struct tb_kit_tag_diff *out);
/* Applies a difference to objects of one service (tb_aws_retag). */
int tb_kit_retag(struct tb_aws_ctx *ctx, const char *service, const char *const *ids, size_t n,
                 const struct tb_kit_tag_diff *d);

/* ---- plan and apply helpers (plan.c) ------------------------------------------- */

/* Adds path_text to p's requires_replace (once). 0, TB_ENOMEM or TB_EINVAL. */
int tb_kit_plan_replace(struct tb_arena *a, struct tb_plan *p, const char *path_text);
/* True when attribute name differs between p's prior and planned values. */
bool tb_kit_plan_attr_changed(const struct tb_plan *p, const char *name);
/*
 * The new state after an apply: planned with its unknowns filled from full
 * (the state built from what the apply produced). After a failure
 * (partial), the attributes named in ids[0..n) are full's — what exists —
 * not the plan's.
 */
const struct tb_value *tb_kit_apply_result(struct tb_arena *a, const struct tb_value *planned,
                                           const struct tb_value *full, bool partial,
                                           const char *const *ids, size_t n);
/* Checks the "timeouts" block's durations (create, read, update, delete). */
void tb_kit_check_timeouts(struct tb_call *c, const struct tb_value *v);
/* Runs the calling resource's rules over v in phase. */
void tb_kit_rules(struct tb_call *c, const char *resource, enum tb_rules_phase phase,
                  const struct tb_value *v);
/* Runs them at plan with what the resource's preflight read (NULL: none). */
void tb_kit_rules_preflight(struct tb_call *c, const char *resource, const struct tb_value *v,
                            const struct tb_preflight *facts);

/* ---- facts (facts.c) ------------------------------------------------------------ */

/*
 * The ECS cluster name (or ARN), read once per provider process
 * (DescribeClusters with its settings): 0 and *out {"exists": ACTIVE,
 * "insights": Container Insights on, "arn", "status", "failure": the
 * answer's failure reason} in ctx's arena, or the call's error (cached as
 * well) with ctx->error set.
 */
int tb_kit_fact_cluster(struct tb_aws_ctx *ctx, const char *name, json_t **out);

/* ---- import (import.c) ------------------------------------------------------------ */

/* An object of block b's type with every attribute null and every list
 * block empty, then attribute names[i] = values[i] (strings). NULL when
 * out of memory. */
const struct tb_value *tb_kit_skeleton(struct tb_arena *a, const struct tb_block *b,
                                       const char *const *names, const char *const *values,
                                       size_t n);

#endif
