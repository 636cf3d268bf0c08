/*
 * Conversions between the provider's tables and values and the protocol's
 * messages: schemas (rendered, packed and parsed back), diagnostics with
 * attribute paths, DynamicValue decoding and encoding.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rpc/rpc_int.h"

static const struct tb_attr port_attrs[] = {
    {.name = "port", .type = "\"number\"", .flags = TB_A_REQUIRED},
};
static const struct tb_block port_block = {
    .attrs = port_attrs, .n_attrs = 1, .description = "A port."};

static const struct tb_attr attrs[] = {
    {.name = "id", .type = "\"string\"", .flags = TB_A_COMPUTED, .description = "The ID."},
    {.name = "name", .type = "\"string\"", .flags = TB_A_REQUIRED | TB_A_FORCE_NEW},
    {.name = "password",
     .type = "\"string\"",
     .flags = TB_A_OPTIONAL | TB_A_SENSITIVE | TB_A_WRITE_ONLY},
    {.name = "tags",
     .type = "[\"map\",\"string\"]",
     .flags = TB_A_OPTIONAL | TB_A_COMPUTED | TB_A_DEPRECATED},
};
static const struct tb_nested blocks[] = {
    {.name = "group", .nesting = TB_NEST_GROUP, .block = &port_block, .max_items = 1},
    {.name = "listener",
     .nesting = TB_NEST_LIST,
     .block = &port_block,
     .min_items = 1,
     .max_items = 3},
    {.name = "named", .nesting = TB_NEST_MAP, .block = &port_block, .max_items = 5},
    {.name = "network",
     .nesting = TB_NEST_SINGLE,
     .block = &port_block,
     .min_items = 1,
     .max_items = 1},
    {.name = "rule", .nesting = TB_NEST_SET, .block = &port_block, .max_items = 2},
    {.name = "settings", .nesting = TB_NEST_SINGLE, .block = &port_block, .max_items = 1},
};

/* Nesting and item bounds the client accepts (configschema's InternalValidate). */
static const struct {
	Tfplugin6__Schema__NestedBlock__NestingMode nesting;
	int64_t min, max;
} want_blocks[] = {
    {TFPLUGIN6__SCHEMA__NESTED_BLOCK__NESTING_MODE__GROUP, 0, 0},
    {TFPLUGIN6__SCHEMA__NESTED_BLOCK__NESTING_MODE__LIST, 1, 3},
    {TFPLUGIN6__SCHEMA__NESTED_BLOCK__NESTING_MODE__MAP, 0, 0},
    {TFPLUGIN6__SCHEMA__NESTED_BLOCK__NESTING_MODE__SINGLE, 1, 1},
    {TFPLUGIN6__SCHEMA__NESTED_BLOCK__NESTING_MODE__SET, 0, 2},
    {TFPLUGIN6__SCHEMA__NESTED_BLOCK__NESTING_MODE__SINGLE, 0, 0},
};
static const struct tb_block block = {
    .attrs = attrs,
    .n_attrs = TB_COUNT(attrs),
    .blocks = blocks,
    .n_blocks = TB_COUNT(blocks),
    .description = "A thing.",
};
static const struct tb_schema schema = {.version = 3, .block = &block};

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

/* Packs m and parses the bytes back as type d (through the wire form). */
static void *wire_roundtrip(const ProtobufCMessage *m, const ProtobufCMessageDescriptor *d)
{
	ProtobufCAllocator alloc = tb_rpc_allocator(arena);
	size_t n = protobuf_c_message_get_packed_size(m);
	uint8_t *buf = tb_arena_alloc(arena, n + 1);

	protobuf_c_message_pack(m, buf);
	return protobuf_c_message_unpack(d, &alloc, n, buf);
}

static void check_attr(const Tfplugin6__Schema__Attribute *a, const struct tb_attr *want)
{
	assert_string_equal(a->name, want->name);
	assert_int_equal(a->type.len, strlen(want->type));
	assert_memory_equal(a->type.data, want->type, a->type.len);
	assert_int_equal(a->required, !!(want->flags & TB_A_REQUIRED));
	assert_int_equal(a->optional, !!(want->flags & TB_A_OPTIONAL));
	assert_int_equal(a->computed, !!(want->flags & TB_A_COMPUTED));
	assert_int_equal(a->sensitive, !!(want->flags & TB_A_SENSITIVE));
	assert_int_equal(a->write_only, !!(want->flags & TB_A_WRITE_ONLY));
	assert_int_equal(a->deprecated, !!(want->flags & TB_A_DEPRECATED));
	assert_string_equal(a->description, want->description ? want->description : "");
	assert_int_equal(a->description_kind, TFPLUGIN6__STRING_KIND__PLAIN);
	assert_null(a->nested_type);
}

