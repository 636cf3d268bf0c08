/*
 * Private declarations of the aws module: the service table, the signer,
 * the HTTP transport, the credential chain and the request loop. Unit tests
 * include this header to reach the pieces below the public API.
 */
#ifndef TB_AWS_INTERNAL_H
#define TB_AWS_INTERNAL_H

#include <curl/curl.h>
#include <pthread.h>

#include "tb/aws.h"

/* ---- services, partitions, endpoints ----------------------------------- */

enum aws_protocol {
	AWS_PROTO_JSON,
	AWS_PROTO_QUERY,
	/* EC2's dialect of Query: the same request, an answer whose root
	 * <ActionResponse> holds the result (no <ActionResult>), errors in
	 * <Response><Errors><Error>. */
	AWS_PROTO_EC2,
};

/* How a service spells tags in create calls and tags objects later. */
enum aws_tag_shape {
	AWS_TAGS_NONE = 0,
	AWS_TAGS_LOWER_LIST, /* [{"key": k, "value": v}] (ecs) */
	AWS_TAGS_LIST,       /* [{"Key": k, "Value": v}] */
	AWS_TAGS_MAP,        /* {"k": "v"} */
	AWS_TAGS_QUERY,      /* Tags.<member>.N.Key / .Value */
};

struct aws_tagging {
	enum aws_tag_shape shape;
	const char *tag_action, *untag_action;
	const char *id_key;        /* JSON key or query parameter ("<id_key>.N" when many_ids) */
	bool many_ids;             /* one call tags several objects */
	const char *tags_key;      /* "tags", "Tags" */
	const char *keys_key;      /* "tagKeys", "TagKeys" */
	const char *resource_type; /* sent as ResourceType (ssm), or NULL */
	const char *member;        /* query list member name: "Tag" (rds); NULL: "member" */
};

struct aws_service {
	const char *id;           /* the name callers pass: "ecs", "monitoring" */
	const char *keys[4];      /* provider endpoints keys, NULL-terminated */
	const char *env_id;       /* AWS_ENDPOINT_URL_<env_id> */
	const char *signing_name; /* SigV4 service name */
	const char *prefix;       /* endpoint hostname label */
	enum aws_protocol protocol;
	const char *api;        /* JSON X-Amz-Target prefix, or Query API version */
	bool global;            /* one endpoint per partition, signed in its home region */
	const char *page_token; /* JSON pagination token, in requests and answers */
	struct aws_tagging tags;
};

struct aws_partition {
	const char *name;          /* aws, aws-cn, aws-us-gov */
	const char *region_prefix; /* "" matches every region */
	const char *dns_suffix;
	const char *global_region; /* signing region of global services */
	const char *global_host;   /* hostname of iam in this partition */
};

extern const struct aws_service aws_services[];
extern const size_t aws_n_services;

/* Row for a service id or provider endpoints key; NULL if unknown. */
const struct aws_service *aws_service_find(const char *name);
/* Partition of a region (the aws partition when no other one matches). */
const struct aws_partition *aws_partition_for(const char *region);
/* Default endpoint URL of a service in a region (arena string). */
char *aws_default_endpoint(struct tb_arena *a, const struct aws_service *s, const char *region);
/* Region the service is signed for. */
const char *aws_signing_region(const struct tb_aws_client *c, const struct aws_service *s);

/* ---- SigV4 --------------------------------------------------------------- */

struct aws_sigv4_header {
	const char *name;
	const char *value;
};

struct aws_sigv4_input {
	const char *method;
	const char *path;  /* unencoded; normalised and encoded by the signer */
	const char *query; /* as in the URL, may be NULL */
	const struct aws_sigv4_header *headers; /* including Host */
	size_t n_headers;
	const void *body;
	size_t body_len;
	const char *access_key, *secret_key, *token; /* token may be NULL */
	const char *region, *service;
	const char *amz_date; /* YYYYMMDD'T'HHMMSS'Z' */
};

struct aws_sigv4_output {
	char *canonical_request;
	char *string_to_sign;
	char *authorization;
	char *payload_hash;
	/* Headers the signer added and the caller must send (NULL if none). */
	char *date_header;  /* "X-Amz-Date: ..." */
	char *token_header; /* "X-Amz-Security-Token: ..." */
};

/* Signs a request; every output string lives in a. TB_ENOMEM or TB_EIO. */
int aws_sigv4_sign(struct tb_arena *a, const struct aws_sigv4_input *in,
                   struct aws_sigv4_output *out);
/* Appends s percent-encoded (RFC 3986 unreserved kept; '/' kept if asked). */
int aws_uri_encode(struct tb_buf *b, const char *s, size_t n, bool keep_slash);

/* ---- XML, JSON helpers ------------------------------------------------- */

