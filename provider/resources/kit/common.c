/*
 * Helpers every resource uses: tags over default_tags, AWS failures as
 * diagnostics, timeouts, per-call AWS contexts.
 */
#include <string.h>

#include "tb/log.h"
#include "tb/provider.h"

static size_t map_len(const struct tb_value *m)
{
	return tb_is_known(m) ? m->u.coll.n : 0;
}

/* Returns default_tags overlaid with tags as a map(string) (arena); an
 * unknown input makes the result unknown; NULL when out of memory. */
const struct tb_value *tb_tags_all(struct tb_arena *a, const struct tb_meta *m,
                                   const struct tb_value *tags)
{
	const struct tb_value *dflt = m ? m->default_tags : NULL;
	const struct tb_type *t = tb_type_map(a, &tb_type_string);
	if (t == NULL)
		return NULL;
	if (tb_is_unknown(tags) || tb_is_unknown(dflt))
		return tb_unknown(a, t);
	size_t nd = map_len(dflt), nt = map_len(tags), n = 0;
	const char **keys = tb_arena_alloc(a, (nd + nt + 1) * sizeof(*keys));
	const struct tb_value **vals = tb_arena_alloc(a, (nd + nt + 1) * sizeof(*vals));
	if (keys == NULL || vals == NULL)
		return NULL;
	for (size_t i = 0; i < nd; i++) {
		if (tb_map_get(tags, dflt->u.coll.keys[i]) != NULL)
			continue;
		keys[n] = dflt->u.coll.keys[i];
		vals[n++] = dflt->u.coll.items[i];
	}
	for (size_t i = 0; i < nt; i++) {
		keys[n] = tags->u.coll.keys[i];
		vals[n++] = tags->u.coll.items[i];
	}
	return tb_map(a, t, n, keys, vals);
}

/* Adds one error diagnostic for a failed AWS call, on path (NULL: the resource). */
void tb_diag_aws(struct tb_call *c, const char *path, const char *step, const char *resource,
                 const char *name, const struct tb_aws_error *e)
{
	char *what = tb_aws_error_string(c->arena, e);
	char *summary = tb_arena_printf(c->arena, "%s for %s \"%s\": %s", step, resource,
	                                name ? name : "?", what ? what : "AWS call failed");
	tb_diag_add(&c->diags, TB_SEV_ERROR, path, summary ? summary : "AWS call failed",
	            e->err == TB_ECANCELED ? "The operation was interrupted (StopProvider or "
	                                     "the operation's timeout)."
	                                   : NULL);
}

/* Returns the timeout for op from obj's "timeouts" block, else dflt_ms. */
int64_t tb_timeout_ms(const struct tb_value *obj, const char *op, int64_t dflt_ms)
{
	const char *s = tb_get_str(tb_attr(tb_attr(obj, "timeouts"), op));
	int64_t ms = 0;
	if (s == NULL || tb_duration_parse(s, &ms) != 0 || ms <= 0)
		return dflt_ms;
	return ms;
}

/* Fills out with an AWS context bound to this call. */
void tb_call_aws_ctx(struct tb_call *c, int64_t timeout_ms, struct tb_aws_ctx *out)
{
	memset(out, 0, sizeof(*out));
	out->client = c->meta->aws;
	out->arena = c->arena;
	out->deadline_ms = timeout_ms > 0 ? tb_now_ms() + timeout_ms : 0;
}
