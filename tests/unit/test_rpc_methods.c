/*
 * The method table against the generated service descriptors, and every
 * row dispatched in process: answers for the provider's own tables, for
 * names it does not know, and for kinds of objects it does not define.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rpc/rpc_int.h"

static struct tb_arena *arena;

static int setup(void **state)
{
	arena = tb_arena_new();
	return arena ? 0 : -1;
}

static int teardown(void **state)
{
	tb_arena_free(arena);
	return 0;
}

/* ---- the table ---------------------------------------------------------------- */

static const ProtobufCServiceDescriptor *const services[] = {
    &tfplugin6__provider__descriptor,
    &plugin__grpccontroller__descriptor,
    &grpc__health__v1__health__descriptor,
};

/* Methods deliberately left to the UNIMPLEMENTED answer. */
static const char *const unregistered[] = {
    "/grpc.health.v1.Health/Watch",
};

static const char *const streaming[][2] = {
    {"/tfplugin6.Provider/ListResource", "server"},
    {"/tfplugin6.Provider/ReadStateBytes", "server"},
    {"/tfplugin6.Provider/InvokeAction", "server"},
    {"/tfplugin6.Provider/WriteStateBytes", "client"},
};

static bool is_unregistered(const char *name)
{
	for (size_t i = 0; i < TB_COUNT(unregistered); i++) {
		if (strcmp(unregistered[i], name) == 0)
			return true;
	}
	return false;
}

static void test_rpc_table_complete(void **state)
{
	size_t rows = 0;
	char name[128];

	for (size_t s = 0; s < TB_COUNT(services); s++) {
		for (unsigned i = 0; i < services[s]->n_methods; i++) {
			const ProtobufCMethodDescriptor *md = &services[s]->methods[i];
			const struct tb_rpc_method *m;

			snprintf(name, sizeof(name), "/%s/%s", services[s]->name, md->name);
			m = tb_rpc_method_find(name);
			if (is_unregistered(name)) {
				assert_null(m);
				continue;
			}
			if (!m)
				fail_msg("no row for %s", name);
			assert_ptr_equal(m->request, md->input);
			assert_ptr_equal(m->response, md->output);
			rows++;
		}
	}
	/* Nothing else in the table, and every row answers somehow. */
	assert_int_equal(rows, tb_rpc_n_methods);
	assert_int_equal(tfplugin6__provider__descriptor.n_methods, 36);
	for (size_t i = 0; i < tb_rpc_n_methods; i++) {
		assert_true((tb_rpc_methods[i].handler != NULL) !=
		            (tb_rpc_methods[i].none != NULL));
		assert_ptr_equal(tb_rpc_method_find(tb_rpc_methods[i].name), &tb_rpc_methods[i]);
	}
}

static void test_rpc_table_streaming(void **state)
{
	for (size_t i = 0; i < tb_rpc_n_methods; i++) {
		const struct tb_rpc_method *m = &tb_rpc_methods[i];
		const char *kind = NULL;

		for (size_t j = 0; j < TB_COUNT(streaming); j++) {
			if (strcmp(streaming[j][0], m->name) == 0)
				kind = streaming[j][1];
		}
		assert_int_equal(m->server_stream, kind && strcmp(kind, "server") == 0);
		assert_int_equal(m->client_stream, kind && strcmp(kind, "client") == 0);
		assert_int_equal(m->stop_after,
		                 strcmp(m->name, "/plugin.GRPCController/Shutdown") == 0);
	}
}

/* ---- dispatching ---------------------------------------------------------------- */

/* Runs method with req (NULL: empty) and returns the parsed response. */
static void *call(const char *method, const ProtobufCMessage *req, int want_rc,
                  struct tb_diags *diags_out)
{
	const struct tb_rpc_method *m = tb_rpc_method_find(method);
	struct tb_call c = {.arena = arena, .meta = tb_provider_meta(), .cancel = &tb_rpc_cancel};
	ProtobufCAllocator alloc = tb_rpc_allocator(arena);
	uint8_t *in = NULL;
	size_t in_len = 0, out_len = 0;
	void *out = NULL;
	int rc;

