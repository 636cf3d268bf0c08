/*
 * talentbase_secret, the value: generated here from the CSPRNG with
 * GetRandomPassword's character rules, or taken from value_wo, and put
 * together with the template keys. Values live in the call's arena only
 * and are wiped when it is freed; nothing here logs.
 */
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <string.h>

#include "resources/secret/secret.h"

#define MAX_DRAWS 100000 /* whole values drawn before giving up (a class that never shows) */

/* Character classes, in the order GetRandomPassword documents them. */
/* clang-format off */
static const struct {
	const char *chars;
	bool punct, space;
} classes[] = {
    {.chars = "abcdefghijklmnopqrstuvwxyz"},
    {.chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
    {.chars = "0123456789"},
    {.chars = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", .punct = true},
    {.chars = " ", .space = true},
};
/* clang-format on */

#define N_CLASSES TB_COUNT(classes)

struct wipe {
	void *p;
	size_t n;
};

static void wipe_now(void *ud)
{
	struct wipe *w = ud;

	OPENSSL_cleanse(w->p, w->n);
}

/* Wipes the n bytes at p when a is freed. 0 or TB_ENOMEM (then wiped at once). */
static int wipe_later(struct tb_arena *a, void *p, size_t n)
{
	struct wipe *w = tb_arena_alloc(a, sizeof(*w));

	if (w == NULL) {
		OPENSSL_cleanse(p, n);
		return TB_ENOMEM;
	}
	w->p = p;
	w->n = n;
	return tb_arena_defer(a, wipe_now, w);
}

static bool class_used(const struct tb_secret_gen *g, size_t k)
{
	return !(classes[k].punct && g->exclude_punctuation) &&
	       !(classes[k].space && !g->include_space);
}

static bool excluded(const struct tb_secret_gen *g, char ch)
{
	return g->exclude_characters && *g->exclude_characters &&
	       strchr(g->exclude_characters, ch) != NULL;
}

/* The alphabet. See secret.h. */
char *tb_secret_alphabet(struct tb_arena *a, const struct tb_secret_gen *g, size_t *n)
{
	char *out = tb_arena_alloc(a, 128);
	size_t k = 0;

	if (out == NULL)
		return NULL;
	for (size_t c = 0; c < N_CLASSES; c++)
		for (const char *p = classes[c].chars; class_used(g, c) && *p; p++)
			if (!excluded(g, *p))
				out[k++] = *p;
	out[k] = '\0';
	*n = k;
	return out;
}

/* Which classes the alphabet has (a bit each). */
static unsigned classes_of(const char *s, size_t n)
{
	unsigned bits = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t c = 0; c < N_CLASSES; c++)
			if (strchr(classes[c].chars, s[i]) != NULL)
				bits |= 1u << c;
	return bits;
}

static size_t popcount(unsigned x)
{
	size_t n = 0;

	for (; x; x &= x - 1)
		n++;
	return n;
}

/* Fills out[0..len) with characters of alpha (n of them, 1..256), each
 * equally likely: a random byte b is used only below the largest multiple
 * of n, as b % n. 0 or TB_EIO. */
static int draw(const char *alpha, size_t n, char *out, size_t len)
{
	unsigned char buf[256];
	size_t limit = 256 - (256 % n), used = sizeof(buf), k = 0;

	while (k < len) {
		if (used == sizeof(buf)) {
			if (RAND_bytes(buf, sizeof(buf)) != 1)
				return TB_EIO;
			used = 0;
		}
		if (buf[used] < limit)
			out[k++] = alpha[buf[used] % n];
		used++;
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}

/* A generated value. See secret.h. */
int tb_secret_generate(struct tb_arena *a, const struct tb_secret_gen *g, char **out)
{
	size_t n = 0, len = g->length > 0 ? (size_t)g->length : 0;
	char *alpha = tb_secret_alphabet(a, g, &n), *v;
	unsigned want;
	int err = 0;

	if (alpha == NULL)
		return TB_ENOMEM;
	want = classes_of(alpha, n);
	if (n == 0 || len == 0 || len > TB_SECRET_MAX_LEN || len < popcount(want))
		return TB_EINVAL;
	if ((v = tb_arena_alloc(a, len + 1)) == NULL || wipe_later(a, v, len + 1) != 0)
		return TB_ENOMEM;
	for (int i = 0; i < MAX_DRAWS; i++) {
		if ((err = draw(alpha, n, v, len)) != 0)
			return err;
		if (classes_of(v, len) == want) {
			v[len] = '\0';
			*out = v;
			return 0;
		}
	}
	return TB_EINVAL;
}

/* A version 4 uuid. See secret.h. */
char *tb_secret_token(struct tb_arena *a)
{
	unsigned char b[16];

	if (RAND_bytes(b, sizeof(b)) != 1)
		return NULL;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	return tb_arena_printf(
	    a, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
	    b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
	    b[15]);
}

/* {"<json_key>": generated, template...} as text, in a (wiped later). */
static int json_value(struct tb_arena *a, const struct tb_secret *s, const char *gen,
                      const char **out)
{
	struct tb_buf b;
	char *v = NULL;
	int err;

	tb_buf_init(&b);
	tb_buf_putc(&b, '{');
	tb_buf_put_json_string(&b, s->gen.json_key, strlen(s->gen.json_key));
	tb_buf_putc(&b, ':');
	tb_buf_put_json_string(&b, gen, strlen(gen));
	for (size_t i = 0; i < s->template_.n; i++) {
		const char *k = s->template_.v[i].key, *x = s->template_.v[i].value;
		tb_buf_putc(&b, ',');
		tb_buf_put_json_string(&b, k, strlen(k));
		tb_buf_putc(&b, ':');
		tb_buf_put_json_string(&b, x ? x : "", x ? strlen(x) : 0);
	}
	err = tb_buf_putc(&b, '}');
	if (err == 0 && (v = tb_arena_strndup(a, b.data, b.len)) != NULL)
		err = wipe_later(a, v, b.len);
	if (b.data)
		OPENSSL_cleanse(b.data, b.cap);
	tb_buf_free(&b);
	if (err == 0 && v == NULL)
		err = TB_ENOMEM;
	if (err == 0)
		*out = v;
	return err;
}

/* The value to send. See secret.h. */
int tb_secret_value(struct tb_call *c, const struct tb_secret *s, const char **out)
{
	const struct tb_value *wo = tb_attr(c->config, "value_wo");
	char *gen = NULL;
	int err;

	if (!s->gen.set) {
		if (!tb_is_known(wo)) {
			tb_diag_add(&c->diags, TB_SEV_ERROR, "value_wo", "No value to store",
			            "Give generate { } or value_wo (write-only).");
			return TB_EINVAL;
		}
		*out = wo->u.str.s;
		return wipe_later(c->arena, (void *)wo->u.str.s, wo->u.str.len);
	}
	err = tb_secret_generate(c->arena, &s->gen, &gen);
	if (err == TB_EINVAL)
		tb_diag_add(&c->diags, TB_SEV_ERROR, "generate.length", "Cannot generate the value",
		            "The generate settings leave no characters to use, or a length outside "
		            "1-4096 (or shorter than the number of character classes).");
	if (err != 0)
		return err;
	if (s->gen.json_key == NULL) {
		*out = gen;
		return 0;
	}
	return json_value(c->arena, s, gen, out);
}
