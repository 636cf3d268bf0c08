/*
 * AWS errors: decoding both protocols' error answers into code, message
 * and request ID, and classifying codes into TB_E* classes so callers
 * branch on a class, never on a string.
 */
#include <stdarg.h>
#include <string.h>

#include "aws/internal.h"

struct code_class {
	const char *code;
	int err;
};

/* clang-format off */
static const struct code_class code_classes[] = {
	{.code = "Throttling", .err = TB_ETHROTTLED},
	{.code = "ThrottlingException", .err = TB_ETHROTTLED},
	{.code = "ThrottledException", .err = TB_ETHROTTLED},
	{.code = "RequestThrottled", .err = TB_ETHROTTLED},
	{.code = "RequestThrottledException", .err = TB_ETHROTTLED},
	{.code = "TooManyRequestsException", .err = TB_ETHROTTLED},
	{.code = "ProvisionedThroughputExceededException", .err = TB_ETHROTTLED},
	{.code = "TransactionInProgressException", .err = TB_ETHROTTLED},
	{.code = "RequestLimitExceeded", .err = TB_ETHROTTLED},
	{.code = "BandwidthLimitExceeded", .err = TB_ETHROTTLED},
	{.code = "LimitExceededException", .err = TB_ETHROTTLED},
	{.code = "SlowDown", .err = TB_ETHROTTLED},
	{.code = "PriorRequestNotComplete", .err = TB_ETHROTTLED},
	{.code = "EC2ThrottledException", .err = TB_ETHROTTLED},
	{.code = "ServiceNotFoundException", .err = TB_ENOTFOUND},
	{.code = "ServiceNotActiveException", .err = TB_ENOTFOUND},
	{.code = "ClusterNotFoundException", .err = TB_ENOTFOUND},
	{.code = "TargetGroupNotFound", .err = TB_ENOTFOUND},
	{.code = "RuleNotFound", .err = TB_ENOTFOUND},
	{.code = "ListenerNotFound", .err = TB_ENOTFOUND},
	{.code = "LoadBalancerNotFound", .err = TB_ENOTFOUND},
	{.code = "ResourceNotFoundException", .err = TB_ENOTFOUND},
	{.code = "ResourceNotFound", .err = TB_ENOTFOUND},
	{.code = "DBProxyNotFoundFault", .err = TB_ENOTFOUND},
	{.code = "DBProxyTargetGroupNotFoundFault", .err = TB_ENOTFOUND},
	{.code = "DBProxyTargetNotFoundFault", .err = TB_ENOTFOUND},
	{.code = "ObjectNotFoundException", .err = TB_ENOTFOUND},
	{.code = "ParameterNotFound", .err = TB_ENOTFOUND},
	{.code = "NoSuchEntity", .err = TB_ENOTFOUND},
	{.code = "ValidationException", .err = TB_EVALIDATION},
	{.code = "ValidationError", .err = TB_EVALIDATION},
	{.code = "InvalidParameterException", .err = TB_EVALIDATION},
	{.code = "InvalidParameterValue", .err = TB_EVALIDATION},
	{.code = "InvalidParameterValueException", .err = TB_EVALIDATION},
	{.code = "InvalidParameterCombination", .err = TB_EVALIDATION},
	{.code = "MissingParameter", .err = TB_EVALIDATION},
	{.code = "InvalidRequestException", .err = TB_EVALIDATION},
	{.code = "InvalidConfigurationRequest", .err = TB_EVALIDATION},
	{.code = "MalformedPolicyDocumentException", .err = TB_EVALIDATION},
	{.code = "ClientException", .err = TB_EVALIDATION},
	{.code = "AccessDenied", .err = TB_EACCESS},
	{.code = "AccessDeniedException", .err = TB_EACCESS},
	{.code = "UnauthorizedOperation", .err = TB_EACCESS},
	{.code = "InvalidClientTokenId", .err = TB_EACCESS},
	{.code = "UnrecognizedClientException", .err = TB_EACCESS},
	{.code = "SignatureDoesNotMatch", .err = TB_EACCESS},
	{.code = "InvalidSignatureException", .err = TB_EACCESS},
	{.code = "IncompleteSignature", .err = TB_EACCESS},
	{.code = "MissingAuthenticationToken", .err = TB_EACCESS},
	{.code = "ExpiredToken", .err = TB_EACCESS},
	{.code = "ExpiredTokenException", .err = TB_EACCESS},
	{.code = "InvalidIdentityToken", .err = TB_EACCESS},
	{.code = "AuthFailure", .err = TB_EACCESS},
	{.code = "OptInRequired", .err = TB_EACCESS},
	{.code = "RegionDisabledException", .err = TB_EACCESS},
	{.code = "ResourceInUseException", .err = TB_ECONFLICT},
	{.code = "ResourceInUse", .err = TB_ECONFLICT},
	{.code = "DuplicateTargetGroupName", .err = TB_ECONFLICT},
	{.code = "DuplicateLoadBalancerName", .err = TB_ECONFLICT},
	{.code = "DuplicateListener", .err = TB_ECONFLICT},
	{.code = "ResourceAlreadyExistsException", .err = TB_ECONFLICT},
	{.code = "ResourceExistsException", .err = TB_ECONFLICT},
	{.code = "ParameterAlreadyExists", .err = TB_ECONFLICT},
	{.code = "EntityAlreadyExists", .err = TB_ECONFLICT},
	{.code = "DBProxyAlreadyExistsFault", .err = TB_ECONFLICT},
	{.code = "InvalidDBProxyStateFault", .err = TB_ECONFLICT},
	{.code = "InvalidDBProxyEndpointStateFault", .err = TB_ECONFLICT},
	{.code = "InvalidDBClusterStateFault", .err = TB_ECONFLICT},
	{.code = "InvalidDBInstanceState", .err = TB_ECONFLICT},
	{.code = "ConflictException", .err = TB_ECONFLICT},
	{.code = "PriorityInUse", .err = TB_ECONFLICT},
	{.code = "DeleteConflict", .err = TB_ECONFLICT},
	{.code = "OperationAbortedException", .err = TB_ECONFLICT},
	{.code = "ConcurrentUpdateException", .err = TB_ETRANSIENT},
	{.code = "InternalError", .err = TB_ETRANSIENT},
	{.code = "InternalFailure", .err = TB_ETRANSIENT},
	{.code = "InternalServerError", .err = TB_ETRANSIENT},
	{.code = "InternalServiceError", .err = TB_ETRANSIENT},
	{.code = "InternalServiceErrorException", .err = TB_ETRANSIENT},
	{.code = "ServiceUnavailable", .err = TB_ETRANSIENT},
	{.code = "ServiceUnavailableException", .err = TB_ETRANSIENT},
	{.code = "ServerException", .err = TB_ETRANSIENT},
	{.code = "RequestTimeout", .err = TB_ETRANSIENT},
	{.code = "RequestTimeoutException", .err = TB_ETRANSIENT},
	{.code = "IDPCommunicationError", .err = TB_ETRANSIENT},
};

