/*
 * Protocol messages <-> the provider's values, schemas and diagnostics.
 * Every message built here lives in the call's arena.
 */
#include <string.h>

#include "rpc/rpc_int.h"

/* ---- values ---------------------------------------------------------------- */

/* Decodes dv as type t; see rpc_int.h. */
int tb_rpc_value_decode(struct tb_call *c, const Tfplugin6__DynamicValue *dv,
                        const struct tb_type *t, const char *what, const struct tb_value **out)
{
	const struct tb_value *v = NULL;
	int rc;

	if (dv && dv->msgpack.len > 0)
		rc = tb_msgpack_decode(c->arena, t, dv->msgpack.data, dv->msgpack.len, &v);
	else if (dv && dv->json.len > 0)
		rc = tb_json_decode(c->arena, t, (const char *)dv->json.data, dv->json.len, &v);
	else
		rc = (v = tb_null(c->arena, t)) ? 0 : TB_ENOMEM;
	if (rc == TB_ENOMEM)
		return rc;
	if (rc) {
		tb_diag_addf(&c->diags, TB_SEV_ERROR, NULL, "Invalid value from the client",
		             "The %s could not be decoded (%s).", what, tb_strerror(rc));
		return TB_EINVAL;
	}
	*out = v;
	return 0;
}

/* Encodes v (NULL: null of t) as msgpack; see rpc_int.h. */
int tb_rpc_value_encode(struct tb_arena *a, const struct tb_value *v, const struct tb_type *t,
                        Tfplugin6__DynamicValue **out)
{
	Tfplugin6__DynamicValue *dv =
	    TB_RPC_NEW(a, Tfplugin6__DynamicValue, tfplugin6__dynamic_value);
	void *data;
	size_t len;
	int rc;

	if (!v)
		v = tb_null(a, t);
	if (!dv || !v)
		return TB_ENOMEM;
	rc = tb_msgpack_encode(a, v, &data, &len);
	if (rc)
		return rc;
	dv->msgpack.data = data;
	dv->msgpack.len = len;
	*out = dv;
	return 0;
}

/* ---- schemas --------------------------------------------------------------- */

/* How the client checks a nested block's item bounds, per nesting mode. */
enum bounds {
	BOUNDS_NONE = 1, /* both 0 */
	BOUNDS_REQUIRED, /* both 0 (optional block) or both 1 (required) */
	BOUNDS_AS_IS,    /* min <= max, max 0 meaning no limit */
};

static const struct {
	Tfplugin6__Schema__NestedBlock__NestingMode mode;
	enum bounds bounds;
} nestings[] = {
    [TB_NEST_SINGLE] = {TFPLUGIN6__SCHEMA__NESTED_BLOCK__NESTING_MODE__SINGLE, BOUNDS_REQUIRED},
    [TB_NEST_LIST] = {TFPLUGIN6__SCHEMA__NESTED_BLOCK__NESTING_MODE__LIST, BOUNDS_AS_IS},
    [TB_NEST_SET] = {TFPLUGIN6__SCHEMA__NESTED_BLOCK__NESTING_MODE__SET, BOUNDS_AS_IS},
    [TB_NEST_MAP] = {TFPLUGIN6__SCHEMA__NESTED_BLOCK__NESTING_MODE__MAP, BOUNDS_NONE},
    [TB_NEST_GROUP] = {TFPLUGIN6__SCHEMA__NESTED_BLOCK__NESTING_MODE__GROUP, BOUNDS_NONE},
};

/* Descriptions are plain text (description_kind PLAIN, the default). */
static char *text(const char *s)
{
	return (char *)(s ? s : "");
}

/* The nesting modes of nested attributes. */
static const Tfplugin6__Schema__Object__NestingMode object_nestings[] = {
    [TB_NEST_SINGLE] = TFPLUGIN6__SCHEMA__OBJECT__NESTING_MODE__SINGLE,
    [TB_NEST_LIST] = TFPLUGIN6__SCHEMA__OBJECT__NESTING_MODE__LIST,
    [TB_NEST_SET] = TFPLUGIN6__SCHEMA__OBJECT__NESTING_MODE__SET,
    [TB_NEST_MAP] = TFPLUGIN6__SCHEMA__OBJECT__NESTING_MODE__MAP,
};

static int attr_to_pb(struct tb_arena *a, const struct tb_attr *at,
                      Tfplugin6__Schema__Attribute **out);

