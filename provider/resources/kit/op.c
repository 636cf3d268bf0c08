/*
 * The operation preamble every resource gets: the provider must be
 * configured, the operation's timeout (a "timeouts" block or the
 * resource's default) bounds its AWS context, the object's name labels its
 * diagnostics, and import IDs are split into their parts. Then the
 * resource's callback runs. Data sources get the first two for their read.
 */
#include <string.h>

#include "resources/kit/kit.h"

#define CANCELED_DETAIL "The operation was interrupted (StopProvider or the operation's timeout)."

/* Returns the timeout for verb from v's "timeouts" block, else dflt_ms. */
static int64_t timeout_ms(const struct tb_value *v, const char *verb, int64_t dflt_ms)
{
	const char *s = tb_get_str(tb_attr(tb_attr(v, "timeouts"), verb));
	int64_t ms = 0;

	if (s == NULL || tb_duration_parse(s, &ms) != 0 || ms <= 0)
		return dflt_ms;
	return ms;
}

static int64_t default_timeout(const struct tb_timeouts *t, const char *verb)
{
	if (strcmp(verb, "create") == 0)
		return t->create;
	if (strcmp(verb, "update") == 0)
		return t->update;
	if (strcmp(verb, "delete") == 0)
		return t->delete;
	return t->read;
}

/* Fills op for verb. See kit.h. */
void tb_kit_op_init(struct tb_op *op, struct tb_call *c, const struct tb_resource *res,
                    const char *verb, const struct tb_value *v)
{
	int64_t ms = timeout_ms(v, verb, default_timeout(&res->timeouts, verb));

	memset(op, 0, sizeof(*op));
	op->call = c;
	op->res = res;
	op->rname = res->name_attr ? tb_get_str(tb_attr(v, res->name_attr)) : NULL;
	op->ctx.client = c->meta->aws;
	op->ctx.arena = c->arena;
	op->ctx.deadline_ms = ms > 0 ? tb_now_ms() + ms : 0;
}

/* Adds one error diagnostic for a failed AWS call. See kit.h. */
void tb_kit_diag_aws(struct tb_call *c, const char *path, const char *step, const char *resource,
                     const char *name, const struct tb_aws_error *e)
{
	char *what = tb_aws_error_string(c->arena, e);
	char *summary = tb_arena_printf(c->arena, "%s for %s \"%s\": %s", step, resource,
	                                name ? name : "?", what ? what : "AWS call failed");

	tb_diag_add(&c->diags, TB_SEV_ERROR, path, summary ? summary : "AWS call failed",
	            e->err == TB_ECANCELED ? CANCELED_DETAIL : NULL);
}

/* The attribute the resource names for an AWS error code, or NULL. */
static const char *error_path(const struct tb_resource *res, const struct tb_aws_error *e)
{
	for (const struct tb_error_path *p = res->error_paths; e->code && p && p->code; p++)
		if (strcmp(e->code, p->code) == 0)
			return p->path;
	return NULL;
}

/* Adds a diagnostic for a failed step. See kit.h. */
int tb_kit_fail(const struct tb_op *op, const struct tb_aws_ctx *ctx, const char *step, int err)
{
	const struct tb_aws_error *e = &ctx->error;
	struct tb_call *c = op->call;

	if (err == 0)
		return 0;
	if (e->action && e->err == err) {
		tb_kit_diag_aws(c, error_path(op->res, e), step, op->res->name, op->rname, e);
		return err;
	}
	/* A wait or a check of the layer says what happened in its own words. */
	tb_diag_add(&c->diags, TB_SEV_ERROR, NULL,
	            tb_arena_printf(c->arena, "%s for %s \"%s\": %s", step, op->res->name,
	                            op->rname ? op->rname : "?",
	                            e->err == err && e->message ? e->message : tb_strerror(err)),
	            err == TB_ECANCELED ? CANCELED_DETAIL : NULL);
	return err;
}

/* ---- the entry points --------------------------------------------------------- */

static int missing(struct tb_call *c, const struct tb_resource *r, const char *verb)
{
	tb_diag_addf(&c->diags, TB_SEV_ERROR, NULL, "Internal error",
	             "Resource type \"%s\" has no %s operation.", r->name, verb);
	return TB_EINVAL;
}

/* The AWS client is there when needed. See kit.h. */
int tb_kit_configured(struct tb_call *c, bool needs_aws)
{
	if (!needs_aws || c->meta->aws != NULL)
		return 0;
	tb_diag_add(&c->diags, TB_SEV_ERROR, NULL, "Provider not configured",
	            "The talentbase provider has no AWS client yet; check the provider block.");
	return TB_EINVAL;
}