/* Codes not listed above, by family. */
static const struct code_class suffix_classes[] = {
	{.code = "NotFoundException", .err = TB_ENOTFOUND},
	{.code = "NotFoundFault", .err = TB_ENOTFOUND},
	{.code = "NotFound", .err = TB_ENOTFOUND},
	{.code = "AlreadyExistsException", .err = TB_ECONFLICT},
	{.code = "AlreadyExistsFault", .err = TB_ECONFLICT},
	{.code = "AlreadyExists", .err = TB_ECONFLICT},
	{.code = "InUse", .err = TB_ECONFLICT},
	{.code = "InUseException", .err = TB_ECONFLICT},
};
/* clang-format on */

#define N_ROWS(t) (sizeof(t) / sizeof((t)[0]))

int aws_error_class(const char *code, long status)
{
	for (size_t i = 0; code && i < N_ROWS(code_classes); i++)
		if (strcmp(code, code_classes[i].code) == 0)
			return code_classes[i].err;
	for (size_t i = 0; code && i < N_ROWS(suffix_classes); i++)
		if (tb_str_has_suffix(code, suffix_classes[i].code))
			return suffix_classes[i].err;
	if (status == 429)
		return TB_ETHROTTLED;
	if (status >= 500)
		return TB_ETRANSIENT;
	if (status == 403)
		return TB_EACCESS;
	return TB_EAWS;
}