/* A nested attribute's nested_type: its objects' attributes and nesting. */
static int object_to_pb(struct tb_arena *a, const struct tb_nested_attrs *na,
                        Tfplugin6__Schema__Object **out)
{
	Tfplugin6__Schema__Object *pb =
	    TB_RPC_NEW(a, Tfplugin6__Schema__Object, tfplugin6__schema__object);
	int rc = 0;

	if (!pb)
		return TB_ENOMEM;
	if ((size_t)na->nesting >= TB_COUNT(object_nestings) || !object_nestings[na->nesting])
		return TB_EINVAL;
	pb->nesting = object_nestings[na->nesting];
	pb->attributes = tb_arena_alloc(a, (na->n_attrs + 1) * sizeof(*pb->attributes));
	if (!pb->attributes)
		return TB_ENOMEM;
	for (size_t i = 0; rc == 0 && i < na->n_attrs; i++)
		rc = attr_to_pb(a, &na->attrs[i], &pb->attributes[i]);
	pb->n_attributes = rc == 0 ? na->n_attrs : 0;
	*out = pb;
	return rc;
}

/* An attribute: its JSON type text, or (nested attributes) its nested_type
 * and no type. */
static int attr_to_pb(struct tb_arena *a, const struct tb_attr *at,
                      Tfplugin6__Schema__Attribute **out)
{
	Tfplugin6__Schema__Attribute *pb =
	    TB_RPC_NEW(a, Tfplugin6__Schema__Attribute, tfplugin6__schema__attribute);
	int rc;

	if (!pb)
		return TB_ENOMEM;
	pb->name = (char *)at->name;
	if (at->nested) {
		rc = object_to_pb(a, at->nested, &pb->nested_type);
		if (rc)
			return rc;
	} else {
		if (!at->type)
			return TB_EINVAL;
		pb->type.data = (uint8_t *)at->type;
		pb->type.len = strlen(at->type);
	}
	pb->description = text(at->description);
	pb->required = (at->flags & TB_A_REQUIRED) != 0;
	pb->optional = (at->flags & TB_A_OPTIONAL) != 0;
	pb->computed = (at->flags & TB_A_COMPUTED) != 0;
	pb->sensitive = (at->flags & TB_A_SENSITIVE) != 0;
	pb->write_only = (at->flags & TB_A_WRITE_ONLY) != 0;
	pb->deprecated = (at->flags & TB_A_DEPRECATED) != 0;
	*out = pb;
	return 0;
}

static int block_to_pb(struct tb_arena *a, const struct tb_block *b, int64_t version,
                       Tfplugin6__Schema__Block **out);

static int nested_to_pb(struct tb_arena *a, const struct tb_nested *n,
                        Tfplugin6__Schema__NestedBlock **out)
{
	Tfplugin6__Schema__NestedBlock *pb =
	    TB_RPC_NEW(a, Tfplugin6__Schema__NestedBlock, tfplugin6__schema__nested_block);
	int rc;

	if (!pb)
		return TB_ENOMEM;
	if ((size_t)n->nesting >= TB_COUNT(nestings) || !nestings[n->nesting].bounds)
		return TB_EINVAL;
	rc = block_to_pb(a, n->block, 0, &pb->block);
	if (rc)
		return rc;
	pb->type_name = (char *)n->name;
	pb->nesting = nestings[n->nesting].mode;
	if (nestings[n->nesting].bounds == BOUNDS_AS_IS) {
		pb->min_items = n->min_items;
		pb->max_items = n->max_items;
	} else if (nestings[n->nesting].bounds == BOUNDS_REQUIRED) {
		pb->min_items = pb->max_items = n->min_items > 0;
	}
	*out = pb;
	return 0;
}

static int block_to_pb(struct tb_arena *a, const struct tb_block *b, int64_t version,
                       Tfplugin6__Schema__Block **out)
{
	Tfplugin6__Schema__Block *pb =
	    TB_RPC_NEW(a, Tfplugin6__Schema__Block, tfplugin6__schema__block);
	int rc = 0;

	if (!pb)
		return TB_ENOMEM;
	pb->version = version;
	pb->description = text(b->description);
	pb->deprecated = b->deprecated;
	pb->attributes = tb_arena_alloc(a, (b->n_attrs + 1) * sizeof(*pb->attributes));
	pb->block_types = tb_arena_alloc(a, (b->n_blocks + 1) * sizeof(*pb->block_types));
	if (!pb->attributes || !pb->block_types)
		return TB_ENOMEM;
	for (size_t i = 0; rc == 0 && i < b->n_attrs; i++)
		rc = attr_to_pb(a, &b->attrs[i], &pb->attributes[i]);
	for (size_t i = 0; rc == 0 && i < b->n_blocks; i++)
		rc = nested_to_pb(a, &b->blocks[i], &pb->block_types[i]);
	if (rc)
		return rc;
	pb->n_attributes = b->n_attrs;
	pb->n_block_types = b->n_blocks;
	*out = pb;
	return 0;
}

