/* HCL-ish rendering of values for test failures and logs. */
#include <string.h>

#include "cty_int.h"

static void put_value(struct tb_buf *b, const struct tb_value *v, int depth);

static void put_string(struct tb_buf *b, const struct tb_value *v, int depth)
{
	tb_buf_put_json_string(b, v->u.str.s, v->u.str.len);
}

static void put_number(struct tb_buf *b, const struct tb_value *v, int depth)
{
	cty_num_put_text(b, v);
}

static void put_bool(struct tb_buf *b, const struct tb_value *v, int depth)
{
	tb_buf_puts(b, v->u.b ? "true" : "false");
}

static void put_items(struct tb_buf *b, const struct tb_value *v, int depth, const char *open,
                      const char *close)
{
	tb_buf_puts(b, open);
	for (size_t i = 0; i < v->u.coll.n; i++) {
		if (i > 0)
			tb_buf_puts(b, ", ");
		put_value(b, v->u.coll.items[i], depth + 1);
	}
	tb_buf_puts(b, close);
}

static void put_seq(struct tb_buf *b, const struct tb_value *v, int depth)
{
	put_items(b, v, depth, "[", "]");
}

static void put_set(struct tb_buf *b, const struct tb_value *v, int depth)
{
	put_items(b, v, depth, "toset([", "])");
}

static void put_pairs(struct tb_buf *b, const struct tb_value *v, int depth)
{
	bool quote = v->type->kind == TB_MAP;

	tb_buf_puts(b, "{");
	for (size_t i = 0; i < v->u.coll.n; i++) {
		const char *k = v->u.coll.keys[i];

		tb_buf_puts(b, i > 0 ? ", " : " ");
		if (quote)
			tb_buf_put_json_string(b, k, strlen(k));
		else
			tb_buf_puts(b, k);
		tb_buf_puts(b, " = ");
		put_value(b, v->u.coll.items[i], depth + 1);
	}
	tb_buf_puts(b, v->u.coll.n > 0 ? " }" : "}");
}

static void (*const put_kind[])(struct tb_buf *, const struct tb_value *, int) = {
    [TB_STRING] = put_string, [TB_NUMBER] = put_number, [TB_BOOL] = put_bool,
    [TB_LIST] = put_seq,      [TB_SET] = put_set,       [TB_MAP] = put_pairs,
    [TB_OBJECT] = put_pairs,  [TB_TUPLE] = put_seq,
};

static void put_refine(struct tb_buf *b, const struct tb_refine *r)
{
	if (r->has_nullness)
		tb_buf_puts(b, r->not_null ? " not null" : " null");
	if (r->prefix != NULL) {
		tb_buf_puts(b, " prefix ");
		tb_buf_put_json_string(b, r->prefix, strlen(r->prefix));
	}
	if (r->has_lower)
		tb_buf_printf(b, " %s %g", r->lower_incl ? ">=" : ">", r->lower);
	if (r->has_upper)
		tb_buf_printf(b, " %s %g", r->upper_incl ? "<=" : "<", r->upper);
	if (r->has_len_lower)
		tb_buf_printf(b, " len >= %lld", (long long)r->len_lower);
	if (r->has_len_upper)
		tb_buf_printf(b, " len <= %lld", (long long)r->len_upper);
}

static void put_value(struct tb_buf *b, const struct tb_value *v, int depth)
{
	if (v == NULL) {
		tb_buf_puts(b, "(absent)");
	} else if (depth > CTY_MAX_DEPTH) {
		tb_buf_puts(b, "...");
	} else if (tb_is_unknown(v)) {
		tb_buf_puts(b, "(unknown");
		if (v->refine != NULL)
			put_refine(b, v->refine);
		tb_buf_puts(b, ")");
	} else if (tb_is_null(v)) {
		tb_buf_puts(b, "null");
	} else if (v->type->kind >= TB_STRING && v->type->kind <= TB_TUPLE) {
		put_kind[v->type->kind](b, v, depth);
	} else {
		tb_buf_puts(b, "(invalid)");
	}
}

char *tb_value_debug(struct tb_arena *a, const struct tb_value *v)
{
	struct tb_buf b;
	char *out = NULL;

	tb_buf_init(&b);
	put_value(&b, v, 0);
	if (cty_buf_to_arena(a, &b, &out, NULL) != 0)
		return NULL;
	return out;
}
