/*
 * Helpers of the talentbase_service unit tests (header only): the shared
 * resource fixture (helpers/resource_fixture.h) bound to the service and
 * its recorded answers in tests/data/service/, and the bundle's IDs.
 */
#ifndef TBT_RESOURCES_SERVICE_H
#define TBT_RESOURCES_SERVICE_H

#include "helpers/resource_fixture.h"
#include "resources/service/service.h"

/* IDs of the talentbase-web-prod bundle in the recorded answers (tests/data/service/). */
#define SVC_ARN "arn:aws:ecs:us-east-1:123456789012:service/talentbase-prod/talentbase-web-prod"
#define TD7     "arn:aws:ecs:us-east-1:123456789012:task-definition/talentbase-web-prod:7"
#define TG_ARN                                                                                     \
	"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/"                         \
	"talentbase-web-prod-9e1d265d/"                                                            \
	"73e2d6bc24d8a067"
#define RULE_ARN                                                                                   \
	"arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/"                   \
	"talentbase-prod-alb/"                                                                     \
	"50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee"

#define svc_setup    tbt_setup
#define svc_teardown tbt_teardown
#define svc_json     tbt_json
#define svc_tags     tbt_tags
#define svc_meta     tbt_meta
#define svc_at       tbt_at
#define svc_int      tbt_int
#define svc_str      tbt_str
#define svc_bool     tbt_bool
#define svc_set      tbt_set
#define svc_proposed tbt_proposed
#define svc_call     tbt_call
#define svc_replaces tbt_replaces
#define svc_diff     tbt_diff
#define svc_diag     tbt_diag

/* tests/data/service/<name>. */
static inline char *svc_file(const char *name)
{
	return tbt_file("service", name);
}

static inline json_t *svc_json_file(const char *name)
{
	return tbt_json_file("service", name);
}

static inline const struct tb_xml *svc_xml_file(const char *name, const char *path)
{
	return tbt_xml_file("service", name, path);
}

static inline const struct tb_value *svc_value(const char *json)
{
	return tbt_value(&tb_service_block, json);
}

static inline const struct tb_value *svc_config(const char *file)
{
	return svc_value(svc_file(file));
}

/* The element named name of v's schedule set, or NULL. */
static inline const struct tb_value *svc_sched(const struct tb_value *v, const char *name)
{
	const struct tb_value *set = svc_at(v, "autoscaling.schedule");

	for (size_t i = 0; tb_is_known(set) && i < tb_len(set); i++)
		if (tb_str_eq(tb_get_str(tb_attr(set->u.coll.items[i], "name")), name))
			return set->u.coll.items[i];
	return NULL;
}

/* PlanResourceChange of the service as the RPC layer runs it. */
static inline struct tb_plan svc_plan(struct tb_call *c, const struct tb_value *prior,
                                      const struct tb_value *config)
{
	return tbt_plan(&tb_resource_service, c, prior, config);
}

#endif