/*
 * The protocol form of s: attribute types as their JSON text (nested
 * attributes as their nested_type instead), flags, plain
 * descriptions, nested blocks with nesting mode and item bounds (for single
 * blocks 1/1 when min_items > 0, else 0/0; for maps and groups 0/0: what the
 * client accepts). Strings
 * are borrowed from the (static) table. Returns 0, TB_ENOMEM, or TB_EINVAL
 * for a nesting mode the protocol does not have.
 */
int tb_rpc_schema_to_pb(struct tb_arena *a, const struct tb_schema *s, Tfplugin6__Schema **out)
{
	Tfplugin6__Schema *pb = TB_RPC_NEW(a, Tfplugin6__Schema, tfplugin6__schema);
	int rc;

	if (!pb)
		return TB_ENOMEM;
	rc = block_to_pb(a, s->block, s->version, &pb->block);
	if (rc)
		return rc;
	pb->version = s->version;
	*out = pb;
	return 0;
}

/* ---- paths and diagnostics ------------------------------------------------- */

static int step_to_pb(struct tb_arena *a, const struct tb_step *st,
                      Tfplugin6__AttributePath__Step **out)
{
	Tfplugin6__AttributePath__Step *pb =
	    TB_RPC_NEW(a, Tfplugin6__AttributePath__Step, tfplugin6__attribute_path__step);

	if (!pb)
		return TB_ENOMEM;
	if (st->kind == TB_STEP_ATTR) {
		pb->selector_case = TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ATTRIBUTE_NAME;
		pb->attribute_name = (char *)st->name;
	} else if (st->kind == TB_STEP_KEY) {
		pb->selector_case = TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_STRING;
		pb->element_key_string = (char *)st->name;
	} else {
		pb->selector_case = TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_INT;
		pb->element_key_int = st->index;
	}
	*out = pb;
	return 0;
}

/* The protocol form of p; strings are borrowed from p. Returns 0 or TB_ENOMEM. */
int tb_rpc_path_to_pb(struct tb_arena *a, const struct tb_path *p, Tfplugin6__AttributePath **out)
{
	Tfplugin6__AttributePath *pb =
	    TB_RPC_NEW(a, Tfplugin6__AttributePath, tfplugin6__attribute_path);
	int rc = 0;

	if (!pb)
		return TB_ENOMEM;
	pb->steps = tb_arena_alloc(a, (p->n + 1) * sizeof(*pb->steps));
	if (!pb->steps)
		return TB_ENOMEM;
	for (size_t i = 0; rc == 0 && i < p->n; i++)
		rc = step_to_pb(a, &p->steps[i], &pb->steps[i]);
	if (rc)
		return rc;
	pb->n_steps = p->n;
	*out = pb;
	return 0;
}

static Tfplugin6__Diagnostic *diag_new(struct tb_arena *a, enum tb_severity sev,
                                       const char *summary, const char *detail)
{
	Tfplugin6__Diagnostic *pb = TB_RPC_NEW(a, Tfplugin6__Diagnostic, tfplugin6__diagnostic);

	if (pb) {
		pb->severity = sev == TB_SEV_WARNING ? TFPLUGIN6__DIAGNOSTIC__SEVERITY__WARNING
		                                     : TFPLUGIN6__DIAGNOSTIC__SEVERITY__ERROR;
		pb->summary = text(summary);
		pb->detail = text(detail);
	}
	return pb;
}

static int diag_to_pb(struct tb_arena *a, const struct tb_diag *d, Tfplugin6__Diagnostic **out)
{
	Tfplugin6__Diagnostic *pb = diag_new(a, d->severity, d->summary, d->detail);

	if (!pb)
		return TB_ENOMEM;
	if (d->path.n > 0 && tb_rpc_path_to_pb(a, &d->path, &pb->attribute))
		return TB_ENOMEM;
	*out = pb;
	return 0;
}

/* See rpc_int.h. */
int tb_rpc_diags_to_pb(struct tb_arena *a, const struct tb_diags *d, Tfplugin6__Diagnostic ***out,
                       size_t *n_out)
{
	Tfplugin6__Diagnostic **v;
	size_t n = 0, errors = 0, cap = 1;

	for (const struct tb_diag *it = d->head; it; it = it->next)
		cap++;
	v = tb_arena_alloc(a, cap * sizeof(*v));
	if (!v)
		return TB_ENOMEM;
	for (const struct tb_diag *it = d->head; it; it = it->next) {
		if (diag_to_pb(a, it, &v[n++]))
			return TB_ENOMEM;
		errors += it->severity == TB_SEV_ERROR;
	}
	if (d->n_errors > errors) {
		v[n] = diag_new(a, TB_SEV_ERROR, "Internal error",
		                "The provider ran out of memory while reporting an error.");
		if (!v[n++])
			return TB_ENOMEM;
	}
	*n_out = n;
	*out = v;
	return 0;
}

