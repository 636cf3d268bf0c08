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
	bool preflight; /* plans read AWS for the preflight rules (TB021-TB027) */
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
	/* ApplyResourceChange: the configuration, where write-only arguments
	 * are (planned and prior values hold them null); NULL elsewhere. */
	const struct tb_value *config;
};

/* One create, read, update, delete or import (provider/resources/kit/kit.h). */
struct tb_op;

/* Default timeout of each operation, in milliseconds. */
struct tb_timeouts {
	int64_t create, read, update, delete;
};

/*
 * The shape of an import ID: up to max_parts parts separated by '/' (the
 * first part takes any extra slashes), at least min_parts. One part is the
 * whole ID (a name that may itself hold slashes, or an ARN).
 */
struct tb_import_id {
	const char *format;  /* "<cluster>/<service name>" */
	const char *example; /* "talentbase-prod/web" */
	unsigned min_parts, max_parts;
};

/* An AWS error code that one attribute of the configuration explains: the
 * failure's diagnostic points there rather than at the whole resource. */
struct tb_error_path {
	const char *code; /* "ClusterNotFoundException" */
	const char *path; /* "cluster" */
};

/*
 * Resource type: what it needs from the kit, its schema and its callbacks.
 * The kit's preamble (tb_resource_create &c.) checks that the provider is
 * configured when the resource needs AWS, builds the operation (timeout
 * from the "timeouts" block or the default here, AWS context, the object's
 * name) and splits import IDs, so callbacks start with their own work. Any
 * callback may be NULL.
 */
struct tb_resource {
	const char *name; /* "talentbase_service" */
	const struct tb_schema *schema;
	bool needs_aws;
	struct tb_timeouts timeouts;
	const char *name_attr; /* the attribute naming the object in diagnostics */
	struct tb_import_id import_id;
	const struct tb_error_path *error_paths; /* ends at code == NULL; may be NULL */
	/* ValidateResourceConfig: config may contain unknowns. */
	void (*validate)(struct tb_call *c, const struct tb_value *config);
	/* PlanResourceChange, after tb_plan_prepare; p->planned is the answer.
	 * Not called for destroy (proposed null). */
	int (*plan)(struct tb_call *c, struct tb_plan *p);
	/* ApplyResourceChange, create. On failure *out may still carry a
	 * partial state (everything created so far), which is saved tainted. */
	int (*create)(struct tb_op *op, const struct tb_value *planned,
	              const struct tb_value **out);
	int (*update)(struct tb_op *op, const struct tb_value *prior,
	              const struct tb_value *planned, const struct tb_value **out);
	int (*delete)(struct tb_op *op, const struct tb_value *prior);
	/* ReadResource: *out null when the object is gone. */
	int (*read)(struct tb_op *op, const struct tb_value *state, const struct tb_value **out);
	/* ImportResourceState: a state read back from the ID's parts[0..n). */
	int (*import)(struct tb_op *op, const char *const *parts, size_t n,
	              const struct tb_value **out);
	/* UpgradeResourceState from an older schema version; NULL: generic. */
	int (*upgrade)(struct tb_call *c, int64_t version, const struct tb_value *decoded,
	               const struct tb_value **out);
};

/* Resource types, one folder each in provider/resources/. */
extern const struct tb_resource tb_resource_alarm_set;
extern const struct tb_resource tb_resource_database_proxy;
extern const struct tb_resource tb_resource_parameter;
extern const struct tb_resource tb_resource_secret;
extern const struct tb_resource tb_resource_service;

/* NULL-terminated table of resource types, sorted by name. */
extern const struct tb_resource *const tb_resources[];
const struct tb_resource *tb_resource_find(const char *name);

/*
 * Data source type: its schema and its read. The kit's preamble
 * (tb_data_source_read) checks that the provider is configured when the
 * data source needs AWS and bounds the read's AWS context by timeout_ms, so
 * the callback starts with its own work. Any callback may be NULL.
 */
struct tb_data_source {
	const char *name; /* "talentbase_platform" */
	const struct tb_schema *schema;
	bool needs_aws;
	int64_t timeout_ms; /* of one read */
	/* ValidateDataResourceConfig: config may contain unknowns. */
	void (*validate)(struct tb_call *c, const struct tb_value *config);
	/* ReadDataSource: config is wholly known; *out is the data source's
	 * value (config with its computed attributes filled). Errors go to
	 * c->diags. */
	int (*read)(struct tb_call *c, struct tb_aws_ctx *ctx, const struct tb_value *config,
	            const struct tb_value **out);
};

