/*
 * A small XML tree (expat) for Query protocol responses: elements with
 * their local names and concatenated text, in the caller's arena. Document
 * type declarations are refused, nesting is bounded.
 */
#include <expat.h>
#include <stdlib.h>
#include <string.h>

#include "aws/internal.h"

#define XML_MAX_DEPTH 128

struct xml_frame {
	struct tb_xml *node;
	struct tb_xml *last_child;
	struct tb_buf text;
};

struct xml_state {
	struct tb_arena *a;
	XML_Parser parser;
	struct xml_frame stack[XML_MAX_DEPTH];
	size_t depth;
	struct tb_xml *root;
	int rc;
};

static void xml_abort(struct xml_state *st, int rc)
{
	if (st->rc == 0)
		st->rc = rc;
	XML_StopParser(st->parser, XML_FALSE);
}

static const char *local_name(const char *name)
{
	const char *colon = strrchr(name, ':');
	return colon ? colon + 1 : name;
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct xml_state *st = ud;
	struct tb_xml *node;
	struct xml_frame *f;

	if (st->rc)
		return;
	if (st->depth == XML_MAX_DEPTH || (st->depth == 0 && st->root)) {
		xml_abort(st, TB_EINVAL);
		return;
	}
	node = tb_arena_alloc(st->a, sizeof(*node));
	if (!node || !(node->name = tb_arena_strdup(st->a, local_name(name)))) {
		xml_abort(st, TB_ENOMEM);
		return;
	}
	if (st->depth == 0) {
		st->root = node;
	} else {
		f = &st->stack[st->depth - 1];
		if (f->last_child)
			f->last_child->next = node;
		else
			f->node->children = node;
		f->last_child = node;
	}
	f = &st->stack[st->depth++];
	f->node = node;
	f->last_child = NULL;
	tb_buf_init(&f->text);
	f->text.max = 64u << 20;
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
	struct xml_state *st = ud;
	struct xml_frame *f;

	if (st->rc || st->depth == 0)
		return;
	f = &st->stack[--st->depth];
	f->node->text = tb_arena_strndup(st->a, f->text.data ? f->text.data : "", f->text.len);
	tb_buf_free(&f->text);
	if (!f->node->text)
		xml_abort(st, TB_ENOMEM);
}

static void XMLCALL on_chars(void *ud, const XML_Char *s, int len)
{
	struct xml_state *st = ud;

	if (st->rc || st->depth == 0)
		return;
	if (tb_buf_append(&st->stack[st->depth - 1].text, s, (size_t)len) != 0)
		xml_abort(st, TB_ENOMEM);
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal_subset)
{
	xml_abort(ud, TB_EINVAL);
}

/*
 * Parses data into a tree in a. Returns 0 and *out (the root element),
 * TB_EINVAL for malformed XML, a DTD or nesting deeper than 128, or
 * TB_ENOMEM.
 */
int tb_xml_parse(struct tb_arena *a, const char *data, size_t len, const struct tb_xml **out)
{
	struct xml_state *st = calloc(1, sizeof(*st));
	int rc = st ? 0 : TB_ENOMEM;

	if (st) {
		st->a = a;
		st->parser = XML_ParserCreate("UTF-8");
		rc = st->parser ? 0 : TB_ENOMEM;
	}
	if (rc == 0) {
		XML_SetUserData(st->parser, st);
		XML_SetElementHandler(st->parser, on_start, on_end);
		XML_SetCharacterDataHandler(st->parser, on_chars);
		XML_SetStartDoctypeDeclHandler(st->parser, on_doctype);
		if (len > (size_t)INT32_MAX ||
		    XML_Parse(st->parser, data, (int)len, XML_TRUE) != XML_STATUS_OK)
			rc = st->rc ? st->rc : TB_EINVAL;
		else if (!st->root || st->depth)
			rc = TB_EINVAL;
	}
	while (st && st->depth)
		tb_buf_free(&st->stack[--st->depth].text);
	if (rc == 0)
		*out = st->root;
	if (st && st->parser)
		XML_ParserFree(st->parser);
	free(st);
	return rc;
}

const struct tb_xml *tb_xml_child(const struct tb_xml *n, const char *name)
{
	for (const struct tb_xml *c = n ? n->children : NULL; c; c = c->next)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

const struct tb_xml *tb_xml_path(const struct tb_xml *n, const char *path)
{
	char step[256];

	while (n && path && *path) {
		size_t len = strcspn(path, "/");

		if (len >= sizeof(step))
			return NULL;
		memcpy(step, path, len);
		step[len] = '\0';
		n = tb_xml_child(n, step);
		path += len + (path[len] == '/');
	}
	return n;
}

const char *tb_xml_text(const struct tb_xml *n, const char *path)
{
	const struct tb_xml *e = tb_xml_path(n, path);
	return e ? e->text : NULL;
}