	assert_non_null(m);
	tb_diags_init(&c.diags, arena);
	if (req) {
		in_len = protobuf_c_message_get_packed_size(req);
		in = tb_arena_alloc(arena, in_len + 1);
		protobuf_c_message_pack(req, in);
	}
	rc = tb_rpc_dispatch(&c, m, in, in_len, &out, &out_len);
	if (rc != want_rc)
		fail_msg("%s: rc %d, want %d", method, rc, want_rc);
	if (diags_out)
		*diags_out = c.diags;
	if (rc)
		return NULL;
	return protobuf_c_message_unpack(m->response, &alloc, out_len, out);
}

/* The diagnostics of a response, whichever field holds them. */
static void diags_of(const ProtobufCMessage *m, Tfplugin6__Diagnostic ***v, size_t *n)
{
	const ProtobufCFieldDescriptor *f =
	    protobuf_c_message_descriptor_get_field_by_name(m->descriptor, "diagnostics");

	if (!f)
		f = protobuf_c_message_descriptor_get_field_by_name(m->descriptor, "diagnostic");
	*n = f ? *(const size_t *)((const char *)m + f->quantifier_offset) : 0;
	*v = f ? *(Tfplugin6__Diagnostic ***)((const char *)m + f->offset) : NULL;
}

static void assert_one_error(const ProtobufCMessage *m, const char *summary_part)
{
	Tfplugin6__Diagnostic **v;
	size_t n;

	diags_of(m, &v, &n);
	if (n != 1)
		fail_msg("%s: %zu diagnostics, want 1", m->descriptor->name, n);
	assert_int_equal(v[0]->severity, TFPLUGIN6__DIAGNOSTIC__SEVERITY__ERROR);
	if (!strstr(v[0]->summary, summary_part) && !strstr(v[0]->detail, summary_part))
		fail_msg("%s: \"%s\" / \"%s\" lacks \"%s\"", m->descriptor->name, v[0]->summary,
		         v[0]->detail, summary_part);
}

/*
 * Every row answers an empty request without failing the call (except
 * ConfigureProvider, which would reach for credentials: not hermetic).
 */
static void test_rpc_every_row_answers(void **state)
{
	for (size_t i = 0; i < tb_rpc_n_methods; i++) {
		const struct tb_rpc_method *m = &tb_rpc_methods[i];
		ProtobufCMessage *resp;

		if (m->handler == tb_rpc_configure_provider)
			continue;
		resp = call(m->name, NULL, 0, NULL);

		assert_non_null(resp);
		if (m->none)
			assert_one_error(resp, m->none);
	}
	atomic_store(&tb_rpc_cancel, false);
}

static void test_rpc_unknown_kinds_name_the_type(void **state)
{
	Tfplugin6__ReadDataSource__Request rd = TFPLUGIN6__READ_DATA_SOURCE__REQUEST__INIT;
	Tfplugin6__WriteStateBytes__RequestChunk chunk =
	    TFPLUGIN6__WRITE_STATE_BYTES__REQUEST_CHUNK__INIT;
	Tfplugin6__RequestChunkMeta meta = TFPLUGIN6__REQUEST_CHUNK_META__INIT;
	Tfplugin6__PlanAction__Request pa = TFPLUGIN6__PLAN_ACTION__REQUEST__INIT;
	Tfplugin6__InvokeAction__Request ia = TFPLUGIN6__INVOKE_ACTION__REQUEST__INIT;
	Tfplugin6__InvokeAction__Event *ev;
	ProtobufCMessage *resp;

	rd.type_name = "talentbase_thing";
	resp = call("/tfplugin6.Provider/ReadDataSource", &rd.base, 0, NULL);
	assert_one_error(resp, "\"talentbase_thing\"");
	assert_null(((Tfplugin6__ReadDataSource__Response *)resp)->state);
	meta.type_name = "s3ish";
	chunk.meta = &meta;
	resp = call("/tfplugin6.Provider/WriteStateBytes", &chunk.base, 0, NULL);
	assert_one_error(resp, "\"s3ish\"");
	pa.action_type = "talentbase_restart";
	resp = call("/tfplugin6.Provider/PlanAction", &pa.base, 0, NULL);
	assert_one_error(resp, "\"talentbase_restart\"");
	ia.action_type = "talentbase_restart";
	ev = call("/tfplugin6.Provider/InvokeAction", &ia.base, 0, NULL);
	assert_int_equal(ev->type_case, TFPLUGIN6__INVOKE_ACTION__EVENT__TYPE_COMPLETED);
	assert_int_equal(ev->completed->n_diagnostics, 1);
	assert_non_null(strstr(ev->completed->diagnostics[0]->detail, "talentbase_restart"));
}

