/* Parsing the JSON type encoding ("string", ["list","number"], ...). */
#include <string.h>

#include "cty_int.h"

static int type_from(struct tb_arena *a, const json_t *j, int depth, const struct tb_type **out);

static int primitive(const char *name, const struct tb_type **out)
{
	static const struct {
		const char *name;
		const struct tb_type *t;
	} prims[] = {
	    {.name = "string", .t = &tb_type_string},
	    {.name = "number", .t = &tb_type_number},
	    {.name = "bool", .t = &tb_type_bool},
	    {.name = "dynamic", .t = &tb_type_dynamic},
	};

	for (size_t i = 0; i < TB_COUNT(prims); i++) {
		if (strcmp(name, prims[i].name) == 0) {
			*out = prims[i].t;
			return 0;
		}
	}
	return TB_EINVAL;
}

static int collection(struct tb_arena *a, const json_t *j, int depth, enum tb_kind k,
                      const struct tb_type **out)
{
	static const struct tb_type *(*const builders[])(struct tb_arena *,
	                                                 const struct tb_type *) = {
	    [TB_LIST] = tb_type_list,
	    [TB_SET] = tb_type_set,
	    [TB_MAP] = tb_type_map,
	};
	const struct tb_type *elem = NULL, *t;
	int err;

	if (json_array_size(j) != 2)
		return TB_EINVAL;
	err = type_from(a, json_array_get(j, 1), depth + 1, &elem);
	if (err != 0)
		return err;
	t = builders[k](a, elem);
	if (t == NULL)
		return TB_ENOMEM;
	*out = t;
	return 0;
}

static int mark_optional(const json_t *list, const json_t *attrs, const char **names, bool *opt,
                         size_t n)
{
	size_t i, k;
	json_t *e;

	json_array_foreach(list, i, e)
	{
		const char *name = json_string_value(e);

		if (name == NULL || json_object_get(attrs, name) == NULL)
			return TB_EINVAL;
		for (k = 0; k < n; k++)
			if (strcmp(names[k], name) == 0)
				opt[k] = true;
	}
	return 0;
}

static int object(struct tb_arena *a, const json_t *j, int depth, enum tb_kind k,
                  const struct tb_type **out)
{
	const json_t *attrs = json_array_get(j, 1), *optl = json_array_get(j, 2);
	size_t n = json_object_size(attrs), i = 0;
	const char **names = tb_arena_alloc(a, sizeof(*names) * (n + 1));
	const struct tb_type **types = tb_arena_alloc(a, sizeof(*types) * (n + 1));
	bool *opt = tb_arena_alloc(a, sizeof(*opt) * (n + 1));
	const char *key;
	json_t *val;
	int err;

	if (!json_is_object(attrs) || json_array_size(j) > 3 || (optl && !json_is_array(optl)))
		return TB_EINVAL;
	if (names == NULL || types == NULL || opt == NULL)
		return TB_ENOMEM;
	json_object_foreach((json_t *)attrs, key, val)
	{
		names[i] = key;
		err = type_from(a, val, depth + 1, &types[i]);
		if (err != 0)
			return err;
		i++;
	}
	if (optl != NULL && (err = mark_optional(optl, attrs, names, opt, n)) != 0)
		return err;
	*out = tb_type_object(a, n, names, types, optl != NULL ? opt : NULL);
	return *out == NULL ? TB_ENOMEM : 0;
}

static int tuple(struct tb_arena *a, const json_t *j, int depth, enum tb_kind k,
                 const struct tb_type **out)
{
	const json_t *elems = json_array_get(j, 1);
	size_t n = json_array_size(elems), i;
	const struct tb_type **types = tb_arena_alloc(a, sizeof(*types) * (n + 1));
	json_t *e;
	int err;

	if (!json_is_array(elems) || json_array_size(j) != 2)
		return TB_EINVAL;
	if (types == NULL)
		return TB_ENOMEM;
	json_array_foreach(elems, i, e)
	{
		err = type_from(a, e, depth + 1, &types[i]);
		if (err != 0)
			return err;
	}
	*out = tb_type_tuple(a, n, types);
	return *out == NULL ? TB_ENOMEM : 0;
}

static const struct {
	const char *name;
	enum tb_kind kind;
	int (*parse)(struct tb_arena *a, const json_t *j, int depth, enum tb_kind k,
	             const struct tb_type **out);
} structured[] = {
    {.name = "list", .kind = TB_LIST, .parse = collection},
    {.name = "set", .kind = TB_SET, .parse = collection},
    {.name = "map", .kind = TB_MAP, .parse = collection},
    {.name = "object", .kind = TB_OBJECT, .parse = object},
    {.name = "tuple", .kind = TB_TUPLE, .parse = tuple},
};

static int type_from(struct tb_arena *a, const json_t *j, int depth, const struct tb_type **out)
{
	const char *head;

	if (depth > CTY_MAX_DEPTH)
		return TB_EINVAL;
	if (json_is_string(j))
		return primitive(json_string_value(j), out);
	head = json_string_value(json_array_get(j, 0));
	if (head == NULL)
		return TB_EINVAL;
	for (size_t i = 0; i < TB_COUNT(structured); i++)
		if (strcmp(head, structured[i].name) == 0)
			return structured[i].parse(a, j, depth, structured[i].kind, out);
	return TB_EINVAL;
}

int cty_type_from_jansson(struct tb_arena *a, const json_t *j, int depth,
                          const struct tb_type **out)
{
	return type_from(a, j, depth, out);
}

int cty_json_load(const char *json, size_t len, json_t **out)
{
	json_error_t e1, e2;
	json_t *j = json_loadb(json, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e1);

	if (j == NULL)
		j = json_loadb(json, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e2);
	if (j != NULL) {
		*out = j;
		return 0;
	}
	if (json_error_code(&e1) == json_error_out_of_memory || e1.text[0] == '\0' ||
	    json_error_code(&e1) != json_error_code(&e2) || strcmp(e1.text, e2.text) != 0 ||
	    e1.position != e2.position)
		return TB_ENOMEM;
	return TB_EINVAL;
}

int tb_type_from_json(struct tb_arena *a, const char *json, size_t len, const struct tb_type **out)
{
	const struct tb_type *t = NULL;
	json_t *j = NULL;
	int err = cty_json_load(json, len, &j);

	if (err != 0)
		return err;
	err = type_from(a, j, 0, &t);
	json_decref(j);
	if (err == 0)
		*out = t;
	return err;
}
