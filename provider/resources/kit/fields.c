/*
 * The field-table engine: between cty values and a resource's struct of
 * effective settings. A model's table maps every attribute to its field;
 * loading resolves defaults through the schema rows (so a default is
 * written down once), building a state walks the schema and asks the table
 * for each attribute.
 */
#include <stddef.h>
#include <string.h>

#include "resources/kit/kit.h"

static const struct tb_kit_blockdef *block_def(const struct tb_kit_model *m, const char *path)
{
	for (size_t i = 0; i < m->n_blocks; i++)
		if (strcmp(m->blocks[i].path, path) == 0)
			return &m->blocks[i];
	return NULL;
}

static const struct tb_kit_field *field_find(const struct tb_kit_model *m, const char *block,
                                             const char *attr)
{
	for (size_t i = 0; i < m->n_fields; i++)
		if (strcmp(m->fields[i].block, block) == 0 && strcmp(m->fields[i].attr, attr) == 0)
			return &m->fields[i];
	return NULL;
}

/* "a.b" joined, in a; "" + x is x. */
static char *join_path(struct tb_arena *a, const char *base, const char *name)
{
	return *base ? tb_arena_printf(a, "%s.%s", base, name) : tb_arena_strdup(a, name);
}

/* The object at a dotted block path of v, NULL when it or a parent is
 * null or unknown. */
static const struct tb_value *block_value(const struct tb_value *v, const char *path)
{
	char part[64];
	const char *p = path;

	while (*p && tb_is_known(v)) {
		size_t n = strcspn(p, ".");
		if (n >= sizeof(part))
			return NULL;
		memcpy(part, p, n);
		part[n] = '\0';
		v = tb_attr(v, part);
		p += n + (p[n] == '.');
	}
	return tb_is_known(v) ? v : NULL;
}

static const void *at(const void *s, size_t off)
{
	return (const char *)s + off;
}

/* ---- per-kind operations --------------------------------------------------- */

/* How an attribute's value is written when the field is empty: the pure
 * optional and computed-only attributes say "none" with null. */
static bool empty_is_null(const struct tb_attr *row)
{
	return row && !(row->flags & TB_A_REQUIRED) &&
	       (row->flags & (TB_A_OPTIONAL | TB_A_COMPUTED)) != (TB_A_OPTIONAL | TB_A_COMPUTED);
}

struct build_in {
	struct tb_arena *a;
	const struct tb_type *t;      /* the attribute's type */
	const struct tb_attr *row;    /* its schema row */
	const struct tb_value *prior; /* its prior value, may be NULL */
};

struct kind_ops {
	int (*load)(struct tb_arena *a, const struct tb_value *x, void *p);
	bool (*equal)(const void *x, const void *y, bool as_set);
	const struct tb_value *(*build)(const struct build_in *in, const void *p);
};

static int load_str(struct tb_arena *a, const struct tb_value *x, void *p)
{
	*(const char **)p = tb_get_str(x);
	return 0;
}

static int load_int(struct tb_arena *a, const struct tb_value *x, void *p)
{
	double d = 0;
	if (!tb_get_int(x, (int64_t *)p) && tb_get_float(x, &d))
		*(int64_t *)p = tb_double_to_int64(d);
	return 0;
}

static int load_bool(struct tb_arena *a, const struct tb_value *x, void *p)
{
	tb_get_bool(x, (bool *)p);
	return 0;
}

static int load_num(struct tb_arena *a, const struct tb_value *x, void *p)
{
	double d = 0;
	*(double *)p = tb_get_float(x, &d) ? d : 0;
	return 0;
}

static int load_strs(struct tb_arena *a, const struct tb_value *x, void *p)
{
	struct tb_strs *out = p;
	size_t n = tb_is_known(x) ? tb_len(x) : 0;
	const char **items = tb_arena_alloc(a, (n + 1) * sizeof(*items));

	if (items == NULL)
		return TB_ENOMEM;
	for (size_t i = 0; i < n; i++)
		items[i] = tb_get_str(x->u.coll.items[i]);
	out->n = n;
	out->v = items;
	return 0;
}