/* Reads a string member of a JSON object; NULL when absent or not a string. */
const char *aws_json_str(const json_t *o, const char *key);

/* ---- shared config files ------------------------------------------------- */

struct aws_ini_kv {
	const char *key, *value;
	struct aws_ini_kv *next;
};

struct aws_profile {
	const char *name;
	struct aws_ini_kv *kv; /* credentials file entries first, then config */
	struct aws_profile *next;
};

/* Parses INI text into profiles (arena); config_style strips "profile ". */
int aws_ini_parse(struct tb_arena *a, const char *text, bool config_style,
                  struct aws_profile **profiles);
const struct aws_profile *aws_profile_find(const struct aws_profile *list, const char *name);
const char *aws_profile_get(const struct aws_profile *p, const char *key);
/* Loads every file (missing files are skipped); later files win. */
int aws_profiles_load(struct tb_arena *a, const char *const *config_files,
                      const char *const *credentials_files, struct aws_profile **out,
                      struct tb_buf *why);
/* Reads a whole file (at most max bytes) into a, NUL-terminated; len may be
 * NULL. TB_ENOTFOUND when missing, TB_ENOMEM when larger than max. */
int aws_read_file(struct tb_arena *a, const char *path, size_t max, char **out, size_t *len);
/* "~/x" expanded with $HOME (arena); NULL stays NULL. */
char *aws_expand_home(struct tb_arena *a, const char *path);

/* ---- libcurl, loaded at the first client (curl_api.c) ---------------------- */

/* The libcurl functions the module calls, resolved from libcurl.so.4 (the
 * development build links no libcurl: its headers give types and constants)
 * or, in the static release build (TB_CURL_LINKED), from the linked library. */
struct aws_curl_api {
	__typeof__(curl_global_init) *global_init;
	__typeof__(curl_version_info) *version_info;
	__typeof__(curl_share_init) *share_init;
	__typeof__(curl_share_setopt) *share_setopt;
	__typeof__(curl_share_cleanup) *share_cleanup;
	__typeof__(curl_easy_init) *easy_init;
	__typeof__(curl_easy_reset) *easy_reset;
	__typeof__(curl_easy_cleanup) *easy_cleanup;
	__typeof__(curl_easy_setopt) *easy_setopt;
	__typeof__(curl_easy_perform) *easy_perform;
	__typeof__(curl_easy_getinfo) *easy_getinfo;
	__typeof__(curl_easy_strerror) *easy_strerror;
	__typeof__(curl_slist_append) *slist_append;
	__typeof__(curl_slist_free_all) *slist_free_all;
	__typeof__(curl_url) *url;
	__typeof__(curl_url_set) *url_set;
	__typeof__(curl_url_get) *url_get;
	__typeof__(curl_url_cleanup) *url_cleanup;
	__typeof__(curl_free) *free;
};

/* Filled by aws_curl_load; read-only afterwards. */
extern struct aws_curl_api aws_curl;

int aws_curl_load(char **errmsg);

/* ---- trust roots (ca_roots.c) ---------------------------------------------- */

struct aws_ca_roots {
	char file[1024]; /* a CA bundle file, "" if none */
	char dirs[2048]; /* colon-separated CA directories, "" if none */
};

extern const char *const aws_ca_files[], *const aws_ca_dirs[];
void aws_ca_roots_find(struct aws_ca_roots *out, const char *const *files, const char *const *dirs);
const struct aws_ca_roots *aws_ca_roots(void);

/* ---- HTTP ---------------------------------------------------------------- */

#define AWS_POOL_MAX 16

struct aws_http_pool {
	pthread_mutex_t mu;
	CURL *idle[AWS_POOL_MAX];
	size_t n_idle;
	CURLSH *share;
	pthread_mutex_t share_mu[CURL_LOCK_DATA_LAST];
};

struct aws_http_req {
	const char *method; /* "GET", "POST", "PUT" */
	const char *url;
	const struct curl_slist *headers;
	const char *body;
	size_t body_len;
	int64_t timeout_ms;
	int64_t connect_timeout_ms;
	int64_t deadline_ms; /* 0: none */
};

struct aws_http_resp {
	long status;
	struct tb_buf body;
	char request_id[128];
	char error_type[256];
	char errbuf[CURL_ERROR_SIZE];
};

int aws_http_init(struct aws_http_pool *p, char **errmsg);
void aws_http_cleanup(struct aws_http_pool *p);
/*
 * Sends one request. Returns 0 when a response arrived (any status), else
 * TB_ECANCELED, TB_ETIMEOUT, TB_ETRANSIENT (refused, reset), TB_EIO (DNS,
 * TLS) with resp->errbuf set. resp->body is the caller's to free.
 */