static void test_rpc_schema_render(void **state)
{
	Tfplugin6__Schema *pb, *back;
	const Tfplugin6__Schema__Block *b;
	const Tfplugin6__Schema__NestedBlock *nb;

	assert_int_equal(tb_rpc_schema_to_pb(arena, &schema, &pb), 0);
	back = wire_roundtrip(&pb->base, &tfplugin6__schema__descriptor);
	assert_non_null(back);
	assert_int_equal(back->version, 3);
	b = back->block;
	assert_non_null(b);
	assert_int_equal(b->version, 3);
	assert_string_equal(b->description, "A thing.");
	assert_int_equal(b->description_kind, TFPLUGIN6__STRING_KIND__PLAIN);
	assert_int_equal(b->n_attributes, TB_COUNT(attrs));
	for (size_t i = 0; i < TB_COUNT(attrs); i++)
		check_attr(b->attributes[i], &attrs[i]);
	assert_int_equal(b->n_block_types, TB_COUNT(blocks));
	for (size_t i = 0; i < TB_COUNT(blocks); i++) {
		nb = b->block_types[i];
		assert_string_equal(nb->type_name, blocks[i].name);
		assert_int_equal(nb->nesting, want_blocks[i].nesting);
		assert_int_equal(nb->min_items, want_blocks[i].min);
		assert_int_equal(nb->max_items, want_blocks[i].max);
		assert_non_null(nb->block);
		assert_int_equal(nb->block->version, 0);
		assert_string_equal(nb->block->description, "A port.");
		assert_int_equal(nb->block->n_attributes, 1);
		check_attr(nb->block->attributes[0], &port_attrs[0]);
	}
}

static void test_rpc_schema_bad_nesting(void **state)
{
	static const struct tb_nested bad[] = {
	    {.name = "x", .nesting = (enum tb_nesting)42, .block = &port_block},
	};
	static const struct tb_block bad_block = {.blocks = bad, .n_blocks = 1};
	static const struct tb_schema bad_schema = {.block = &bad_block};
	Tfplugin6__Schema *pb;

	assert_int_equal(tb_rpc_schema_to_pb(arena, &bad_schema, &pb), TB_EINVAL);
}

/* A map-nested attribute: nested_type with its objects' attributes and the
 * MAP nesting, no type bytes; the implied value type is a map of objects. */
static void test_rpc_schema_nested_attribute(void **state)
{
	static const struct tb_attr item_attrs[] = {
	    {.name = "schedule", .type = "\"string\"", .flags = TB_A_REQUIRED},
	    {.name = "min_capacity", .type = "\"number\"", .flags = TB_A_OPTIONAL},
	};
	static const struct tb_nested_attrs items = {
	    .nesting = TB_NEST_MAP, .attrs = item_attrs, .n_attrs = TB_COUNT(item_attrs)};
	static const struct tb_attr outer[] = {
	    {.name = "schedules", .flags = TB_A_OPTIONAL, .nested = &items},
	};
	static const struct tb_block b = {.attrs = outer, .n_attrs = 1};
	static const struct tb_schema s = {.block = &b};
	const struct tb_type *t = tb_block_type(&b), *m;
	Tfplugin6__Schema *pb, *back;
	const Tfplugin6__Schema__Attribute *a;

	assert_int_equal(tb_rpc_schema_to_pb(arena, &s, &pb), 0);
	back = wire_roundtrip(&pb->base, &tfplugin6__schema__descriptor);
	a = back->block->attributes[0];
	assert_string_equal(a->name, "schedules");
	assert_int_equal(a->type.len, 0);
	assert_true(a->optional);
	assert_non_null(a->nested_type);
	assert_int_equal(a->nested_type->nesting, TFPLUGIN6__SCHEMA__OBJECT__NESTING_MODE__MAP);
	assert_int_equal(a->nested_type->n_attributes, 2);
	check_attr(a->nested_type->attributes[0], &item_attrs[0]);
	check_attr(a->nested_type->attributes[1], &item_attrs[1]);

	assert_non_null(t);
	m = t->types[tb_type_attr_index(t, "schedules")];
	assert_int_equal(m->kind, TB_MAP);
	assert_int_equal(m->elem->kind, TB_OBJECT);
	assert_true(tb_type_attr_index(m->elem, "schedule") >= 0);
	assert_int_equal(m->elem->types[tb_type_attr_index(m->elem, "min_capacity")]->kind,
	                 TB_NUMBER);
}

