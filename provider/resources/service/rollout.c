/*
 * talentbase_service: what a DescribeServices answer says about a rollout.
 * Pure functions over the answer, so that every outcome ECS can produce
 * (completed, in progress, failed, rolled back by the circuit breaker) is
 * pinned down by recorded answers in the unit tests.
 */
#include <string.h>

#include "resources/service/service.h"

#define MAX_EVENTS        5
#define ROLLOUT_SETTLE_MS (60 * 1000)

/* clang-format off */
static const char *const rollout_names[] = {
    [TB_SVC_ROLLOUT_IN_PROGRESS] = "IN_PROGRESS",
    [TB_SVC_ROLLOUT_COMPLETED] = "COMPLETED",
    [TB_SVC_ROLLOUT_FAILED] = "FAILED",
    [TB_SVC_ROLLOUT_ROLLED_BACK] = "ROLLED_BACK",
    [TB_SVC_ROLLOUT_GONE] = "GONE",
};
/* clang-format on */

/* Returns the state's name (static). */
const char *tb_service_rollout_name(enum tb_svc_rollout s)
{
	if ((size_t)s >= TB_COUNT(rollout_names) || rollout_names[s] == NULL)
		return "UNKNOWN";
	return rollout_names[s];
}

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static const json_t *deployment_with(const json_t *deps, const char *key, const char *value)
{
	for (size_t i = 0; i < json_array_size(deps); i++)
		if (tb_str_eq(jstr(json_array_get(deps, i), key), value))
			return json_array_get(deps, i);
	return NULL;
}

/* The events since `since` (epoch seconds; 0: the newest ones), newest first,
 * one per line; NULL when there are none. */
static const char *recent_events(struct tb_arena *a, const json_t *events, double since)
{
	struct tb_buf b;
	const char *out = NULL;
	size_t n = 0;

	tb_buf_init(&b);
	for (size_t i = 0; i < json_array_size(events) && n < MAX_EVENTS; i++) {
		const json_t *e = json_array_get(events, i);
		double at = json_number_value(json_object_get(e, "createdAt"));
		if (jstr(e, "message") == NULL || (since > 0 && at > 0 && at + 1 < since))
			continue;
		tb_buf_printf(&b, "%s  %s", n ? "\n" : "", jstr(e, "message"));
		n++;
	}
	if (n > 0 && !b.failed)
		out = tb_arena_strndup(a, b.data, b.len);
	tb_buf_free(&b);
	return out;
}

static bool events_roll_back(const json_t *events, double since)
{
	for (size_t i = 0; i < json_array_size(events); i++) {
		const json_t *e = json_array_get(events, i);
		double at = json_number_value(json_object_get(e, "createdAt"));
		if (since > 0 && at > 0 && at + 1 < since)
			continue;
		if (tb_str_icontains(jstr(e, "message"), "rolling back"))
			return true;
	}
	return false;
}

static bool tasks_settled(const json_t *d)
{
	const json_t *running = json_object_get(d, "runningCount");
	const json_t *desired = json_object_get(d, "desiredCount");
	return json_integer_value(running) == json_integer_value(desired) &&
	       json_integer_value(json_object_get(d, "pendingCount")) == 0;
}

static enum tb_svc_rollout classify_deployments(struct tb_arena *a, const json_t *deps,
                                                const json_t *primary, const json_t *ours,
                                                const char **reason)
{
	const char *state = jstr(ours, "rolloutState");
	const char *primary_state = jstr(primary, "rolloutState");

	if (ours == NULL)
		return TB_SVC_ROLLOUT_ROLLED_BACK;
	if (tb_str_eq(state, "FAILED")) {
		*reason = jstr(ours, "rolloutStateReason");
		return ours == primary ? TB_SVC_ROLLOUT_FAILED : TB_SVC_ROLLOUT_ROLLED_BACK;
	}
	if (ours != primary)
		return TB_SVC_ROLLOUT_ROLLED_BACK;
	if (tb_str_eq(primary_state, "COMPLETED") && tasks_settled(primary))
		return TB_SVC_ROLLOUT_COMPLETED;
	if (primary_state == NULL && json_array_size(deps) == 1 && tasks_settled(primary))
		return TB_SVC_ROLLOUT_COMPLETED;
	*reason =
	    tb_arena_printf(a, "%lld of %lld tasks running (%lld pending, %lld failed), rollout %s",
	                    (long long)json_integer_value(json_object_get(primary, "runningCount")),
	                    (long long)json_integer_value(json_object_get(primary, "desiredCount")),
	                    (long long)json_integer_value(json_object_get(primary, "pendingCount")),
	                    (long long)json_integer_value(json_object_get(primary, "failedTasks")),
	                    primary_state ? primary_state : "in progress");
	return TB_SVC_ROLLOUT_IN_PROGRESS;
}

