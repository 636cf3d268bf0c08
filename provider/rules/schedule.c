/*
 * Application Auto Scaling schedule expressions (TB016): cron(...) in the
 * six-field AWS syntax (the EventBridge cron reference), rate(...) and
 * at(...), and IANA time zone names checked against the zoneinfo database.
 */
#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules/rule.h"

enum {
	CF_QUESTION = 1u << 0, /* ? (no specific value) */
	CF_LAST = 1u << 1,     /* L alone */
	CF_WEEKDAY = 1u << 2,  /* nW and LW (day of month) */
	CF_NTH = 1u << 3,      /* n#k and nL (day of week) */
	CF_WRAP = 1u << 4,     /* ranges may wrap around (NOV-FEB, FRI-MON) */
};

struct cron_field {
	const char *name;
	int lo, hi;
	const char *const *names; /* names[i] stands for lo + i */
	size_t n_names;
	unsigned flags;
};

static const char *const month_names[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                          "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
static const char *const day_names[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

enum { F_MINUTES, F_HOURS, F_DOM, F_MONTH, F_DOW, F_YEAR, F_COUNT };

static const struct cron_field cron_fields[F_COUNT] = {
    [F_MINUTES] = {.name = "minutes", .lo = 0, .hi = 59},
    [F_HOURS] = {.name = "hours", .lo = 0, .hi = 23},
    [F_DOM] = {.name = "day-of-month",
               .lo = 1,
               .hi = 31,
               .flags = CF_QUESTION | CF_LAST | CF_WEEKDAY},
    [F_MONTH] =
        {.name = "month", .lo = 1, .hi = 12, .names = month_names, .n_names = 12, .flags = CF_WRAP},
    [F_DOW] = {.name = "day-of-week",
               .lo = 1,
               .hi = 7,
               .names = day_names,
               .n_names = 7,
               .flags = CF_QUESTION | CF_LAST | CF_NTH | CF_WRAP},
    [F_YEAR] = {.name = "year", .lo = 1970, .hi = 2199},
};

struct rate_unit {
	const char *singular, *plural;
};

static const struct rate_unit rate_units[] = {
    {"minute", "minutes"},
    {"hour", "hours"},
    {"day", "days"},
};

/* A slice of the expression being parsed. */
struct span {
	const char *p, *end;
};

static bool span_is(const struct span *s, const char *text)
{
	size_t n = strlen(text);

	return (size_t)(s->end - s->p) == n && strncmp(s->p, text, n) == 0;
}

static bool read_int(struct span *s, int *out)
{
	int v = 0, digits = 0;

	while (s->p < s->end && isdigit((unsigned char)*s->p) && digits < 6) {
		v = v * 10 + (*s->p++ - '0');
		digits++;
	}
	*out = v;
	return digits > 0 && (s->p == s->end || !isdigit((unsigned char)*s->p));
}

static bool read_name(const struct cron_field *f, struct span *s, int *out)
{
	if (f->names == NULL || s->end - s->p < 3)
		return false;
	for (size_t i = 0; i < f->n_names; i++) {
		if (strncasecmp(s->p, f->names[i], 3) == 0) {
			*out = f->lo + (int)i;
			s->p += 3;
			return true;
		}
	}
	return false;
}

/* A number or a name within the field's range. */
static bool read_value(const struct cron_field *f, struct span *s, int *out)
{
	if (s->p < s->end && isdigit((unsigned char)*s->p)) {
		if (!read_int(s, out))
			return false;
	} else if (!read_name(f, s, out)) {
		return false;
	}
	return *out >= f->lo && *out <= f->hi;
}

static const char *bad_item(struct tb_arena *a, const struct cron_field *f, const struct span *item,
                            const char *why)
{
	return tb_arena_printf(a, "%s field: \"%.*s\" %s", f->name, (int)(item->end - item->p),
	                       item->p, why);
}

static const char *cron_step(struct tb_arena *a, const struct cron_field *f,
                             const struct span *item, struct span *s)
{
	int step;

	if (!read_int(s, &step) || s->p != s->end || step < 1 || step > f->hi - f->lo + 1)
		return bad_item(a, f, item,
		                tb_arena_printf(a, "has an invalid step (after / give 1 to %d)",
		                                f->hi - f->lo + 1));
	return NULL;
}

/* nW, n#k, nL after a value v: special forms that stand alone in a field. */
static const char *cron_special(struct tb_arena *a, const struct cron_field *f,
                                const struct span *item, struct span *s, bool *special)
{
	int k;

	*special = true;
	if ((f->flags & CF_WEEKDAY) && *s->p == 'W' && s->p + 1 == s->end)
		return NULL;
	if ((f->flags & CF_NTH) && *s->p == 'L' && s->p + 1 == s->end)
		return NULL;
	if ((f->flags & CF_NTH) && *s->p == '#') {
		s->p++;
		if (read_int(s, &k) && s->p == s->end && k >= 1 && k <= 5)
			return NULL;
		return bad_item(a, f, item, "needs a week number 1 to 5 after #");
	}
	return bad_item(a, f, item, "is not a value, range, list or step of this field");
}

static const char *cron_range(struct tb_arena *a, const struct cron_field *f,
                              const struct span *item, struct span *s, int from)
{
	int to;

	s->p++;
	if (!read_value(f, s, &to))
		return bad_item(a, f, item,
		                tb_arena_printf(a, "has a range end outside %d-%d", f->lo, f->hi));
	if (to < from && !(f->flags & CF_WRAP))
		return bad_item(a, f, item, "is a range that runs backwards");
	if (s->p == s->end)
		return NULL;
	if (*s->p != '/')
		return bad_item(a, f, item, "has text after the range");
	s->p++;
	return cron_step(a, f, item, s);
}

static const char *cron_item(struct tb_arena *a, const struct cron_field *f,
                             const struct span *item, bool *special)
{
	struct span s = *item;
	int from;

	if (span_is(item, "*"))
		return NULL;
	if (item->end - item->p > 2 && item->p[0] == '*' && item->p[1] == '/') {
		s.p += 2;
		return cron_step(a, f, item, &s);
	}
	if (((f->flags & CF_LAST) && span_is(item, "L")) ||
	    ((f->flags & CF_WEEKDAY) && span_is(item, "LW"))) {
		*special = true;
		return NULL;
	}
	if (!read_value(f, &s, &from))
		return bad_item(a, f, item,
		                tb_arena_printf(a, "is not a value of this field (%d-%d%s)", f->lo,
		                                f->hi, f->names ? " or a three-letter name" : ""));
	if (s.p == s.end)
		return NULL;
	if (*s.p == '-')
		return cron_range(a, f, item, &s, from);
	if (*s.p == '/') {
		s.p++;
		return cron_step(a, f, item, &s);
	}
	return cron_special(a, f, item, &s, special);
}

static const char *cron_field_error(struct tb_arena *a, const struct cron_field *f,
                                    const struct span *field)
{
	const char *p = field->p;
	size_t items = 0;
	bool special = false;

	if (span_is(field, "?"))
		return (f->flags & CF_QUESTION)
		           ? NULL
		           : tb_arena_printf(a,
		                             "%s field: ? is only allowed in day-of-month or "
		                             "day-of-week",
		                             f->name);
	while (p <= field->end) {
		const char *comma = memchr(p, ',', (size_t)(field->end - p));
		struct span item = {p, comma ? comma : field->end};
		const char *err;

		if (item.p == item.end)
			return tb_arena_printf(a, "%s field: empty item in a list", f->name);
		err = cron_item(a, f, &item, &special);
		if (err != NULL)
			return err;
		items++;
		p = item.end + 1;
	}
	if (special && items > 1)
		return tb_arena_printf(a, "%s field: L, W and # stand alone, not in a list",
		                       f->name);
	return NULL;
}

/* Splits the text between the parentheses into whitespace-separated fields. */
static size_t split_fields(const struct span *in, struct span *out, size_t max)
{
	const char *p = in->p;
	size_t n = 0;

	while (p < in->end) {
		while (p < in->end && isspace((unsigned char)*p))
			p++;
		if (p == in->end)
			break;
		if (n == max)
			return max + 1;
		out[n].p = p;
		while (p < in->end && !isspace((unsigned char)*p))
			p++;
		out[n++].end = p;
	}
	return n;
}

static const char *cron_error(struct tb_arena *a, const struct span *body)
{
	struct span f[F_COUNT];
	size_t n = split_fields(body, f, F_COUNT);
	bool q_dom, q_dow;

	if (n != F_COUNT)
		return "cron() takes six fields: minutes hours day-of-month month day-of-week "
		       "year, "
		       "e.g. cron(0 8 ? * MON-FRI *)";
	for (int i = 0; i < F_COUNT; i++) {
		const char *err = cron_field_error(a, &cron_fields[i], &f[i]);

		if (err != NULL)
			return err;
	}
	q_dom = span_is(&f[F_DOM], "?");
	q_dow = span_is(&f[F_DOW], "?");
	if (q_dom && q_dow)
		return "day-of-month and day-of-week are both ?; give one of them a value";
	if (!q_dom && !q_dow)
		return "one of day-of-month and day-of-week must be ? (AWS cron cannot restrict "
		       "both), e.g. cron(0 8 ? * MON-FRI *) or cron(0 8 1 * ? *)";
	return NULL;
}

static const char *rate_error(const struct span *body)
{
	struct span f[3];
	struct span num;
	int value;

	if (split_fields(body, f, 2) != 2)
		return "rate() takes a number and a unit, e.g. rate(5 minutes)";
	num = f[0];
	if (!read_int(&num, &value) || num.p != num.end || value < 1)
		return "the rate value must be a positive whole number";
	for (size_t i = 0; i < TB_COUNT(rate_units); i++) {
		if (span_is(&f[1], rate_units[i].singular))
			return value == 1 ? NULL
			                  : "use the plural unit for values above 1 (5 minutes)";
		if (span_is(&f[1], rate_units[i].plural))
			return value != 1 ? NULL : "use the singular unit for 1 (rate(1 minute))";
	}
	return "the rate unit must be minute(s), hour(s) or day(s)";
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int digits_at(const char *p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++)
		v = v * 10 + (p[i] - '0');
	return v;
}

/* yyyy-mm-ddThh:mm:ss, digits where the pattern has '#'. */
static bool at_shape(const struct span *body)
{
	static const char pattern[] = "####-##-##T##:##:##";

	if ((size_t)(body->end - body->p) != sizeof(pattern) - 1)
		return false;
	for (size_t i = 0; i < sizeof(pattern) - 1; i++) {
		if (pattern[i] == '#' ? !isdigit((unsigned char)body->p[i])
		                      : body->p[i] != pattern[i])
			return false;
	}
	return true;
}

static const char *at_error(const struct span *body)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	const char *p = body->p;
	int y, mo, d;

	if (!at_shape(body))
		return "at() takes one UTC timestamp, at(yyyy-mm-ddThh:mm:ss)";
	y = digits_at(p, 4);
	mo = digits_at(p + 5, 2);
	d = digits_at(p + 8, 2);
	if (mo < 1 || mo > 12 || d < 1 || digits_at(p + 11, 2) > 23 || digits_at(p + 14, 2) > 59 ||
	    digits_at(p + 17, 2) > 59)
		return "the at() timestamp is not a real date and time";
	if (d > mdays[mo - 1] + (mo == 2 && leap(y)))
		return "the at() date does not exist (day beyond the end of the month)";
	return NULL;
}

/* NULL when expr is a valid schedule, else the reason (static or in a). */
const char *tb_rules_schedule_error(struct tb_arena *a, const char *expr)
{
	size_t n = expr ? strlen(expr) : 0;
	struct span body;

	if (n == 0)
		return "the schedule is empty";
	if (expr[n - 1] != ')')
		return "a schedule is cron(...), rate(...) or at(...)";
	body.end = expr + n - 1;
	if (tb_str_has_prefix(expr, "cron(")) {
		body.p = expr + 5;
		return cron_error(a, &body);
	}
	if (tb_str_has_prefix(expr, "rate(")) {
		body.p = expr + 5;
		return rate_error(&body);
	}
	if (tb_str_has_prefix(expr, "at(")) {
		body.p = expr + 3;
		return at_error(&body);
	}
	return "a schedule is cron(...), rate(...) or at(...)";
}

/* ---- time zones ------------------------------------------------------------ */

static const char *const not_zones[] = {"posixrules", "localtime", "Factory"};
static const char *const not_zone_dirs[] = {"posix/", "right/"};

static bool zone_name_ok(const char *zone)
{
	size_t n = zone ? strlen(zone) : 0;

	if (n == 0 || n > 128 || zone[0] == '/' || zone[n - 1] == '/' || strstr(zone, "..") ||
	    strstr(zone, "//"))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!isalnum((unsigned char)zone[i]) && strchr("/_+-", zone[i]) == NULL)
			return false;
	}
	for (size_t i = 0; i < TB_COUNT(not_zones); i++) {
		if (strcmp(zone, not_zones[i]) == 0)
			return false;
	}
	for (size_t i = 0; i < TB_COUNT(not_zone_dirs); i++) {
		if (tb_str_has_prefix(zone, not_zone_dirs[i]))
			return false;
	}
	return true;
}

static bool is_tzif(const char *path)
{
	struct stat st;
	char magic[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool ok = false;

	if (fd < 0)
		return false;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    read(fd, magic, sizeof(magic)) == (ssize_t)sizeof(magic))
		ok = memcmp(magic, "TZif", 4) == 0;
	close(fd);
	return ok;
}

/* Looks zone up in the zoneinfo database under dir (NULL: the system one); no
 * allocation. */
enum tb_rules_tz tb_rules_timezone(const char *dir, const char *zone)
{
	char path[PATH_MAX];
	struct stat st;

	if (dir == NULL)
		dir = "/usr/share/zoneinfo";
	if (!zone_name_ok(zone))
		return TB_TZ_INVALID;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return TB_TZ_CANNOT_TELL;
	if (snprintf(path, sizeof(path), "%s/%s", dir, zone) >= (int)sizeof(path))
		return TB_TZ_INVALID;
	return is_tzif(path) ? TB_TZ_VALID : TB_TZ_INVALID;
}