static int load_kvs(struct tb_arena *a, const struct tb_value *x, void *p)
{
	struct tb_kvs *out = p;
	size_t n = tb_is_known(x) ? tb_len(x) : 0;
	struct tb_kv *items = tb_arena_alloc(a, (n + 1) * sizeof(*items));

	if (items == NULL)
		return TB_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		items[i].key = x->u.coll.keys[i];
		items[i].value = tb_get_str(x->u.coll.items[i]);
	}
	out->n = n;
	out->v = items;
	return 0;
}

static bool eq_str(const void *x, const void *y, bool as_set)
{
	return tb_str_eq(*(const char *const *)x, *(const char *const *)y);
}

static bool eq_int(const void *x, const void *y, bool as_set)
{
	return *(const int64_t *)x == *(const int64_t *)y;
}

static bool eq_bool(const void *x, const void *y, bool as_set)
{
	return *(const bool *)x == *(const bool *)y;
}

static bool eq_num(const void *x, const void *y, bool as_set)
{
	return *(const double *)x == *(const double *)y;
}

static bool eq_strs(const void *px, const void *py, bool as_set)
{
	const struct tb_strs *x = px, *y = py;

	if (x->n != y->n)
		return false;
	for (size_t i = 0; i < x->n; i++) {
		bool found = false;
		for (size_t j = 0; j < y->n && !found; j++)
			found = (as_set || i == j) && tb_str_eq(x->v[i], y->v[j]);
		if (!found)
			return false;
	}
	return true;
}

static bool eq_kvs(const void *px, const void *py, bool as_set)
{
	const struct tb_kvs *x = px, *y = py;

	if (x->n != y->n)
		return false;
	for (size_t i = 0; i < x->n; i++)
		if (!tb_str_eq(x->v[i].key, y->v[i].key) ||
		    !tb_str_eq(x->v[i].value, y->v[i].value))
			return false;
	return true;
}

static const struct tb_value *build_str(const struct build_in *in, const void *p)
{
	const char *s = *(const char *const *)p;
	return s ? tb_string(in->a, s) : tb_null(in->a, in->t);
}

/* Whether prior says zero with a number (desired_count = 0 is a count, not "none"). */
static bool prior_is_zero(const struct build_in *in)
{
	double d = 1;
	return tb_get_float(in->prior, &d) && d == 0;
}

static const struct tb_value *build_int(const struct build_in *in, const void *p)
{
	int64_t i = *(const int64_t *)p;

	if (i == 0 && empty_is_null(in->row) && !prior_is_zero(in))
		return tb_null(in->a, in->t);
	return tb_int(in->a, i);
}

static const struct tb_value *build_bool(const struct build_in *in, const void *p)
{
	return tb_bool(in->a, *(const bool *)p);
}

static const struct tb_value *build_num(const struct build_in *in, const void *p)
{
	double d = *(const double *)p;

	if (d == 0 && empty_is_null(in->row) && !prior_is_zero(in))
		return tb_null(in->a, in->t);
	if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == (double)(int64_t)d)
		return tb_int(in->a, (int64_t)d);
	return tb_float(in->a, d);
}

/* An empty collection keeps prior's way of saying so ({} or null). The
 * computed ones (tags_all) are never null: the plan computes {}. */
static const struct tb_value *build_empty(const struct build_in *in)
{
	if (tb_is_known(in->prior) && tb_len(in->prior) == 0)
		return in->prior;
	if (empty_is_null(in->row) && !(in->row->flags & TB_A_COMPUTED))
		return tb_null(in->a, in->t);
	if (in->t->kind == TB_MAP)
		return tb_map(in->a, in->t, 0, NULL, NULL);
	return in->t->kind == TB_SET ? tb_set(in->a, in->t, 0, NULL)
	                             : tb_list(in->a, in->t, 0, NULL);
}