int aws_http_perform(struct tb_aws_client *c, const struct aws_http_req *req,
                     struct aws_http_resp *resp);
/* The CURLOPT_HEADERFUNCTION of aws_http_perform: one header line of an
 * answer (data, size * n bytes, not NUL-terminated) into the aws_http_resp ud
 * (request ID, error type). Returns size * n. */
size_t aws_http_on_header(char *data, size_t size, size_t n, void *ud);

/* ---- credentials --------------------------------------------------------- */

struct aws_creds {
	char *access_key, *secret_key, *token;
	int64_t expires; /* epoch seconds; 0: never */
};

/* Context handed to a credential source. */
struct aws_src_ctx {
	struct tb_aws_client *c;
	struct tb_arena *a; /* the creds it returns live here */
	struct tb_buf *why; /* why a configured source failed */
};

struct aws_cred_source {
	const char *name;
	bool names_profile; /* its name is followed by the profile's */
	/* 0 and creds, TB_ENOTFOUND when not configured, else a failure. */
	int (*fetch)(struct aws_src_ctx *s, struct aws_creds *out);
};

extern const struct aws_cred_source aws_cred_chain[];
extern const size_t aws_n_cred_chain;

struct aws_cred_cache {
	pthread_mutex_t mu;
	const struct aws_cred_source *src;
	struct aws_creds cur; /* malloc'd strings */
	uint64_t refreshes;   /* fetches after the first (tests) */
};

/* Sources: each returns 0, TB_ENOTFOUND (not configured) or a failure. */
int aws_src_explicit(struct aws_src_ctx *s, struct aws_creds *out);
int aws_src_env(struct aws_src_ctx *s, struct aws_creds *out);
int aws_src_web_identity(struct aws_src_ctx *s, struct aws_creds *out);
int aws_src_profile(struct aws_src_ctx *s, struct aws_creds *out);
int aws_src_container(struct aws_src_ctx *s, struct aws_creds *out);
int aws_src_imds(struct aws_src_ctx *s, struct aws_creds *out);
/* sts:AssumeRole with base credentials. */
int aws_sts_assume_role(struct aws_src_ctx *s, const struct aws_creds *base,
                        const struct tb_aws_assume_role *role, struct aws_creds *out);
/* sts:AssumeRoleWithWebIdentity (unsigned). */
int aws_sts_web_identity(struct aws_src_ctx *s, const char *role_arn, const char *session,
                         const char *token_file, struct aws_creds *out);
/* Runs a credential_process command and parses its JSON output. */
int aws_run_credential_process(struct aws_src_ctx *s, const char *cmd, struct aws_creds *out);
/* Decodes {AccessKeyId, SecretAccessKey, Token|SessionToken, Expiration}. */
int aws_creds_from_json(struct aws_src_ctx *s, const json_t *o, struct aws_creds *out);

/*
 * Picks the first configured source of the chain (plus assume_role) and
 * caches its credentials. On failure *errmsg (malloc'd) says what was tried.
 */
int aws_creds_init(struct tb_aws_client *c, char **errmsg);
/* Current credentials copied into a, refreshed first when they expire soon. */
int aws_creds_get(struct tb_aws_client *c, struct tb_arena *a, struct aws_creds *out,
                  struct tb_buf *why);
void aws_creds_cleanup(struct aws_cred_cache *cc);

/* ---- adaptive rate limiting (rate.c) ---------------------------------------- */

/* One service's token bucket; all fields under mu. Times are wall-clock seconds. */
struct aws_rate {
	pthread_mutex_t mu;
	bool enabled; /* since the service first throttled */
	double fill_rate, capacity, tokens, last_refill;
	double measured, last_bucket; /* smoothed requests per second */
	unsigned count;               /* requests in the current window */
	double last_max, last_throttle, k;
	uint64_t throttles;
};

void aws_rate_init(struct aws_rate *r);
void aws_rate_cleanup(struct aws_rate *r);
/* The pure steps, at time now: seconds to wait before sending (a token is
 * taken), and the outcome of a request. Caller holds r->mu. */
double aws_rate_take(struct aws_rate *r, double now);
void aws_rate_update(struct aws_rate *r, bool throttled, double now);
/* Waits for s's next token: 0, or TB_ECANCELED (cancel or deadline). */
int aws_rate_acquire(struct tb_aws_client *c, const struct aws_service *s, int64_t deadline_ms);
void aws_rate_record(struct tb_aws_client *c, const struct aws_service *s, bool throttled);

/* ---- shared reads (shared.c) ------------------------------------------------ */

struct aws_shared;
struct aws_shared *aws_shared_new(void);
void aws_shared_free(struct aws_shared *s);

/* ---- the client ---------------------------------------------------------- */