static void check_step_name(const Tfplugin6__AttributePath__Step *s,
                            Tfplugin6__AttributePath__Step__SelectorCase want, const char *name)
{
	assert_int_equal(s->selector_case, want);
	if (want == TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ATTRIBUTE_NAME)
		assert_string_equal(s->attribute_name, name);
	else
		assert_string_equal(s->element_key_string, name);
}

static void test_rpc_diags_paths(void **state)
{
	struct tb_diags d;
	Tfplugin6__Diagnostic **v;
	Tfplugin6__Diagnostic *back;
	const Tfplugin6__AttributePath *p;
	size_t n;

	tb_diags_init(&d, arena);
	assert_non_null(tb_diag_add(&d, TB_SEV_ERROR, "listener[1].port", "Bad port", "Too big."));
	assert_non_null(tb_diag_add(&d, TB_SEV_WARNING, "environment[\"DB_PASSWORD\"]",
	                            "Secret in plain text", "Use a secret."));
	assert_non_null(tb_diag_add(&d, TB_SEV_ERROR, NULL, "No path", NULL));
	assert_int_equal(tb_rpc_diags_to_pb(arena, &d, &v, &n), 0);
	assert_int_equal(n, 3);

	back = wire_roundtrip(&v[0]->base, &tfplugin6__diagnostic__descriptor);
	assert_int_equal(back->severity, TFPLUGIN6__DIAGNOSTIC__SEVERITY__ERROR);
	assert_string_equal(back->summary, "Bad port");
	assert_string_equal(back->detail, "Too big.");
	p = back->attribute;
	assert_non_null(p);
	assert_int_equal(p->n_steps, 3);
	check_step_name(p->steps[0], TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ATTRIBUTE_NAME,
	                "listener");
	assert_int_equal(p->steps[1]->selector_case,
	                 TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_INT);
	assert_int_equal(p->steps[1]->element_key_int, 1);
	check_step_name(p->steps[2], TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ATTRIBUTE_NAME,
	                "port");

	back = wire_roundtrip(&v[1]->base, &tfplugin6__diagnostic__descriptor);
	assert_int_equal(back->severity, TFPLUGIN6__DIAGNOSTIC__SEVERITY__WARNING);
	assert_int_equal(back->attribute->n_steps, 2);
	check_step_name(back->attribute->steps[0],
	                TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ATTRIBUTE_NAME, "environment");
	check_step_name(back->attribute->steps[1],
	                TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_STRING,
	                "DB_PASSWORD");

	back = wire_roundtrip(&v[2]->base, &tfplugin6__diagnostic__descriptor);
	assert_null(back->attribute);
	assert_string_equal(back->detail, "");
}

