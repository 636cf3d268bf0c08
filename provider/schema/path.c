/* Attribute paths: parsing, rendering and lookup. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tb/schema.h"

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

static int parse_ident(struct tb_arena *a, const char **s, struct tb_step *st)
{
	const char *p = *s;

	while (ident_char(*p))
		p++;
	if (p == *s)
		return TB_EINVAL;
	st->kind = TB_STEP_ATTR;
	st->name = tb_arena_strndup(a, *s, (size_t)(p - *s));
	*s = p;
	return st->name != NULL ? 0 : TB_ENOMEM;
}

/* "..." with backslash escapes of quote and backslash; p points past '"'. */
static int parse_key(struct tb_arena *a, const char **s, struct tb_step *st)
{
	const char *p = *s;
	char *out, *w;

	out = w = tb_arena_alloc(a, strlen(p) + 1);
	if (out == NULL)
		return TB_ENOMEM;
	while (*p != '"') {
		if (*p == '\0' || (*p == '\\' && p[1] == '\0'))
			return TB_EINVAL;
		if (*p == '\\')
			p++;
		*w++ = *p++;
	}
	*w = '\0';
	st->kind = TB_STEP_KEY;
	st->name = out;
	*s = p + 1;
	return 0;
}

static int parse_index(const char **s, struct tb_step *st)
{
	char *end;
	long long v;

	if (!isdigit((unsigned char)**s))
		return TB_EINVAL;
	errno = 0;
	v = strtoll(*s, &end, 10);
	if (errno != 0)
		return TB_EINVAL;
	st->kind = TB_STEP_INDEX;
	st->index = v;
	*s = end;
	return 0;
}

static int parse_bracket(struct tb_arena *a, const char **s, struct tb_step *st)
{
	int err;

	if (**s == '"') {
		(*s)++;
		err = parse_key(a, s, st);
	} else {
		err = parse_index(s, st);
	}
	if (err == 0 && **s != ']')
		err = TB_EINVAL;
	if (err == 0)
		(*s)++;
	return err;
}

int tb_path_parse(struct tb_arena *a, const char *text, struct tb_path *out)
{
	size_t cap = 1, n = 0;
	struct tb_step *steps;
	const char *s = text;
	int err = 0;

	if (text == NULL)
		return TB_EINVAL;
	for (const char *p = text; *p != '\0'; p++)
		cap += *p == '.' || *p == '[';
	steps = tb_arena_alloc(a, sizeof(*steps) * cap);
	if (steps == NULL)
		return TB_ENOMEM;
	if (*s != '\0')
		err = parse_ident(a, &s, &steps[n++]);
	while (err == 0 && *s != '\0') {
		if (n >= cap)
			return TB_EINVAL;
		if (*s == '.') {
			s++;
			err = parse_ident(a, &s, &steps[n++]);
		} else if (*s == '[') {
			s++;
			err = parse_bracket(a, &s, &steps[n++]);
		} else {
			err = TB_EINVAL;
		}
	}
	if (err != 0)
		return err;
	out->n = n;
	out->steps = steps;
	return 0;
}

char *tb_path_string(struct tb_arena *a, const struct tb_path *p)
{
	struct tb_buf b;
	char *out = NULL;

	tb_buf_init(&b);
	for (size_t i = 0; p != NULL && i < p->n; i++) {
		const struct tb_step *st = &p->steps[i];

		if (st->kind == TB_STEP_ATTR) {
			tb_buf_printf(&b, "%s%s", i > 0 ? "." : "", st->name);
		} else if (st->kind == TB_STEP_KEY) {
			tb_buf_putc(&b, '[');
			tb_buf_put_json_string(&b, st->name, strlen(st->name));
			tb_buf_putc(&b, ']');
		} else {
			tb_buf_printf(&b, "[%lld]", (long long)st->index);
		}
	}
	if (!b.failed)
		out = tb_arena_strndup(a, b.data != NULL ? b.data : "", b.len);
	tb_buf_free(&b);
	return out;
}

/* One step down from v; NULL when absent. Maps accept both name forms. */
static const struct tb_value *step_get(const struct tb_value *v, const struct tb_step *st)
{
	enum tb_kind k;

	if (!tb_is_known(v))
		return NULL;
	k = v->type->kind;
	if (st->kind != TB_STEP_INDEX)
		return k == TB_MAP ? tb_map_get(v, st->name) : tb_attr(v, st->name);
	if ((k != TB_LIST && k != TB_SET && k != TB_TUPLE) || st->index < 0 ||
	    (uint64_t)st->index >= v->u.coll.n)
		return NULL;
	return v->u.coll.items[st->index];
}

const struct tb_value *tb_path_get(const struct tb_value *v, const struct tb_path *p)
{
	for (size_t i = 0; p != NULL && i < p->n && v != NULL; i++)
		v = step_get(v, &p->steps[i]);
	return v;
}
