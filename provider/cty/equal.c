/* Deep value equality; sets compare as sets. */
#include <string.h>

#include "cty_int.h"

static bool eq_string(const struct tb_value *x, const struct tb_value *y)
{
	return x->u.str.len == y->u.str.len && memcmp(x->u.str.s, y->u.str.s, x->u.str.len) == 0;
}

static bool eq_bool(const struct tb_value *x, const struct tb_value *y)
{
	return x->u.b == y->u.b;
}

static bool eq_items(const struct tb_value *x, const struct tb_value *y)
{
	if (x->u.coll.n != y->u.coll.n)
		return false;
	for (size_t i = 0; i < x->u.coll.n; i++) {
		if (x->u.coll.keys != NULL && strcmp(x->u.coll.keys[i], y->u.coll.keys[i]) != 0)
			return false;
		if (!tb_value_equal(x->u.coll.items[i], y->u.coll.items[i]))
			return false;
	}
	return true;
}

/* Every item of x has an equal item in y. */
static bool set_subset(const struct tb_value *x, const struct tb_value *y)
{
	for (size_t i = 0; i < x->u.coll.n; i++) {
		bool found = false;

		for (size_t j = 0; j < y->u.coll.n && !found; j++)
			found = tb_value_equal(x->u.coll.items[i], y->u.coll.items[j]);
		if (!found)
			return false;
	}
	return true;
}

static bool eq_set(const struct tb_value *x, const struct tb_value *y)
{
	return set_subset(x, y) && set_subset(y, x);
}

static bool (*const eq_kind[])(const struct tb_value *, const struct tb_value *) = {
    [TB_STRING] = eq_string, [TB_NUMBER] = cty_num_equal, [TB_BOOL] = eq_bool,
    [TB_LIST] = eq_items,    [TB_SET] = eq_set,           [TB_MAP] = eq_items,
    [TB_OBJECT] = eq_items,  [TB_TUPLE] = eq_items,
};

/* Types of two null or two unknown values are compatible when equal or one is dynamic. */
static bool loose_types(const struct tb_value *x, const struct tb_value *y)
{
	return x->type->kind == TB_DYNAMIC || y->type->kind == TB_DYNAMIC ||
	       cty_type_same(x->type, y->type);
}

bool tb_value_equal(const struct tb_value *x, const struct tb_value *y)
{
	if (x == y)
		return true;
	if (x == NULL || y == NULL)
		return tb_is_null(x) && tb_is_null(y);
	if (tb_is_unknown(x) || tb_is_unknown(y))
		return tb_is_unknown(x) && tb_is_unknown(y) && loose_types(x, y);
	if (tb_is_null(x) || tb_is_null(y))
		return tb_is_null(x) && tb_is_null(y) && loose_types(x, y);
	if (!cty_type_same(x->type, y->type) || x->type->kind == TB_DYNAMIC)
		return false;
	return eq_kind[x->type->kind](x, y);
}
