/*
 * talentbase_platform, inside: what the data source looks up (the names an
 * app team is handed) and what it finds (the ARNs and IDs its resources
 * take), and the lookups that fill one from the other. Private to the
 * files of provider/resources/platform/ and their unit tests.
 */
#ifndef TB_RESOURCES_PLATFORM_H
#define TB_RESOURCES_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

#include "resources/kit/kit.h"

#define TB_PLATFORM_DATA_SOURCE "talentbase_platform"

struct tb_platform {
	/* names in (NULL / n == 0: not looked up) */
	const char *cluster, *load_balancer;
	int64_t listener_port; /* 0: the load balancer's only listener */
	struct tb_kvs vpc_tag, subnet_tag;
	struct tb_strs security_groups, roles;
	/* ARNs and IDs out */
	const char *cluster_arn;
	bool container_insights;
	const char *load_balancer_arn, *listener_arn, *lb_vpc_id;
	const char *vpc_id;
	struct tb_strs subnet_ids;       /* sorted */
	struct tb_kvs sg_ids, role_arns; /* name -> ID / ARN, in the order asked */
};

/*
 * One lookup. run fills its part of p from AWS: 0 with *problem NULL when it
 * found exactly what it searched, 0 with *problem set (an arena sentence
 * naming what it searched and what it found) when it found none or several,
 * or a TB_E* code with ctx->error set when AWS failed.
 */
struct tb_platform_lookup {
	const char *what; /* "load balancer": in diagnostics */
	const char *path; /* the attribute its findings point at */
	bool (*wanted)(const struct tb_platform *p);
	int (*run)(struct tb_aws_ctx *ctx, struct tb_platform *p, const char **problem);
	void (*merge)(struct tb_platform *into, const struct tb_platform *from);
};

/* The lookups in two phases: the second needs the VPC the first found. */
extern const struct tb_platform_lookup tb_platform_first[];
extern const size_t tb_platform_n_first;
extern const struct tb_platform_lookup tb_platform_second[];
extern const size_t tb_platform_n_second;

/* The VPC the second phase searches: vpc_tag's, else the load balancer's;
 * NULL when there is none. */
const char *tb_platform_vpc(const struct tb_platform *p);

#endif
