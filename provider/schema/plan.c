/*
 * tb_plan_prepare and tb_schema_apply_defaults: one walk over the schema
 * tables and the prior/config/proposed values, level by level.
 */
#include <string.h>

#include "tb/schema.h"

#define PLAN_MAX_DEPTH 64

struct plan_ctx {
	struct tb_arena *a;
	const void *meta;
	bool defaults_only; /* tb_schema_apply_defaults: no unknowns, no write-only */
	bool replace;       /* prior exists: collect requires_replace */
	struct tb_step steps[PLAN_MAX_DEPTH];
	size_t depth;
	size_t set_base; /* > 0 inside a set block: its path length */
	struct tb_path *rr;
	size_t n_rr, cap_rr;
};

/* The values of one object at one level of nesting. */
struct level {
	const struct tb_value *prior, *config, *planned;
	bool create; /* no prior object at this level */
};

static int plan_object(struct plan_ctx *c, const struct tb_block *b, struct level lv,
                       const struct tb_value **out);

/* ---- path bookkeeping ------------------------------------------------------ */

static int push(struct plan_ctx *c, struct tb_step st)
{
	if (c->depth >= PLAN_MAX_DEPTH)
		return TB_EINVAL;
	c->steps[c->depth++] = st;
	return 0;
}

static bool path_equal(const struct tb_path *p, const struct tb_step *steps, size_t n)
{
	if (p->n != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (p->steps[i].kind != steps[i].kind || p->steps[i].index != steps[i].index ||
		    !tb_str_eq(p->steps[i].name, steps[i].name))
			return false;
	}
	return true;
}

/* Records the current path (or the enclosing set block) as requiring replacement. */
static int add_replace(struct plan_ctx *c)
{
	size_t n = c->set_base > 0 ? c->set_base : c->depth;
	struct tb_step *steps;

	for (size_t i = 0; i < c->n_rr; i++)
		if (path_equal(&c->rr[i], c->steps, n))
			return 0;
	if (c->n_rr == c->cap_rr) {
		size_t cap = c->cap_rr ? 2 * c->cap_rr : 4;
		struct tb_path *rr = tb_arena_alloc(c->a, sizeof(*rr) * cap);

		if (rr == NULL)
			return TB_ENOMEM;
		if (c->n_rr > 0)
			memcpy(rr, c->rr, sizeof(*rr) * c->n_rr);
		c->rr = rr;
		c->cap_rr = cap;
	}
	steps = tb_arena_alloc(c->a, sizeof(*steps) * (n + 1));
	if (steps == NULL)
		return TB_ENOMEM;
	memcpy(steps, c->steps, sizeof(*steps) * n);
	c->rr[c->n_rr++] = (struct tb_path){.n = n, .steps = steps};
	return 0;
}

static int check_replace(struct plan_ctx *c, unsigned flags, const char *name,
                         const struct tb_value *prior, const struct tb_value *planned)
{
	int err;

	if (!c->replace || !(flags & TB_A_FORCE_NEW) || tb_value_equal(prior, planned))
		return 0;
	err = push(c, (struct tb_step){.kind = TB_STEP_ATTR, .name = name});
	if (err == 0)
		err = add_replace(c);
	c->depth--;
	return err;
}

/* ---- attributes ------------------------------------------------------------ */

/* The attribute's default converted to t; *out stays NULL when it has none. */
static int attr_default(struct plan_ctx *c, const struct tb_attr *at, const struct tb_type *t,
                        const struct tb_value *config, const struct tb_value **out)
{
	const struct tb_value *v = NULL;
	int err;

	if (at->default_fn != NULL) {
		v = at->default_fn(c->a, c->meta, config);
		if (v == NULL)
			return 0;
	} else if (at->default_json != NULL) {
		err = tb_json_decode(c->a, t, at->default_json, strlen(at->default_json), &v);
		if (err != 0)
			return err;
	} else {
		return 0;
	}
	return tb_value_convert(c->a, v, t, out);
}

static int plan_attr(struct plan_ctx *c, const struct tb_attr *at, const struct level *lv,
                     const struct tb_type *t, const struct tb_value **val)
{
	const struct tb_value *cfg = tb_attr(lv->config, at->name), *def = NULL;
	int err = 0;

	if ((at->flags & TB_A_WRITE_ONLY) && !c->defaults_only) {
		*val = tb_null(c->a, t);
		if (*val == NULL)
			return TB_ENOMEM;
	} else if ((at->flags & TB_A_COMPUTED) && tb_is_null(cfg)) {
		if (at->flags & TB_A_OPTIONAL)
			err = attr_default(c, at, t, lv->config, &def);
		if (err != 0)
			return err;
		if (def != NULL)
			*val = def;
		else if (!c->defaults_only && lv->create && tb_is_null(*val))
			*val = tb_unknown(c->a, t);
		if (*val == NULL)
			return TB_ENOMEM;
	}
	return check_replace(c, at->flags, at->name, tb_attr(lv->prior, at->name), *val);
}