/* Classifies the rollout of td_arn in a DescribeServices answer. See service.h. */
int tb_service_rollout_classify(struct tb_arena *a, const json_t *describe, const char *td_arn,
                                struct tb_svc_rollout_result *out)
{
	const json_t *svc = json_array_get(json_object_get(describe, "services"), 0);
	const json_t *deps = json_object_get(svc, "deployments");
	const json_t *primary = deployment_with(deps, "status", "PRIMARY");
	const json_t *ours = td_arn == NULL || tb_str_eq(jstr(primary, "taskDefinition"), td_arn)
	                         ? primary
	                         : deployment_with(deps, "taskDefinition", td_arn);
	/* Events since our deployment began; all recent ones when ECS has replaced it. */
	double since = json_number_value(json_object_get(ours, "createdAt"));
	struct tb_svc_rollout_result r = {.state = TB_SVC_ROLLOUT_IN_PROGRESS};

	if (!tb_str_eq(jstr(svc, "status"), "ACTIVE") || primary == NULL) {
		r.state = TB_SVC_ROLLOUT_GONE;
		r.reason = tb_arena_printf(a, "the service is %s",
		                           jstr(svc, "status") ? jstr(svc, "status") : "missing");
	} else {
		r.state = classify_deployments(a, deps, primary, ours, &r.reason);
		if (r.state == TB_SVC_ROLLOUT_IN_PROGRESS &&
		    events_roll_back(json_object_get(svc, "events"), since))
			r.state = TB_SVC_ROLLOUT_ROLLED_BACK;
	}
	if (r.state == TB_SVC_ROLLOUT_ROLLED_BACK && r.reason == NULL)
		r.reason = tb_arena_printf(a,
		                           "the deployment circuit breaker rolled the service back "
		                           "to %s",
		                           jstr(primary, "taskDefinition")
		                               ? jstr(primary, "taskDefinition")
		                               : "the previous revision");
	if (r.state == TB_SVC_ROLLOUT_COMPLETED)
		r.deployed_td_arn = jstr(primary, "taskDefinition");
	r.events = recent_events(a, json_object_get(svc, "events"), since);
	*out = r;
	return 0;
}

static bool rollout_completed(const json_t *d)
{
	return tb_str_eq(jstr(d, "rolloutState"), "COMPLETED");
}

/* While PRIMARY has not completed, the deployment still serving: the newest
 * ACTIVE one whose rollout completed, or NULL. */
static const json_t *serving_deployment(const json_t *deps)
{
	const json_t *best = NULL;

	for (size_t i = 0; i < json_array_size(deps); i++) {
		const json_t *d = json_array_get(deps, i);
		if (!tb_str_eq(jstr(d, "status"), "ACTIVE") || !rollout_completed(d))
			continue;
		if (best == NULL || json_number_value(json_object_get(d, "createdAt")) >
		                        json_number_value(json_object_get(best, "createdAt")))
			best = d;
	}
	return best;
}

/* The task definition of the newest completed deployment. See service.h. */
const char *tb_service_deployed_td(const json_t *describe)
{
	const json_t *svc = json_array_get(json_object_get(describe, "services"), 0);
	const json_t *deps = json_object_get(svc, "deployments");
	const json_t *primary = deployment_with(deps, "status", "PRIMARY");
	bool legacy_done = jstr(primary, "rolloutState") == NULL && json_array_size(deps) == 1 &&
	                   tasks_settled(primary);

	if (!tb_str_eq(jstr(svc, "status"), "ACTIVE") || primary == NULL)
		return NULL;
	if (rollout_completed(primary) || legacy_done)
		return jstr(primary, "taskDefinition");
	return jstr(serving_deployment(deps), "taskDefinition");
}