/* Data source types, one folder each in provider/resources/. */
extern const struct tb_data_source tb_data_source_platform;

/* NULL-terminated table of data source types, sorted by name. */
extern const struct tb_data_source *const tb_data_sources[];
const struct tb_data_source *tb_data_source_find(const char *name);

/*
 * ReadDataSource as the RPC layer calls it (provider/resources/kit/data.c):
 * the preamble, then the data source's read. A missing read or an
 * unconfigured provider is an error diagnostic (TB_EINVAL). Returns the
 * read's result; *out is set only on success.
 */
int tb_data_source_read(const struct tb_data_source *d, struct tb_call *c,
                        const struct tb_value *config, const struct tb_value **out);

/*
 * The lifecycle as the RPC layer calls it (provider/resources/kit/op.c):
 * the kit's preamble, then the resource's callback. A missing callback, an
 * unconfigured provider or a malformed import ID is an error diagnostic
 * (TB_EINVAL). read without a callback answers the state unchanged.
 * Returns the callback's result.
 */
int tb_resource_create(const struct tb_resource *r, struct tb_call *c,
                       const struct tb_value *planned, const struct tb_value **out);
int tb_resource_update(const struct tb_resource *r, struct tb_call *c, const struct tb_value *prior,
                       const struct tb_value *planned, const struct tb_value **out);
int tb_resource_delete(const struct tb_resource *r, struct tb_call *c,
                       const struct tb_value *prior);
int tb_resource_read(const struct tb_resource *r, struct tb_call *c, const struct tb_value *state,
                     const struct tb_value **out);
int tb_resource_import(const struct tb_resource *r, struct tb_call *c, const char *id,
                       const struct tb_value **out);

/* What OpenEphemeralResource (and RenewEphemeralResource) answer. */
struct tb_ephemeral_result {
	const struct tb_value *value; /* open: the result object, wholly known */
	int64_t renew_at;             /* epoch seconds to call renew at; 0: never */
	const void *private_data;     /* handed back to renew and close; may be NULL */
	size_t private_len;
};

/*
 * Ephemeral resource type (protocol 6.7+): a value for one run, never
 * written to state or plan. The client validates, opens, renews when
 * renew_at says so, and closes. Any callback but open may be NULL (renew:
 * nothing to renew; close: nothing to release).
 */
struct tb_ephemeral {
	const char *name; /* "talentbase_secret" */
	const struct tb_schema *schema;
	bool needs_aws;
	/* ValidateEphemeralResourceConfig: config may contain unknowns. */
	void (*validate)(struct tb_call *c, const struct tb_value *config);
	/* OpenEphemeralResource: config is wholly known. */
	int (*open)(struct tb_call *c, const struct tb_value *config,
	            struct tb_ephemeral_result *out);
	int (*renew)(struct tb_call *c, const void *priv, size_t len,
	             struct tb_ephemeral_result *out);
	int (*close)(struct tb_call *c, const void *priv, size_t len);
};

/* Ephemeral resource types, beside the resources of the same name. */
extern const struct tb_ephemeral tb_ephemeral_secret;

/* NULL-terminated table of ephemeral resource types, sorted by name. */
extern const struct tb_ephemeral *const tb_ephemerals[];
const struct tb_ephemeral *tb_ephemeral_find(const char *name);

/*
 * The ephemeral lifecycle as the RPC layer calls it (kit/ephemeral.c): an
 * unconfigured provider is an error diagnostic (TB_EINVAL) when the type
 * needs AWS; renew and close without a callback answer nothing to do.
 * Returns the callback's result.
 */
int tb_ephemeral_open(const struct tb_ephemeral *e, struct tb_call *c,
                      const struct tb_value *config, struct tb_ephemeral_result *out);
int tb_ephemeral_renew(const struct tb_ephemeral *e, struct tb_call *c, const void *priv,
                       size_t len, struct tb_ephemeral_result *out);
int tb_ephemeral_close(const struct tb_ephemeral *e, struct tb_call *c, const void *priv,
                       size_t len);

/* The provider block (provider/config/). */
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

/* Registry address used in debug mode's TF_REATTACH_PROVIDERS. */
#define TB_PROVIDER_ADDRESS "registry.talentbase.internal/platform/talentbase"

#endif
