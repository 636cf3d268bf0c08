/*
 * Reads shared between the calls of one client (one provider process: one
 * plan or one apply), so that many resources cost AWS few requests:
 *
 *   once   a read with the same key is made once: the first caller
 *          fetches, callers that come meanwhile wait for its answer, later
 *          callers take it from the cache (failures too).
 *   batch  describes that take many IDs: a caller's ID goes out at once
 *          when no call of its kind and group is in flight, else with the
 *          next call, which leaves as soon as the one in flight returns
 *          (no timer). An ID asked for while a call for it is in flight
 *          gets that call's answer.
 *
 * Answers are copied into each caller's arena; errors are each caller's own
 * (copied with their strings), so every resource names itself in its
 * diagnostic. Waits honour the caller's deadline and StopProvider.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/internal.h"

#define WAIT_SLICE_MS 200

enum waiter_state {
	W_PENDING = 0, /* queued for the next call */
	W_TAKEN,       /* in the call in flight */
	W_DONE,
};

struct waiter {
	const char *id;
	struct tb_arena *arena;
	enum waiter_state state;
	void *item;
	int err;
	struct tb_aws_error error;
	struct waiter *next;
};

struct lane {
	const struct tb_aws_batch *kind;
	char *group;
	bool busy;
	struct waiter *queue; /* PENDING and TAKEN, in arrival order */
	struct lane *next;
};

struct entry {
	char *key;
	bool done;
	json_t *value; /* the client's reference */
	int err;
	struct tb_aws_error error; /* malloc'd strings */
	struct entry *next;
};

struct aws_shared {
	pthread_mutex_t mu;
	pthread_cond_t cond;
	struct lane *lanes;
	struct entry *entries;
	uint64_t batch_calls, batched_ids, once_fetches;
};

struct aws_shared *aws_shared_new(void)
{
	struct aws_shared *s = calloc(1, sizeof(*s));

	if (s) {
		pthread_mutex_init(&s->mu, NULL);
		pthread_cond_init(&s->cond, NULL);
	}
	return s;
}

static void error_free(struct tb_aws_error *e)
{
	free((char *)e->service);
	free((char *)e->action);
	free((char *)e->code);
	free((char *)e->message);
	free((char *)e->request_id);
}

void aws_shared_free(struct aws_shared *s)
{
	if (!s)
		return;
	for (struct lane *l = s->lanes, *n; l; l = n) {
		n = l->next;
		free(l->group);
		free(l);
	}
	for (struct entry *e = s->entries, *n; e; e = n) {
		n = e->next;
		json_decref(e->value);
		error_free(&e->error);
		free(e->key);
		free(e);
	}
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* The error with its strings copied by dup (into an arena, or malloc). */
static struct tb_aws_error error_copy(const struct tb_aws_error *e, struct tb_arena *a)
{
	struct tb_aws_error out = *e;

	out.service = a ? tb_arena_strdup(a, e->service) : (e->service ? strdup(e->service) : NULL);
	out.action = a ? tb_arena_strdup(a, e->action) : (e->action ? strdup(e->action) : NULL);
	out.code = a ? tb_arena_strdup(a, e->code) : (e->code ? strdup(e->code) : NULL);
	out.message = a ? tb_arena_strdup(a, e->message) : (e->message ? strdup(e->message) : NULL);
	out.request_id =
	    a ? tb_arena_strdup(a, e->request_id) : (e->request_id ? strdup(e->request_id) : NULL);
	return out;
}

/* Waits on the condition for a slice; the caller re-checks its state. */
static void wait_slice(struct aws_shared *s)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += WAIT_SLICE_MS * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	pthread_cond_timedwait(&s->cond, &s->mu, &ts);
}

/* TB_ECANCELED or TB_ETIMEOUT when the caller must stop waiting, else 0. */
static int must_stop(struct tb_aws_ctx *ctx)
{
	if (tb_aws_canceled(ctx->client))
		return TB_ECANCELED;
	if (ctx->deadline_ms && tb_now_ms() >= ctx->deadline_ms)
		return TB_ETIMEOUT;
	return 0;
}

/* ---- once ------------------------------------------------------------------------ */

static struct entry *entry_get(struct aws_shared *s, const char *key, bool *created)
{
	struct entry *e;

	*created = false;
	for (e = s->entries; e; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e;
	e = calloc(1, sizeof(*e));
	if (e && (e->key = strdup(key)) == NULL) {
		free(e);
		return NULL;
	}
	if (e) {
		e->next = s->entries;
		s->entries = e;
		*created = true;
	}
	return e;
}

/* Runs fetch for a new entry and publishes its answer. Called unlocked. */
static void entry_fill(struct aws_shared *s, struct entry *e, struct tb_aws_ctx *ctx,
                       int (*fetch)(struct tb_aws_ctx *, void *, json_t **), void *ud)
{
	json_t *v = NULL;
	int err = fetch(ctx, ud, &v);
	json_t *keep = err == 0 && v ? json_deep_copy(v) : NULL;

	pthread_mutex_lock(&s->mu);
	e->err = err == 0 && v && !keep ? TB_ENOMEM : err;
	e->value = keep;
	if (err != 0)
		e->error = error_copy(&ctx->error, NULL);
	e->done = true;
	s->once_fetches++;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->mu);
}