static void test_rpc_malformed_request(void **state)
{
	const struct tb_rpc_method *m = tb_rpc_method_find("/tfplugin6.Provider/GetProviderSchema");
	struct tb_call c = {.arena = arena, .meta = tb_provider_meta(), .cancel = &tb_rpc_cancel};
	static const uint8_t junk[] = {0x0a, 0xff, 0xff, 0xff}; /* length beyond the end */
	void *out;
	size_t len;

	tb_diags_init(&c.diags, arena);
	assert_int_equal(tb_rpc_dispatch(&c, m, junk, sizeof(junk), &out, &len), TB_EINVAL);
}

/* ---- provider-level answers ----------------------------------------------------- */

static size_t n_resources(void)
{
	size_t n = 0;

	while (tb_resources[n])
		n++;
	return n;
}

static size_t n_data_sources(void)
{
	size_t n = 0;

	while (tb_data_sources[n])
		n++;
	return n;
}

static size_t n_ephemerals(void)
{
	size_t n = 0;

	while (tb_ephemerals[n])
		n++;
	return n;
}

static void test_rpc_provider_schema(void **state)
{
	Tfplugin6__GetProviderSchema__Response *r;
	Tfplugin6__GetMetadata__Response *md;

	r = call("/tfplugin6.Provider/GetProviderSchema", NULL, 0, NULL);
	assert_non_null(r->provider);
	assert_non_null(r->provider->block);
	assert_int_equal(r->provider->block->n_attributes, tb_provider_schema.block->n_attrs);
	assert_int_equal(r->n_resource_schemas, n_resources());
	for (size_t i = 0; i < r->n_resource_schemas; i++) {
		assert_string_equal(r->resource_schemas[i]->key, tb_resources[i]->name);
		assert_int_equal(r->resource_schemas[i]->value->version,
		                 tb_resources[i]->schema->version);
	}
	assert_int_equal(r->n_data_source_schemas, n_data_sources());
	for (size_t i = 0; i < r->n_data_source_schemas; i++) {
		assert_string_equal(r->data_source_schemas[i]->key, tb_data_sources[i]->name);
		assert_int_equal(r->data_source_schemas[i]->value->block->n_attributes,
		                 tb_data_sources[i]->schema->block->n_attrs);
	}
	assert_int_equal(r->n_functions, 0);
	assert_int_equal(r->n_ephemeral_resource_schemas, n_ephemerals());
	for (size_t i = 0; i < r->n_ephemeral_resource_schemas; i++) {
		assert_string_equal(r->ephemeral_resource_schemas[i]->key, tb_ephemerals[i]->name);
		assert_non_null(r->ephemeral_resource_schemas[i]->value->block);
	}
	assert_int_equal(r->n_diagnostics, 0);
	assert_non_null(r->server_capabilities);
	assert_true(r->server_capabilities->plan_destroy);
	assert_true(r->server_capabilities->get_provider_schema_optional);
	assert_false(r->server_capabilities->move_resource_state);

	md = call("/tfplugin6.Provider/GetMetadata", NULL, 0, NULL);
	assert_int_equal(md->n_resources, n_resources());
	assert_true(md->server_capabilities->plan_destroy);
	for (size_t i = 0; i < md->n_resources; i++)
		assert_string_equal(md->resources[i]->type_name, tb_resources[i]->name);
	assert_int_equal(md->n_ephemeral_resources, n_ephemerals());
	for (size_t i = 0; i < md->n_ephemeral_resources; i++)
		assert_string_equal(md->ephemeral_resources[i]->type_name, tb_ephemerals[i]->name);
	assert_int_equal(md->n_data_sources, n_data_sources());
	for (size_t i = 0; i < md->n_data_sources; i++)
		assert_string_equal(md->data_sources[i]->type_name, tb_data_sources[i]->name);
}

