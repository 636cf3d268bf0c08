/*
 * Helpers for the unit tests of any resource (header only): an arena per
 * test, recorded AWS answers from tests/data/<resource>/, provider settings
 * per environment, resource values from JSON, reading values at paths, and
 * a plan run the way the RPC layer runs it (proposed new state as the CLI
 * computes it, tb_plan_prepare, the resource's plan callback).
 *
 * The arena is A, made by tbt_setup and freed by tbt_teardown (cmocka
 * setup/teardown functions).
 */
#ifndef TBT_RESOURCE_FIXTURE_H
#define TBT_RESOURCE_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tb/aws.h"
#include "tb/provider.h"
#include "tb/schema.h"

static struct tb_arena *A;

static inline int tbt_setup(void **state)
{
	A = tb_arena_new();
	return A ? 0 : -1;
}

static inline int tbt_teardown(void **state)
{
	tb_arena_free(A);
	A = NULL;
	return 0;
}

/* The contents of tests/data/<dir>/<name>, in A; fails the test if missing. */
static inline char *tbt_file(const char *dir, const char *name)
{
	char path[512];
	FILE *f;
	long n;
	char *buf;

	snprintf(path, sizeof(path), "%s/%s/%s", TB_TEST_DATA, dir, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = tb_arena_alloc(A, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static inline json_t *tbt_json(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);
	if (j == NULL)
		fail_msg("bad JSON at line %d: %s", e.line, e.text);
	return tb_aws_json_own(A, j);
}

static inline json_t *tbt_json_file(const char *dir, const char *name)
{
	return tbt_json(tbt_file(dir, name));
}

/* The element at a '/' path below the document element of an XML file. */
static inline const struct tb_xml *tbt_xml_file(const char *dir, const char *name, const char *path)
{
	const struct tb_xml *root = NULL;
	char *text = tbt_file(dir, name);

	assert_int_equal(tb_xml_parse(A, text, strlen(text), &root), 0);
	return tb_xml_path(root, path);
}

static inline const struct tb_value *tbt_tags(const char *json)
{
	const struct tb_value *v = NULL;
	const struct tb_type *t = tb_type_map(A, &tb_type_string);

	assert_int_equal(tb_json_decode(A, t, json, strlen(json), &v), 0);
	return v;
}

/* Provider settings: env NULL means "not configured yet". */
static inline struct tb_meta tbt_meta(const char *env)
{
	return (struct tb_meta){
	    .environment = env,
	    .default_tags = tbt_tags("{\"Project\":\"TalentBase\",\"ManagedBy\":\"Terraform\"}"),
	    .region = env ? "us-east-1" : NULL,
	    .partition = env ? "aws" : NULL,
	    .account_id = env ? "123456789012" : NULL,
	};
}

static inline const struct tb_value *tbt_empty_blocks(const struct tb_block *b,
                                                      const struct tb_value *v);

/* v with every null list or set block (at any depth) empty: the CLI never
 * sends null for those. */
static inline const struct tb_value *tbt_empty_blocks(const struct tb_block *b,
                                                      const struct tb_value *v)
{
	if (!tb_is_known(v) || tb_is_null(v))
		return v;
	for (size_t i = 0; i < b->n_blocks; i++) {
		const struct tb_nested *n = &b->blocks[i];
		const struct tb_value *x = tb_attr(v, n->name);
		const struct tb_type *t = v->type->types[tb_type_attr_index(v->type, n->name)];
		if (n->nesting == TB_NEST_SINGLE)
			x = tbt_empty_blocks(n->block, x);
		else if (tb_is_null(x) && !tb_is_unknown(x))
			x = n->nesting == TB_NEST_SET ? tb_set(A, t, 0, NULL)
			                              : tb_list(A, t, 0, NULL);
		if (n->nesting == TB_NEST_SINGLE || n->nesting == TB_NEST_SET ||
		    n->nesting == TB_NEST_LIST)
			v = tb_object_with(A, v, n->name, x);
	}
	return v;
}

/* Decodes a value of block b from JSON; list and set blocks left out become empty. */
static inline const struct tb_value *tbt_value(const struct tb_block *b, const char *json)
{
	const struct tb_type *t = tb_block_type(b);
	const struct tb_value *v = NULL;

	assert_non_null(t);
	assert_int_equal(tb_json_decode(A, t, json, strlen(json), &v), 0);
	return tbt_empty_blocks(b, v);
}

static inline const struct tb_value *tbt_at(const struct tb_value *v, const char *path_text)
{
	struct tb_path p;

	assert_int_equal(tb_path_parse(A, path_text, &p), 0);
	return tb_path_get(v, &p);
}

static inline int64_t tbt_int(const struct tb_value *v, const char *path_text)
{
	int64_t i = -12345;
	const struct tb_value *x = tbt_at(v, path_text);

	if (!tb_get_int(x, &i))
		fail_msg("%s is not a known integer: %s", path_text, tb_value_debug(A, x));
	return i;
}

static inline const char *tbt_str(const struct tb_value *v, const char *path_text)
{
	return tb_get_str(tbt_at(v, path_text));
}

static inline bool tbt_bool(const struct tb_value *v, const char *path_text)
{
	bool b = false;

	if (!tb_get_bool(tbt_at(v, path_text), &b))
		fail_msg("%s is not a known bool", path_text);
	return b;
}

static inline const struct tb_value *tbt_set(const struct tb_value *v, const char *path_text,
                                             const struct tb_value *x)
{
	struct tb_path p;
	const struct tb_value *out = NULL;

	assert_int_equal(tb_path_parse(A, path_text, &p), 0);
	assert_int_equal(tb_value_set_path(A, v, &p, x, &out), 0);
	return out;
}

static inline const struct tb_value *
tbt_proposed(const struct tb_block *b, const struct tb_value *prior, const struct tb_value *config);

/* The prior element Terraform pairs with a config element of a set block:
 * one not yet used whose non-computed attributes are equal, where the
 * config leaves every optional+computed attribute null. */
static inline const struct tb_value *tbt_set_match(const struct tb_block *b,
                                                   const struct tb_value *prior,
                                                   const struct tb_value *c, bool *used)
{
	for (size_t k = 0; k < prior->u.coll.n; k++) {
		const struct tb_value *p = prior->u.coll.items[k];
		bool same = !used[k];
		for (size_t i = 0; i < b->n_attrs && same; i++) {
			const struct tb_attr *at = &b->attrs[i];
			if (at->flags & TB_A_COMPUTED)
				same = !(at->flags & TB_A_OPTIONAL) ||
				       tb_is_null(tb_attr(c, at->name));
			else
				same = tb_value_equal(tb_attr(p, at->name), tb_attr(c, at->name));
		}
		if (same) {
			used[k] = true;
			return p;
		}
	}
	return NULL;
}

/* The elements of a list or set block: a list pairs config and prior by
 * index, a set by value (tbt_set_match). */
static inline const struct tb_value *
tbt_proposed_items(const struct tb_nested *n, const struct tb_value *p, const struct tb_value *c)
{
	const struct tb_value **items = tb_arena_alloc(A, (c->u.coll.n + 1) * sizeof(*items));
	bool *used = tb_arena_alloc(A, p->u.coll.n + 1);

	assert_non_null(items);
	assert_non_null(used);
	memset(used, 0, p->u.coll.n + 1);
	for (size_t k = 0; k < c->u.coll.n; k++) {
		const struct tb_value *pk = NULL;
		if (n->nesting == TB_NEST_SET)
			pk = tbt_set_match(n->block, p, c->u.coll.items[k], used);
		else if (k < p->u.coll.n)
			pk = p->u.coll.items[k];
		items[k] = tbt_proposed(n->block, pk, c->u.coll.items[k]);
	}
	if (n->nesting == TB_NEST_SET)
		return tb_set(A, c->type, c->u.coll.n, items);
	return tb_list(A, c->type, c->u.coll.n, items);
}

/* The proposed new state as Terraform computes it: config, with prior's
 * values for computed attributes the config leaves null. */
static inline const struct tb_value *
tbt_proposed(const struct tb_block *b, const struct tb_value *prior, const struct tb_value *config)
{
	const struct tb_value *out = config;

	if (!tb_is_known(config) || !tb_is_known(prior))
		return config;
	for (size_t i = 0; i < b->n_attrs; i++) {
		const struct tb_attr *at = &b->attrs[i];
		if ((at->flags & TB_A_COMPUTED) && tb_is_null(tb_attr(config, at->name)))
			out = tb_object_with(A, out, at->name, tb_attr(prior, at->name));
	}
	for (size_t i = 0; i < b->n_blocks; i++) {
		const struct tb_nested *n = &b->blocks[i];
		const struct tb_value *c = tb_attr(config, n->name), *p = tb_attr(prior, n->name);
		if (n->nesting == TB_NEST_SINGLE)
			out = tb_object_with(A, out, n->name, tbt_proposed(n->block, p, c));
		else if (tb_is_known(c) && tb_is_known(p))
			out = tb_object_with(A, out, n->name, tbt_proposed_items(n, p, c));
	}
	return out;
}

static inline struct tb_call tbt_call(const struct tb_meta *meta)
{
	struct tb_call c = {.arena = A, .meta = meta};

	tb_diags_init(&c.diags, A);
	return c;
}

/* PlanResourceChange of res as the RPC layer runs it; returns the plan. */
static inline struct tb_plan tbt_plan(const struct tb_resource *res, struct tb_call *c,
                                      const struct tb_value *prior, const struct tb_value *config)
{
	const struct tb_type *t = tb_block_type(res->schema->block);
	struct tb_plan p = {
	    .prior = prior ? prior : tb_null(A, t),
	    .config = config,
	};

	p.proposed = tbt_proposed(res->schema->block, p.prior, config);
	assert_int_equal(tb_plan_prepare(A, res->schema, c->meta, &p), 0);
	if (res->plan)
		assert_int_equal(res->plan(c, &p), 0);
	return p;
}

/* True when the plan marks path_text as requiring replacement. */
static inline bool tbt_replaces(const struct tb_plan *p, const char *path_text)
{
	for (size_t i = 0; i < p->n_requires_replace; i++)
		if (tb_str_eq(tb_path_string(A, &p->requires_replace[i]), path_text))
			return true;
	return false;
}

/* The dotted path of the first difference between two objects, or NULL. */
static inline const char *tbt_diff(const struct tb_value *x, const struct tb_value *y)
{
	if (tb_value_equal(x, y))
		return NULL;
	if (!tb_is_known(x) || !tb_is_known(y) || x->type->kind != TB_OBJECT ||
	    !tb_type_equal(x->type, y->type))
		return tb_arena_printf(A, " = %s vs %s", tb_value_debug(A, x),
		                       tb_value_debug(A, y));
	for (size_t i = 0; i < x->type->n; i++) {
		const char *d = tbt_diff(x->u.coll.items[i], y->u.coll.items[i]);
		if (d)
			return tb_arena_printf(A, ".%s%s", x->type->names[i], d);
	}
	return "?";
}

/* First diagnostic whose summary contains text, or NULL. */
static inline const struct tb_diag *tbt_diag(const struct tb_call *c, const char *text)
{
	for (const struct tb_diag *d = c->diags.head; d; d = d->next)
		if (tb_str_icontains(d->summary, text) || tb_str_icontains(d->detail, text))
			return d;
	return NULL;
}

#endif
