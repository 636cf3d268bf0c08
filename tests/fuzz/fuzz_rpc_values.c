/*
 * tfplugin6 requests -> cty values (rpc/convert.c, rpc/handlers_*.c).
 *
 * Input: a method name ("PlanResourceChange", the last part of the row's
 * gRPC name), a newline, then the protobuf request; without a newline (or
 * for a name that is not a row) the first byte picks the row and the rest is
 * the request. The request runs through tb_rpc_dispatch, the server's own
 * path (protobuf-c decode, the handler, the packed answer), for every row
 * whose handler needs neither AWS nor process state: the provider is not
 * configured, so resource operations that would call AWS stop at their
 * "not configured" check. Then every DynamicValue anywhere in the request
 * is decoded against the schema the request is about (the provider's for
 * provider calls, else the named resource type or talentbase_service),
 * encoded again, and must decode to an equal value.
 */
#include <protobuf-c/protobuf-c.h>

#include "fuzz.h"
#include "rpc/rpc_int.h"
#include "tb/log.h"

#define MAX_DEPTH 16

/* Rows not run: they configure the AWS client or raise the stop flag. */
static const char *const not_run[] = {
    "/tfplugin6.Provider/ConfigureProvider",
    "/tfplugin6.Provider/StopProvider",
};

/* Requests whose values are the provider block's. */
static const char *const provider_rows[] = {
    "/tfplugin6.Provider/ValidateProviderConfig",
    "/tfplugin6.Provider/ConfigureProvider",
};

static bool listed(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

static const struct tb_rpc_method *pick_row(struct fuzz_in *in)
{
	struct fuzz_in all = *in;
	bool named = false;
	struct fuzz_span name = fuzz_field(in, '\n', &named);

	for (size_t i = 0; named && i < tb_rpc_n_methods; i++) {
		const char *slash = strrchr(tb_rpc_methods[i].name, '/');
		if (strlen(slash + 1) == name.n && memcmp(slash + 1, name.p, name.n) == 0)
			return &tb_rpc_methods[i];
	}
	*in = all;
	return &tb_rpc_methods[fuzz_byte(in) % tb_rpc_n_methods];
}

/* The value type of the request's DynamicValues. */
static const struct tb_type *value_type(const struct tb_rpc_method *m, const ProtobufCMessage *req)
{
	const ProtobufCFieldDescriptor *f =
	    protobuf_c_message_descriptor_get_field_by_name(req->descriptor, "type_name");
	const char *name = NULL;
	const struct tb_resource *r;

	if (listed(provider_rows, TB_COUNT(provider_rows), m->name))
		return tb_block_type(tb_provider_schema.block);
	if (f && f->type == PROTOBUF_C_TYPE_STRING && f->label != PROTOBUF_C_LABEL_REPEATED)
		name = *(const char *const *)((const char *)req + f->offset);
	r = name ? tb_resource_find(name) : NULL;
	return tb_block_type((r ? r : &tb_resource_service)->schema->block);
}

static void check_value(struct tb_call *c, const Tfplugin6__DynamicValue *dv,
                        const struct tb_type *t)
{
	const struct tb_value *v = NULL, *w = NULL;
	Tfplugin6__DynamicValue *enc = NULL;

	if (tb_rpc_value_decode(c, dv, t, "value", &v) != 0)
		return;
	FUZZ_CHECK(tb_rpc_value_encode(c->arena, v, t, &enc) == 0);
	FUZZ_CHECK(tb_rpc_value_decode(c, enc, t, "value", &w) == 0);
	FUZZ_CHECK(tb_value_equal(v, w));
}

static void walk(struct tb_call *c, const ProtobufCMessage *m, const struct tb_type *t, int depth);

static void walk_field(struct tb_call *c, const ProtobufCMessage *m,
                       const ProtobufCFieldDescriptor *f, const struct tb_type *t, int depth)
{
	const char *base = (const char *)m;

	if (f->label == PROTOBUF_C_LABEL_REPEATED) {
		size_t n = *(const size_t *)(base + f->quantifier_offset);
		ProtobufCMessage *const *items =
		    *(ProtobufCMessage *const *const *)(base + f->offset);
		for (size_t i = 0; i < n; i++)
			walk(c, items[i], t, depth + 1);
		return;
	}
	if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
	    *(const uint32_t *)(base + f->quantifier_offset) != f->id)
		return;
	walk(c, *(ProtobufCMessage *const *)(base + f->offset), t, depth + 1);
}

static void walk(struct tb_call *c, const ProtobufCMessage *m, const struct tb_type *t, int depth)
{
	if (!m || depth > MAX_DEPTH)
		return;
	if (m->descriptor == &tfplugin6__dynamic_value__descriptor) {
		check_value(c, (const Tfplugin6__DynamicValue *)m, t);
		return;
	}
	for (unsigned i = 0; i < m->descriptor->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &m->descriptor->fields[i];
		if (f->type == PROTOBUF_C_TYPE_MESSAGE)
			walk_field(c, m, f, t, depth);
	}
}

static void run(struct tb_arena *a, const struct tb_rpc_method *m, const struct fuzz_in *in)
{
	struct tb_call c = {.arena = a, .meta = tb_provider_meta(), .cancel = &tb_rpc_cancel};
	void *out = NULL;
	size_t out_len = 0;

	tb_diags_init(&c.diags, a);
	if (!listed(not_run, TB_COUNT(not_run), m->name))
		tb_rpc_dispatch(&c, m, in->p, in->n, &out, &out_len);
}

static void convert(struct tb_arena *a, const struct tb_rpc_method *m, const struct fuzz_in *in)
{
	struct tb_call c = {.arena = a, .meta = tb_provider_meta(), .cancel = &tb_rpc_cancel};
	ProtobufCAllocator alloc = tb_rpc_allocator(a);
	ProtobufCMessage *req = protobuf_c_message_unpack(m->request, &alloc, in->n, in->p);
	const struct tb_type *t;

	tb_diags_init(&c.diags, a);
	if (!req)
		return;
	t = value_type(m, req);
	FUZZ_CHECK(t != NULL);
	walk(&c, req, t, 0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	tb_log_set_level(TB_LOG_OFF);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	const struct tb_rpc_method *m = pick_row(&in);
	struct tb_arena *a = tb_arena_new();

	if (!a)
		return 0;
	run(a, m, &in);
	convert(a, m, &in);
	tb_arena_free(a);
	return 0;
}
