/*
 * talentbase_parameter, inside: the settings of one SSM Parameter Store
 * parameter (String or StringList: non-secret configuration), the field
 * table, and the SSM calls. Private to the parameter_*.c files and their
 * unit tests.
 *
 *   plan/apply: cty value -> tb_param_load -> struct tb_param -> PutParameter
 *   read:       GetParameter + DescribeParameters + ListTagsForResource
 *               -> struct tb_param -> tb_param_state
 */
#ifndef TB_RESOURCES_PARAMETER_H
#define TB_RESOURCES_PARAMETER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "resources/kit/kit.h"
#include "tb/aws.h"
#include "tb/provider.h"

#define TB_PARAM_RESOURCE "talentbase_parameter"

struct tb_param {
	const char *id, *arn, *name, *value, *type, *description, *tier;
	struct tb_kvs tags, tags_all;
	/* computed */
	int64_t version;
	const char *env_ref;
};

/* schema.c */
extern const struct tb_schema tb_param_schema;
extern const struct tb_block tb_param_block;
const struct tb_block *tb_param_block_at(const char *path);
/* The most characters a value may have in a tier (Standard 4 KB, Advanced
 * 8 KB); 0 for an unknown tier. */
size_t tb_param_max_value(const char *tier);

/* model.c: value <-> struct, as for every resource (see kit.h). */
extern const struct tb_kit_model tb_param_model;
int tb_param_load(struct tb_arena *a, const struct tb_meta *meta, const struct tb_value *v,
                  struct tb_param *out);
/* The state for actual, shaped after prior (env_ref follows arn). */
int tb_param_state(struct tb_arena *a, const struct tb_meta *meta, const struct tb_param *actual,
                   const struct tb_value *prior, const struct tb_value **out);

/* ssm.c */
/* The PutParameter body: with the tags on create, Overwrite on update. */
json_t *tb_param_put_request(struct tb_arena *a, const struct tb_param *p, bool overwrite);
/* Fills p from GetParameter's "Parameter" and DescribeParameters'
 * "Parameters" answers (either may be NULL). 0, TB_EINVAL or TB_ENOMEM. */
int tb_param_flatten(struct tb_arena *a, const json_t *param, const json_t *described,
                     struct tb_param *p);
/* Reads the parameter p->name into p; TB_ENOTFOUND when it is gone. */
int tb_param_read_aws(struct tb_aws_ctx *ctx, struct tb_param *p);
/* PutParameter (create or overwrite); p->version gets the new version. */
int tb_param_put(struct tb_aws_ctx *ctx, struct tb_param *p, bool overwrite);
/* DeleteParameter; a parameter already gone is no error. */
int tb_param_delete_aws(struct tb_aws_ctx *ctx, const struct tb_param *p);

#endif