struct aws_settings {
	char *region;
	char *profile;
	bool profile_explicit;
	char **config_files, **credentials_files; /* NULL-terminated */
	char *access_key, *secret_key, *token;
	struct tb_aws_assume_role assume_role; /* strings in the client arena */
	int max_retries;
	int64_t retry_base_ms, retry_cap_ms;
	bool adaptive; /* AWS_RETRY_MODE is not standard or legacy */
	int64_t request_timeout_ms;
	const atomic_bool *cancel;
	char *user_agent;
	char *ca_bundle; /* AWS_CA_BUNDLE */
};

struct tb_aws_client {
	struct tb_arena *arena; /* strings that live as long as the client */
	struct aws_settings set;
	struct aws_profile *profiles;
	const struct aws_partition *partition;
	char **endpoints; /* one URL per aws_services row */
	char *account_id;
	char *source; /* name of the credential source in use */
	char *tried;  /* the sources tried before it, and it */
	struct aws_http_pool http;
	struct aws_cred_cache creds;
	atomic_uint_fast64_t requests;
	struct aws_rate *rates; /* one per aws_services row */
	struct aws_shared *shared;
};

/* Resolves the region: settings, AWS_REGION, AWS_DEFAULT_REGION, profile. */
const char *aws_resolve_region(struct tb_aws_client *c);
/* Fills c->endpoints from the provider block, environment and profile. */
int aws_resolve_endpoints(struct tb_aws_client *c, const struct tb_aws_config *cfg,
                          struct tb_buf *why);
/* The selected profile (NULL if it has none) and its name. */
const struct aws_profile *aws_current_profile(const struct tb_aws_client *c);
const char *aws_profile_name(const struct tb_aws_client *c);

/* ---- requests ------------------------------------------------------------ */

struct aws_call {
	const struct aws_service *svc;
	const char *action;
	const char *content_type;
	const char *target; /* X-Amz-Target, or NULL */
	const char *body;
	size_t body_len;
	const struct aws_creds *creds; /* NULL: the client's credentials */
	bool anonymous;                /* unsigned request */
	/* response */
	long status;
	const char *resp;
	size_t resp_len;
	const char *request_id;
};

/*
 * Signs and sends a call with retries. 0 on a 2xx answer (call->resp in the
 * ctx arena); else the error class, with ctx->error filled.
 */
int aws_call_do(struct tb_aws_ctx *ctx, struct aws_call *call);
/*
 * The outcome of one exchange of call: rc is aws_http_perform's. 0 on a 2xx
 * answer (call->resp, resp_len and request_id copied into ctx->arena); else
 * the error class, with ctx->error filled (the answer's error decoded).
 */
int aws_call_settle(struct tb_aws_ctx *ctx, struct aws_call *call, struct aws_http_resp *resp,
                    int rc);
/* The document of call's 2xx JSON answer (an empty object when the body is
 * empty), owned by ctx->arena; TB_EAWS with ctx->error filled when it is not
 * JSON, or TB_ENOMEM. */
int aws_json_answer(struct tb_aws_ctx *ctx, const struct aws_call *call, json_t **out);
/* The <ActionResult> element of call's 2xx Query answer (an empty element
 * when there is none), in ctx->arena; TB_EAWS with ctx->error filled when
 * it is not XML, or TB_ENOMEM. */
int aws_query_answer(struct tb_aws_ctx *ctx, const struct aws_call *call,
                     const struct tb_xml **out);
/* Query call with explicit credentials (NULL: the client's) or unsigned. */
int aws_query_call(struct tb_aws_ctx *ctx, const char *service, const char *action,
                   const struct tb_aws_params *params, const struct aws_creds *creds,
                   bool anonymous, const struct tb_xml **out);
/* Error class of an AWS error code and HTTP status. */
int aws_error_class(const char *code, long status);
/* Decodes an error answer of either protocol into e (strings in a). */
void aws_error_decode(struct tb_arena *a, enum aws_protocol proto, const struct aws_http_resp *r,
                      struct tb_aws_error *e);
/* Sets ctx->error to a local failure (no AWS answer). Returns err. */
int aws_fail(struct tb_aws_ctx *ctx, int err, const char *service, const char *action,
             const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Backoff delay before retry number attempt (0-based), full jitter. */
int64_t aws_backoff_ms(const struct tb_aws_client *c, int attempt);
/* Sleeps until min(now + ms, deadline); 0, or TB_ECANCELED. */
int aws_sleep_deadline(struct tb_aws_client *c, int64_t ms, int64_t deadline_ms);
/* The field a create action fills with an idempotency token, or NULL. */
const char *aws_client_token_field(const char *service, const char *action);
/* Writes a random UUID v4 into out[37]. */
int aws_uuid4(char out[37]);

#endif
