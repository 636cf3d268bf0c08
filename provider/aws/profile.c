/*
 * Shared config and credentials files: INI sections ([default],
 * [profile x] in config, [x] in credentials) merged into one profile list.
 * Credentials-file values win over config-file values, later files over
 * earlier ones. Indented lines (sub-properties) are skipped.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aws/internal.h"

#define FILE_MAX (1u << 20)

char *aws_expand_home(struct tb_arena *a, const char *path)
{
	const char *home = getenv("HOME");

	if (!path)
		return NULL;
	if (path[0] == '~' && (path[1] == '/' || path[1] == '\0') && home)
		return tb_arena_printf(a, "%s%s", home, path + 1);
	return tb_arena_strdup(a, path);
}

/* Reads a whole file into a; TB_ENOTFOUND when it does not exist. */
int aws_read_file(struct tb_arena *a, const char *path, size_t max, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *buf = NULL;
	size_t n = 0, want;
	int rc = 0;

	if (!f)
		return errno == ENOENT || errno == ENOTDIR ? TB_ENOTFOUND : TB_EIO;
	want = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) ? (size_t)st.st_size : max;
	if (want > max)
		rc = TB_ENOMEM;
	else if (!(buf = tb_arena_alloc(a, want + 1)))
		rc = TB_ENOMEM;
	if (rc == 0) {
		n = fread(buf, 1, want, f);
		rc = ferror(f) ? TB_EIO : 0;
	}
	fclose(f);
	if (rc == 0) {
		buf[n] = '\0';
		*out = buf;
		if (len)
			*len = n;
	}
	return rc;
}

static char *trim(char *s)
{
	char *end = s + strlen(s);

	while (*s && isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static struct aws_profile *profile_get_or_add(struct tb_arena *a, struct aws_profile **list,
                                              const char *name)
{
	struct aws_profile *p = (struct aws_profile *)aws_profile_find(*list, name);

	if (p)
		return p;
	p = tb_arena_alloc(a, sizeof(*p));
	if (!p || !(p->name = tb_arena_strdup(a, name)))
		return NULL;
	p->next = *list;
	*list = p;
	return p;
}

/* The profile a section header names, or "" for sections that are not profiles. */
static const char *section_profile(char *header, bool config_style)
{
	char *name = trim(header);

	if (!config_style || strcmp(name, "default") == 0)
		return name;
	if (strncmp(name, "profile", 7) == 0 && isspace((unsigned char)name[7]))
		return trim(name + 8);
	return "";
}

static int add_kv(struct tb_arena *a, struct aws_profile *p, char *line)
{
	char *eq = strchr(line, '=');
	struct aws_ini_kv *kv;

	if (!eq)
		return 0;
	*eq = '\0';
	kv = tb_arena_alloc(a, sizeof(*kv));
	if (!kv)
		return TB_ENOMEM;
	kv->key = tb_arena_strdup(a, trim(line));
	kv->value = tb_arena_strdup(a, trim(eq + 1));
	if (!kv->key || !kv->value)
		return TB_ENOMEM;
	for (char *k = (char *)kv->key; *k; k++)
		*k = (char)tolower((unsigned char)*k);
	kv->next = p->kv;
	p->kv = kv;
	return 0;
}

/*
 * Parses INI text into *profiles (entries are prepended, so later values
 * shadow earlier ones). 0 or TB_ENOMEM; unparseable lines are skipped.
 */
int aws_ini_parse(struct tb_arena *a, const char *text, bool config_style,
                  struct aws_profile **profiles)
{
	char *copy = tb_arena_strdup(a, text), *save = NULL;
	struct aws_profile *cur = NULL;
	int rc = copy ? 0 : TB_ENOMEM;

	for (char *line = copy ? strtok_r(copy, "\r\n", &save) : NULL; line && rc == 0;
	     line = strtok_r(NULL, "\r\n", &save)) {
		char *t = trim(line), *close = strrchr(t, ']');
		const char *name;

		if (isspace((unsigned char)line[0]) || *t == '#' || *t == ';' || *t == '\0')
			continue;
		if (*t != '[') {
			rc = cur ? add_kv(a, cur, t) : 0;
			continue;
		}
		if (close)
			*close = '\0';
		name = section_profile(t + 1, config_style);
		cur = *name ? profile_get_or_add(a, profiles, name) : NULL;
		if (*name && !cur)
			rc = TB_ENOMEM;
	}
	return rc;
}

const struct aws_profile *aws_profile_find(const struct aws_profile *list, const char *name)
{
	for (; list && name; list = list->next)
		if (strcmp(list->name, name) == 0)
			return list;
	return NULL;
}

const char *aws_profile_get(const struct aws_profile *p, const char *key)
{
	for (const struct aws_ini_kv *kv = p ? p->kv : NULL; kv; kv = kv->next)
		if (strcmp(kv->key, key) == 0)
			return kv->value;
	return NULL;
}

static int load_files(struct tb_arena *a, const char *const *files, bool config_style,
                      struct aws_profile **out, struct tb_buf *why)
{
	int rc = 0;

	for (size_t i = 0; files && files[i] && rc == 0; i++) {
		char *text = NULL, *path = aws_expand_home(a, files[i]);

		rc = path ? aws_read_file(a, path, FILE_MAX, &text, NULL) : TB_ENOMEM;
		if (rc == TB_ENOTFOUND) {
			rc = 0;
			continue;
		}
		if (rc == 0)
			rc = aws_ini_parse(a, text, config_style, out);
		if (rc)
			tb_buf_printf(why, "reading %s: %s", path ? path : files[i],
			              tb_strerror(rc));
	}
	return rc;
}

int aws_profiles_load(struct tb_arena *a, const char *const *config_files,
                      const char *const *credentials_files, struct aws_profile **out,
                      struct tb_buf *why)
{
	struct aws_profile *list = NULL;
	int rc = load_files(a, config_files, true, &list, why);

	if (rc == 0)
		rc = load_files(a, credentials_files, false, &list, why);
	if (rc == 0)
		*out = list;
	return rc;
}