const char *aws_json_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* "com.amazonaws.ecs#ClusterNotFoundException" or "Code:http://..." to the code. */
static char *clean_code(struct tb_arena *a, const char *raw)
{
	const char *hash = raw ? strrchr(raw, '#') : NULL;

	if (!raw || !*raw)
		return NULL;
	if (hash)
		raw = hash + 1;
	return tb_arena_strndup(a, raw, strcspn(raw, ":"));
}

static void decode_json(struct tb_arena *a, const struct aws_http_resp *r, struct tb_aws_error *e)
{
	json_t *o = r->body.len ? json_loadb(r->body.data, r->body.len, 0, NULL) : NULL;
	const char *msg = aws_json_str(o, "message");

	e->code = clean_code(a, r->error_type[0] ? r->error_type : aws_json_str(o, "__type"));
	if (!e->code)
		e->code = clean_code(a, aws_json_str(o, "code"));
	if (!e->code)
		e->code = clean_code(a, aws_json_str(o, "Code"));
	if (!msg)
		msg = aws_json_str(o, "Message");
	if (!msg)
		msg = aws_json_str(o, "errorMessage");
	e->message = tb_arena_strdup(a, msg);
	json_decref(o);
}

static void decode_query(struct tb_arena *a, const struct aws_http_resp *r, struct tb_aws_error *e)
{
	const struct tb_xml *root = NULL, *err;

	if (!r->body.len || tb_xml_parse(a, r->body.data, r->body.len, &root) != 0)
		return;
	err = tb_xml_child(root, "Error");
	if (!err)
		err = tb_xml_path(root, "Errors/Error");
	e->code = clean_code(a, tb_xml_text(err, "Code"));
	e->message = tb_xml_text(err, "Message");
	e->request_id = tb_xml_text(root, "RequestId");
	if (!e->request_id)
		e->request_id = tb_xml_text(root, "RequestID");
}

/* A short, printable excerpt of an undecodable body. */
static char *body_excerpt(struct tb_arena *a, const struct aws_http_resp *r)
{
	size_t n = r->body.len < 200 ? r->body.len : 200;
	char *s = tb_arena_strndup(a, r->body.data ? r->body.data : "", n);

	for (char *p = s; p && *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = ' ';
	return s;
}

void aws_error_decode(struct tb_arena *a, enum aws_protocol proto, const struct aws_http_resp *r,
                      struct tb_aws_error *e)
{
	e->http_status = (int)r->status;
	e->code = e->message = e->request_id = NULL;
	if (proto == AWS_PROTO_JSON)
		decode_json(a, r, e);
	else
		decode_query(a, r, e);
	if (r->request_id[0])
		e->request_id = tb_arena_strdup(a, r->request_id);
	if (!e->code && !e->message)
		e->message = r->body.len
		                 ? tb_arena_printf(a, "HTTP %ld: %s", r->status, body_excerpt(a, r))
		                 : tb_arena_printf(a, "HTTP %ld", r->status);
	e->err = aws_error_class(e->code, r->status);
}

int aws_fail(struct tb_aws_ctx *ctx, int err, const char *service, const char *action,
             const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ctx->error = (struct tb_aws_error){
	    .err = err,
	    .service = service,
	    .action = action,
	    .message = tb_arena_vprintf(ctx->arena, fmt, ap),
	};
	va_end(ap);
	return err;
}

/*
 * Formats e as "ecs CreateService: Code: message (request id X)", leaving
 * out what is unknown. Returns an arena string, or NULL when out of memory.
 */
char *tb_aws_error_string(struct tb_arena *a, const struct tb_aws_error *e)
{
	const char *msg = e->message ? e->message : tb_strerror(e->err);

	return tb_arena_printf(a, "%s%s%s%s%s%s%s%s%s%s", e->service ? e->service : "",
	                       e->service && e->action ? " " : "", e->action ? e->action : "",
	                       e->service || e->action ? ": " : "", e->code ? e->code : "",
	                       e->code ? ": " : "", msg, e->request_id ? " (request id " : "",
	                       e->request_id ? e->request_id : "", e->request_id ? ")" : "");
}
