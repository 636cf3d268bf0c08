/* String helpers, UTF-8 validation, JSON string escaping, and the
 * saturating double to int64_t conversion. */
#include <stdio.h>
#include <string.h>

#include "tb/util.h"

bool tb_str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

bool tb_str_has_prefix(const char *s, const char *prefix)
{
	if (s == NULL || prefix == NULL)
		return false;
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool tb_str_has_suffix(const char *s, const char *suffix)
{
	size_t n, m;

	if (s == NULL || suffix == NULL)
		return false;
	n = strlen(s);
	m = strlen(suffix);
	return m <= n && memcmp(s + n - m, suffix, m) == 0;
}

bool tb_str_icontains(const char *hay, const char *needle)
{
	if (hay == NULL || needle == NULL)
		return false;
	return strcasestr(hay, needle) != NULL;
}

/* Sequence rules of RFC 3629, indexed by lead byte class. */
struct utf8_lead {
	unsigned char lo, hi;   /* lead byte range */
	unsigned char len;      /* sequence length */
	unsigned char lo2, hi2; /* allowed range of the second byte */
	unsigned char mask;     /* payload bits of the lead byte */
};

static const struct utf8_lead utf8_leads[] = {
    {.lo = 0xc2, .hi = 0xdf, .len = 2, .lo2 = 0x80, .hi2 = 0xbf, .mask = 0x1f},
    {.lo = 0xe0, .hi = 0xe0, .len = 3, .lo2 = 0xa0, .hi2 = 0xbf, .mask = 0x0f},
    {.lo = 0xe1, .hi = 0xec, .len = 3, .lo2 = 0x80, .hi2 = 0xbf, .mask = 0x0f},
    {.lo = 0xed, .hi = 0xed, .len = 3, .lo2 = 0x80, .hi2 = 0x9f, .mask = 0x0f},
    {.lo = 0xee, .hi = 0xef, .len = 3, .lo2 = 0x80, .hi2 = 0xbf, .mask = 0x0f},
    {.lo = 0xf0, .hi = 0xf0, .len = 4, .lo2 = 0x90, .hi2 = 0xbf, .mask = 0x07},
    {.lo = 0xf1, .hi = 0xf3, .len = 4, .lo2 = 0x80, .hi2 = 0xbf, .mask = 0x07},
    {.lo = 0xf4, .hi = 0xf4, .len = 4, .lo2 = 0x80, .hi2 = 0x8f, .mask = 0x07},
};

size_t tb_utf8_decode(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	const struct utf8_lead *l = NULL;
	uint32_t c;
	size_t i;

	if (n == 0)
		return 0;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	for (i = 0; i < TB_COUNT(utf8_leads); i++)
		if (p[0] >= utf8_leads[i].lo && p[0] <= utf8_leads[i].hi)
			l = &utf8_leads[i];
	if (l == NULL || n < l->len || p[1] < l->lo2 || p[1] > l->hi2)
		return 0;
	c = p[0] & l->mask;
	for (i = 1; i < l->len; i++) {
		if (i > 1 && (p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	*cp = c;
	return l->len;
}

bool tb_utf8_valid(const char *s, size_t n)
{
	size_t i = 0, k;
	uint32_t cp;

	while (i < n) {
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		k = tb_utf8_decode(s + i, n - i, &cp);
		if (k == 0)
			return false;
		i += k;
	}
	return true;
}

/* Escape for the bytes below 0x20 and the two JSON specials; NULL: \u00XX. */
static const char *const json_escapes[0x5d] = {
    ['\b'] = "\\b", ['\t'] = "\\t", ['\n'] = "\\n",  ['\f'] = "\\f",
    ['\r'] = "\\r", ['"'] = "\\\"", ['\\'] = "\\\\",
};

static int put_json_byte(struct tb_buf *b, unsigned char c)
{
	char hex[8];

	if (c < sizeof(json_escapes) / sizeof(json_escapes[0]) && json_escapes[c] != NULL)
		return tb_buf_puts(b, json_escapes[c]);
	if (c < 0x20) {
		snprintf(hex, sizeof(hex), "\\u%04x", c);
		return tb_buf_puts(b, hex);
	}
	return tb_buf_putc(b, (char)c);
}

int tb_buf_put_json_string(struct tb_buf *b, const char *s, size_t n)
{
	size_t i = 0, k;
	uint32_t cp;
	int err = tb_buf_putc(b, '"');

	while (err == 0 && i < n) {
		if ((unsigned char)s[i] < 0x80) {
			err = put_json_byte(b, (unsigned char)s[i]);
			i++;
			continue;
		}
		k = tb_utf8_decode(s + i, n - i, &cp);
		if (k == 0) {
			err = tb_buf_puts(b, "\\ufffd");
			i++;
			continue;
		}
		err = tb_buf_append(b, s + i, k);
		i += k;
	}
	if (err == 0)
		err = tb_buf_putc(b, '"');
	return err;
}

/* See util.h: -2^63 and 2^63 are exact doubles, so the bounds are too. */
int64_t tb_double_to_int64(double d)
{
	if (d != d)
		return 0;
	if (d < -9223372036854775808.0)
		return INT64_MIN;
	if (d >= 9223372036854775808.0)
		return INT64_MAX;
	return (int64_t)d;
}
