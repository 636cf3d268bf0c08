/*
 * Handlers of the ephemeral-resource lifecycle (protocol 6.7+): validate,
 * open, renew, close. The value an open produces goes to the client in the
 * response only; nothing of it is kept here after the call.
 */
#include "rpc/rpc_int.h"
#include "wellknown.pb-c.h"

/* The named ephemeral type and its value type, or NULL after a diagnostic. */
static const struct tb_ephemeral *ephemeral(struct tb_call *c, const char *name,
                                            const struct tb_type **type)
{
	const struct tb_ephemeral *e = tb_ephemeral_find(name);

	if (!e) {
		tb_diag_addf(&c->diags, TB_SEV_ERROR, NULL, "Unknown ephemeral resource type",
		             "The talentbase provider has no ephemeral resource type named \"%s\".",
		             name ? name : "");
		return NULL;
	}
	*type = tb_block_type(e->schema->block);
	if (!*type) {
		tb_diag_addf(&c->diags, TB_SEV_ERROR, NULL, "Internal error",
		             "The schema of ephemeral resource type \"%s\" is malformed.", name);
		return NULL;
	}
	return e;
}

/* A renew_at time for the protocol; NULL when there is none (0). */
static int renew_at(struct tb_arena *a, int64_t at, Google__Protobuf__Timestamp **out)
{
	Google__Protobuf__Timestamp *ts;

	*out = NULL;
	if (at <= 0)
		return 0;
	ts = TB_RPC_NEW(a, Google__Protobuf__Timestamp, google__protobuf__timestamp);
	if (!ts)
		return TB_ENOMEM;
	ts->seconds = at;
	*out = ts;
	return 0;
}

/* ValidateEphemeralResourceConfig: the type's own checks (config may hold
 * unknowns). */
int tb_rpc_validate_ephemeral_config(struct tb_call *c, const void *req, void *resp)
{
	const Tfplugin6__ValidateEphemeralResourceConfig__Request *r = req;
	const struct tb_ephemeral *e;
	const struct tb_type *t;
	const struct tb_value *config;
	int rc;

	if (!(e = ephemeral(c, r->type_name, &t)))
		return 0;
	rc = tb_rpc_value_decode(c, r->config, t, "configuration", &config);
	if (rc == 0 && e->validate)
		e->validate(c, config);
	return rc == TB_ENOMEM ? rc : 0;
}

/* OpenEphemeralResource: the result, renew time and private data; no
 * result after a failure. */
int tb_rpc_open_ephemeral(struct tb_call *c, const void *req, void *resp)
{
	const Tfplugin6__OpenEphemeralResource__Request *r = req;
	Tfplugin6__OpenEphemeralResource__Response *out = resp;
	struct tb_ephemeral_result res = {0};
	const struct tb_ephemeral *e;
	const struct tb_type *t;
	const struct tb_value *config;
	int rc;

	tb_rpc_caps(c, r->client_capabilities);
	if (!(e = ephemeral(c, r->type_name, &t)))
		return 0;
	rc = tb_rpc_value_decode(c, r->config, t, "configuration", &config);
	if (rc)
		return rc == TB_ENOMEM ? rc : 0;
	rc = tb_ephemeral_open(e, c, config, &res);
	tb_rpc_fail(c, rc, "Opening the ephemeral resource failed");
	if (rc || tb_diags_has_errors(&c->diags) || !res.value)
		return rc == TB_ENOMEM ? rc : 0;
	out->private_.data = (uint8_t *)res.private_data;
	out->private_.len = res.private_data ? res.private_len : 0;
	rc = renew_at(c->arena, res.renew_at, &out->renew_at);
	return rc ? rc : tb_rpc_value_encode(c->arena, res.value, t, &out->result);
}

/* RenewEphemeralResource: a new renew time and private data; a type with
 * nothing to renew answers neither (no further renewals). */
int tb_rpc_renew_ephemeral(struct tb_call *c, const void *req, void *resp)
{
	const Tfplugin6__RenewEphemeralResource__Request *r = req;
	Tfplugin6__RenewEphemeralResource__Response *out = resp;
	struct tb_ephemeral_result res = {0};
	const struct tb_ephemeral *e;
	const struct tb_type *t;
	int rc;

	if (!(e = ephemeral(c, r->type_name, &t)))
		return 0;
	rc = tb_ephemeral_renew(e, c, r->private_.data, r->private_.len, &res);
	tb_rpc_fail(c, rc, "Renewing the ephemeral resource failed");
	if (rc)
		return rc == TB_ENOMEM ? rc : 0;
	out->private_.data = (uint8_t *)res.private_data;
	out->private_.len = res.private_data ? res.private_len : 0;
	return renew_at(c->arena, res.renew_at, &out->renew_at);
}

/* CloseEphemeralResource: releases what open acquired. */
int tb_rpc_close_ephemeral(struct tb_call *c, const void *req, void *resp)
{
	const Tfplugin6__CloseEphemeralResource__Request *r = req;
	const struct tb_ephemeral *e;
	const struct tb_type *t;
	int rc;

	if (!(e = ephemeral(c, r->type_name, &t)))
		return 0;
	rc = tb_ephemeral_close(e, c, r->private_.data, r->private_.len);
	tb_rpc_fail(c, rc, "Closing the ephemeral resource failed");
	return rc == TB_ENOMEM ? rc : 0;
}
