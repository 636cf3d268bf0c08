/*
 * Handlers of data sources: decode the configuration against the data
 * source type, call its validation or read, encode the value it read.
 */
#include "rpc/rpc_int.h"

/* ValidateDataResourceConfig: the data source's own checks (config may hold
 * unknowns). */
int tb_rpc_validate_data_resource_config(struct tb_call *c, const void *req, void *resp)
{
	const Tfplugin6__ValidateDataResourceConfig__Request *r = req;
	const struct tb_data_source *d;
	const struct tb_type *t;
	const struct tb_value *config;
	int rc;

	d = tb_rpc_data_source(c, r->type_name, &t);
	if (!d)
		return 0;
	rc = tb_rpc_value_decode(c, r->config, t, "configuration", &config);
	if (rc == 0 && d->validate)
		d->validate(c, config);
	return rc == TB_ENOMEM ? rc : 0;
}

/* ReadDataSource: the value the data source reads; no state when the read
 * failed (its diagnostics say why). */
int tb_rpc_read_data_source(struct tb_call *c, const void *req, void *resp)
{
	const Tfplugin6__ReadDataSource__Request *r = req;
	Tfplugin6__ReadDataSource__Response *out = resp;
	const struct tb_data_source *d;
	const struct tb_type *t;
	const struct tb_value *config, *state = NULL;
	int rc;

	tb_rpc_caps(c, r->client_capabilities);
	d = tb_rpc_data_source(c, r->type_name, &t);
	if (!d)
		return 0;
	rc = tb_rpc_value_decode(c, r->config, t, "configuration", &config);
	if (rc)
		return rc == TB_ENOMEM ? rc : 0;
	rc = tb_data_source_read(d, c, config, &state);
	if (rc == TB_ENOMEM)
		return rc;
	tb_rpc_fail(c, rc, "Reading the data source failed");
	if (rc || tb_diags_has_errors(&c->diags))
		return 0;
	return tb_rpc_value_encode(c->arena, state, t, &out->state);
}