static const struct tb_value *build_strs(const struct build_in *in, const void *p)
{
	const struct tb_strs *x = p;
	const struct tb_value **items;

	if (x->n == 0)
		return build_empty(in);
	items = tb_arena_alloc(in->a, x->n * sizeof(*items));
	if (items == NULL)
		return NULL;
	for (size_t i = 0; i < x->n; i++)
		if ((items[i] = tb_string(in->a, x->v[i] ? x->v[i] : "")) == NULL)
			return NULL;
	if (in->t->kind == TB_SET)
		return tb_set(in->a, in->t, x->n, items);
	return tb_list(in->a, in->t, x->n, items);
}

static const struct tb_value *build_kvs(const struct build_in *in, const void *p)
{
	const struct tb_kvs *x = p;
	const struct tb_value **items;
	const char **keys;

	if (x->n == 0)
		return build_empty(in);
	items = tb_arena_alloc(in->a, x->n * sizeof(*items));
	keys = tb_arena_alloc(in->a, x->n * sizeof(*keys));
	if (items == NULL || keys == NULL)
		return NULL;
	for (size_t i = 0; i < x->n; i++) {
		keys[i] = x->v[i].key;
		if ((items[i] = tb_string(in->a, x->v[i].value ? x->v[i].value : "")) == NULL)
			return NULL;
	}
	return tb_map(in->a, in->t, x->n, keys, items);
}

/* clang-format off */
static const struct kind_ops kinds[] = {
    [TB_KIT_STR] = {.load = load_str, .equal = eq_str, .build = build_str},
    [TB_KIT_INT] = {.load = load_int, .equal = eq_int, .build = build_int},
    [TB_KIT_BOOL] = {.load = load_bool, .equal = eq_bool, .build = build_bool},
    [TB_KIT_NUM] = {.load = load_num, .equal = eq_num, .build = build_num},
    [TB_KIT_STRS] = {.load = load_strs, .equal = eq_strs, .build = build_strs},
    [TB_KIT_KVS] = {.load = load_kvs, .equal = eq_kvs, .build = build_kvs},
};
/* clang-format on */

static const struct tb_attr *field_row(const struct tb_kit_model *m, const struct tb_kit_field *f)
{
	return tb_block_attr(m->block_at(f->block), f->attr);
}

static bool field_equal(const struct tb_kit_model *m, const struct tb_kit_field *f, const void *x,
                        const void *y)
{
	const struct tb_attr *row = field_row(m, f);
	bool as_set = row && strncmp(row->type, "[\"set\"", 6) == 0;
	return kinds[f->kind].equal((const char *)x + f->off, (const char *)y + f->off, as_set);
}

/* ---- loading -------------------------------------------------------------- */

static const struct tb_value *schema_default(const struct tb_kit_model *m, struct tb_arena *a,
                                             const struct tb_meta *meta,
                                             const struct tb_value *root,
                                             const struct tb_kit_field *f)
{
	const struct tb_attr *row = field_row(m, f);
	const struct tb_type *t = NULL;
	const struct tb_value *v = NULL;

	if (row == NULL)
		return NULL;
	if (f->flags & TB_KIT_DERIVED)
		return m->derived ? m->derived(a, meta, root, f->block, f->attr) : NULL;
	if (row->default_fn)
		return row->default_fn(a, meta, root);
	if (row->default_json == NULL ||
	    tb_type_from_json(a, row->type, strlen(row->type), &t) != 0)
		return NULL;
	if (tb_json_decode(a, t, row->default_json, strlen(row->default_json), &v) != 0)
		return NULL;
	return v;
}

/* Reads v into *out, resolving defaults. See kit.h. */
int tb_kit_load(const struct tb_kit_model *m, struct tb_arena *a, const struct tb_meta *meta,
                const struct tb_value *v, void *out)
{
	int err = 0;

	for (size_t i = 0; i < m->n_fields && err == 0; i++) {
		const struct tb_kit_field *f = &m->fields[i];
		const struct tb_value *blk = *f->block ? block_value(v, f->block) : v;
		const struct tb_value *x = blk ? tb_attr(blk, f->attr) : NULL;
		if (tb_is_null(x))
			x = schema_default(m, a, meta, v, f);
		err = kinds[f->kind].load(a, x, (char *)out + f->off);
	}
	for (size_t i = 0; i < m->n_blocks; i++)
		if (m->blocks[i].set_off != SIZE_MAX)
			*(bool *)((char *)out + m->blocks[i].set_off) =
			    block_value(v, m->blocks[i].path) != NULL;
	if (err == 0 && m->load_nested)
		err = m->load_nested(a, v, out);
	return err;
}