static void test_rpc_stop_provider(void **state)
{
	atomic_store(&tb_rpc_cancel, false);
	assert_non_null(call("/tfplugin6.Provider/StopProvider", NULL, 0, NULL));
	assert_true(atomic_load(&tb_rpc_cancel));
	atomic_store(&tb_rpc_cancel, false);
}

/* The next run's ConfigureProvider lifts an earlier StopProvider, not a
 * shutdown. The configuration fails before any network access (no region). */
static void test_rpc_configure_after_stop(void **state)
{
	unsetenv("AWS_REGION");
	unsetenv("AWS_DEFAULT_REGION");
	setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
	assert_non_null(call("/tfplugin6.Provider/StopProvider", NULL, 0, NULL));
	assert_non_null(call("/tfplugin6.Provider/ConfigureProvider", NULL, 0, NULL));
	assert_false(atomic_load(&tb_rpc_cancel));
	atomic_store(&tb_rpc_stopping, true);
	atomic_store(&tb_rpc_cancel, true);
	assert_non_null(call("/tfplugin6.Provider/ConfigureProvider", NULL, 0, NULL));
	assert_true(atomic_load(&tb_rpc_cancel));
	atomic_store(&tb_rpc_stopping, false);
	atomic_store(&tb_rpc_cancel, false);
}

static void test_rpc_functions_and_health(void **state)
{
	Tfplugin6__CallFunction__Request cf = TFPLUGIN6__CALL_FUNCTION__REQUEST__INIT;
	Tfplugin6__CallFunction__Response *cr;
	Grpc__Health__V1__HealthCheckRequest hc = GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
	Grpc__Health__V1__HealthCheckResponse *hr;
	Grpc__Health__V1__HealthListResponse *hl;
	Tfplugin6__GetFunctions__Response *fr;

	fr = call("/tfplugin6.Provider/GetFunctions", NULL, 0, NULL);
	assert_int_equal(fr->n_functions + fr->n_diagnostics, 0);
	cf.name = "parse_arn";
	cr = call("/tfplugin6.Provider/CallFunction", &cf.base, 0, NULL);
	assert_non_null(cr->error);
	assert_non_null(strstr(cr->error->text, "\"parse_arn\""));
	assert_null(cr->result);

	hc.service = "plugin";
	hr = call("/grpc.health.v1.Health/Check", &hc.base, 0, NULL);
	assert_int_equal(hr->status,
	                 GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING);
	hc.service = "";
	hr = call("/grpc.health.v1.Health/Check", &hc.base, 0, NULL);
	assert_int_equal(hr->status,
	                 GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING);
	hc.service = "tfplugin6.Provider.nope";
	assert_null(call("/grpc.health.v1.Health/Check", &hc.base, TB_ENOTFOUND, NULL));
	hl = call("/grpc.health.v1.Health/List", NULL, 0, NULL);
	assert_int_equal(hl->n_statuses, 2);
}

/* ---- resource-level answers ------------------------------------------------------ */

