/*
 * provider: what the RPC layer calls. The provider's own schema and
 * configuration, and the table of resource types, each a set of callbacks
 * over cty values. The RPC layer decodes requests into these calls and
 * encodes the results; resources never see protobuf.
 */
#ifndef TB_PROVIDER_H
#define TB_PROVIDER_H

#include <stdatomic.h>
#include <stdbool.h>

#include "tb/aws.h"
#include "tb/cty.h"
#include "tb/schema.h"

/* Settings of the configured provider; immutable after ConfigureProvider. */
struct tb_meta {
	const char *environment; /* production | staging | development */
	bool strict;
	const struct tb_value *default_tags; /* map(string) or null */
	struct tb_aws_client *aws;           /* NULL until configured */
	const char *region, *partition, *account_id;
};

/* Client capabilities the request carried. */
struct tb_client_caps {
	bool deferral_allowed;
	bool write_only_attributes_allowed;
};

/*
 * One RPC call. The arena holds everything decoded for and produced by the
 * call; diags collects what the response returns.
 */
struct tb_call {
	struct tb_arena *arena;
	struct tb_diags diags;
	const struct tb_meta *meta; /* never NULL; fields unset before configure */
	struct tb_client_caps caps;
	const atomic_bool *cancel; /* set by StopProvider */
};

/* Resource type: schema and lifecycle callbacks. Any callback may be NULL. */
struct tb_resource {
	const char *name; /* "talentbase_service" */
	const struct tb_schema *schema;
	/* ValidateResourceConfig: config may contain unknowns. */
	void (*validate)(struct tb_call *c, const struct tb_value *config);
	/* PlanResourceChange, after tb_plan_prepare; p->planned is the answer.
	 * Not called for destroy (proposed null). */
	int (*plan)(struct tb_call *c, struct tb_plan *p);
	/* ApplyResourceChange, create. On failure *out may still carry a
	 * partial state (everything created so far), which is saved tainted. */
	int (*create)(struct tb_call *c, const struct tb_value *planned,
	              const struct tb_value **out);
	int (*update)(struct tb_call *c, const struct tb_value *prior,
	              const struct tb_value *planned, const struct tb_value **out);
	int (*delete)(struct tb_call *c, const struct tb_value *prior);
	/* ReadResource: *out null when the object is gone. */
	int (*read)(struct tb_call *c, const struct tb_value *state, const struct tb_value **out);
	/* ImportResourceState: a state read back from an ID. */
	int (*import)(struct tb_call *c, const char *id, const struct tb_value **out);
	/* UpgradeResourceState from an older schema version; NULL: generic. */
	int (*upgrade)(struct tb_call *c, int64_t version, const struct tb_value *decoded,
	               const struct tb_value **out);
};

/* Resource types, one per file in provider/resources/. */
extern const struct tb_resource tb_resource_service;

/* NULL-terminated table of resource types, sorted by name. */
extern const struct tb_resource *const tb_resources[];
const struct tb_resource *tb_resource_find(const char *name);

/* The provider block. */
extern const struct tb_schema tb_provider_schema;
/* ValidateProviderConfig: checks what can be checked without AWS. */
void tb_provider_validate(struct tb_call *c, const struct tb_value *config);
/* ConfigureProvider: builds the AWS client and publishes new settings that
 * carry it, for the calls that start afterwards (calls already running keep
 * theirs). Returns 0 or a TB_E* code; errors go to c->diags. */
int tb_provider_configure(struct tb_call *c, const struct tb_value *config);
/*
 * The current settings, never NULL (fields zeroed before configure), held
 * until tb_provider_meta_put: a later ConfigureProvider or shutdown frees
 * them only once the last holder has let go. Thread-safe.
 */
const struct tb_meta *tb_provider_meta_get(void);
void tb_provider_meta_put(const struct tb_meta *m);
/* The current settings, borrowed without a hold: valid until the next
 * ConfigureProvider or shutdown, so only where neither can run (tests). */
const struct tb_meta *tb_provider_meta(void);
/* Unpublishes the settings; the AWS client is freed once no call holds them. */
void tb_provider_shutdown(void);

/*
 * Shared helpers for resources (provider/resources/common.c).
 */
/* tags merged over the provider's default_tags (map(string)); either may be null. */
const struct tb_value *tb_tags_all(struct tb_arena *a, const struct tb_meta *m,
                                   const struct tb_value *tags);
/* Adds an AWS failure as an error diagnostic on path (NULL: the whole resource):
 * "<step> for <resource> \"<name>\": <service>
 * <action>: <code>: <message> (request id <id>)". */
void tb_diag_aws(struct tb_call *c, const char *path, const char *step, const char *resource,
                 const char *name, const struct tb_aws_error *e);
/* Timeout from the "timeouts" block attribute (create/update/delete) or dflt_ms. */
int64_t tb_timeout_ms(const struct tb_value *obj, const char *op, int64_t dflt_ms);
/* An AWS context for this call: arena, deadline now+timeout_ms (0: none). */
void tb_call_aws_ctx(struct tb_call *c, int64_t timeout_ms, struct tb_aws_ctx *out);

/* Registry address used in debug mode's TF_REATTACH_PROVIDERS. */
#define TB_PROVIDER_ADDRESS "registry.talentbase.internal/platform/talentbase"

#endif
