/*
 * The services this client speaks to, the partitions, and endpoint
 * resolution (provider endpoints block, AWS_ENDPOINT_URL_<SERVICE>,
 * AWS_ENDPOINT_URL, the profile's endpoint_url, then the default hostname).
 */
#include <stdlib.h>
#include <string.h>

#include "aws/internal.h"

/* clang-format off */
#define TAG_JSON(shape_, tags_, keys_, id_)                                                         \
	{                                                                                          \
		.shape = shape_, .tag_action = "TagResource", .untag_action = "UntagResource",    \
		.id_key = id_, .tags_key = tags_, .keys_key = keys_                                \
	}
#define TAG_QUERY_AS(tag_, untag_, id_, many_, member_)                                             \
	{                                                                                          \
		.shape = AWS_TAGS_QUERY, .tag_action = tag_, .untag_action = untag_,               \
		.id_key = id_, .many_ids = many_, .tags_key = "Tags", .keys_key = "TagKeys",       \
		.member = member_                                                                  \
	}
#define TAG_QUERY(tag_, untag_, id_, many_) TAG_QUERY_AS(tag_, untag_, id_, many_, NULL)

const struct aws_service aws_services[] = {
    {.id = "ecs", .keys = {"ecs"}, .env_id = "ECS", .signing_name = "ecs", .prefix = "ecs", .protocol = AWS_PROTO_JSON, .api = "AmazonEC2ContainerServiceV20141113",
     .page_token = "nextToken", .tags = TAG_JSON(AWS_TAGS_LOWER_LIST, "tags", "tagKeys", "resourceArn")},
    {.id = "application-autoscaling", .keys = {"appautoscaling", "applicationautoscaling"}, .env_id = "APPLICATION_AUTO_SCALING", .signing_name = "application-autoscaling", .prefix = "application-autoscaling", .protocol = AWS_PROTO_JSON, .api = "AnyScaleFrontendService",
     .page_token = "NextToken", .tags = TAG_JSON(AWS_TAGS_MAP, "Tags", "TagKeys", "ResourceARN")},
    {.id = "secretsmanager", .keys = {"secretsmanager"}, .env_id = "SECRETS_MANAGER", .signing_name = "secretsmanager", .prefix = "secretsmanager", .protocol = AWS_PROTO_JSON, .api = "secretsmanager",
     .page_token = "NextToken", .tags = TAG_JSON(AWS_TAGS_LIST, "Tags", "TagKeys", "SecretId")},
    {.id = "logs", .keys = {"logs", "cloudwatchlogs", "cloudwatchlog"}, .env_id = "CLOUDWATCH_LOGS", .signing_name = "logs", .prefix = "logs", .protocol = AWS_PROTO_JSON, .api = "Logs_20140328",
     .page_token = "nextToken", .tags = TAG_JSON(AWS_TAGS_MAP, "tags", "tagKeys", "resourceArn")},
    {.id = "ssm", .keys = {"ssm"}, .env_id = "SSM", .signing_name = "ssm", .prefix = "ssm", .protocol = AWS_PROTO_JSON, .api = "AmazonSSM",
     .page_token = "NextToken", .tags = {.shape = AWS_TAGS_LIST, .tag_action = "AddTagsToResource", .untag_action = "RemoveTagsFromResource", .id_key = "ResourceId", .tags_key = "Tags", .keys_key = "TagKeys", .resource_type = "Parameter"}},
    {.id = "elasticloadbalancing", .keys = {"elbv2", "elasticloadbalancingv2", "elb"}, .env_id = "ELASTIC_LOAD_BALANCING_V2", .signing_name = "elasticloadbalancing", .prefix = "elasticloadbalancing", .protocol = AWS_PROTO_QUERY, .api = "2015-12-01",
     .tags = TAG_QUERY("AddTags", "RemoveTags", "ResourceArns.member", true)},
    {.id = "rds", .keys = {"rds"}, .env_id = "RDS", .signing_name = "rds", .prefix = "rds", .protocol = AWS_PROTO_QUERY, .api = "2014-10-31",
     .tags = TAG_QUERY_AS("AddTagsToResource", "RemoveTagsFromResource", "ResourceName", false, "Tag")},
    {.id = "monitoring", .keys = {"cloudwatch"}, .env_id = "CLOUDWATCH", .signing_name = "monitoring", .prefix = "monitoring", .protocol = AWS_PROTO_QUERY, .api = "2010-08-01",
     .tags = TAG_QUERY("TagResource", "UntagResource", "ResourceARN", false)},
    {.id = "sts", .keys = {"sts"}, .env_id = "STS", .signing_name = "sts", .prefix = "sts", .protocol = AWS_PROTO_QUERY, .api = "2011-06-15"},
    {.id = "iam", .keys = {"iam"}, .env_id = "IAM", .signing_name = "iam", .prefix = "iam", .protocol = AWS_PROTO_QUERY, .api = "2010-05-08", .global = true},
    {.id = "ecr", .keys = {"ecr"}, .env_id = "ECR", .signing_name = "ecr", .prefix = "api.ecr", .protocol = AWS_PROTO_JSON, .api = "AmazonEC2ContainerRegistry_V20150921",
     .page_token = "nextToken", .tags = TAG_JSON(AWS_TAGS_LIST, "tags", "tagKeys", "resourceArn")},
    {.id = "ec2", .keys = {"ec2"}, .env_id = "EC2", .signing_name = "ec2", .prefix = "ec2", .protocol = AWS_PROTO_EC2, .api = "2016-11-15"},
};
/* clang-format on */
const size_t aws_n_services = sizeof(aws_services) / sizeof(aws_services[0]);

