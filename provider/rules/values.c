/*
 * Reading the resource object in rules: nested blocks may be null, any value
 * may be unknown, and a rule never fires on an unknown value.
 */
#include <string.h>

#include "rules/rule.h"

/* Borrowed value at a dotted attribute path; see rule.h for null and unknown. */
const struct tb_value *tb_rules_get(const struct tb_value *v, const char *dotted)
{
	char name[64];

	while (dotted != NULL && *dotted != '\0') {
		const char *dot = strchr(dotted, '.');
		size_t len = dot ? (size_t)(dot - dotted) : strlen(dotted);

		if (v == NULL || !tb_is_known(v))
			return v;
		if (len >= sizeof(name))
			return NULL;
		memcpy(name, dotted, len);
		name[len] = '\0';
		v = tb_attr(v, name);
		dotted = dot ? dot + 1 : NULL;
	}
	return v;
}

/* True and *out when the value at dotted is a known number. */
bool tb_rules_num(const struct tb_value *v, const char *dotted, double *out)
{
	const struct tb_value *x = tb_rules_get(v, dotted);

	if (!tb_is_known(x) || x->type == NULL || x->type->kind != TB_NUMBER)
		return false;
	return tb_get_float(x, out);
}

/* True and *out (borrowed) when the value at dotted is a known string. */
bool tb_rules_str(const struct tb_value *v, const char *dotted, const char **out)
{
	const struct tb_value *x = tb_rules_get(v, dotted);

	*out = tb_get_str(x);
	return *out != NULL;
}

/* Borrowed known collection of the given kind at dotted, else NULL. */
const struct tb_value *tb_rules_coll(const struct tb_value *v, const char *dotted,
                                     enum tb_kind kind)
{
	const struct tb_value *x = tb_rules_get(v, dotted);

	return tb_is_known(x) && x->type != NULL && x->type->kind == kind ? x : NULL;
}

/* True when the value at dotted is null or absent, and not unknown. */
bool tb_rules_is_null(const struct tb_value *v, const char *dotted)
{
	const struct tb_value *x = tb_rules_get(v, dotted);

	return !tb_is_unknown(x) && tb_is_null(x);
}

/* True when the value at dotted is a known, non-null object (a block). */
bool tb_rules_is_set(const struct tb_value *v, const char *dotted)
{
	const struct tb_value *x = tb_rules_get(v, dotted);

	return tb_is_known(x) && x->type != NULL && x->type->kind == TB_OBJECT;
}

/* "1, 3, 5" in a, or NULL when out of memory. */
char *tb_rules_join_ints(struct tb_arena *a, const int64_t *xs, size_t n)
{
	struct tb_buf b;
	char *out = NULL;

	tb_buf_init(&b);
	for (size_t i = 0; i < n; i++)
		tb_buf_printf(&b, "%s%lld", i ? ", " : "", (long long)xs[i]);
	if (!b.failed)
		out = tb_arena_strndup(a, b.data ? b.data : "", b.len);
	tb_buf_free(&b);
	return out;
}

/* x as text in a ("30", "0.5"), or NULL when out of memory. */
const char *tb_rules_num_text(struct tb_arena *a, double x)
{
	if (x > -1e15 && x < 1e15 && x == (double)(long long)x)
		return tb_arena_printf(a, "%lld", (long long)x);
	return tb_arena_printf(a, "%g", x);
}