/* Appends d to msg's diagnostics; see rpc_int.h. */
int tb_rpc_put_diags(struct tb_arena *a, const struct tb_diags *d, ProtobufCMessage *msg)
{
	const ProtobufCFieldDescriptor *f;
	Tfplugin6__Diagnostic **v, **old, **all;
	size_t n, n_old;

	f = protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, "diagnostics");
	if (!f)
		f = protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, "diagnostic");
	if (!f || f->descriptor != &tfplugin6__diagnostic__descriptor ||
	    d->n_errors + d->n_warnings == 0)
		return 0;
	if (tb_rpc_diags_to_pb(a, d, &v, &n))
		return TB_ENOMEM;
	n_old = *(size_t *)((char *)msg + f->quantifier_offset);
	old = *(Tfplugin6__Diagnostic ***)((char *)msg + f->offset);
	all = tb_arena_alloc(a, (n_old + n + 1) * sizeof(*all));
	if (!all)
		return TB_ENOMEM;
	if (n_old)
		memcpy(all, old, n_old * sizeof(*all));
	memcpy(all + n_old, v, n * sizeof(*all));
	*(size_t *)((char *)msg + f->quantifier_offset) = n_old + n;
	*(Tfplugin6__Diagnostic ***)((char *)msg + f->offset) = all;
	return 0;
}

/* ---- small shared helpers ---------------------------------------------------- */

/* Reports a failed operation once: nothing when an error is already there. */
void tb_rpc_fail(struct tb_call *c, int rc, const char *summary)
{
	if (rc < 0 && !tb_diags_has_errors(&c->diags))
		tb_diag_add(&c->diags, TB_SEV_ERROR, NULL, summary, tb_strerror(rc));
}

/* Records the capabilities a request carried in c. */
void tb_rpc_caps(struct tb_call *c, const Tfplugin6__ClientCapabilities *caps)
{
	if (!caps)
		return;
	c->caps.deferral_allowed = caps->deferral_allowed;
	c->caps.write_only_attributes_allowed = caps->write_only_attributes_allowed;
}

/* What the server supports: destroy plans, cached schemas; no state moves. */
Tfplugin6__ServerCapabilities *tb_rpc_server_caps(struct tb_arena *a)
{
	Tfplugin6__ServerCapabilities *caps =
	    TB_RPC_NEW(a, Tfplugin6__ServerCapabilities, tfplugin6__server_capabilities);

	if (caps) {
		caps->plan_destroy = true;
		caps->get_provider_schema_optional = true;
		caps->move_resource_state = false;
		caps->generate_resource_config = false;
	}
	return caps;
}

/* The named resource type and its value type, or NULL after a diagnostic. */
const struct tb_resource *tb_rpc_resource(struct tb_call *c, const char *name,
                                          const struct tb_type **type)
{
	const struct tb_resource *r = tb_resource_find(name);

	if (!r) {
		tb_diag_addf(&c->diags, TB_SEV_ERROR, NULL, "Unknown resource type",
		             "The talentbase provider has no resource type named \"%s\".", name);
		return NULL;
	}
	*type = tb_block_type(r->schema->block);
	if (!*type) {
		tb_diag_addf(&c->diags, TB_SEV_ERROR, NULL, "Internal error",
		             "The schema of resource type \"%s\" is malformed.", name);
		return NULL;
	}
	return r;
}

/* The named data source type and its value type, or NULL after a diagnostic. */
const struct tb_data_source *tb_rpc_data_source(struct tb_call *c, const char *name,
                                                const struct tb_type **type)
{
	const struct tb_data_source *d = tb_data_source_find(name);

	if (!d) {
		tb_diag_addf(&c->diags, TB_SEV_ERROR, NULL, "Unknown data source type",
		             "The talentbase provider has no data source type named \"%s\".",
		             name ? name : "");
		return NULL;
	}
	*type = tb_block_type(d->schema->block);
	if (!*type) {
		tb_diag_addf(&c->diags, TB_SEV_ERROR, NULL, "Internal error",
		             "The schema of data source type \"%s\" is malformed.", name);
		return NULL;
	}
	return d;
}