static void test_rpc_unknown_resource(void **state)
{
	Tfplugin6__ValidateResourceConfig__Request v =
	    TFPLUGIN6__VALIDATE_RESOURCE_CONFIG__REQUEST__INIT;
	Tfplugin6__PlanResourceChange__Request p = TFPLUGIN6__PLAN_RESOURCE_CHANGE__REQUEST__INIT;
	Tfplugin6__ApplyResourceChange__Request a = TFPLUGIN6__APPLY_RESOURCE_CHANGE__REQUEST__INIT;
	Tfplugin6__ReadResource__Request r = TFPLUGIN6__READ_RESOURCE__REQUEST__INIT;
	Tfplugin6__ImportResourceState__Request i = TFPLUGIN6__IMPORT_RESOURCE_STATE__REQUEST__INIT;
	Tfplugin6__UpgradeResourceState__Request u =
	    TFPLUGIN6__UPGRADE_RESOURCE_STATE__REQUEST__INIT;
	Tfplugin6__ImportResourceState__Response *ir;

	v.type_name = p.type_name = a.type_name = r.type_name = i.type_name = u.type_name =
	    "talentbase_nope";
	assert_one_error(call("/tfplugin6.Provider/ValidateResourceConfig", &v.base, 0, NULL),
	                 "Unknown resource type");
	assert_one_error(call("/tfplugin6.Provider/PlanResourceChange", &p.base, 0, NULL),
	                 "Unknown resource type");
	assert_one_error(call("/tfplugin6.Provider/ApplyResourceChange", &a.base, 0, NULL),
	                 "Unknown resource type");
	assert_one_error(call("/tfplugin6.Provider/ReadResource", &r.base, 0, NULL),
	                 "\"talentbase_nope\"");
	ir = call("/tfplugin6.Provider/ImportResourceState", &i.base, 0, NULL);
	assert_one_error(&ir->base, "Unknown resource type");
	assert_int_equal(ir->n_imported_resources, 0);
	assert_one_error(call("/tfplugin6.Provider/UpgradeResourceState", &u.base, 0, NULL),
	                 "Unknown resource type");
}

static const uint8_t msgpack_nil[] = {0xc0};

/* A data source read before ConfigureProvider is an error, with no state;
 * its validation runs without AWS. */
static void test_rpc_data_source_needs_configure(void **state)
{
	Tfplugin6__ReadDataSource__Request rd = TFPLUGIN6__READ_DATA_SOURCE__REQUEST__INIT;
	Tfplugin6__ValidateDataResourceConfig__Request vd =
	    TFPLUGIN6__VALIDATE_DATA_RESOURCE_CONFIG__REQUEST__INIT;
	Tfplugin6__DynamicValue nil = TFPLUGIN6__DYNAMIC_VALUE__INIT;
	Tfplugin6__ReadDataSource__Response *r;
	Tfplugin6__ValidateDataResourceConfig__Response *v;
	static const char json[] = "{\"cluster\":\"c\",\"listener_port\":443}";
	const struct tb_value *config = NULL;
	void *data;
	size_t len;

	assert_int_equal(
	    tb_upgrade_json_state(arena, tb_data_sources[0]->schema, json, strlen(json), &config),
	    0);
	assert_int_equal(tb_msgpack_encode(arena, config, &data, &len), 0);
	nil.msgpack.data = data;
	nil.msgpack.len = len;
	rd.type_name = vd.type_name = (char *)tb_data_sources[0]->name;
	rd.config = vd.config = &nil;
	r = call("/tfplugin6.Provider/ReadDataSource", &rd.base, 0, NULL);
	assert_one_error(&r->base, "not configured");
	assert_null(r->state);
	/* listener_port without load_balancer */
	v = call("/tfplugin6.Provider/ValidateDataResourceConfig", &vd.base, 0, NULL);
	assert_one_error(&v->base, "load_balancer");
}

/* Destroy: planned null without the resource being asked; private kept. */
static void test_rpc_plan_destroy(void **state)
{
	Tfplugin6__PlanResourceChange__Request p = TFPLUGIN6__PLAN_RESOURCE_CHANGE__REQUEST__INIT;
	Tfplugin6__DynamicValue nil = TFPLUGIN6__DYNAMIC_VALUE__INIT;
	Tfplugin6__PlanResourceChange__Response *r;

	nil.msgpack.data = (uint8_t *)msgpack_nil;
	nil.msgpack.len = 1;
	p.type_name = (char *)tb_resources[0]->name;
	p.prior_state = p.proposed_new_state = p.config = &nil;
	p.prior_private.data = (uint8_t *)"opaque";
	p.prior_private.len = 6;
	r = call("/tfplugin6.Provider/PlanResourceChange", &p.base, 0, NULL);
	assert_int_equal(r->n_diagnostics, 0);
	assert_non_null(r->planned_state);
	assert_int_equal(r->planned_state->msgpack.len, 1);
	assert_int_equal(r->planned_state->msgpack.data[0], 0xc0);
	assert_int_equal(r->n_requires_replace, 0);
	assert_false(r->legacy_type_system);
	assert_int_equal(r->planned_private.len, 6);
	assert_memory_equal(r->planned_private.data, "opaque", 6);
}

