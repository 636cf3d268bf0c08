/*
 * rpc internals shared by the server, the method table, the handlers and
 * the unit tests: the method table, protobuf <-> cty/schema conversions.
 */
#ifndef TB_RPC_INT_H
#define TB_RPC_INT_H

#include <protobuf-c/protobuf-c.h>

#include "go_plugin.pb-c.h"
#include "health.pb-c.h"
#include "tb/provider.h"
#include "tb/rpc.h"
#include "tfplugin6.pb-c.h"

/*
 * A handler fills resp, an initialised message of the row's response type
 * allocated in c->arena; req is the decoded request (arena too). Diagnostics
 * added to c->diags go into resp's "diagnostics" field after the handler
 * returns. A negative return means no answer could be built: the call ends
 * with a gRPC error status instead (TB_ENOTFOUND: NOT_FOUND, TB_ENOMEM:
 * RESOURCE_EXHAUSTED, others: INTERNAL).
 */
typedef int (*tb_rpc_handler)(struct tb_call *c, const void *req, void *resp);

struct tb_rpc_method {
	const char *name; /* full gRPC method name: "/tfplugin6.Provider/GetMetadata" */
	const ProtobufCMessageDescriptor *request;
	const ProtobufCMessageDescriptor *response;
	tb_rpc_handler handler;
	/*
	 * With handler NULL: the provider defines no objects of this kind
	 * ("data source", "state store" ...) and the answer is an error
	 * diagnostic naming the requested type.
	 */
	const char *none;
	bool client_stream; /* requests arrive as a stream: read to its end */
	bool server_stream; /* the one response is the stream's only message */
	bool stop_after;    /* plugin shutdown once the reply is sent */
};

extern const struct tb_rpc_method tb_rpc_methods[];
extern const size_t tb_rpc_n_methods;

/* Set (before tb_rpc_cancel) when the server starts shutting down; cleared
 * when a server starts listening. */
extern atomic_bool tb_rpc_stopping;

/* Finds a row by full method name; NULL when absent. */
const struct tb_rpc_method *tb_rpc_method_find(const char *name);

/*
 * Runs row m for request bytes data/len (NULL data: no request message,
 * treated as empty) in c and returns the response packed into *out / *out_len
 * (arena), or a negative code as described for tb_rpc_handler, or TB_EINVAL
 * when the request does not parse.
 */
int tb_rpc_dispatch(struct tb_call *c, const struct tb_rpc_method *m, const void *data, size_t len,
                    void **out, size_t *out_len);

/* Allocates an initialised message of type d in a; NULL when out of memory. */
void *tb_rpc_msg_new(struct tb_arena *a, const ProtobufCMessageDescriptor *d);
/* A new message of C type `type` whose descriptor is snake##__descriptor. */
#define TB_RPC_NEW(a, type, snake) ((type *)tb_rpc_msg_new((a), &snake##__descriptor))
/* An allocator for protobuf_c_message_unpack that allocates in a. */
ProtobufCAllocator tb_rpc_allocator(struct tb_arena *a);

/* ---- conversions (convert.c) --------------------------------------------- */

/*
 * Decodes dv (msgpack when set, else JSON; NULL or empty: null) as type t.
 * On failure adds an error diagnostic about what ("prior state") and returns
 * TB_EINVAL, or TB_ENOMEM.
 */
int tb_rpc_value_decode(struct tb_call *c, const Tfplugin6__DynamicValue *dv,
                        const struct tb_type *t, const char *what, const struct tb_value **out);
/* Encodes v (NULL: null of type t) as msgpack into a new DynamicValue in a. */
int tb_rpc_value_encode(struct tb_arena *a, const struct tb_value *v, const struct tb_type *t,
                        Tfplugin6__DynamicValue **out);

/* The protocol form of a schema table. Returns 0 or TB_ENOMEM. */
int tb_rpc_schema_to_pb(struct tb_arena *a, const struct tb_schema *s, Tfplugin6__Schema **out);
/* The protocol form of an attribute path. Returns 0 or TB_ENOMEM. */
int tb_rpc_path_to_pb(struct tb_arena *a, const struct tb_path *p, Tfplugin6__AttributePath **out);
/*
 * The protocol form of a diagnostics list. When d counts more errors than it
 * holds (an allocation failed while adding one) an extra error diagnostic
 * says so. Returns 0 or TB_ENOMEM.
 */