/* ---- set element matching --------------------------------------------------- */

static bool same_element(const struct tb_block *b, const struct tb_value *x,
                         const struct tb_value *y);

static bool same_nested(const struct tb_nested *n, const struct tb_value *x,
                        const struct tb_value *y)
{
	if (!tb_is_known(x) || !tb_is_known(y))
		return tb_value_equal(x, y);
	if (n->nesting == TB_NEST_SINGLE || n->nesting == TB_NEST_GROUP)
		return same_element(n->block, x, y);
	if (x->u.coll.n != y->u.coll.n)
		return false;
	for (size_t i = 0; i < x->u.coll.n; i++) {
		bool found = false;

		if (n->nesting != TB_NEST_SET) {
			found = same_element(n->block, x->u.coll.items[i], y->u.coll.items[i]) &&
			        (n->nesting != TB_NEST_MAP ||
			         strcmp(x->u.coll.keys[i], y->u.coll.keys[i]) == 0);
		}
		for (size_t j = 0; j < y->u.coll.n && !found && n->nesting == TB_NEST_SET; j++)
			found = same_element(n->block, x->u.coll.items[i], y->u.coll.items[j]);
		if (!found)
			return false;
	}
	return true;
}

/* Equal on every attribute that is not computed, recursively through blocks. */
static bool same_element(const struct tb_block *b, const struct tb_value *x,
                         const struct tb_value *y)
{
	if (!tb_is_known(x) || !tb_is_known(y))
		return tb_value_equal(x, y);
	for (size_t i = 0; i < b->n_attrs; i++) {
		const char *name = b->attrs[i].name;

		if (!(b->attrs[i].flags & TB_A_COMPUTED) &&
		    !tb_value_equal(tb_attr(x, name), tb_attr(y, name)))
			return false;
	}
	for (size_t i = 0; i < b->n_blocks; i++) {
		const char *name = b->blocks[i].name;

		if (!same_nested(&b->blocks[i], tb_attr(x, name), tb_attr(y, name)))
			return false;
	}
	return true;
}

static const struct tb_value *find_element(const struct tb_block *b, const struct tb_value *elem,
                                           const struct tb_value *set)
{
	for (size_t i = 0; tb_is_known(set) && i < set->u.coll.n; i++)
		if (same_element(b, elem, set->u.coll.items[i]))
			return set->u.coll.items[i];
	return NULL;
}

/* ---- nested blocks ---------------------------------------------------------- */

static const struct tb_value *item_at(const struct tb_value *v, size_t i)
{
	return tb_is_known(v) && i < v->u.coll.n ? v->u.coll.items[i] : NULL;
}

static int plan_single(struct plan_ctx *c, const struct tb_nested *n, struct level lv,
                       const struct tb_value **out)
{
	lv.create = !tb_is_known(lv.prior);
	return plan_object(c, n->block, lv, out);
}

/* Plans each element of a list, set or map block; rebuilds the collection. */
static int plan_elements(struct plan_ctx *c, const struct tb_nested *n, const struct level *lv,
                         const struct tb_value **items)
{
	const struct tb_value *pl = lv->planned;
	struct level el;
	int err = 0;

	for (size_t i = 0; i < pl->u.coll.n && err == 0; i++) {
		const struct tb_value *e = pl->u.coll.items[i];
		const char *key = n->nesting == TB_NEST_MAP ? pl->u.coll.keys[i] : NULL;

		el.planned = e;
		el.prior = key                         ? tb_map_get(lv->prior, key)
		           : n->nesting == TB_NEST_SET ? find_element(n->block, e, lv->prior)
		                                       : item_at(lv->prior, i);
		el.config = key                         ? tb_map_get(lv->config, key)
		            : n->nesting == TB_NEST_SET ? find_element(n->block, e, lv->config)
		                                        : item_at(lv->config, i);
		el.create = !tb_is_known(el.prior);
		err = push(c, (struct tb_step){.kind = key ? TB_STEP_KEY : TB_STEP_INDEX,
		                               .name = key,
		                               .index = (int64_t)i});
		if (err != 0)
			break;
		err = plan_object(c, n->block, el, &items[i]);
		c->depth--;
	}
	return err;
}