/* A read made once per client. See aws.h. */
int tb_aws_once(struct tb_aws_ctx *ctx, const char *key,
                int (*fetch)(struct tb_aws_ctx *ctx, void *ud, json_t **out), void *ud,
                json_t **out)
{
	struct aws_shared *s = ctx->client->shared;
	struct entry *e;
	bool created;
	int err = 0;

	pthread_mutex_lock(&s->mu);
	e = entry_get(s, key, &created);
	pthread_mutex_unlock(&s->mu);
	if (e == NULL)
		return TB_ENOMEM;
	if (created)
		entry_fill(s, e, ctx, fetch, ud);
	pthread_mutex_lock(&s->mu);
	while (!e->done && (err = must_stop(ctx)) == 0)
		wait_slice(s);
	if (e->done) {
		err = e->err;
		if (err == 0)
			*out =
			    e->value ? tb_aws_json_own(ctx->arena, json_deep_copy(e->value)) : NULL;
		else
			ctx->error = error_copy(&e->error, ctx->arena);
		if (err == 0 && e->value && *out == NULL)
			err = TB_ENOMEM;
	}
	pthread_mutex_unlock(&s->mu);
	return err;
}

/* ---- batches ------------------------------------------------------------------------ */

static struct lane *lane_get(struct aws_shared *s, const struct tb_aws_batch *kind,
                             const char *group)
{
	struct lane *l;

	for (l = s->lanes; l; l = l->next)
		if (l->kind == kind && strcmp(l->group, group) == 0)
			return l;
	l = calloc(1, sizeof(*l));
	if (l && (l->group = strdup(group)) == NULL) {
		free(l);
		return NULL;
	}
	if (l) {
		l->kind = kind;
		l->next = s->lanes;
		s->lanes = l;
	}
	return l;
}

static void queue_append(struct lane *l, struct waiter *w)
{
	struct waiter **p = &l->queue;

	while (*p)
		p = &(*p)->next;
	*p = w;
}

static void queue_remove(struct lane *l, struct waiter *w)
{
	for (struct waiter **p = &l->queue; *p; p = &(*p)->next)
		if (*p == w) {
			*p = w->next;
			return;
		}
}

static bool in_ids(const char *const *ids, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(ids[i], id) == 0)
			return true;
	return false;
}

/* Marks up to kind->max distinct IDs of pending waiters TAKEN (w's first);
 * returns how many distinct IDs. */
static size_t take_batch(struct lane *l, struct waiter *w, const char **ids)
{
	size_t n = 0;

	ids[n++] = w->id;
	w->state = W_TAKEN;
	for (struct waiter *x = l->queue; x; x = x->next) {
		if (x->state != W_PENDING)
			continue;
		if (!in_ids(ids, n, x->id)) {
			if (n >= l->kind->max)
				continue;
			ids[n++] = x->id;
		}
		x->state = W_TAKEN;
	}
	return n;
}

/* Gives one waiter its answer: a copy of its ID's item, or the error. */
static void settle(struct waiter *x, const char *const *ids, void *const *items, size_t n,
                   const struct tb_aws_batch *kind, int err, const struct tb_aws_error *e)
{
	x->err = err;
	if (err != 0)
		x->error = error_copy(e, x->arena);
	for (size_t i = 0; err == 0 && i < n; i++)
		if (strcmp(ids[i], x->id) == 0 && items[i]) {
			x->item = kind->copy(x->arena, items[i]);
			x->err = x->item ? 0 : TB_ENOMEM;
		}
	x->state = W_DONE;
}

/* Sends one batch for the lane with this thread's context. Called with the
 * lock held; releases it around the call. */
static void lead(struct aws_shared *s, struct lane *l, struct waiter *w, struct tb_aws_ctx *ctx)
{
	const char **ids = calloc(l->kind->max + 1, sizeof(*ids));
	void **items = calloc(l->kind->max + 1, sizeof(*items));
	size_t n;
	int err;

	if (!ids || !items) {
		free(ids);
		free(items);
		w->err = TB_ENOMEM;
		w->state = W_DONE;
		return;
	}
	n = take_batch(l, w, ids);
	l->busy = true;
	s->batch_calls++;
	s->batched_ids += n;
	pthread_mutex_unlock(&s->mu);
	err = l->kind->call(ctx, l->group, ids, n, items);
	pthread_mutex_lock(&s->mu);
	for (struct waiter *x = l->queue, *next; x; x = next) {
		next = x->next;
		/* Those taken, and those that came meanwhile for an ID just answered. */
		if (x->state == W_TAKEN ||
		    (x->state == W_PENDING && err == 0 && in_ids(ids, n, x->id))) {
			settle(x, ids, items, n, l->kind, err, &ctx->error);
			queue_remove(l, x);
		}
	}
	l->busy = false;
	pthread_cond_broadcast(&s->cond);
	free(ids);
	free(items);
}

