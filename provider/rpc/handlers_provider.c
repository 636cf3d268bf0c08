/*
 * Handlers about the provider as a whole: metadata and schemas, provider
 * configuration, stop, and the kinds of objects it does not define
 * (identities, functions, actions); go-plugin's controller; gRPC health.
 */
#include <stdatomic.h>

#include "rpc/rpc_int.h"
#include "tb/log.h"

static size_t count_resources(void)
{
	size_t n = 0;

	while (tb_resources[n])
		n++;
	return n;
}

static size_t count_data_sources(void)
{
	size_t n = 0;

	while (tb_data_sources[n])
		n++;
	return n;
}

static size_t count_ephemerals(void)
{
	size_t n = 0;

	while (tb_ephemerals[n])
		n++;
	return n;
}

/* GetMetadata's list of ephemeral resource types. */
static int ephemeral_metadata(struct tb_arena *a, Tfplugin6__GetMetadata__Response *r)
{
	size_t n = count_ephemerals();
	Tfplugin6__GetMetadata__EphemeralMetadata **v = tb_arena_alloc(a, (n + 1) * sizeof(*v));

	if (!v)
		return TB_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		v[i] = TB_RPC_NEW(a, Tfplugin6__GetMetadata__EphemeralMetadata,
		                  tfplugin6__get_metadata__ephemeral_metadata);
		if (!v[i])
			return TB_ENOMEM;
		v[i]->type_name = (char *)tb_ephemerals[i]->name;
	}
	r->ephemeral_resources = v;
	r->n_ephemeral_resources = n;
	return 0;
}

/* The data source type names of GetMetadata. */
static int data_source_metadata(struct tb_call *c, Tfplugin6__GetMetadata__Response *r)
{
	size_t n = count_data_sources();
	Tfplugin6__GetMetadata__DataSourceMetadata **v =
	    tb_arena_alloc(c->arena, (n + 1) * sizeof(*v));

	if (!v)
		return TB_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		v[i] = TB_RPC_NEW(c->arena, Tfplugin6__GetMetadata__DataSourceMetadata,
		                  tfplugin6__get_metadata__data_source_metadata);
		if (!v[i])
			return TB_ENOMEM;
		v[i]->type_name = (char *)tb_data_sources[i]->name;
	}
	r->data_sources = v;
	r->n_data_sources = n;
	return 0;
}

/* GetMetadata: capabilities and the resource, ephemeral and data source type
 * names. */
int tb_rpc_get_metadata(struct tb_call *c, const void *req, void *resp)
{
	Tfplugin6__GetMetadata__Response *r = resp;
	Tfplugin6__GetMetadata__ResourceMetadata **v;
	size_t n = count_resources();

	r->server_capabilities = tb_rpc_server_caps(c->arena);
	v = tb_arena_alloc(c->arena, (n + 1) * sizeof(*v));
	if (!r->server_capabilities || !v)
		return TB_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		v[i] = TB_RPC_NEW(c->arena, Tfplugin6__GetMetadata__ResourceMetadata,
		                  tfplugin6__get_metadata__resource_metadata);
		if (!v[i])
			return TB_ENOMEM;
		v[i]->type_name = (char *)tb_resources[i]->name;
	}
	r->resources = v;
	r->n_resources = n;
	if (ephemeral_metadata(c->arena, r) != 0)
		return TB_ENOMEM;
	return data_source_metadata(c, r);
}

static int schema_entry(struct tb_arena *a, const struct tb_resource *res,
                        Tfplugin6__GetProviderSchema__Response__ResourceSchemasEntry **out)
{
	Tfplugin6__GetProviderSchema__Response__ResourceSchemasEntry *e =
	    TB_RPC_NEW(a, Tfplugin6__GetProviderSchema__Response__ResourceSchemasEntry,
	               tfplugin6__get_provider_schema__response__resource_schemas_entry);

	if (!e)
		return TB_ENOMEM;
	e->key = (char *)res->name;
	*out = e;
	return tb_rpc_schema_to_pb(a, res->schema, &e->value);
}

static int
ephemeral_entry(struct tb_arena *a, const struct tb_ephemeral *e,
                Tfplugin6__GetProviderSchema__Response__EphemeralResourceSchemasEntry **out)
{
	Tfplugin6__GetProviderSchema__Response__EphemeralResourceSchemasEntry *x =
	    TB_RPC_NEW(a, Tfplugin6__GetProviderSchema__Response__EphemeralResourceSchemasEntry,
	               tfplugin6__get_provider_schema__response__ephemeral_resource_schemas_entry);

	if (!x)
		return TB_ENOMEM;
	x->key = (char *)e->name;
	*out = x;
	return tb_rpc_schema_to_pb(a, e->schema, &x->value);
}

