/*
 * Handlers of the managed-resource lifecycle: decode the request's values
 * against the resource type, call the resource's callback, encode the
 * answer the way the client checks it (PROTOCOL.md).
 */
#include "rpc/rpc_int.h"

/* ValidateResourceConfig: the resource's own checks (config may hold
 * unknowns). */
int tb_rpc_validate_resource_config(struct tb_call *c, const void *req, void *resp)
{
	const Tfplugin6__ValidateResourceConfig__Request *r = req;
	const struct tb_resource *res;
	const struct tb_type *t;
	const struct tb_value *config;
	int rc;

	tb_rpc_caps(c, r->client_capabilities);
	res = tb_rpc_resource(c, r->type_name, &t);
	if (!res)
		return 0;
	rc = tb_rpc_value_decode(c, r->config, t, "configuration", &config);
	if (rc == 0 && res->validate)
		res->validate(c, config);
	return rc == TB_ENOMEM ? rc : 0;
}

/* The stored state of any earlier version, as the current schema's type. */
static int decode_raw_state(struct tb_call *c, const struct tb_resource *res,
                            const struct tb_type *t, const Tfplugin6__RawState *raw,
                            const struct tb_value **out)
{
	int rc;

	if (raw && raw->json.len > 0) {
		rc = tb_upgrade_json_state(c->arena, res->schema, (const char *)raw->json.data,
		                           raw->json.len, out);
		if (rc && rc != TB_ENOMEM)
			tb_diag_addf(&c->diags, TB_SEV_ERROR, NULL, "Invalid stored state",
			             "The stored state of this %s could not be decoded (%s).",
			             res->name, tb_strerror(rc));
		return rc;
	}
	if (raw && raw->n_flatmap > 0) {
		tb_diag_add(&c->diags, TB_SEV_ERROR, NULL, "Unsupported state format",
		            "The stored state is in the flat-map format of Terraform 0.11 and "
		            "earlier, which this provider never wrote.");
		return TB_EINVAL;
	}
	*out = tb_null(c->arena, t);
	return *out ? 0 : TB_ENOMEM;
}

/* Runs the resource's upgrade from an older schema version. */
static int upgrade_version(struct tb_call *c, const struct tb_resource *res, int64_t version,
                           const struct tb_value **state)
{
	const struct tb_value *out = NULL;
	int rc = 0;

	if (version > res->schema->version) {
		tb_diag_addf(&c->diags, TB_SEV_ERROR, NULL, "State from a newer provider",
		             "The stored state has schema version %lld; this provider knows "
		             "versions up to %lld. Upgrade the provider.",
		             (long long)version, (long long)res->schema->version);
		return TB_EINVAL;
	}
	if (version == res->schema->version || !res->upgrade || tb_is_null(*state))
		return 0;
	rc = res->upgrade(c, version, *state, &out);
	tb_rpc_fail(c, rc, "State upgrade failed");
	if (rc == 0 && out)
		*state = out;
	return rc;
}

/* UpgradeResourceState: for every stored instance, even at the current
 * version: JSON (any version) -> current type -> msgpack. */
int tb_rpc_upgrade_resource_state(struct tb_call *c, const void *req, void *resp)
{
	const Tfplugin6__UpgradeResourceState__Request *r = req;
	Tfplugin6__UpgradeResourceState__Response *out = resp;
	const struct tb_resource *res;
	const struct tb_type *t;
	const struct tb_value *state = NULL;
	int rc;

	res = tb_rpc_resource(c, r->type_name, &t);
	if (!res)
		return 0;
	rc = decode_raw_state(c, res, t, r->raw_state, &state);
	if (rc == 0)
		rc = upgrade_version(c, res, r->version, &state);
	if (rc == TB_ENOMEM)
		return rc;
	if (rc)
		return 0;
	return tb_rpc_value_encode(c->arena, state, t, &out->upgraded_state);
}

/* ReadResource: the object as it is now; null when it is gone. On failure
 * the current state is returned unchanged. */
