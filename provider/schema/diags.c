/* Diagnostics lists. */
#include <stdarg.h>
#include <string.h>

#include "tb/schema.h"

void tb_diags_init(struct tb_diags *d, struct tb_arena *a)
{
	memset(d, 0, sizeof(*d));
	d->arena = a;
}

/* Copies path into the arena. */
static int copy_path(struct tb_arena *a, const struct tb_path *p, struct tb_path *out)
{
	struct tb_step *steps;

	out->n = 0;
	out->steps = NULL;
	if (p == NULL || p->n == 0)
		return 0;
	steps = tb_arena_alloc(a, sizeof(*steps) * p->n);
	if (steps == NULL)
		return TB_ENOMEM;
	for (size_t i = 0; i < p->n; i++) {
		steps[i] = p->steps[i];
		if (p->steps[i].name != NULL) {
			steps[i].name = tb_arena_strdup(a, p->steps[i].name);
			if (steps[i].name == NULL)
				return TB_ENOMEM;
		}
	}
	out->n = p->n;
	out->steps = steps;
	return 0;
}

static struct tb_diag *append(struct tb_diags *d, enum tb_severity sev, const struct tb_path *path,
                              const char *summary, const char *detail)
{
	struct tb_diag *g = tb_arena_alloc(d->arena, sizeof(*g));

	if (g == NULL || copy_path(d->arena, path, &g->path) != 0)
		goto oom;
	g->severity = sev;
	g->summary = tb_arena_strdup(d->arena, summary != NULL ? summary : "");
	g->detail = tb_arena_strdup(d->arena, detail != NULL ? detail : "");
	if (g->summary == NULL || g->detail == NULL)
		goto oom;
	if (d->tail != NULL)
		d->tail->next = g;
	else
		d->head = g;
	d->tail = g;
	if (sev == TB_SEV_ERROR)
		d->n_errors++;
	else
		d->n_warnings++;
	return g;
oom:
	d->n_errors++;
	return NULL;
}

struct tb_diag *tb_diag_add_path(struct tb_diags *d, enum tb_severity sev,
                                 const struct tb_path *path, const char *summary,
                                 const char *detail)
{
	return append(d, sev, path, summary, detail);
}

struct tb_diag *tb_diag_add(struct tb_diags *d, enum tb_severity sev, const char *path_text,
                            const char *summary, const char *detail)
{
	struct tb_path p = {0};

	if (path_text != NULL && tb_path_parse(d->arena, path_text, &p) != 0)
		p.n = 0;
	return append(d, sev, &p, summary, detail);
}

struct tb_diag *tb_diag_addf(struct tb_diags *d, enum tb_severity sev, const char *path_text,
                             const char *summary, const char *detail_fmt, ...)
{
	va_list ap;
	char *detail;

	va_start(ap, detail_fmt);
	detail = tb_arena_vprintf(d->arena, detail_fmt, ap);
	va_end(ap);
	if (detail == NULL) {
		d->n_errors++;
		return NULL;
	}
	return tb_diag_add(d, sev, path_text, summary, detail);
}
