/*
 * rules, inside: the rule row, the context a check function runs in, and the
 * helpers checks use to read values and report findings. Private to
 * provider/rules (and its unit tests).
 */
#ifndef TB_RULES_RULE_H
#define TB_RULES_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tb/rules.h"

/* The provider's environments, in the order of tb_rule_level.sev[]. */
enum tb_rules_env_index {
	TB_ENV_PRODUCTION = 0,
	TB_ENV_STAGING,
	TB_ENV_DEVELOPMENT,
	TB_ENV_COUNT,
};

/* Short names for the severity columns of the rule tables. */
#define TB_ERR  TB_SEV_ERROR
#define TB_WARN TB_SEV_WARNING
#define TB_OFF  0

#define TB_RULE_MAX_LEVELS 3

/*
 * What a finding protects (see tb_rules_env in tb/rules.h for when each
 * kind runs).
 *   TB_SHAPE     a value AWS rejects, or that cannot work at all: always an
 *                error, in every environment (a test checks it)
 *   TB_PRACTICE  a practice of the platform's documents: AWS accepts the
 *                value and it works, the team decided against it
 */
enum tb_rule_kind {
	TB_SHAPE = 1,
	TB_PRACTICE,
};

/*
 * One kind of finding of a rule, its kind, and its severity in production,
 * staging and development (TB_OFF: not reported there). A level whose three
 * severities differ depends on the environment: it is not checked at
 * validate time. A rule whose findings protect different things has one
 * level per kind.
 */
struct tb_rule_level {
	const char *when; /* the condition, for docs/guides/rules.md */
	enum tb_severity sev[TB_ENV_COUNT];
	enum tb_rule_kind kind;
};

struct tb_rule_ctx;

struct tb_rule {
	const char *id;       /* "TB001": stable, never reused */
	const char *resource; /* "talentbase_service" */
	const char *path;     /* primary attribute, for the docs */
	const char *summary;  /* one line; the diagnostic summary after "TB001: " */
	struct tb_rule_level levels[TB_RULE_MAX_LEVELS]; /* ends at when == NULL */
	const char *source;                              /* document title and section */
	const char *rationale;                           /* why */
	const char *instead;                             /* what to write instead */
	void (*check)(struct tb_rule_ctx *c);
	/* Preflight rules: the AWS reads they judge and the IAM permissions
	 * those need (docs/rules.md); NULL for rules that read the
	 * configuration only. */
	const char *reads;
};

/* A resource's rule table. */
struct tb_rules_set {
	const char *resource;
	const struct tb_rule *rules;
	size_t n;
};

/* What a check function sees. */
struct tb_rule_ctx {
	struct tb_diags *d;
	struct tb_arena *a;
	const struct tb_rules_env *env;
	int env_index; /* enum tb_rules_env_index, or -1 when not known */
	const struct tb_rule *rule;
	const struct tb_value *v;   /* the resource object */
	const struct tb_value *ack; /* its "acknowledge" attribute */
};

/* The rule tables, one per resource file. */
extern const struct tb_rules_set tb_rules_service;
extern const struct tb_rules_set tb_rules_secret;
extern const struct tb_rules_set tb_rules_alarm_set;
extern const struct tb_rules_set tb_rules_database_proxy;

/* Every rule table, in ID order; *out_n is set to their count. */
const struct tb_rules_set *const *tb_rules_sets(size_t *out_n);
/* The rule with this ID in any table, or NULL. */
const struct tb_rule *tb_rules_find(const char *id);
/* True when the level's severity is the same in every environment. */
bool tb_rules_level_env_independent(const struct tb_rule_level *l);
/* The severity a finding of level l has under env (env_index: enum
 * tb_rules_env_index of env->environment, -1 when not known), before
 * acknowledge and strict; 0 when it is not checked there. */
enum tb_severity tb_rules_level_severity(const struct tb_rules_env *env, int env_index,
                                         const struct tb_rule_level *l);