int tb_rpc_read_resource(struct tb_call *c, const void *req, void *resp)
{
	const Tfplugin6__ReadResource__Request *r = req;
	Tfplugin6__ReadResource__Response *out = resp;
	const struct tb_resource *res;
	const struct tb_type *t;
	const struct tb_value *state, *now = NULL;
	int rc;

	tb_rpc_caps(c, r->client_capabilities);
	res = tb_rpc_resource(c, r->type_name, &t);
	if (!res)
		return 0;
	rc = tb_rpc_value_decode(c, r->current_state, t, "current state", &state);
	if (rc)
		return rc == TB_ENOMEM ? rc : 0;
	now = state;
	if (!tb_is_null(state)) {
		rc = tb_resource_read(res, c, state, &now);
		tb_rpc_fail(c, rc, "Reading the resource failed");
		if (rc)
			now = state;
	}
	out->private_ = r->private_;
	return tb_rpc_value_encode(c->arena, now, t, &out->new_state);
}

/* The plan of a create or update: defaults, unknowns, requires_replace,
 * then the resource's own planning. */
static int plan_change(struct tb_call *c, const struct tb_resource *res, struct tb_plan *p,
                       Tfplugin6__PlanResourceChange__Response *out)
{
	int rc = tb_plan_prepare(c->arena, res->schema, c->meta, p);

	if (rc == 0 && res->plan)
		rc = res->plan(c, p);
	if (rc == TB_ENOMEM)
		return rc;
	tb_rpc_fail(c, rc, "Planning the change failed");
	if (!p->planned)
		p->planned = p->proposed;
	out->requires_replace =
	    tb_arena_alloc(c->arena, (p->n_requires_replace + 1) * sizeof(*out->requires_replace));
	if (!out->requires_replace)
		return TB_ENOMEM;
	for (size_t i = 0; i < p->n_requires_replace; i++) {
		if (tb_rpc_path_to_pb(c->arena, &p->requires_replace[i], &out->requires_replace[i]))
			return TB_ENOMEM;
	}
	out->n_requires_replace = p->n_requires_replace;
	return 0;
}

/*
 * PlanResourceChange. A destroy (proposed state null) is planned as null
 * without asking the resource. private round-trips.
 */
int tb_rpc_plan_resource_change(struct tb_call *c, const void *req, void *resp)
{
	const Tfplugin6__PlanResourceChange__Request *r = req;
	Tfplugin6__PlanResourceChange__Response *out = resp;
	const struct tb_resource *res;
	const struct tb_type *t;
	struct tb_plan p = {0};
	int rc;

	tb_rpc_caps(c, r->client_capabilities);
	res = tb_rpc_resource(c, r->type_name, &t);
	if (!res)
		return 0;
	rc = tb_rpc_value_decode(c, r->prior_state, t, "prior state", &p.prior);
	if (rc == 0)
		rc = tb_rpc_value_decode(c, r->config, t, "configuration", &p.config);
	if (rc == 0)
		rc = tb_rpc_value_decode(c, r->proposed_new_state, t, "proposed new state",
		                         &p.proposed);
	if (rc)
		return rc == TB_ENOMEM ? rc : 0;
	p.planned = p.proposed;
	if (!tb_is_null(p.proposed))
		rc = plan_change(c, res, &p, out);
	out->planned_private = r->prior_private;
	return rc ? rc : tb_rpc_value_encode(c->arena, p.planned, t, &out->planned_state);
}

/*
 * Create, update or delete, chosen by which of prior and planned are null.
 * The new state on failure: what create managed to build (saved tainted),
 * the prior state for update and delete (the object is still there).
 */
static const struct tb_value *apply_change(struct tb_call *c, const struct tb_resource *res,
                                           const struct tb_value *prior,
                                           const struct tb_value *planned)
{
	const struct tb_value *now = NULL;
	int rc;

	if (tb_is_null(planned)) {
		rc = tb_resource_delete(res, c, prior);
		tb_rpc_fail(c, rc, "Deleting the resource failed");
		return rc ? prior : NULL;
	}
	if (tb_is_null(prior)) {
		rc = tb_resource_create(res, c, planned, &now);
		tb_rpc_fail(c, rc, "Creating the resource failed");
	} else {
		rc = tb_resource_update(res, c, prior, planned, &now);
		tb_rpc_fail(c, rc, "Updating the resource failed");
		if (rc && !now)
			now = prior;
	}
	if (rc == 0 && !now)
		tb_diag_add(&c->diags, TB_SEV_ERROR, NULL, "Internal error",
		            "The provider returned no state after applying the change.");
	return now;
}

