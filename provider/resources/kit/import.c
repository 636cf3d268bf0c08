/*
 * The import skeleton: the value an import starts from before the
 * resource reads the object back.
 */
#include "resources/kit/kit.h"

/* An all-null object with some string attributes set. See kit.h. */
const struct tb_value *tb_kit_skeleton(struct tb_arena *a, const struct tb_block *b,
                                       const char *const *names, const char *const *values,
                                       size_t n)
{
	const struct tb_type *t = tb_block_type(b);
	const struct tb_value **items = t ? tb_arena_alloc(a, (t->n + 1) * sizeof(*items)) : NULL;
	const struct tb_value *v;

	if (items == NULL)
		return NULL;
	for (size_t i = 0; i < t->n; i++)
		items[i] = t->types[i]->kind == TB_LIST ? tb_list(a, t->types[i], 0, NULL)
		                                        : tb_null(a, t->types[i]);
	v = tb_object(a, t, items);
	for (size_t i = 0; v && i < n; i++)
		v = tb_object_with(a, v, names[i], tb_string(a, values[i]));
	return v;
}