/* Returns one line per stopped task with why it stopped, or NULL. */
const char *tb_service_stopped_reasons(struct tb_arena *a, const json_t *tasks)
{
	const json_t *list = json_object_get(tasks, "tasks");
	struct tb_buf b;
	const char *out = NULL;

	tb_buf_init(&b);
	for (size_t i = 0; i < json_array_size(list) && i < 3; i++) {
		const json_t *t = json_array_get(list, i);
		const json_t *containers = json_object_get(t, "containers");
		const char *arn = jstr(t, "taskArn"), *slash = arn ? strrchr(arn, '/') : NULL;
		tb_buf_printf(&b, "%s  task %s: %s", b.len ? "\n" : "", slash ? slash + 1 : "?",
		              jstr(t, "stoppedReason") ? jstr(t, "stoppedReason") : "stopped");
		for (size_t j = 0; j < json_array_size(containers); j++) {
			const json_t *c = json_array_get(containers, j);
			if (jstr(c, "reason"))
				tb_buf_printf(&b, "; container %s: %s",
				              jstr(c, "name") ? jstr(c, "name") : "?",
				              jstr(c, "reason"));
		}
	}
	if (b.len > 0 && !b.failed)
		out = tb_arena_strndup(a, b.data, b.len);
	tb_buf_free(&b);
	return out;
}

struct rollout_wait {
	const struct tb_svc *s;
	int64_t settle_until; /* until then ECS may not show what was just written */
	struct tb_svc_rollout_result r;
};

/* Whether one of the service's newest events tells of a rollback. */
static bool recent_rollback(const json_t *describe)
{
	const json_t *svc = json_array_get(json_object_get(describe, "services"), 0);
	const json_t *events = json_object_get(svc, "events");

	for (size_t i = 0; i < json_array_size(events) && i < 5; i++)
		if (tb_str_icontains(
		        json_string_value(json_object_get(json_array_get(events, i), "message")),
		        "rolling back"))
			return true;
	return false;
}

/* ECS is eventually consistent: right after CreateService or UpdateService a
 * describe may miss the service or its new deployment. Early on, and unless
 * the events tell of a rollback, that reads as still in progress rather than
 * as gone or rolled back. */
static bool maybe_lagging(struct tb_arena *a, const struct rollout_wait *w, const json_t *describe)
{
	struct tb_strs tds = {.n = 0};

	if (tb_now_ms() >= w->settle_until)
		return false;
	if (w->r.state == TB_SVC_ROLLOUT_GONE)
		return true;
	if (w->r.state != TB_SVC_ROLLOUT_ROLLED_BACK || w->s->task_definition_arn == NULL ||
	    recent_rollback(describe) || tb_service_deployment_tds(a, describe, &tds) != 0)
		return false;
	for (size_t i = 0; i < tds.n; i++)
		if (tb_str_eq(tds.v[i], w->s->task_definition_arn))
			return false;
	return true;
}

static int rollout_refresh(struct tb_aws_ctx *ctx, void *ud, const char **state)
{
	struct rollout_wait *w = ud;
	json_t *resp = NULL;
	int err = tb_service_find(ctx, w->s->cluster, w->s->name, &resp);

	if (err == TB_ENOTFOUND) {
		w->r.state = TB_SVC_ROLLOUT_GONE;
		w->r.reason = "the service is missing";
		err = 0;
	} else if (err == 0) {
		err =
		    tb_service_rollout_classify(ctx->arena, resp, w->s->task_definition_arn, &w->r);
	}
	if (err == 0)
		*state = tb_service_rollout_name(
		    maybe_lagging(ctx->arena, w, resp) ? TB_SVC_ROLLOUT_IN_PROGRESS : w->r.state);
	return err;
}

/* Why the service's last tasks stopped (best effort: failures are ignored). */
static const char *stopped_tasks(struct tb_aws_ctx *ctx, const struct tb_svc *s)
{
	json_t *list = tb_aws_json_own(
	    ctx->arena, json_pack("{s:s, s:s, s:s, s:i}", "cluster", s->cluster, "serviceName",
	                          s->name, "desiredStatus", "STOPPED", "maxResults", 3));
	json_t *arns = NULL, *tasks = NULL, *body;

	if (list == NULL || tb_kit_call(ctx, "ecs", "ListTasks", list, &arns) != 0)
		return NULL;
	if (json_array_size(json_object_get(arns, "taskArns")) == 0)
		return NULL;
	body = tb_aws_json_own(ctx->arena, json_pack("{s:s, s:O}", "cluster", s->cluster, "tasks",
	                                             json_object_get(arns, "taskArns")));
	if (body == NULL || tb_kit_call(ctx, "ecs", "DescribeTasks", body, &tasks) != 0)
		return NULL;
	return tb_service_stopped_reasons(ctx->arena, tasks);
}