/* "shape" or "practice" (static). */
const char *tb_rules_kind_name(enum tb_rule_kind kind);
/* The docs/guides/rules.md anchor of a rule ID ("TB001" -> "tb001"). */
void tb_rules_anchor(const char *id, char out[16]);

/* ---- reporting (engine.c) --------------------------------------------------
 * A finding of level `level` of the running rule. The engine decides whether
 * it is reported (phase, environment, acknowledge, strict) and with which
 * severity, and builds the diagnostic: summary "TB001: <summary>", detail
 * "<finding>" + why + source + what instead + the docs link. finding is a
 * printf format; it must never contain a secret value.
 */
/* True when a finding of this level would be reported at all. */
bool tb_rules_wants(const struct tb_rule_ctx *c, unsigned level);
/* At a dotted attribute path ("deployment.rollback"). */
void tb_rules_report(struct tb_rule_ctx *c, unsigned level, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* At path["key"] (a map element). */
void tb_rules_report_key(struct tb_rule_ctx *c, unsigned level, const char *path, const char *key,
                         const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* At path[index] followed by tail (NULL or an attribute: "timezone"). */
void tb_rules_report_item(struct tb_rule_ctx *c, unsigned level, const char *path, int64_t index,
                          const char *tail, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* ---- reading values (values.c) ----------------------------------------------
 * Nested single blocks are objects that may be null; a rule never fires on
 * an unknown value, so these helpers answer "known or not".
 */
/* Value at a dotted path of object attributes ("load_balancer.health_check.path").
 * Stops at the first null or unknown object and returns it; NULL when an
 * attribute does not exist. */
const struct tb_value *tb_rules_get(const struct tb_value *v, const char *dotted);
/* True and *out when the value at dotted is a known number. */
bool tb_rules_num(const struct tb_value *v, const char *dotted, double *out);
/* True and *out when the value at dotted is a known string. */
bool tb_rules_str(const struct tb_value *v, const char *dotted, const char **out);
/* The value at dotted when it is a known collection of that kind (TB_MAP,
 * TB_LIST, TB_SET); NULL otherwise. */
const struct tb_value *tb_rules_coll(const struct tb_value *v, const char *dotted,
                                     enum tb_kind kind);
/* True when the value at dotted is null (not set), and not unknown. */
bool tb_rules_is_null(const struct tb_value *v, const char *dotted);
/* True when the value at dotted is a known, non-null object. */
bool tb_rules_is_set(const struct tb_value *v, const char *dotted);
/* A number as text: "30", "0.5" (arena). */
const char *tb_rules_num_text(struct tb_arena *a, double x);
/* Appends "a, b, c" of the numbers to an arena string (for messages). */
char *tb_rules_join_ints(struct tb_arena *a, const int64_t *xs, size_t n);

/* ---- schedule expressions and time zones (schedule.c) ------------------- */
/* NULL when expr is a valid Application Auto Scaling schedule (cron(...),
 * rate(...), at(...)); else what is wrong (arena). */
const char *tb_rules_schedule_error(struct tb_arena *a, const char *expr);

enum tb_rules_tz {
	TB_TZ_VALID = 1,
	TB_TZ_INVALID,
	TB_TZ_CANNOT_TELL, /* no time zone database on this machine */
};
/* Checks an IANA zone name against the zoneinfo database under dir (NULL:
 * /usr/share/zoneinfo): a regular TZif file, no "..", no absolute path. */
enum tb_rules_tz tb_rules_timezone(const char *dir, const char *zone);

/* ---- credential-looking text (secrets.c) ---------------------------------- */
/* NULL, or what the value looks like ("an AWS access key ID"); static. */
const char *tb_rules_credential_kind(const char *value);
/* NULL, or the secret-looking word in an environment variable name; static. */
const char *tb_rules_secret_name_word(const char *name);
/* NULL when arn is a valid ECS secrets valueFrom (Secrets Manager or SSM
 * parameter ARN) in partition/region (either NULL: not compared); else what is
 * wrong, never quoting the value itself (arena). */
const char *tb_rules_secret_ref_error(struct tb_arena *a, const char *arn, const char *partition,
                                      const char *region);

#endif
