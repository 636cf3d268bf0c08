/*
 * The waiter: polls a refresh function until the object reaches a target
 * state, with a delay growing from min_delay to max_delay, a timeout, and
 * cancellation within a second. Progress is logged at info.
 */
#include <string.h>

#include "aws/internal.h"
#include "tb/log.h"

#define NOT_FOUND_STATE   "NOT_FOUND"
#define PROGRESS_EVERY_MS 30000

static bool in_list(const char *const *list, const char *s)
{
	for (; list && *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

struct wait_state {
	int64_t start, deadline, delay, logged_at;
	const char *last; /* state seen at the previous poll */
};

static void log_progress(struct wait_state *ws, const struct tb_aws_waiter *w, const char *state)
{
	int64_t now = tb_now_ms();
	char elapsed[32];

	if (tb_str_eq(state, ws->last) && now - ws->logged_at < PROGRESS_EVERY_MS)
		return;
	snprintf(elapsed, sizeof(elapsed), "%llds", (long long)((now - ws->start) / 1000));
	tb_log(TB_LOG_INFO, "aws", "waiting", "for", w->what, "state", state, "elapsed", elapsed,
	       NULL);
	ws->logged_at = now;
}

/* 0 to keep polling, 1 when the target is reached, or a failure. */
static int judge(struct tb_aws_ctx *ctx, const struct tb_aws_waiter *w, const char *state)
{
	if (in_list(w->target, state))
		return 1;
	if (in_list(w->pending, state))
		return 0;
	if (strcmp(state, NOT_FOUND_STATE) == 0 && !in_list(w->failure, state))
		return aws_fail(ctx, TB_ENOTFOUND, NULL, NULL, "%s: the object no longer exists",
		                w->what);
	if (in_list(w->failure, state))
		return aws_fail(ctx, TB_EFAILED, NULL, NULL, "%s: reached state %s", w->what,
		                state);
	return aws_fail(ctx, TB_EFAILED, NULL, NULL, "%s: unexpected state %s", w->what, state);
}

static void wait_init(struct wait_state *ws, const struct tb_aws_ctx *ctx,
                      const struct tb_aws_waiter *w)
{
	ws->start = tb_now_ms();
	ws->deadline = w->timeout_ms > 0 ? ws->start + w->timeout_ms : 0;
	if (ctx->deadline_ms && (!ws->deadline || ctx->deadline_ms < ws->deadline))
		ws->deadline = ctx->deadline_ms;
	ws->delay = w->min_delay_ms > 0 ? w->min_delay_ms : 2000;
	ws->logged_at = ws->start;
	ws->last = NULL;
}

static int timed_out(struct tb_aws_ctx *ctx, const struct wait_state *ws,
                     const struct tb_aws_waiter *w)
{
	return aws_fail(ctx, TB_ETIMEOUT, NULL, NULL,
	                "timeout after %llds waiting for %s (last state %s)",
	                (long long)((tb_now_ms() - ws->start) / 1000), w->what,
	                ws->last ? ws->last : "unknown");
}

/*
 * Polls w->refresh until a target state (0). TB_ENOTFOUND from refresh is
 * the state "NOT_FOUND"; when that state is in no list the wait returns
 * TB_ENOTFOUND. Failure or unexpected states give TB_EFAILED, the deadline
 * (timeout_ms or the ctx's) TB_ETIMEOUT, StopProvider TB_ECANCELED within a
 * second; other refresh errors are returned as they are. ctx->error says
 * what happened.
 */
int tb_aws_wait(struct tb_aws_ctx *ctx, const struct tb_aws_waiter *w)
{
	int64_t max_delay = w->max_delay_ms > 0 ? w->max_delay_ms : 30000;
	struct wait_state ws;
	int rc;

	wait_init(&ws, ctx, w);
	for (;;) {
		const char *state = NULL;

		rc = w->refresh(ctx, w->ud, &state);
		if (rc == TB_ENOTFOUND)
			state = NOT_FOUND_STATE;
		else if (rc == TB_ECANCELED)
			return aws_fail(ctx, TB_ECANCELED, NULL, NULL,
			                "canceled while waiting for %s", w->what);
		else if (rc)
			return rc;
		if (!state)
			state = "";
		rc = judge(ctx, w, state);
		if (rc)
			return rc == 1 ? 0 : rc;
		log_progress(&ws, w, state);
		ws.last = state;
		if (ws.deadline && tb_now_ms() >= ws.deadline)
			return timed_out(ctx, &ws, w);
		if (aws_sleep_deadline(ctx->client, ws.delay, ws.deadline) != 0)
			return aws_fail(ctx, TB_ECANCELED, NULL, NULL,
			                "canceled while waiting for %s", w->what);
		/* A poll at the deadline would only fail for want of time. */
		if (ws.deadline && tb_now_ms() >= ws.deadline)
			return timed_out(ctx, &ws, w);
		ws.delay = ws.delay * 2 < max_delay ? ws.delay * 2 : max_delay;
	}
}
