/*
 * Phases of parallel steps. Each step runs on its own copy of the
 * settings (its slot) and its results are merged once the phase is over,
 * so no two threads ever write the same memory.
 */
#include <string.h>

#include "resources/kit/kit.h"

struct phase {
	const struct tb_op *op;
	const struct tb_kit_step *steps;
	char *slots; /* n copies of size bytes */
	size_t size;
	int *errs;
	struct tb_aws_error *errors;
};

static int run_one(void *ud, size_t i, struct tb_aws_ctx *c)
{
	struct phase *ph = ud;
	int err = ph->steps[i].run(ph->op, c, ph->slots + i * ph->size);

	ph->errs[i] = err;
	if (err != 0)
		ph->errors[i] = c->error;
	return err;
}

/* Runs one phase of steps. See kit.h. */
int tb_kit_run_steps(const struct tb_op *op, void *state, size_t size,
                     const struct tb_kit_step *steps, size_t n)
{
	struct tb_arena *a = op->call->arena;
	struct phase ph = {.op = op, .steps = steps, .size = size};
	struct tb_aws_ctx ctx = op->ctx, fail_ctx;
	int err;

	ph.slots = tb_arena_alloc(a, n * size + 1);
	ph.errs = tb_arena_alloc(a, (n + 1) * sizeof(*ph.errs));
	ph.errors = tb_arena_alloc(a, (n + 1) * sizeof(*ph.errors));
	if (ph.slots == NULL || ph.errs == NULL || ph.errors == NULL)
		return tb_kit_fail(op, &op->ctx, "allocating", TB_ENOMEM);
	for (size_t i = 0; i < n; i++)
		memcpy(ph.slots + i * size, state, size);
	err = tb_aws_fanout(&ctx, n, run_one, &ph);
	for (size_t i = 0; i < n; i++)
		if (steps[i].merge)
			steps[i].merge(state, ph.slots + i * size);
	for (size_t i = 0; i < n && err != 0; i++) {
		if (ph.errs[i] == 0)
			continue;
		fail_ctx = op->ctx;
		fail_ctx.error = ph.errors[i];
		return tb_kit_fail(op, &fail_ctx, steps[i].name, ph.errs[i]);
	}
	return err == 0 ? 0 : tb_kit_fail(op, &ctx, "running steps", err);
}

struct fetches {
	const tb_kit_fetch *fns;
	void *ud;
};

static int run_fetch(void *ud, size_t i, struct tb_aws_ctx *c)
{
	const struct fetches *f = ud;
	return f->fns[i](c, f->ud);
}

/* Runs independent fetches in parallel. See kit.h. */
int tb_kit_parallel(struct tb_aws_ctx *ctx, const tb_kit_fetch *fetches, size_t n, void *ud)
{
	struct fetches f = {.fns = fetches, .ud = ud};
	return tb_aws_fanout(ctx, n, run_fetch, &f);
}