/* 0 when the operation may start; else an error diagnostic and TB_EINVAL. */
static int preamble(struct tb_call *c, const struct tb_resource *r, const char *verb, bool has_fn)
{
	if (!has_fn)
		return missing(c, r, verb);
	return tb_kit_configured(c, r->needs_aws);
}

/* Create. See provider.h. */
int tb_resource_create(const struct tb_resource *r, struct tb_call *c,
                       const struct tb_value *planned, const struct tb_value **out)
{
	struct tb_op op;
	int err = preamble(c, r, "create", r->create != NULL);

	if (err != 0)
		return err;
	tb_kit_op_init(&op, c, r, "create", planned);
	return r->create(&op, planned, out);
}

/* Update. See provider.h. */
int tb_resource_update(const struct tb_resource *r, struct tb_call *c, const struct tb_value *prior,
                       const struct tb_value *planned, const struct tb_value **out)
{
	struct tb_op op;
	int err = preamble(c, r, "update", r->update != NULL);

	if (err != 0)
		return err;
	tb_kit_op_init(&op, c, r, "update", planned);
	return r->update(&op, prior, planned, out);
}

/* Delete. See provider.h. */
int tb_resource_delete(const struct tb_resource *r, struct tb_call *c, const struct tb_value *prior)
{
	struct tb_op op;
	int err = preamble(c, r, "delete", r->delete != NULL);

	if (err != 0)
		return err;
	tb_kit_op_init(&op, c, r, "delete", prior);
	return r->delete (&op, prior);
}

/* Read. See provider.h. */
int tb_resource_read(const struct tb_resource *r, struct tb_call *c, const struct tb_value *state,
                     const struct tb_value **out)
{
	struct tb_op op;
	int err;

	if (r->read == NULL) {
		*out = state;
		return 0;
	}
	if ((err = preamble(c, r, "read", true)) != 0)
		return err;
	tb_kit_op_init(&op, c, r, "read", state);
	return r->read(&op, state, out);
}

/* Splits id into at most max parts from the right: "a/b/c" with max 2 is
 * "a/b", "c". Returns the number of parts (0 when one is empty). */
static size_t split_id(struct tb_arena *a, const char *id, unsigned max, const char **parts)
{
	const char *end = id + strlen(id);
	size_t n = 0;

	while (n + 1 < max) {
		const char *slash = end;
		while (slash > id && slash[-1] != '/')
			slash--;
		if (slash == id)
			break;
		parts[max - 1 - n++] = tb_arena_strndup(a, slash, (size_t)(end - slash));
		end = slash - 1;
	}
	parts[max - 1 - n++] = tb_arena_strndup(a, id, (size_t)(end - id));
	memmove(parts, parts + (max - n), n * sizeof(*parts));
	for (size_t i = 0; i < n; i++)
		if (parts[i] == NULL || *parts[i] == '\0')
			return 0;
	return n;
}

/* Import. See provider.h. */
int tb_resource_import(const struct tb_resource *r, struct tb_call *c, const char *id,
                       const struct tb_value **out)
{
	const struct tb_import_id *shape = &r->import_id;
	unsigned max = shape->max_parts ? shape->max_parts : 1;
	const char **parts = tb_arena_alloc(c->arena, (max + 1) * sizeof(*parts));
	size_t n = parts && id ? split_id(c->arena, id, max, parts) : 0;
	struct tb_op op;
	int err;

	if (parts == NULL)
		return TB_ENOMEM;
	if (n == 0 || n < shape->min_parts) {
		tb_diag_addf(&c->diags, TB_SEV_ERROR, NULL, "Invalid import ID",
		             "\"%s\": expected %s, e.g. %s.", id ? id : "",
		             shape->format ? shape->format : "the object's name",
		             shape->example ? shape->example : "my-name");
		return TB_EINVAL;
	}
	if ((err = preamble(c, r, "import", r->import != NULL)) != 0)
		return err;
	tb_kit_op_init(&op, c, r, "read", NULL);
	return r->import(&op, parts, n, out);
}

/* ---- data sources ------------------------------------------------------------- */

/* Read of a data source. See provider.h. */
int tb_data_source_read(const struct tb_data_source *d, struct tb_call *c,
                        const struct tb_value *config, const struct tb_value **out)
{
	struct tb_aws_ctx ctx = {.client = c->meta->aws, .arena = c->arena};
	int err;

	if (d->read == NULL) {
		tb_diag_addf(&c->diags, TB_SEV_ERROR, NULL, "Internal error",
		             "Data source type \"%s\" has no read operation.", d->name);
		return TB_EINVAL;
	}
	if ((err = tb_kit_configured(c, d->needs_aws)) != 0)
		return err;
	if (d->timeout_ms > 0)
		ctx.deadline_ms = tb_now_ms() + d->timeout_ms;
	return d->read(c, &ctx, config, out);
}