/* ---- comparing ------------------------------------------------------------ */

static bool block_is_set(const struct tb_kit_blockdef *d, const void *s)
{
	return *(const bool *)at(s, d->set_off);
}

static bool in_block(const struct tb_kit_field *f, const char *block, size_t n)
{
	return strncmp(f->block, block, n) == 0 && (f->block[n] == '\0' || f->block[n] == '.');
}

/* Compares the AWS-side fields of one block. See kit.h. */
bool tb_kit_block_equal(const struct tb_kit_model *m, const char *block, const void *x,
                        const void *y)
{
	const struct tb_kit_blockdef *d = block_def(m, block);
	size_t n = strlen(block);

	if (d && d->kind == TB_KIT_FEATURE) {
		if (block_is_set(d, x) != block_is_set(d, y))
			return false;
		if (!block_is_set(d, x))
			return true;
	}
	for (size_t i = 0; i < m->n_fields; i++) {
		const struct tb_kit_field *f = &m->fields[i];
		if (in_block(f, block, n) && !(f->flags & TB_KIT_LOCAL) && !field_equal(m, f, x, y))
			return false;
	}
	return m->nested_equal ? m->nested_equal(block, x, y) : true;
}

/* Compares one attribute. See kit.h. */
bool tb_kit_attr_equal(const struct tb_kit_model *m, const char *block, const char *attr,
                       const void *x, const void *y)
{
	const struct tb_kit_field *f = field_find(m, block, attr);
	return f && field_equal(m, f, x, y);
}

/* ---- building a state value ------------------------------------------------ */

struct build {
	const struct tb_kit_model *m;
	struct tb_arena *a;
	const void *act;  /* what AWS reports */
	const void *dflt; /* prior's settings: defaults where prior has no block */
	bool emit_all;
};

static const struct tb_value *build_object(struct build *b, const char *path,
                                           const struct tb_value *prior);

static const struct tb_value *build_field(struct build *b, const struct tb_kit_field *f,
                                          const struct tb_type *t, const struct tb_value *prior)
{
	struct build_in in = {.a = b->a, .t = t, .row = field_row(b->m, f), .prior = prior};

	if ((f->flags & TB_KIT_DERIVED) && tb_is_null(prior) &&
	    field_equal(b->m, f, b->act, b->dflt))
		return prior;
	return kinds[f->kind].build(&in, at(b->act, f->off));
}

static bool block_emitted(struct build *b, const struct tb_kit_blockdef *d, const char *path,
                          const struct tb_value *prior)
{
	if (d->kind == TB_KIT_FEATURE)
		return block_is_set(d, b->act);
	if (d->kind == TB_KIT_REQUIRED)
		return true;
	if (d->kind == TB_KIT_SETTINGS)
		return tb_is_known(prior) || b->emit_all ||
		       !tb_kit_block_equal(b->m, path, b->act, b->dflt);
	return false;
}

static const struct tb_value *build_nested(struct build *b, const char *parent,
                                           const struct tb_nested *nb, const struct tb_type *t,
                                           const struct tb_value *prior)
{
	char *path = join_path(b->a, parent, nb->name);
	const struct tb_kit_blockdef *d = path ? block_def(b->m, path) : NULL;

	if (path == NULL)
		return NULL;
	if (nb->nesting != TB_NEST_SINGLE && nb->nesting != TB_NEST_GROUP && b->m->build_nested)
		return b->m->build_nested(b->a, path, b->act, t, prior);
	if (d == NULL || d->kind == TB_KIT_OPAQUE)
		return prior ? prior : tb_null(b->a, t);
	if (!block_emitted(b, d, path, prior))
		return tb_null(b->a, t);
	return build_object(b, path, prior);
}