/* ApplyResourceChange: see apply_change; delete answers null. private
 * round-trips. The configuration goes to the resource in c->config (it
 * alone carries write-only arguments). */
int tb_rpc_apply_resource_change(struct tb_call *c, const void *req, void *resp)
{
	const Tfplugin6__ApplyResourceChange__Request *r = req;
	Tfplugin6__ApplyResourceChange__Response *out = resp;
	const struct tb_resource *res;
	const struct tb_type *t;
	const struct tb_value *prior, *planned;
	int rc;

	res = tb_rpc_resource(c, r->type_name, &t);
	if (!res)
		return 0;
	rc = tb_rpc_value_decode(c, r->prior_state, t, "prior state", &prior);
	if (rc == 0)
		rc = tb_rpc_value_decode(c, r->planned_state, t, "planned state", &planned);
	if (rc == 0)
		rc = tb_rpc_value_decode(c, r->config, t, "configuration", &c->config);
	if (rc)
		return rc == TB_ENOMEM ? rc : 0;
	out->private_ = r->planned_private;
	return tb_rpc_value_encode(c->arena, apply_change(c, res, prior, planned), t,
	                           &out->new_state);
}

/* ImportResourceState: one imported object of the requested type. */
int tb_rpc_import_resource_state(struct tb_call *c, const void *req, void *resp)
{
	const Tfplugin6__ImportResourceState__Request *r = req;
	Tfplugin6__ImportResourceState__Response *out = resp;
	Tfplugin6__ImportResourceState__ImportedResource *imp;
	const struct tb_resource *res;
	const struct tb_type *t;
	const struct tb_value *state = NULL;
	int rc;

	tb_rpc_caps(c, r->client_capabilities);
	res = tb_rpc_resource(c, r->type_name, &t);
	if (!res)
		return 0;
	if (!res->import) {
		tb_diag_addf(&c->diags, TB_SEV_ERROR, NULL, "Import not supported",
		             "Resource type \"%s\" cannot be imported.", res->name);
		return 0;
	}
	rc = tb_resource_import(res, c, r->id, &state);
	tb_rpc_fail(c, rc, "Import failed");
	if (rc == 0 && tb_is_null(state))
		tb_diag_addf(&c->diags, TB_SEV_ERROR, NULL,
		             "Cannot import non-existent remote object",
		             "No %s with ID \"%s\" exists.", res->name, r->id);
	if (tb_diags_has_errors(&c->diags))
		return 0;
	imp = tb_rpc_msg_new(c->arena,
	                     &tfplugin6__import_resource_state__imported_resource__descriptor);
	out->imported_resources = tb_arena_alloc(c->arena, sizeof(*out->imported_resources));
	if (!imp || !out->imported_resources)
		return TB_ENOMEM;
	imp->type_name = (char *)res->name;
	out->imported_resources[0] = imp;
	out->n_imported_resources = 1;
	return tb_rpc_value_encode(c->arena, state, t, &imp->state);
}

/* MoveResourceState: not supported (the capability says so too). */
int tb_rpc_move_resource_state(struct tb_call *c, const void *req, void *resp)
{
	const Tfplugin6__MoveResourceState__Request *r = req;

	tb_diag_addf(&c->diags, TB_SEV_ERROR, NULL, "Move not supported",
	             "The talentbase provider does not support moving state from \"%s\" (%s) "
	             "to \"%s\".",
	             r->source_type_name, r->source_provider_address, r->target_type_name);
	return 0;
}

/* GenerateResourceConfig: not supported (the capability says so too). */
int tb_rpc_generate_resource_config(struct tb_call *c, const void *req, void *resp)
{
	const Tfplugin6__GenerateResourceConfig__Request *r = req;
	const struct tb_type *t;

	if (tb_rpc_resource(c, r->type_name, &t))
		tb_diag_addf(&c->diags, TB_SEV_ERROR, NULL,
		             "Configuration generation not supported",
		             "The talentbase provider cannot generate configuration for \"%s\".",
		             r->type_name);
	return 0;
}
