/*
 * The schedule expression parser of rule TB016 (rules/schedule.c):
 * cron(...), rate(...) and at(...) as Application Auto Scaling takes them,
 * and the time zone name check in front of the zoneinfo lookup.
 *
 * Input: the expression, then optionally a newline and a time zone name,
 * looked up in the system zoneinfo database (a name that climbs out of it,
 * such as "../../etc/passwd", must be refused before any file is opened).
 */
#include "fuzz.h"
#include "rules/rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tb_arena *a = tb_arena_new();
	struct fuzz_in in = {data, size};
	bool has_zone = false;
	char *expr, *zone;
	enum tb_rules_tz tz;

	if (!a)
		return 0;
	expr = fuzz_str(a, fuzz_field(&in, '\n', &has_zone));
	zone = fuzz_str(a, (struct fuzz_span){(const char *)in.p, in.n});
	if (expr)
		(void)tb_rules_schedule_error(a, expr);
	if (zone && has_zone) {
		tz = tb_rules_timezone(NULL, zone);
		FUZZ_CHECK(tz == TB_TZ_VALID || tz == TB_TZ_INVALID || tz == TB_TZ_CANNOT_TELL);
		if (tz == TB_TZ_VALID)
			FUZZ_CHECK(zone[0] != '/' && strstr(zone, "..") == NULL);
	}
	tb_arena_free(a);
	return 0;
}
