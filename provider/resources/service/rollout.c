/*
 * talentbase_service: what a DescribeServices answer says about a rollout.
 * Pure functions over the answer, so that every outcome ECS can produce
 * (completed, in progress, failed, rolled back by the circuit breaker) is
 * pinned down by recorded answers in the unit tests.
 */
#include <string.h>

#include "resources/service/service.h"

#define MAX_EVENTS 5

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