/* The ephemeral_resource_schemas map of GetProviderSchema. */
static int ephemeral_schemas(struct tb_arena *a, Tfplugin6__GetProviderSchema__Response *r)
{
	size_t n = count_ephemerals();
	int rc = 0;

	r->ephemeral_resource_schemas =
	    tb_arena_alloc(a, (n + 1) * sizeof(*r->ephemeral_resource_schemas));
	if (!r->ephemeral_resource_schemas)
		return TB_ENOMEM;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = ephemeral_entry(a, tb_ephemerals[i], &r->ephemeral_resource_schemas[i]);
	if (rc == 0)
		r->n_ephemeral_resource_schemas = n;
	return rc;
}

static int data_source_entry(struct tb_arena *a, const struct tb_data_source *d,
                             Tfplugin6__GetProviderSchema__Response__DataSourceSchemasEntry **out)
{
	Tfplugin6__GetProviderSchema__Response__DataSourceSchemasEntry *e =
	    TB_RPC_NEW(a, Tfplugin6__GetProviderSchema__Response__DataSourceSchemasEntry,
	               tfplugin6__get_provider_schema__response__data_source_schemas_entry);

	if (!e)
		return TB_ENOMEM;
	e->key = (char *)d->name;
	*out = e;
	return tb_rpc_schema_to_pb(a, d->schema, &e->value);
}

/* The data_source_schemas of GetProviderSchema. */
static int data_source_schemas(struct tb_arena *a, Tfplugin6__GetProviderSchema__Response *r)
{
	size_t n = count_data_sources();
	int rc = 0;

	r->data_source_schemas = tb_arena_alloc(a, (n + 1) * sizeof(*r->data_source_schemas));
	if (!r->data_source_schemas)
		return TB_ENOMEM;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = data_source_entry(a, tb_data_sources[i], &r->data_source_schemas[i]);
	r->n_data_source_schemas = rc == 0 ? n : 0;
	return rc;
}

/* GetProviderSchema: the provider block, every resource, ephemeral resource
 * and data source type, capabilities; no functions, list or action types. */
int tb_rpc_get_provider_schema(struct tb_call *c, const void *req, void *resp)
{
	Tfplugin6__GetProviderSchema__Response *r = resp;
	size_t n = count_resources();
	int rc;

	r->server_capabilities = tb_rpc_server_caps(c->arena);
	r->resource_schemas = tb_arena_alloc(c->arena, (n + 1) * sizeof(*r->resource_schemas));
	if (!r->server_capabilities || !r->resource_schemas)
		return TB_ENOMEM;
	rc = tb_rpc_schema_to_pb(c->arena, &tb_provider_schema, &r->provider);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = schema_entry(c->arena, tb_resources[i], &r->resource_schemas[i]);
	if (rc == 0)
		rc = ephemeral_schemas(c->arena, r);
	if (rc == 0)
		rc = data_source_schemas(c->arena, r);
	if (rc == TB_ENOMEM)
		return rc;
	if (rc) {
		tb_diag_add(&c->diags, TB_SEV_ERROR, NULL, "Internal error",
		            "The provider's schema tables are malformed.");
		return 0;
	}
	r->n_resource_schemas = n;
	return 0;
}

/* ValidateProviderConfig: checks that need no AWS access. */
int tb_rpc_validate_provider_config(struct tb_call *c, const void *req, void *resp)
{
	const Tfplugin6__ValidateProviderConfig__Request *r = req;
	const struct tb_type *t = tb_block_type(tb_provider_schema.block);
	const struct tb_value *config;
	int rc;

	rc = tb_rpc_value_decode(c, r->config, t, "provider configuration", &config);
	if (rc == 0)
		tb_provider_validate(c, config);
	return rc == TB_ENOMEM ? rc : 0;
}

/*
 * ConfigureProvider: builds the provider's settings and AWS client. A run
 * starts with it, and debug mode serves many runs in one process: a
 * StopProvider of an earlier run no longer applies (shutdown still does).
 */
int tb_rpc_configure_provider(struct tb_call *c, const void *req, void *resp)
{
	const Tfplugin6__ConfigureProvider__Request *r = req;
	const struct tb_type *t = tb_block_type(tb_provider_schema.block);
	const struct tb_value *config;
	int rc;

	atomic_store(&tb_rpc_cancel, false);
	if (atomic_load(&tb_rpc_stopping))
		atomic_store(&tb_rpc_cancel, true);
	tb_rpc_caps(c, r->client_capabilities);
	rc = tb_rpc_value_decode(c, r->config, t, "provider configuration", &config);
	if (rc == TB_ENOMEM)
		return rc;
	if (rc == 0) {
		rc = tb_provider_configure(c, config);
		tb_rpc_fail(c, rc, "Provider configuration failed");
	}
	return 0;
}