static int plan_collection(struct plan_ctx *c, const struct tb_nested *n, struct level lv,
                           const struct tb_value **out)
{
	const struct tb_value *pl = lv.planned, *r;
	const struct tb_value **items;
	size_t saved_base = c->set_base;
	int err;

	if (!tb_is_known(pl)) {
		*out = pl;
		return 0;
	}
	items = tb_arena_alloc(c->a, sizeof(*items) * (pl->u.coll.n + 1));
	if (items == NULL)
		return TB_ENOMEM;
	if (n->nesting == TB_NEST_SET && c->set_base == 0)
		c->set_base = c->depth;
	err = plan_elements(c, n, &lv, items);
	c->set_base = saved_base;
	if (err != 0)
		return err;
	if (n->nesting == TB_NEST_MAP)
		r = tb_map(c->a, pl->type, pl->u.coll.n, pl->u.coll.keys, items);
	else if (n->nesting == TB_NEST_SET)
		r = tb_set(c->a, pl->type, pl->u.coll.n, items);
	else
		r = tb_list(c->a, pl->type, pl->u.coll.n, items);
	*out = r;
	return r != NULL ? 0 : TB_ENOMEM;
}

static int (*const nest_planners[])(struct plan_ctx *, const struct tb_nested *, struct level,
                                    const struct tb_value **) = {
    [TB_NEST_SINGLE] = plan_single,  [TB_NEST_LIST] = plan_collection,
    [TB_NEST_SET] = plan_collection, [TB_NEST_MAP] = plan_collection,
    [TB_NEST_GROUP] = plan_single,
};

static int plan_nested(struct plan_ctx *c, const struct tb_nested *n, const struct level *lv,
                       const struct tb_value **val)
{
	struct level sub = {
	    .prior = tb_attr(lv->prior, n->name),
	    .config = tb_attr(lv->config, n->name),
	    .planned = *val,
	};
	int err;

	if (n->nesting < TB_NEST_SINGLE || n->nesting > TB_NEST_GROUP)
		return TB_EINVAL;
	err = push(c, (struct tb_step){.kind = TB_STEP_ATTR, .name = n->name});
	if (err != 0)
		return err;
	err = nest_planners[n->nesting](c, n, sub, val);
	c->depth--;
	if (err != 0)
		return err;
	return check_replace(c, n->flags, n->name, sub.prior, *val);
}

/* ---- objects ------------------------------------------------------------------ */

static int plan_object(struct plan_ctx *c, const struct tb_block *b, struct level lv,
                       const struct tb_value **out)
{
	const struct tb_value *pl = lv.planned, *r;
	const struct tb_value **items;
	int idx, err = 0;

	if (!tb_is_known(pl) || pl->type->kind != TB_OBJECT || tb_is_unknown(lv.config)) {
		*out = pl;
		return 0;
	}
	items = tb_arena_alloc(c->a, sizeof(*items) * (pl->u.coll.n + 1));
	if (items == NULL)
		return TB_ENOMEM;
	memcpy(items, pl->u.coll.items, sizeof(*items) * pl->u.coll.n);
	for (size_t i = 0; i < b->n_attrs && err == 0; i++) {
		idx = tb_type_attr_index(pl->type, b->attrs[i].name);
		err = idx < 0 ? TB_EINVAL
		              : plan_attr(c, &b->attrs[i], &lv, pl->type->types[idx], &items[idx]);
	}
	for (size_t i = 0; i < b->n_blocks && err == 0; i++) {
		idx = tb_type_attr_index(pl->type, b->blocks[i].name);
		err = idx < 0 ? TB_EINVAL : plan_nested(c, &b->blocks[i], &lv, &items[idx]);
	}
	if (err != 0)
		return err;
	r = tb_object(c->a, pl->type, items);
	*out = r;
	return r != NULL ? 0 : TB_ENOMEM;
}

int tb_plan_prepare(struct tb_arena *a, const struct tb_schema *s, const void *meta,
                    struct tb_plan *p)
{
	struct plan_ctx c = {.a = a, .meta = meta};
	struct level lv = {.prior = p->prior, .config = p->config, .planned = p->proposed};
	const struct tb_value *planned = NULL;
	int err;

	p->planned = p->proposed;
	p->requires_replace = NULL;
	p->n_requires_replace = 0;
	if (!tb_is_known(p->proposed))
		return 0;
	if (s == NULL || s->block == NULL || tb_block_type(s->block) == NULL)
		return TB_EINVAL;
	c.replace = tb_is_known(p->prior);
	lv.create = !c.replace;
	err = plan_object(&c, s->block, lv, &planned);
	if (err != 0)
		return err;
	p->planned = planned;
	p->requires_replace = c.rr;
	p->n_requires_replace = c.n_rr;
	return 0;
}

int tb_schema_apply_defaults(struct tb_arena *a, const struct tb_schema *s, const void *meta,
                             const struct tb_value *config, const struct tb_value **out)
{
	struct plan_ctx c = {.a = a, .meta = meta, .defaults_only = true};
	struct level lv = {.config = config, .planned = config};
	const struct tb_value *v = NULL;
	int err;

	if (s == NULL || s->block == NULL || config == NULL)
		return TB_EINVAL;
	err = plan_object(&c, s->block, lv, &v);
	if (err == 0)
		*out = v;
	return err;
}
