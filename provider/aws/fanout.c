/*
 * Fan-out: runs the independent calls of one bundle on up to eight
 * threads. Connections are reused through the client's pool of handles; the
 * first failure in index order is the one reported.
 */
#include <pthread.h>
#include <stdlib.h>

#include "aws/internal.h"

#define FANOUT_THREADS 8

struct fanout {
	struct tb_aws_ctx *ctxs;
	int *rcs;
	size_t n;
	atomic_size_t next;
	int (*fn)(void *ud, size_t i, struct tb_aws_ctx *c);
	void *ud;
};

static void *fan_worker(void *arg)
{
	struct fanout *f = arg;

	for (size_t i = atomic_fetch_add(&f->next, 1); i < f->n;
	     i = atomic_fetch_add(&f->next, 1)) {
		if (tb_aws_canceled(f->ctxs[i].client))
			f->rcs[i] = aws_fail(&f->ctxs[i], TB_ECANCELED, NULL, NULL, "canceled");
		else
			f->rcs[i] = f->fn(f->ud, i, &f->ctxs[i]);
	}
	return NULL;
}

/* Runs the workers: this thread plus up to FANOUT_THREADS - 1 more. */
static void fan_run(struct fanout *f)
{
	pthread_t th[FANOUT_THREADS - 1];
	size_t started = 0;

	while (started + 1 < FANOUT_THREADS && started + 1 < f->n &&
	       pthread_create(&th[started], NULL, fan_worker, f) == 0)
		started++;
	fan_worker(f);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
}

/*
 * Runs fn for every index on up to eight threads, each with its own
 * context (sharing ctx's client, arena and deadline). Returns 0, or the
 * first failure in index order with its error copied into ctx->error;
 * TB_ENOMEM when the contexts cannot be allocated.
 */
int tb_aws_fanout(struct tb_aws_ctx *ctx, size_t n,
                  int (*fn)(void *ud, size_t i, struct tb_aws_ctx *c), void *ud)
{
	struct fanout f = {.n = n, .fn = fn, .ud = ud};
	int rc = 0;

	f.ctxs = calloc(n ? n : 1, sizeof(*f.ctxs));
	f.rcs = calloc(n ? n : 1, sizeof(*f.rcs));
	atomic_init(&f.next, 0);
	if (!f.ctxs || !f.rcs)
		rc = TB_ENOMEM;
	for (size_t i = 0; rc == 0 && i < n; i++)
		f.ctxs[i] = (struct tb_aws_ctx){
		    .client = ctx->client, .arena = ctx->arena, .deadline_ms = ctx->deadline_ms};
	if (rc == 0)
		fan_run(&f);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (f.rcs[i]) {
			rc = f.rcs[i];
			ctx->error = f.ctxs[i].error;
		}
	}
	free(f.ctxs);
	free(f.rcs);
	return rc;
}
