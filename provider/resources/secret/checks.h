/*
 * talentbase_secret: configuration checks outside the rules (checks.c).
 */
#ifndef TB_RESOURCES_SECRET_CHECKS_H
#define TB_RESOURCES_SECRET_CHECKS_H

#include "resources/secret/secret.h"

/* The shape of a configuration (or a plan's value with value_wo from the
 * configuration): one value source, template and json_keys where they
 * belong, rotation schedule, policy JSON, timeouts. Error diagnostics on
 * the attributes; never quotes a value. */
void tb_secret_check_shape(struct tb_call *c, const struct tb_value *v);
/* value_wo given to a client that did not announce write-only support
 * (ClientCapabilities.write_only_attributes_allowed): one error naming
 * the versions it needs and the generate alternative. */
void tb_secret_check_write_only(struct tb_call *c, const struct tb_value *config);

#endif