/* StopProvider: raises the cancellation flag that waits and retries poll. */
int tb_rpc_stop_provider(struct tb_call *c, const void *req, void *resp)
{
	atomic_store(&tb_rpc_cancel, true);
	tb_log(TB_LOG_INFO, "rpc", "stop requested: cancelling running operations", NULL);
	return 0;
}

/* GetResourceIdentitySchemas: no resource type has an identity. */
int tb_rpc_get_identity_schemas(struct tb_call *c, const void *req, void *resp)
{
	return 0;
}

/* UpgradeResourceIdentity: there are no identities to upgrade. */
int tb_rpc_upgrade_identity(struct tb_call *c, const void *req, void *resp)
{
	const Tfplugin6__UpgradeResourceIdentity__Request *r = req;
	const struct tb_type *t;

	if (tb_rpc_resource(c, r->type_name, &t))
		tb_diag_addf(&c->diags, TB_SEV_ERROR, NULL, "Resource identity not supported",
		             "Resource type \"%s\" has no identity schema.", r->type_name);
	return 0;
}

/* GetFunctions: the provider defines no functions. */
int tb_rpc_get_functions(struct tb_call *c, const void *req, void *resp)
{
	return 0;
}

/* CallFunction: every name is unknown. */
int tb_rpc_call_function(struct tb_call *c, const void *req, void *resp)
{
	const Tfplugin6__CallFunction__Request *r = req;
	Tfplugin6__CallFunction__Response *out = resp;

	out->error = TB_RPC_NEW(c->arena, Tfplugin6__FunctionError, tfplugin6__function_error);
	if (!out->error)
		return TB_ENOMEM;
	out->error->text = tb_arena_printf(
	    c->arena, "The talentbase provider has no function named \"%s\".", r->name);
	return out->error->text ? 0 : TB_ENOMEM;
}

/* InvokeAction: one "completed" event carrying the unknown-action error. */
int tb_rpc_invoke_action(struct tb_call *c, const void *req, void *resp)
{
	Tfplugin6__InvokeAction__Event *ev = resp;
	Tfplugin6__InvokeAction__Event__Completed *done;

	done = TB_RPC_NEW(c->arena, Tfplugin6__InvokeAction__Event__Completed,
	                  tfplugin6__invoke_action__event__completed);
	if (!done)
		return TB_ENOMEM;
	tb_rpc_unknown_type(c, "action", req);
	if (tb_rpc_diags_to_pb(c->arena, &c->diags, &done->diagnostics, &done->n_diagnostics))
		return TB_ENOMEM;
	ev->type_case = TFPLUGIN6__INVOKE_ACTION__EVENT__TYPE_COMPLETED;
	ev->completed = done;
	return 0;
}

/* plugin.GRPCController/Shutdown: the server stops once this is answered
 * (the row's stop_after). */
int tb_rpc_controller_shutdown(struct tb_call *c, const void *req, void *resp)
{
	tb_log(TB_LOG_DEBUG, "rpc", "shutdown requested by the client", NULL);
	return 0;
}

/* The services whose health the server reports. */
static const char *const health_services[] = {"", "plugin"};

/* grpc.health.v1.Health/Check: SERVING for "" and "plugin", else NOT_FOUND. */
int tb_rpc_health_check(struct tb_call *c, const void *req, void *resp)
{
	const Grpc__Health__V1__HealthCheckRequest *r = req;
	Grpc__Health__V1__HealthCheckResponse *out = resp;

	for (size_t i = 0; i < TB_COUNT(health_services); i++) {
		if (tb_str_eq(r->service, health_services[i])) {
			out->status =
			    GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING;
			return 0;
		}
	}
	return TB_ENOTFOUND;
}

/* grpc.health.v1.Health/List: every service SERVING. */
int tb_rpc_health_list(struct tb_call *c, const void *req, void *resp)
{
	Grpc__Health__V1__HealthListResponse *out = resp;
	Grpc__Health__V1__HealthListResponse__StatusesEntry **v;
	size_t n = TB_COUNT(health_services);

	v = tb_arena_alloc(c->arena, n * sizeof(*v));
	if (!v)
		return TB_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		v[i] = TB_RPC_NEW(c->arena, Grpc__Health__V1__HealthListResponse__StatusesEntry,
		                  grpc__health__v1__health_list_response__statuses_entry);
		if (!v[i])
			return TB_ENOMEM;
		v[i]->key = (char *)health_services[i];
		v[i]->value = TB_RPC_NEW(c->arena, Grpc__Health__V1__HealthCheckResponse,
		                         grpc__health__v1__health_check_response);
		if (!v[i]->value)
			return TB_ENOMEM;
		v[i]->value->status =
		    GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING;
	}
	out->statuses = v;
	out->n_statuses = n;
	return 0;
}