/* The first of ws[0..n) still pending, or NULL. */
static struct waiter *first_pending(struct waiter *ws, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ws[i].state == W_PENDING)
			return &ws[i];
	return NULL;
}

static bool all_done(const struct waiter *ws, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ws[i].state != W_DONE)
			return false;
	return true;
}

/* Gives up the waiters still pending: canceled or timed out. */
static void give_up(struct lane *l, struct waiter *ws, size_t n, int stop)
{
	for (size_t i = 0; i < n; i++)
		if (ws[i].state == W_PENDING) {
			queue_remove(l, &ws[i]);
			ws[i].state = W_DONE;
			ws[i].err = stop;
		}
}

/* Queues ws[0..n) at once and waits until each has its answer, leading a
 * call whenever one of them is pending and none is in flight. Returns the
 * stop reason (TB_ECANCELED, TB_ETIMEOUT) or 0. Called with the lock held. */
static int get_all(struct aws_shared *s, struct lane *l, struct waiter *ws, size_t n,
                   struct tb_aws_ctx *ctx)
{
	struct waiter *w;
	int stop = 0;

	for (size_t i = 0; i < n; i++)
		queue_append(l, &ws[i]);
	while (!all_done(ws, n)) {
		w = first_pending(ws, n);
		if (w && !l->busy)
			lead(s, l, w, ctx);
		else if (w && (stop = must_stop(ctx)) != 0)
			give_up(l, ws, n, stop);
		else
			wait_slice(s);
	}
	return stop;
}

/* The answers into out; the first failure's error into ctx. */
static int collect(struct tb_aws_ctx *ctx, const struct tb_aws_batch *kind, struct waiter *ws,
                   size_t n, int stop, void **out)
{
	int err = 0;

	for (size_t i = 0; i < n; i++) {
		out[i] = ws[i].err == 0 ? ws[i].item : NULL;
		if (err != 0 || ws[i].err == 0)
			continue;
		err = ws[i].err;
		if (ws[i].error.action && err != stop)
			ctx->error = ws[i].error;
	}
	if (stop == 0)
		return err;
	return aws_fail(ctx, stop, kind->service, kind->action, "%s while waiting to join a batch",
	                stop == TB_ECANCELED ? "canceled" : "timed out");
}

/* IDs of a batched describe. See aws.h. */
int tb_aws_batch_get_many(struct tb_aws_ctx *ctx, const struct tb_aws_batch *kind,
                          const char *group, const char *const *ids, size_t n, void **out)
{
	struct aws_shared *s = ctx->client->shared;
	struct waiter *ws = n ? calloc(n, sizeof(*ws)) : NULL;
	struct lane *l;
	int stop = 0, err;

	if (n == 0)
		return 0;
	if (ws == NULL)
		return TB_ENOMEM;
	for (size_t i = 0; i < n; i++)
		ws[i] = (struct waiter){.id = ids[i], .arena = ctx->arena};
	pthread_mutex_lock(&s->mu);
	l = lane_get(s, kind, group ? group : "");
	if (l)
		stop = get_all(s, l, ws, n, ctx);
	pthread_mutex_unlock(&s->mu);
	err = l ? collect(ctx, kind, ws, n, stop, out) : TB_ENOMEM;
	free(ws);
	return err;
}

/* One ID of a batched describe. See aws.h. */
int tb_aws_batch_get(struct tb_aws_ctx *ctx, const struct tb_aws_batch *kind, const char *group,
                     const char *id, void **out)
{
	return tb_aws_batch_get_many(ctx, kind, group, &id, 1, out);
}

/* Counters for benchmarks and tests. See aws.h. */
void tb_aws_shared_stats(const struct tb_aws_client *c, uint64_t *batch_calls,
                         uint64_t *batched_ids, uint64_t *once_fetches)
{
	struct aws_shared *s = c->shared;

	pthread_mutex_lock(&s->mu);
	*batch_calls = s->batch_calls;
	*batched_ids = s->batched_ids;
	*once_fetches = s->once_fetches;
	pthread_mutex_unlock(&s->mu);
}

/* ---- copying items -------------------------------------------------------------------- */

void *tb_aws_copy_json(struct tb_arena *a, const void *item)
{
	return tb_aws_json_own(a, json_deep_copy(item));
}

static struct tb_xml *xml_copy(struct tb_arena *a, const struct tb_xml *n, bool siblings)
{
	struct tb_xml *head = NULL, **tail = &head;

	for (; n; n = siblings ? n->next : NULL) {
		struct tb_xml *c = tb_arena_alloc(a, sizeof(*c));
		if (c == NULL)
			return NULL;
		c->name = tb_arena_strdup(a, n->name);
		c->text = tb_arena_strdup(a, n->text);
		if (c->name == NULL || c->text == NULL)
			return NULL;
		if (n->children && (c->children = xml_copy(a, n->children, true)) == NULL)
			return NULL;
		*tail = c;
		tail = &c->next;
	}
	return head;
}

void *tb_aws_copy_xml(struct tb_arena *a, const void *item)
{
	return xml_copy(a, item, false);
}
