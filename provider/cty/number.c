/*
 * Numbers in canonical form, as cty's msgpack encoding needs them: an
 * integer that fits int64 is is_int; a non-integer exactly representable
 * as a float64 is f; anything else keeps its plain decimal text in dec
 * (with f an approximation). Every value has one representation, so
 * equality is a field comparison.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cty_int.h"

/* Longest plain decimal text accepted (digits plus zeros from the exponent). */
#define NUM_MAX_PLAIN 4096
/* Enough significant digits for the exact expansion of any double. */
#define NUM_EXACT_DIGITS 800

/* A decimal number as sign, significant digits (no leading/trailing zeros), exponent. */
struct decimal {
	bool neg;
	char *digits; /* arena or caller buffer; "" for zero */
	size_t n;
	long exp; /* value = digits * 10^exp */
};

static void strip_zeros(struct decimal *d)
{
	while (d->n > 0 && d->digits[0] == '0') {
		d->digits++;
		d->n--;
	}
	while (d->n > 0 && d->digits[d->n - 1] == '0') {
		d->n--;
		d->exp++;
	}
	d->digits[d->n] = '\0';
}

static bool parse_exponent(const char **p, const char *end, long *exp)
{
	const char *s = *p;
	int sign = 1;
	long e = 0;

	if (s < end && (*s == '+' || *s == '-'))
		sign = *s++ == '-' ? -1 : 1;
	if (s == end || !isdigit((unsigned char)*s))
		return false;
	for (; s < end && isdigit((unsigned char)*s); s++)
		if (e < 1000000)
			e = e * 10 + (*s - '0');
	*exp = sign * e;
	*p = s;
	return true;
}

/* Digits with an optional fraction; *exp gets minus the number of fraction digits. */
static bool parse_mantissa(const char **p, const char *end, struct decimal *d, long *exp)
{
	const char *s = *p;
	bool any = false;

	for (; s < end && isdigit((unsigned char)*s); s++, any = true)
		d->digits[d->n++] = *s;
	if (s < end && *s == '.')
		for (s++; s < end && isdigit((unsigned char)*s); s++, any = true, (*exp)--)
			d->digits[d->n++] = *s;
	*p = s;
	return any;
}

/* Parses [+-]digits[.digits][(e|E)[+-]digits] into d (digits written to buf). */
static int parse_decimal(const char *s, size_t n, char *buf, struct decimal *d)
{
	const char *p = s, *end = s + n;
	long exp = 0, e = 0;

	memset(d, 0, sizeof(*d));
	d->digits = buf;
	if (p < end && (*p == '+' || *p == '-'))
		d->neg = *p++ == '-';
	if (!parse_mantissa(&p, end, d, &exp))
		return TB_EINVAL;
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (!parse_exponent(&p, end, &e))
			return TB_EINVAL;
	}
	if (p != end)
		return TB_EINVAL;
	d->exp = exp + e;
	strip_zeros(d);
	return 0;
}