/* First match wins: the catch-all aws partition comes last. */
/* clang-format off */
static const struct aws_partition partitions[] = {
    {.name = "aws-cn", .region_prefix = "cn-", .dns_suffix = "amazonaws.com.cn", .global_region = "cn-north-1", .global_host = "iam.cn-north-1.amazonaws.com.cn"},
    {.name = "aws-us-gov", .region_prefix = "us-gov-", .dns_suffix = "amazonaws.com", .global_region = "us-gov-west-1", .global_host = "iam.us-gov.amazonaws.com"},
    {.name = "aws-iso", .region_prefix = "us-iso-", .dns_suffix = "c2s.ic.gov", .global_region = "us-iso-east-1", .global_host = "iam.us-iso-east-1.c2s.ic.gov"},
    {.name = "aws-iso-b", .region_prefix = "us-isob-", .dns_suffix = "sc2s.sgov.gov", .global_region = "us-isob-east-1", .global_host = "iam.us-isob-east-1.sc2s.sgov.gov"},
    {.name = "aws", .region_prefix = "", .dns_suffix = "amazonaws.com", .global_region = "us-east-1", .global_host = "iam.amazonaws.com"},
};
/* clang-format on */

static bool service_has_key(const struct aws_service *s, const char *name)
{
	if (tb_str_eq(s->id, name))
		return true;
	for (size_t k = 0; k < sizeof(s->keys) / sizeof(s->keys[0]) && s->keys[k]; k++)
		if (tb_str_eq(s->keys[k], name))
			return true;
	return false;
}

const struct aws_service *aws_service_find(const char *name)
{
	for (size_t i = 0; name && i < aws_n_services; i++)
		if (service_has_key(&aws_services[i], name))
			return &aws_services[i];
	return NULL;
}

const struct aws_partition *aws_partition_for(const char *region)
{
	size_t n = sizeof(partitions) / sizeof(partitions[0]);
	for (size_t i = 0; i < n - 1; i++)
		if (region && tb_str_has_prefix(region, partitions[i].region_prefix))
			return &partitions[i];
	return &partitions[n - 1];
}

char *aws_default_endpoint(struct tb_arena *a, const struct aws_service *s, const char *region)
{
	const struct aws_partition *p = aws_partition_for(region);

	if (s->global)
		return tb_arena_printf(a, "https://%s", p->global_host);
	return tb_arena_printf(a, "https://%s.%s.%s", s->prefix, region, p->dns_suffix);
}

const char *aws_signing_region(const struct tb_aws_client *c, const struct aws_service *s)
{
	if (s->global)
		return c->partition->global_region;
	return c->set.region;
}

static bool env_true(const char *name)
{
	const char *v = getenv(name);
	return v && strcasecmp(v, "true") == 0;
}

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

/* The URL configured outside the provider block for one service, or NULL. */
static const char *configured_endpoint(struct tb_aws_client *c, const struct aws_service *s)
{
	char name[96];
	const char *url;

	if (env_true("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"))
		return NULL;
	snprintf(name, sizeof(name), "AWS_ENDPOINT_URL_%s", s->env_id);
	url = nonempty(getenv(name));
	if (!url)
		url = nonempty(getenv("AWS_ENDPOINT_URL"));
	if (!url)
		url = nonempty(aws_profile_get(aws_current_profile(c), "endpoint_url"));
	return url;
}

static bool valid_url(const char *url)
{
	return tb_str_has_prefix(url, "http://") || tb_str_has_prefix(url, "https://");
}

/* Applies the provider block's endpoints over what is already resolved. */
static int apply_block(struct tb_aws_client *c, const struct tb_aws_config *cfg, struct tb_buf *why)
{
	for (size_t i = 0; i < cfg->n_endpoints; i++) {
		const struct tb_aws_endpoint *e = &cfg->endpoints[i];
		const struct aws_service *s = aws_service_find(e->service);

		if (!nonempty(e->url))
			continue;
		if (!s) {
			tb_buf_printf(why, "endpoints: unknown service \"%s\"", e->service);
			return TB_EINVAL;
		}
		c->endpoints[s - aws_services] = tb_arena_strdup(c->arena, e->url);
		if (!c->endpoints[s - aws_services])
			return TB_ENOMEM;
	}
	return 0;
}

int aws_resolve_endpoints(struct tb_aws_client *c, const struct tb_aws_config *cfg,
                          struct tb_buf *why)
{
	int rc;

	c->endpoints = tb_arena_alloc(c->arena, aws_n_services * sizeof(char *));
	if (!c->endpoints)
		return TB_ENOMEM;
	for (size_t i = 0; i < aws_n_services; i++) {
		const char *url = configured_endpoint(c, &aws_services[i]);

		c->endpoints[i] =
		    url ? tb_arena_strdup(c->arena, url)
		        : aws_default_endpoint(c->arena, &aws_services[i], c->set.region);
		if (!c->endpoints[i])
			return TB_ENOMEM;
	}
	rc = apply_block(c, cfg, why);
	for (size_t i = 0; rc == 0 && i < aws_n_services; i++) {
		if (!valid_url(c->endpoints[i])) {
			tb_buf_printf(why, "endpoint for %s is not an http(s) URL: %s",
			              aws_services[i].id, c->endpoints[i]);
			rc = TB_EINVAL;
		}
	}
	return rc;
}
