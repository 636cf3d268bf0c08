/*
 * Helpers of the talentbase_database_proxy unit tests (header only): the
 * shared resource fixture bound to the proxy and its recorded answers in
 * tests/data/database_proxy/.
 */
#ifndef TBT_RESOURCES_DATABASE_PROXY_H
#define TBT_RESOURCES_DATABASE_PROXY_H

#include "helpers/resource_fixture.h"
#include "resources/database_proxy/database_proxy.h"

#define DBP_DIR  "database_proxy"
#define DBP_NAME "talentbase-prod-rds-proxy"
#define DBP_ARN  "arn:aws:rds:us-east-1:123456789012:db-proxy:prx-0123456789abcdef0"
#define DBP_HOST "talentbase-prod-rds-proxy.proxy-c1a2b3c4d5e6.us-east-1.rds.amazonaws.com"
#define DBP_READER                                                                                 \
	"talentbase-prod-rds-proxy-reader.endpoint.proxy-c1a2b3c4d5e6.us-east-1.rds.amazonaws.com"
#define DBP_SECRET "arn:aws:secretsmanager:us-east-1:123456789012:secret:talentbase-prod/db-AbCdEf"

static inline const struct tb_value *dbp_value(const char *json)
{
	return tbt_value(&tb_dbp_block, json);
}

static inline const struct tb_value *dbp_config(void)
{
	return dbp_value(tbt_file(DBP_DIR, "config_main.json"));
}

/* The element at path below the document element of a recorded answer. */
static inline const struct tb_xml *dbp_xml(const char *file, const char *path)
{
	return tbt_xml_file(DBP_DIR, file, path);
}

/* PlanResourceChange of the proxy as the RPC layer runs it. */
static inline struct tb_plan dbp_plan(struct tb_call *c, const struct tb_value *prior,
                                      const struct tb_value *config)
{
	return tbt_plan(&tb_resource_database_proxy, c, prior, config);
}

/* The value of a query parameter in p, or NULL. */
static inline const char *dbp_param(const struct tb_aws_params *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->items[i].name, name) == 0)
			return p->items[i].value;
	return NULL;
}

#endif