/* An error counted but not stored (its allocation failed) is still reported. */
static void test_rpc_diags_lost_error(void **state)
{
	struct tb_diags d;
	Tfplugin6__Diagnostic **v;
	size_t n;

	tb_diags_init(&d, arena);
	tb_diag_add(&d, TB_SEV_WARNING, NULL, "Just a warning", NULL);
	d.n_errors++;
	assert_int_equal(tb_rpc_diags_to_pb(arena, &d, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[1]->severity, TFPLUGIN6__DIAGNOSTIC__SEVERITY__ERROR);
	assert_string_equal(v[1]->summary, "Internal error");
}

static void test_rpc_put_diags(void **state)
{
	struct tb_diags d;
	Tfplugin6__ListResource__Event *ev =
	    tb_rpc_msg_new(arena, &tfplugin6__list_resource__event__descriptor);
	Tfplugin6__GetFunctions__Response *fr =
	    tb_rpc_msg_new(arena, &tfplugin6__get_functions__response__descriptor);
	Plugin__Empty *empty = tb_rpc_msg_new(arena, &plugin__empty__descriptor);

	tb_diags_init(&d, arena);
	assert_int_equal(tb_rpc_put_diags(arena, &d, &fr->base), 0);
	assert_int_equal(fr->n_diagnostics, 0);
	tb_diag_add(&d, TB_SEV_ERROR, NULL, "One", NULL);
	assert_int_equal(tb_rpc_put_diags(arena, &d, &fr->base), 0);
	assert_int_equal(fr->n_diagnostics, 1);
	assert_int_equal(tb_rpc_put_diags(arena, &d, &fr->base), 0); /* appends */
	assert_int_equal(fr->n_diagnostics, 2);
	assert_int_equal(tb_rpc_put_diags(arena, &d, &ev->base), 0); /* singular field name */
	assert_int_equal(ev->n_diagnostic, 1);
	assert_string_equal(ev->diagnostic[0]->summary, "One");
	assert_int_equal(tb_rpc_put_diags(arena, &d, &empty->base), 0); /* no such field */
}

static struct tb_call new_call(void)
{
	struct tb_call c = {.arena = arena, .meta = tb_provider_meta(), .cancel = &tb_rpc_cancel};

	tb_diags_init(&c.diags, arena);
	return c;
}

static void test_rpc_value_roundtrip(void **state)
{
	const struct tb_type *t = tb_block_type(&block);
	struct tb_call c = new_call();
	const struct tb_value *v, *back;
	Tfplugin6__DynamicValue *dv, json = TFPLUGIN6__DYNAMIC_VALUE__INIT;
	static const char doc[] = "{\"id\":\"x\",\"name\":\"n\",\"password\":null,\"tags\":null,"
	                          "\"group\":{\"port\":1},\"listener\":[],\"named\":{},"
	                          "\"network\":{\"port\":2},\"rule\":[],\"settings\":null}";

	assert_non_null(t);
	/* Missing DynamicValue: null. */
	assert_int_equal(tb_rpc_value_decode(&c, NULL, t, "state", &v), 0);
	assert_true(tb_is_null(v));
	/* JSON when only JSON is set, then msgpack through an encode. */
	json.json.data = (uint8_t *)doc;
	json.json.len = strlen(doc);
	assert_int_equal(tb_rpc_value_decode(&c, &json, t, "config", &v), 0);
	assert_string_equal(tb_get_str(tb_attr(v, "name")), "n");
	assert_int_equal(tb_rpc_value_encode(arena, v, t, &dv), 0);
	assert_int_equal(dv->json.len, 0);
	assert_true(dv->msgpack.len > 0);
	dv = wire_roundtrip(&dv->base, &tfplugin6__dynamic_value__descriptor);
	assert_int_equal(tb_rpc_value_decode(&c, dv, t, "state", &back), 0);
	assert_true(tb_value_equal(v, back));
	/* NULL value: msgpack nil. */
	assert_int_equal(tb_rpc_value_encode(arena, NULL, t, &dv), 0);
	assert_int_equal(dv->msgpack.len, 1);
	assert_int_equal(dv->msgpack.data[0], 0xc0);
	assert_false(tb_diags_has_errors(&c.diags));
}

static void test_rpc_value_invalid(void **state)
{
	const struct tb_type *t = tb_block_type(&block);
	struct tb_call c = new_call();
	Tfplugin6__DynamicValue dv = TFPLUGIN6__DYNAMIC_VALUE__INIT;
	const struct tb_value *v = NULL;
	uint8_t bad[] = {0x92, 0x01}; /* a truncated array, not an object */

	dv.msgpack.data = bad;
	dv.msgpack.len = sizeof(bad);
	assert_int_equal(tb_rpc_value_decode(&c, &dv, t, "prior state", &v), TB_EINVAL);
	assert_null(v);
	assert_int_equal(c.diags.n_errors, 1);
	assert_non_null(strstr(c.diags.head->detail, "prior state"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rpc_schema_render),
	    cmocka_unit_test(test_rpc_schema_bad_nesting),
	    cmocka_unit_test(test_rpc_schema_nested_attribute),
	    cmocka_unit_test(test_rpc_diags_paths),
	    cmocka_unit_test(test_rpc_diags_lost_error),
	    cmocka_unit_test(test_rpc_put_diags),
	    cmocka_unit_test(test_rpc_value_roundtrip),
	    cmocka_unit_test(test_rpc_value_invalid),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
