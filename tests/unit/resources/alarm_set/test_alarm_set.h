/*
 * Helpers of the talentbase_alarm_set unit tests (header only): the shared
 * resource fixture bound to the alarm set and its recorded answers in
 * tests/data/alarm_set/.
 */
#ifndef TBT_RESOURCES_ALARM_SET_H
#define TBT_RESOURCES_ALARM_SET_H

#include "helpers/resource_fixture.h"
#include "resources/alarm_set/alarm_set.h"

#define TOPIC "arn:aws:sns:us-east-1:123456789012:talentbase-alerts"
#define TG_ARN                                                                                     \
	"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/73e2d6bc24d8a067"
#define LB_SUFFIX    "app/talentbase-prod/50dc6c495c0c9188"
#define TG_SUFFIX    "targetgroup/web-tg/73e2d6bc24d8a067"
#define ARN_OF(name) "arn:aws:cloudwatch:us-east-1:123456789012:alarm:" name

static inline const struct tb_value *alm_value(const char *json)
{
	return tbt_value(&tb_alarm_set_block, json);
}

static inline const struct tb_value *alm_config(const char *file)
{
	return alm_value(tbt_file("alarm_set", file));
}

/* The member of tests/data/alarm_set/<file> whose AlarmName is name. */
static inline const struct tb_xml *alm_member(const char *file, const char *name)
{
	const struct tb_xml *list =
	    tbt_xml_file("alarm_set", file, "DescribeAlarmsResult/MetricAlarms");

	for (const struct tb_xml *m = list ? list->children : NULL; m; m = m->next)
		if (tb_str_eq(tb_xml_text(m, "AlarmName"), name))
			return m;
	fail_msg("no alarm %s in %s", name, file);
	return NULL;
}

/* The settings of the web set as the plan resolves them (production). */
static inline struct tb_alarm_set alm_web(const struct tb_meta *meta)
{
	struct tb_alarm_set s;

	assert_int_equal(tb_alarm_set_load(A, meta, alm_config("config_web.json"), &s), 0);
	s.cluster = "talentbase-prod";
	s.service_name = "web";
	s.load_balancer = LB_SUFFIX;
	s.target_group = TG_SUFFIX;
	return s;
}

#endif