static void test_rpc_upgrade_state(void **state)
{
	const struct tb_resource *res = tb_resources[0];
	const struct tb_type *t = tb_block_type(res->schema->block);
	Tfplugin6__UpgradeResourceState__Request u =
	    TFPLUGIN6__UPGRADE_RESOURCE_STATE__REQUEST__INIT;
	Tfplugin6__RawState raw = TFPLUGIN6__RAW_STATE__INIT;
	Tfplugin6__RawState__FlatmapEntry entry = TFPLUGIN6__RAW_STATE__FLATMAP_ENTRY__INIT;
	Tfplugin6__RawState__FlatmapEntry *entries[] = {&entry};
	Tfplugin6__UpgradeResourceState__Response *r;
	const struct tb_value *v;

	u.type_name = (char *)res->name;
	u.raw_state = &raw;
	u.version = res->schema->version;
	/* Same version: decoded from JSON and re-encoded as msgpack all the same. */
	raw.json.data = (uint8_t *)"{}";
	raw.json.len = 2;
	r = call("/tfplugin6.Provider/UpgradeResourceState", &u.base, 0, NULL);
	assert_int_equal(r->n_diagnostics, 0);
	assert_non_null(r->upgraded_state);
	assert_int_equal(r->upgraded_state->json.len, 0);
	assert_int_equal(tb_msgpack_decode(arena, t, r->upgraded_state->msgpack.data,
	                                   r->upgraded_state->msgpack.len, &v),
	                 0);
	assert_true(tb_is_known(v));
	/* A state written by a newer provider. */
	u.version = res->schema->version + 1;
	assert_one_error(call("/tfplugin6.Provider/UpgradeResourceState", &u.base, 0, NULL),
	                 "newer");
	/* Pre-0.12 flat maps. */
	u.version = 0;
	raw.json.len = 0;
	entry.key = "id";
	entry.value = "x";
	raw.flatmap = entries;
	raw.n_flatmap = 1;
	assert_one_error(call("/tfplugin6.Provider/UpgradeResourceState", &u.base, 0, NULL),
	                 "flat-map");
	/* Garbage JSON. */
	raw.n_flatmap = 0;
	raw.json.data = (uint8_t *)"{not json";
	raw.json.len = 9;
	u.version = res->schema->version;
	assert_one_error(call("/tfplugin6.Provider/UpgradeResourceState", &u.base, 0, NULL),
	                 "Invalid stored state");
}

static void test_rpc_move_not_supported(void **state)
{
	Tfplugin6__MoveResourceState__Request m = TFPLUGIN6__MOVE_RESOURCE_STATE__REQUEST__INIT;
	Tfplugin6__MoveResourceState__Response *r;

	m.source_type_name = "aws_ecs_service";
	m.source_provider_address = "registry.terraform.io/hashicorp/aws";
	m.target_type_name = (char *)tb_resources[0]->name;
	r = call("/tfplugin6.Provider/MoveResourceState", &m.base, 0, NULL);
	assert_one_error(&r->base, "aws_ecs_service");
	assert_null(r->target_state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rpc_table_complete),
	    cmocka_unit_test(test_rpc_table_streaming),
	    cmocka_unit_test_setup_teardown(test_rpc_every_row_answers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rpc_unknown_kinds_name_the_type, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rpc_malformed_request, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rpc_provider_schema, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rpc_stop_provider, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rpc_configure_after_stop, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rpc_functions_and_health, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rpc_unknown_resource, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rpc_data_source_needs_configure, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rpc_plan_destroy, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rpc_upgrade_state, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rpc_move_not_supported, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