/* The int64 value of an integral decimal, if it fits. */
static bool decimal_int64(const struct decimal *d, int64_t *out)
{
	uint64_t v = 0, limit = d->neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;

	if (d->exp < 0 || d->n + (size_t)d->exp > 19)
		return false;
	for (size_t i = 0; i < d->n + (size_t)d->exp; i++) {
		unsigned digit = i < d->n ? (unsigned)(d->digits[i] - '0') : 0;

		if (v > (limit - digit) / 10)
			return false;
		v = v * 10 + digit;
	}
	*out = d->neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

/* Reads the significant digits and exponent of printf's %e output. */
static void decimal_from_e(char *text, struct decimal *d)
{
	char *e = strchr(text, 'e'), *w = text;

	memset(d, 0, sizeof(*d));
	d->neg = text[0] == '-';
	*e = '\0';
	for (char *p = text; *p != '\0'; p++)
		if (isdigit((unsigned char)*p))
			*w++ = *p;
	*w = '\0';
	d->digits = text;
	d->n = (size_t)(w - text);
	d->exp = strtol(e + 1, NULL, 10) - (long)(d->n - 1);
	strip_zeros(d);
}

static bool decimal_equal(const struct decimal *x, const struct decimal *y)
{
	return x->neg == y->neg && x->n == y->n && x->exp == y->exp &&
	       memcmp(x->digits, y->digits, x->n) == 0;
}

/* True when f is exactly the decimal d (glibc prints exact expansions). */
static bool double_is_exactly(double f, const struct decimal *d)
{
	static _Thread_local char text[NUM_EXACT_DIGITS + 32];
	struct decimal e;

	if (!isfinite(f) || f == 0)
		return false;
	snprintf(text, sizeof(text), "%.*e", NUM_EXACT_DIGITS, f);
	decimal_from_e(text, &e);
	return decimal_equal(&e, d);
}

static size_t plain_len(const struct decimal *d)
{
	if (d->exp >= 0)
		return d->n + (size_t)d->exp + 1;
	if ((long)d->n + d->exp > 0)
		return d->n + 2;
	return (size_t)(-d->exp) + 3;
}

/* Writes d in plain notation into out (sized by plain_len). */
static void plain_text(const struct decimal *d, char *out)
{
	long point = (long)d->n + d->exp;
	char *w = out;

	if (d->neg)
		*w++ = '-';
	if (d->exp >= 0) {
		memcpy(w, d->digits, d->n);
		memset(w + d->n, '0', (size_t)d->exp);
		w += d->n + (size_t)d->exp;
	} else if (point > 0) {
		memcpy(w, d->digits, (size_t)point);
		w += point;
		*w++ = '.';
		memcpy(w, d->digits + point, d->n - (size_t)point);
		w += d->n - (size_t)point;
	} else {
		*w++ = '0';
		*w++ = '.';
		memset(w, '0', (size_t)-point);
		w += -point;
		memcpy(w, d->digits, d->n);
		w += d->n;
	}
	*w = '\0';
}

static struct tb_value *number_value(struct tb_arena *a)
{
	return cty_value_new(a, &tb_type_number, 0);
}

/* Canonical value of a parsed decimal. */
static int from_decimal(struct tb_arena *a, const struct decimal *d, const struct tb_value **out)
{
	struct tb_value *v = number_value(a);
	char sci[NUM_MAX_PLAIN + 32];
	char *dec;

	if (v == NULL)
		return TB_ENOMEM;
	if (d->n == 0 || decimal_int64(d, &v->u.num.i)) {
		v->u.num.is_int = true;
		v->u.num.f = (double)v->u.num.i;
		*out = v;
		return 0;
	}
	if (d->n > NUM_MAX_PLAIN || d->exp > NUM_MAX_PLAIN || d->exp < -NUM_MAX_PLAIN)
		return TB_EINVAL;
	snprintf(sci, sizeof(sci), "%s%.*se%ld", d->neg ? "-" : "", (int)d->n, d->digits, d->exp);
	v->u.num.f = strtod(sci, NULL);
	if (d->exp < 0 && double_is_exactly(v->u.num.f, d)) {
		*out = v;
		return 0;
	}
	dec = tb_arena_alloc(a, plain_len(d) + 1);
	if (dec == NULL)
		return TB_ENOMEM;
	plain_text(d, dec);
	v->u.num.dec = dec;
	*out = v;
	return 0;
}

int cty_num_from_text(struct tb_arena *a, const char *s, size_t n, const struct tb_value **out)
{
	char *buf;
	struct decimal d;
	int err;

	if (n > 2 * NUM_MAX_PLAIN)
		return TB_EINVAL;
	buf = tb_arena_alloc(a, n + 1);
	if (buf == NULL)
		return TB_ENOMEM;
	err = parse_decimal(s, n, buf, &d);
	if (err != 0)
		return err;
	return from_decimal(a, &d, out);
}

int cty_num_from_double(struct tb_arena *a, double f, const struct tb_value **out)
{
	struct tb_value *v;
	char text[NUM_EXACT_DIGITS + 32];
	struct decimal d;

	if (isnan(f))
		return TB_EINVAL;
	if (isfinite(f) && f == trunc(f)) {
		snprintf(text, sizeof(text), "%.*e", NUM_EXACT_DIGITS, f);
		decimal_from_e(text, &d);
		return from_decimal(a, &d, out);
	}
	v = number_value(a);
	if (v == NULL)
		return TB_ENOMEM;
	v->u.num.f = f;
	*out = v;
	return 0;
}

/* Shortest %e text that reads back as f. */
static void shortest(double f, char *text, size_t size)
{
	for (int p = 0; p < 17; p++) {
		snprintf(text, size, "%.*e", p, f);
		if (strtod(text, NULL) == f)
			return;
	}
	snprintf(text, size, "%.17e", f);
}

int cty_num_put_text(struct tb_buf *b, const struct tb_value *v)
{
	char text[64], plain[700];
	struct decimal d;

	if (v->u.num.is_int)
		return tb_buf_printf(b, "%lld", (long long)v->u.num.i);
	if (v->u.num.dec != NULL)
		return tb_buf_puts(b, v->u.num.dec);
	if (isinf(v->u.num.f))
		return tb_buf_puts(b, v->u.num.f > 0 ? "+Inf" : "-Inf");
	shortest(v->u.num.f, text, sizeof(text));
	decimal_from_e(text, &d);
	if (plain_len(&d) + 1 > sizeof(plain))
		return tb_buf_puts(b, text);
	plain_text(&d, plain);
	return tb_buf_puts(b, plain);
}

bool cty_num_equal(const struct tb_value *x, const struct tb_value *y)
{
	if (x->u.num.is_int || y->u.num.is_int)
		return x->u.num.is_int && y->u.num.is_int && x->u.num.i == y->u.num.i;
	if (x->u.num.dec != NULL || y->u.num.dec != NULL)
		return x->u.num.dec != NULL && y->u.num.dec != NULL &&
		       strcmp(x->u.num.dec, y->u.num.dec) == 0;
	return x->u.num.f == y->u.num.f;
}

int cty_num_from_shortest(struct tb_arena *a, double f, const struct tb_value **out)
{
	char text[64];

	if (!isfinite(f))
		return cty_num_from_double(a, f, out);
	shortest(f, text, sizeof(text));
	return cty_num_from_text(a, text, strlen(text), out);
}

int tb_number_parse(struct tb_arena *a, const char *s, size_t len, const struct tb_value **out)
{
	if (s == NULL)
		return TB_EINVAL;
	return cty_num_from_text(a, s, len, out);
}

char *tb_number_text(struct tb_arena *a, const struct tb_value *v)
{
	struct tb_buf b;
	char *out = NULL;

	if (!tb_is_known(v) || v->type->kind != TB_NUMBER)
		return NULL;
	tb_buf_init(&b);
	cty_num_put_text(&b, v);
	if (cty_buf_to_arena(a, &b, &out, NULL) != 0)
		return NULL;
	return out;
}
