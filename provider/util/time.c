/* Clocks, AWS and ISO-8601 timestamps, Go-style durations. */
#include <ctype.h>
#include <math.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "tb/util.h"

int64_t tb_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double tb_wall_time(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void tb_time_amz(int64_t t, char out[17])
{
	time_t tt = (time_t)t;
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	gmtime_r(&tt, &tm);
	if (strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm) == 0)
		memcpy(out, "19700101T000000Z", 17);
}

/* Reads exactly n decimal digits. */
static bool read_digits(const char **s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*s)[i]))
			return false;
		v = v * 10 + ((*s)[i] - '0');
	}
	*s += n;
	*out = v;
	return true;
}

/* Parses "Z", "z" or "+HH:MM"/"-HH:MM"/"+HHMM" into seconds east of UTC. */
static bool read_zone(const char *s, int64_t *offset)
{
	int sign, hh, mm;

	if ((s[0] == 'Z' || s[0] == 'z') && s[1] == '\0') {
		*offset = 0;
		return true;
	}
	if (s[0] != '+' && s[0] != '-')
		return false;
	sign = s[0] == '-' ? -1 : 1;
	s++;
	if (!read_digits(&s, 2, &hh))
		return false;
	if (*s == ':')
		s++;
	if (!read_digits(&s, 2, &mm) || *s != '\0' || hh > 23 || mm > 59)
		return false;
	*offset = sign * (int64_t)(hh * 3600 + mm * 60);
	return true;
}

/* Layout of the fixed part: '#' a digit, '?' one of "Tt ", anything else itself. */
static const char iso_layout[] = "####-##-##?##:##:##";

/* Where each run of digits in iso_layout goes, with its valid range. */
static const struct iso_field {
	size_t pos, len;
	size_t member; /* offset in struct tm */
	int min, max;
} iso_fields[] = {
    {.pos = 0, .len = 4, .member = offsetof(struct tm, tm_year), .min = 0, .max = 9999},
    {.pos = 5, .len = 2, .member = offsetof(struct tm, tm_mon), .min = 1, .max = 12},
    {.pos = 8, .len = 2, .member = offsetof(struct tm, tm_mday), .min = 1, .max = 31},
    {.pos = 11, .len = 2, .member = offsetof(struct tm, tm_hour), .min = 0, .max = 23},
    {.pos = 14, .len = 2, .member = offsetof(struct tm, tm_min), .min = 0, .max = 59},
    {.pos = 17, .len = 2, .member = offsetof(struct tm, tm_sec), .min = 0, .max = 60},
};

static bool match_layout(const char *s)
{
	for (size_t i = 0; i < sizeof(iso_layout) - 1; i++) {
		char c = iso_layout[i];

		if (s[i] == '\0')
			return false;
		if (c == '#' && !isdigit((unsigned char)s[i]))
			return false;
		if (c == '?' && strchr("Tt ", s[i]) == NULL)
			return false;
		if (c != '#' && c != '?' && s[i] != c)
			return false;
	}
	return true;
}

static bool read_fields(const char *s, struct tm *tm)
{
	for (size_t i = 0; i < TB_COUNT(iso_fields); i++) {
		const struct iso_field *f = &iso_fields[i];
		const char *p = s + f->pos;
		int v;

		if (!read_digits(&p, (int)f->len, &v) || v < f->min || v > f->max)
			return false;
		*(int *)((char *)tm + f->member) = v;
	}
	return true;
}

int tb_time_parse_iso8601(const char *s, int64_t *out)
{
	struct tm tm;
	int64_t offset;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || !match_layout(s) || !read_fields(s, &tm))
		return TB_EINVAL;
	s += sizeof(iso_layout) - 1;
	if (*s == '.' || *s == ',') {
		s++;
		if (!isdigit((unsigned char)*s))
			return TB_EINVAL;
		while (isdigit((unsigned char)*s))
			s++;
	}
	if (!read_zone(s, &offset))
		return TB_EINVAL;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*out = (int64_t)timegm(&tm) - offset;
	return 0;
}

/* Go's duration units, in milliseconds. Longer names first for prefix matching. */
static const struct duration_unit {
	const char *name;
	double ms;
} duration_units[] = {
    {.name = "ns", .ms = 1e-6},        {.name = "us", .ms = 1e-3},
    {.name = "\xc2\xb5s", .ms = 1e-3}, {.name = "\xce\xbcs", .ms = 1e-3},
    {.name = "ms", .ms = 1.0},         {.name = "s", .ms = 1e3},
    {.name = "m", .ms = 60e3},         {.name = "h", .ms = 3600e3},
};

static const struct duration_unit *match_unit(const char *s, size_t *len)
{
	const struct duration_unit *best = NULL;
	size_t best_len = 0;

	for (size_t i = 0; i < TB_COUNT(duration_units); i++) {
		size_t n = strlen(duration_units[i].name);

		if (n > best_len && strncmp(s, duration_units[i].name, n) == 0) {
			best = &duration_units[i];
			best_len = n;
		}
	}
	*len = best_len;
	return best;
}

/* One "<number><unit>" term; advances *s. */
static int duration_term(const char **s, double *ms)
{
	const struct duration_unit *u;
	const char *p = *s;
	double v = 0, scale = 1;
	bool digits = false;
	size_t ulen;

	for (; isdigit((unsigned char)*p); p++, digits = true)
		v = v * 10 + (*p - '0');
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++, digits = true)
			v += (*p - '0') * (scale /= 10);
	if (!digits)
		return TB_EINVAL;
	u = match_unit(p, &ulen);
	if (u == NULL)
		return TB_EINVAL;
	*ms = v * u->ms;
	*s = p + ulen;
	return 0;
}

int tb_duration_parse(const char *s, int64_t *out_ms)
{
	double total = 0, term;
	int sign = 1, err;

	if (s == NULL || *s == '\0')
		return TB_EINVAL;
	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	if (strcmp(s, "0") == 0) {
		*out_ms = 0;
		return 0;
	}
	if (*s == '\0')
		return TB_EINVAL;
	while (*s != '\0') {
		err = duration_term(&s, &term);
		if (err != 0)
			return err;
		total += term;
	}
	if (total > 9.2e18)
		return TB_EINVAL;
	*out_ms = sign * (int64_t)total;
	return 0;
}
