/*
 * One call of a table row: request bytes in, response bytes out, everything
 * in the call's arena.
 */
#include "rpc/rpc_int.h"

static void *arena_pb_alloc(void *arena, size_t n)
{
	return tb_arena_alloc(arena, n ? n : 1);
}

static void arena_pb_free(void *arena, void *p)
{
	(void)arena;
	(void)p;
}

/* Returns an allocator whose memory lives as long as a (frees are no-ops). */
ProtobufCAllocator tb_rpc_allocator(struct tb_arena *a)
{
	ProtobufCAllocator alloc = {
	    .alloc = arena_pb_alloc,
	    .free = arena_pb_free,
	    .allocator_data = a,
	};
	return alloc;
}

/* Returns a zeroed message of type d initialised with its defaults, in a. */
void *tb_rpc_msg_new(struct tb_arena *a, const ProtobufCMessageDescriptor *d)
{
	ProtobufCMessage *m = tb_arena_alloc(a, d->sizeof_message);

	if (m)
		protobuf_c_message_init(d, m);
	return m;
}

/* The string field called name in m, or NULL. */
static const char *string_field(const ProtobufCMessage *m, const char *name)
{
	const ProtobufCFieldDescriptor *f =
	    protobuf_c_message_descriptor_get_field_by_name(m->descriptor, name);

	if (!f || f->type != PROTOBUF_C_TYPE_STRING || f->label == PROTOBUF_C_LABEL_REPEATED)
		return NULL;
	return *(const char *const *)((const char *)m + f->offset);
}

/* The type a request names: its type_name or action_type, or the type_name
 * of its "meta" message (the first chunk of WriteStateBytes). */
static const char *requested_type(const ProtobufCMessage *req)
{
	const ProtobufCFieldDescriptor *meta;
	const ProtobufCMessage *sub;
	const char *name = string_field(req, "type_name");

	if (!name)
		name = string_field(req, "action_type");
	meta = protobuf_c_message_descriptor_get_field_by_name(req->descriptor, "meta");
	if (!name && meta && meta->type == PROTOBUF_C_TYPE_MESSAGE) {
		sub = *(const ProtobufCMessage *const *)((const char *)req + meta->offset);
		if (sub)
			name = string_field(sub, "type_name");
	}
	return name;
}

/* Adds the "unknown <kind> type" error for rows of kinds the provider does
 * not define. Returns 0 (the answer is the diagnostic). */
int tb_rpc_unknown_type(struct tb_call *c, const char *kind, const ProtobufCMessage *req)
{
	const char *name = req ? requested_type(req) : NULL;
	const char *summary = tb_arena_printf(c->arena, "Unknown %s type", kind);

	if (name && *name)
		tb_diag_addf(&c->diags, TB_SEV_ERROR, NULL, summary,
		             "The talentbase provider has no %s type named \"%s\".", kind, name);
	else
		tb_diag_addf(&c->diags, TB_SEV_ERROR, NULL, summary,
		             "The talentbase provider has no %s types.", kind);
	return 0;
}

/*
 * Decodes the request of row m from data/len, runs the row's handler (or
 * the unknown-type answer) and packs the response, all in c->arena.
 * Returns 0 with *out / *out_len set; TB_EINVAL when the request does not
 * parse; TB_ENOMEM; or the handler's negative code.
 */
int tb_rpc_dispatch(struct tb_call *c, const struct tb_rpc_method *m, const void *data, size_t len,
                    void **out, size_t *out_len)
{
	static const uint8_t empty[1];
	ProtobufCAllocator alloc = tb_rpc_allocator(c->arena);
	ProtobufCMessage *req, *resp;
	uint8_t *buf;
	size_t n;
	int rc;

	req = protobuf_c_message_unpack(m->request, &alloc, data ? len : 0, data ? data : empty);
	if (!req)
		return TB_EINVAL;
	resp = tb_rpc_msg_new(c->arena, m->response);
	if (!resp)
		return TB_ENOMEM;
	rc = m->handler ? m->handler(c, req, resp) : tb_rpc_unknown_type(c, m->none, req);
	if (rc == 0)
		rc = tb_rpc_put_diags(c->arena, &c->diags, resp);
	if (rc)
		return rc;
	n = protobuf_c_message_get_packed_size(resp);
	buf = tb_arena_alloc(c->arena, n ? n : 1);
	if (!buf)
		return TB_ENOMEM;
	protobuf_c_message_pack(resp, buf);
	*out_len = n;
	*out = buf;
	return 0;
}