static void rollout_diag(struct tb_op *op, const struct tb_svc *s, const struct rollout_wait *w,
                         int err)
{
	struct tb_arena *a = op->call->arena;
	const char *what = err == TB_ETIMEOUT                         ? "timed out"
	                   : err == TB_ECANCELED                      ? "was interrupted"
	                   : w->r.state == TB_SVC_ROLLOUT_ROLLED_BACK ? "was rolled back by ECS"
	                                                              : "failed";
	const char *tasks = err == TB_EFAILED ? stopped_tasks(&op->ctx, s) : NULL;

	tb_diag_add(&op->call->diags, TB_SEV_ERROR, NULL,
	            tb_arena_printf(a, "rollout of %s \"%s\" %s", TB_SVC_RESOURCE, op->rname, what),
	            tb_arena_printf(a,
	                            "ECS service %s, task definition %s:\n%s\n\nRecent service "
	                            "events:\n%s%s%s\n\nFix the cause and apply again; the "
	                            "resource stays in state so the next apply converges.",
	                            s->name, s->task_definition_arn ? s->task_definition_arn : "?",
	                            w->r.reason ? w->r.reason : tb_strerror(err),
	                            w->r.events ? w->r.events : "  (none)",
	                            tasks ? "\n\nStopped tasks:\n" : "", tasks ? tasks : ""));
}

/* Waits for the rollout of s->task_definition_arn. See service.h. */
int tb_service_wait_rollout(struct tb_op *op, struct tb_svc *s)
{
	static const char *const pending[] = {"IN_PROGRESS", NULL};
	static const char *const target[] = {"COMPLETED", NULL};
	static const char *const failure[] = {"FAILED", "ROLLED_BACK", "GONE", NULL};
	struct rollout_wait w = {.s = s, .settle_until = tb_now_ms() + ROLLOUT_SETTLE_MS};
	int64_t left = op->ctx.deadline_ms ? op->ctx.deadline_ms - tb_now_ms() : 0;
	struct tb_aws_waiter waiter = {
	    .what =
	        tb_arena_printf(op->call->arena, "ECS service %s to reach steady state", s->name),
	    .pending = pending,
	    .target = target,
	    .failure = failure,
	    .timeout_ms = left > 0 ? left : 30 * 60 * 1000,
	    .min_delay_ms = 5000,
	    .max_delay_ms = 30000,
	    .refresh = rollout_refresh,
	    .ud = &w,
	};
	int err = tb_aws_wait(&op->ctx, &waiter);

	if (err == 0) {
		s->deployed_image = tb_service_image_ref(op->call->arena, s->image, s->image_tag);
		return 0;
	}
	if (err == TB_EFAILED || err == TB_ETIMEOUT || err == TB_ECANCELED) {
		rollout_diag(op, s, &w, err);
		return err;
	}
	return tb_kit_fail(op, &op->ctx, "waiting for the rollout", err);
}

/* deployed_image: the image of the newest deployment whose rollout
 * completed. The service's current revision is described already; an older
 * one costs one DescribeTaskDefinition. */
int tb_service_read_deployed_image(struct tb_op *op, const json_t *describe, struct tb_svc *s)
{
	struct tb_arena *a = op->call->arena;
	const char *td = tb_service_deployed_td(describe);
	json_t *resp = NULL;
	int err;

	s->deployed_image = NULL;
	if (td == NULL)
		return 0;
	if (tb_str_eq(td, s->task_definition_arn)) {
		if (s->image)
			s->deployed_image = tb_service_image_ref(a, s->image, s->image_tag);
		return 0;
	}
	err = tb_kit_call(&op->ctx, "ecs", "DescribeTaskDefinition",
	                  tb_aws_json_own(a, json_pack("{s:s}", "taskDefinition", td)), &resp);
	/* ECS answers ClientException for a revision that does not exist. */
	if (err == TB_ENOTFOUND || err == TB_EVALIDATION)
		return 0;
	if (err != 0)
		return tb_kit_fail(op, &op->ctx, "reading the deployed task definition", err);
	s->deployed_image = tb_service_td_image(a, json_object_get(resp, "taskDefinition"),
	                                        tb_service_container(s));
	return 0;
}
