/* Names of the error codes. */
#include "tb/util.h"

static const char *const error_names[] = {
    [-TB_OK] = "success",
    [-TB_ENOMEM] = "out of memory",
    [-TB_EINVAL] = "invalid input",
    [-TB_ENOTFOUND] = "not found",
    [-TB_ETHROTTLED] = "throttled",
    [-TB_ECANCELED] = "canceled",
    [-TB_ETIMEOUT] = "timed out",
    [-TB_EACCESS] = "access denied",
    [-TB_ECONFLICT] = "conflict",
    [-TB_EVALIDATION] = "validation failed",
    [-TB_ETRANSIENT] = "transient failure",
    [-TB_EIO] = "I/O error",
    [-TB_EAWS] = "AWS error",
    [-TB_EFAILED] = "operation failed",
};

const char *tb_strerror(int err)
{
	if (err > 0 || (size_t)-err >= TB_COUNT(error_names) || error_names[-err] == NULL)
		return "unknown error";
	return error_names[-err];
}