static const struct tb_value *build_object(struct build *b, const char *path,
                                           const struct tb_value *prior)
{
	const struct tb_block *blk = b->m->block_at(path);
	const struct tb_type *t = tb_block_type(blk);
	const struct tb_value **items =
	    t ? tb_arena_alloc(b->a, (t->n + 1) * sizeof(*items)) : NULL;

	if (items == NULL)
		return NULL;
	for (size_t i = 0; i < t->n; i++) {
		const char *name = t->names[i];
		const struct tb_nested *nb = tb_block_nested(blk, name);
		const struct tb_attr *row = tb_block_attr(blk, name);
		const struct tb_kit_field *f = field_find(b->m, path, name);
		const struct tb_value *pv = tb_is_known(prior) ? tb_attr(prior, name) : NULL;
		if (nb)
			items[i] = build_nested(b, path, nb, t->types[i], pv);
		else if (f)
			items[i] = build_field(b, f, t->types[i], pv);
		else if (row && row->nested && b->m->build_nested)
			items[i] = b->m->build_nested(b->a, join_path(b->a, path, name), b->act,
			                              t->types[i], pv);
		else
			items[i] = pv ? pv : tb_null(b->a, t->types[i]);
		if (items[i] == NULL)
			return NULL;
	}
	return tb_object(b->a, t, items);
}

/* Builds the state for act, shaped after prior. See kit.h. */
int tb_kit_build_state(const struct tb_kit_model *m, struct tb_arena *a, const void *act,
                       const void *dflt, const struct tb_value *prior, bool emit_all,
                       const struct tb_value **out)
{
	struct build b = {.m = m, .a = a, .act = act, .dflt = dflt, .emit_all = emit_all};
	const struct tb_value *v = build_object(&b, "", prior);

	if (v == NULL)
		return TB_ENOMEM;
	*out = v;
	return 0;
}

/* ---- filling a plan's unknowns ---------------------------------------------- */

static const struct tb_value *fill_items(struct tb_arena *a, const struct tb_value *p,
                                         const struct tb_value *full)
{
	size_t n = p->u.coll.n;
	bool same = tb_is_known(full) && tb_len(full) == n;
	const struct tb_value **items = tb_arena_alloc(a, (n + 1) * sizeof(*items));

	if (items == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const struct tb_value *f = NULL;
		if (p->type->kind == TB_OBJECT)
			f = tb_attr(full, p->type->names[i]);
		else if (p->type->kind == TB_MAP)
			f = tb_map_get(full, p->u.coll.keys[i]);
		else if (same)
			f = full->u.coll.items[i];
		items[i] = tb_kit_fill_unknowns(a, p->u.coll.items[i], f);
		if (items[i] == NULL)
			return NULL;
	}
	if (p->type->kind == TB_OBJECT)
		return tb_object(a, p->type, items);
	if (p->type->kind == TB_MAP)
		return tb_map(a, p->type, n, p->u.coll.keys, items);
	if (p->type->kind == TB_SET)
		return tb_set(a, p->type, n, items);
	if (p->type->kind == TB_TUPLE)
		return tb_tuple(a, p->type, items);
	return tb_list(a, p->type, n, items);
}

/* Copy of planned with its unknowns taken from full. See kit.h. */
const struct tb_value *tb_kit_fill_unknowns(struct tb_arena *a, const struct tb_value *planned,
                                            const struct tb_value *full)
{
	if (planned == NULL)
		return NULL;
	if (tb_is_unknown(planned)) {
		if (full && !tb_is_unknown(full) && tb_is_wholly_known(full))
			return full;
		return tb_null(a, planned->type);
	}
	if (tb_is_null(planned) || tb_is_wholly_known(planned))
		return planned;
	if (planned->type->kind == TB_STRING || planned->type->kind == TB_NUMBER ||
	    planned->type->kind == TB_BOOL || planned->type->kind == TB_DYNAMIC)
		return planned;
	return fill_items(a, planned, full);
}