int tb_rpc_diags_to_pb(struct tb_arena *a, const struct tb_diags *d, Tfplugin6__Diagnostic ***out,
                       size_t *n_out);
/* Appends d to msg's repeated Diagnostic field ("diagnostics" or
 * "diagnostic"); nothing when msg has neither. Returns 0 or TB_ENOMEM. */
int tb_rpc_put_diags(struct tb_arena *a, const struct tb_diags *d, ProtobufCMessage *msg);

/* Adds an error diagnostic for a failed provider operation unless one was
 * already reported. */
void tb_rpc_fail(struct tb_call *c, int rc, const char *summary);
/* The capabilities the request carried (NULL: none). */
void tb_rpc_caps(struct tb_call *c, const Tfplugin6__ClientCapabilities *caps);
/* What the server supports, allocated in a; NULL when out of memory. */
Tfplugin6__ServerCapabilities *tb_rpc_server_caps(struct tb_arena *a);
/* The resource type named, or NULL after adding an error diagnostic; *type
 * is its implied value type. */
const struct tb_resource *tb_rpc_resource(struct tb_call *c, const char *name,
                                          const struct tb_type **type);
/* The same for data source types. */
const struct tb_data_source *tb_rpc_data_source(struct tb_call *c, const char *name,
                                                const struct tb_type **type);

/* ---- handlers (handlers_*.c) --------------------------------------------- */

int tb_rpc_get_metadata(struct tb_call *c, const void *req, void *resp);
int tb_rpc_get_provider_schema(struct tb_call *c, const void *req, void *resp);
int tb_rpc_validate_provider_config(struct tb_call *c, const void *req, void *resp);
int tb_rpc_configure_provider(struct tb_call *c, const void *req, void *resp);
int tb_rpc_stop_provider(struct tb_call *c, const void *req, void *resp);
int tb_rpc_get_identity_schemas(struct tb_call *c, const void *req, void *resp);
int tb_rpc_upgrade_identity(struct tb_call *c, const void *req, void *resp);
int tb_rpc_get_functions(struct tb_call *c, const void *req, void *resp);
int tb_rpc_call_function(struct tb_call *c, const void *req, void *resp);
int tb_rpc_invoke_action(struct tb_call *c, const void *req, void *resp);

int tb_rpc_validate_resource_config(struct tb_call *c, const void *req, void *resp);
int tb_rpc_upgrade_resource_state(struct tb_call *c, const void *req, void *resp);
int tb_rpc_read_resource(struct tb_call *c, const void *req, void *resp);
int tb_rpc_plan_resource_change(struct tb_call *c, const void *req, void *resp);
int tb_rpc_apply_resource_change(struct tb_call *c, const void *req, void *resp);
int tb_rpc_import_resource_state(struct tb_call *c, const void *req, void *resp);
int tb_rpc_move_resource_state(struct tb_call *c, const void *req, void *resp);
int tb_rpc_generate_resource_config(struct tb_call *c, const void *req, void *resp);

int tb_rpc_validate_ephemeral_config(struct tb_call *c, const void *req, void *resp);
int tb_rpc_open_ephemeral(struct tb_call *c, const void *req, void *resp);
int tb_rpc_renew_ephemeral(struct tb_call *c, const void *req, void *resp);
int tb_rpc_close_ephemeral(struct tb_call *c, const void *req, void *resp);
int tb_rpc_validate_data_resource_config(struct tb_call *c, const void *req, void *resp);
int tb_rpc_read_data_source(struct tb_call *c, const void *req, void *resp);

int tb_rpc_controller_shutdown(struct tb_call *c, const void *req, void *resp);
int tb_rpc_health_check(struct tb_call *c, const void *req, void *resp);
int tb_rpc_health_list(struct tb_call *c, const void *req, void *resp);

/* The answer for rows without a handler (see struct tb_rpc_method.none). */
int tb_rpc_unknown_type(struct tb_call *c, const char *kind, const ProtobufCMessage *req);

#endif
