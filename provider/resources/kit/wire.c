/*
 * The wire, as resources see it: JSON request bodies under the AWS layer's
 * ownership rule (built into the call's arena, borrowed by whoever sends
 * them), and AWS answers (JSON and Query/XML) read into plain values.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "resources/kit/kit.h"

/* ---- requests ------------------------------------------------------------------ */

/* json_pack into a's ownership. See kit.h. */
json_t *tb_kit_pack(struct tb_arena *a, const char *fmt, ...)
{
	va_list ap;
	json_t *j;

	va_start(ap, fmt);
	j = json_vpack_ex(NULL, 0, fmt, ap);
	va_end(ap);
	return tb_aws_json_own(a, j);
}

/* Checked JSON call. See kit.h. */
int tb_kit_call(struct tb_aws_ctx *ctx, const char *service, const char *action, json_t *body,
                json_t **out)
{
	json_t *ignored = NULL;

	if (body == NULL)
		return TB_ENOMEM;
	return tb_aws_json(ctx, service, action, body, out ? out : &ignored);
}

/* Sets o[key], taking v over. See kit.h. */
int tb_kit_set_new(json_t *o, const char *key, json_t *v)
{
	return v ? json_object_set_new(o, key, v) : -1;
}

/* ["a", "b"] of strs (NULL items as ""). See kit.h. */
json_t *tb_kit_json_strs(struct tb_arena *a, const struct tb_strs *strs)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < strs->n; i++)
		if (json_array_append_new(arr, json_string(strs->v[i] ? strs->v[i] : "")) != 0) {
			json_decref(arr);
			arr = NULL;
		}
	return tb_aws_json_own(a, arr);
}

/* [{kname: key, vname: value}, ...] of kvs. See kit.h. */
json_t *tb_kit_json_pairs(struct tb_arena *a, const struct tb_kvs *kvs, const char *kname,
                          const char *vname)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < kvs->n; i++) {
		json_t *o = json_pack("{s:s, s:s}", kname, kvs->v[i].key, vname,
		                      kvs->v[i].value ? kvs->v[i].value : "");
		if (json_array_append_new(arr, o) != 0) {
			json_decref(arr);
			arr = NULL;
		}
	}
	return tb_aws_json_own(a, arr);
}

/* ---- JSON answers ---------------------------------------------------------------- */

/* The string at key, or NULL. See kit.h. */
const char *tb_kit_jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The number at key (integer, real or numeric string), else 0. See kit.h. */
int64_t tb_kit_jint(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_real(v))
		return tb_double_to_int64(json_real_value(v));
	if (json_is_string(v))
		return strtoll(json_string_value(v), NULL, 10);
	return 0;
}

static int cmp_kv(const void *x, const void *y)
{
	return strcmp(((const struct tb_kv *)x)->key, ((const struct tb_kv *)y)->key);
}

/* [{kname: k, vname: v}] -> kvs sorted by key. See kit.h. */
int tb_kit_jpairs(struct tb_arena *a, const json_t *arr, const char *kname, const char *vname,
                  struct tb_kvs *out)
{
	size_t n = json_array_size(arr), m = 0;
	struct tb_kv *kv = tb_arena_alloc(a, (n + 1) * sizeof(*kv));

	if (kv == NULL)
		return TB_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const json_t *o = json_array_get(arr, i);
		if (tb_kit_jstr(o, kname) == NULL)
			continue;
		kv[m].key = tb_arena_strdup(a, tb_kit_jstr(o, kname));
		kv[m].value =
		    tb_arena_strdup(a, tb_kit_jstr(o, vname) ? tb_kit_jstr(o, vname) : "");
		if (kv[m].key == NULL || kv[m].value == NULL)
			return TB_ENOMEM;
		m++;
	}
	qsort(kv, m, sizeof(*kv), cmp_kv);
	out->n = m;
	out->v = kv;
	return 0;
}

/* The strings of a JSON array, in order. See kit.h. */
int tb_kit_jstrs(struct tb_arena *a, const json_t *arr, struct tb_strs *out)
{
	size_t n = json_array_size(arr), m = 0;
	const char **v = tb_arena_alloc(a, (n + 1) * sizeof(*v));

	if (v == NULL)
		return TB_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(arr, i));
		if (s && (v[m++] = tb_arena_strdup(a, s)) == NULL)
			return TB_ENOMEM;
	}
	out->n = m;
	out->v = v;
	return 0;
}

/* ---- Query/XML answers ------------------------------------------------------------- */

/* The integer at path, else 0. See kit.h. */
int64_t tb_kit_xint(const struct tb_xml *n, const char *path)
{
	const char *t = tb_xml_text(n, path);
	return t ? strtoll(t, NULL, 10) : 0;
}

/* The texts of list's <member> children. See kit.h. */
int tb_kit_xstrs(struct tb_arena *a, const struct tb_xml *list, struct tb_strs *out)
{
	size_t n = 0, m = 0;
	const char **v;

	for (const struct tb_xml *c = list ? list->children : NULL; c; c = c->next)
		n++;
	if ((v = tb_arena_alloc(a, (n + 1) * sizeof(*v))) == NULL)
		return TB_ENOMEM;
	for (const struct tb_xml *c = list ? list->children : NULL; c; c = c->next)
		if (strcmp(c->name, "member") == 0)
			v[m++] = c->text;
	out->n = m;
	out->v = v;
	return 0;
}

/* ---- EC2's dialect ------------------------------------------------------------ */

/* Filter.<n>.Name and .Value.<i>. See kit.h. */
int tb_kit_ec2_filter(struct tb_aws_params *p, unsigned n, const char *name,
                      const char *const *values, size_t n_values)
{
	int err = tb_aws_params_addf(p, name, "Filter.%u.Name", n);

	for (size_t i = 0; err == 0 && i < n_values; i++)
		err = tb_aws_params_addf(p, values[i], "Filter.%u.Value.%zu", n, i + 1);
	return err;
}

/* One tag:<key> filter per tag. See kit.h. */
int tb_kit_ec2_tag_filters(struct tb_aws_params *p, unsigned n, const struct tb_kvs *tags,
                           unsigned *next)
{
	int err = 0;

	for (size_t i = 0; err == 0 && i < tags->n; i++) {
		const char *name = tb_arena_printf(p->arena, "tag:%s", tags->v[i].key);
		err = name ? tb_kit_ec2_filter(p, n++, name, &tags->v[i].value, 1) : TB_ENOMEM;
	}
	*next = n;
	return err;
}

/* The first item of a set. See kit.h. */
const struct tb_xml *tb_kit_ec2_items(const struct tb_xml *result, const char *set)
{
	const struct tb_xml *s = tb_xml_child(result, set);
	const struct tb_xml *first = s ? s->children : NULL;

	while (first && strcmp(first->name, "item") != 0)
		first = first->next;
	return first;
}
