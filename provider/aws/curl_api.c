/*
 * libcurl, loaded on first use. The provider answers schema and validation
 * calls without it; linking it would load its ~30 shared objects (GnuTLS,
 * Kerberos, LDAP, ...) at every start, before the handshake. The first AWS
 * client loads it once per process and it stays loaded.
 */
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/internal.h"

#define CURL_SONAME "libcurl.so.4"

struct aws_curl_api aws_curl;

/* clang-format off */
static const struct {
	const char *symbol;
	size_t offset; /* of the pointer in struct aws_curl_api */
} curl_symbols[] = {
	{"curl_global_init", offsetof(struct aws_curl_api, global_init)},
	{"curl_version_info", offsetof(struct aws_curl_api, version_info)},
	{"curl_share_init", offsetof(struct aws_curl_api, share_init)},
	{"curl_share_setopt", offsetof(struct aws_curl_api, share_setopt)},
	{"curl_share_cleanup", offsetof(struct aws_curl_api, share_cleanup)},
	{"curl_easy_init", offsetof(struct aws_curl_api, easy_init)},
	{"curl_easy_reset", offsetof(struct aws_curl_api, easy_reset)},
	{"curl_easy_cleanup", offsetof(struct aws_curl_api, easy_cleanup)},
	{"curl_easy_setopt", offsetof(struct aws_curl_api, easy_setopt)},
	{"curl_easy_perform", offsetof(struct aws_curl_api, easy_perform)},
	{"curl_easy_getinfo", offsetof(struct aws_curl_api, easy_getinfo)},
	{"curl_easy_strerror", offsetof(struct aws_curl_api, easy_strerror)},
	{"curl_slist_append", offsetof(struct aws_curl_api, slist_append)},
	{"curl_slist_free_all", offsetof(struct aws_curl_api, slist_free_all)},
	{"curl_url", offsetof(struct aws_curl_api, url)},
	{"curl_url_set", offsetof(struct aws_curl_api, url_set)},
	{"curl_url_get", offsetof(struct aws_curl_api, url_get)},
	{"curl_url_cleanup", offsetof(struct aws_curl_api, url_cleanup)},
	{"curl_free", offsetof(struct aws_curl_api, free)},
};
/* clang-format on */

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[512]; /* empty: loaded */

static int resolve_symbols(void *lib)
{
	void *sym;

	for (size_t i = 0; i < TB_COUNT(curl_symbols); i++) {
		sym = dlsym(lib, curl_symbols[i].symbol);
		if (!sym) {
			snprintf(load_error, sizeof(load_error),
			         "%s has no %s (libcurl 7.85 or later is needed)", CURL_SONAME,
			         curl_symbols[i].symbol);
			return TB_EFAILED;
		}
		memcpy((char *)&aws_curl + curl_symbols[i].offset, &sym, sizeof(sym));
	}
	return 0;
}

static void load(void)
{
	void *lib = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	const char *why;

	if (!lib) {
		why = dlerror();
		snprintf(load_error, sizeof(load_error), "%s could not be loaded: %s", CURL_SONAME,
		         why ? why : "unknown error");
		return;
	}
	if (resolve_symbols(lib) != 0) {
		memset(&aws_curl, 0, sizeof(aws_curl));
		dlclose(lib);
		return;
	}
	if (aws_curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(load_error, sizeof(load_error), "%s could not be initialised",
		         CURL_SONAME);
		memset(&aws_curl, 0, sizeof(aws_curl));
	}
}

/*
 * Loads and initialises libcurl once per process (thread-safe; later calls
 * return the first outcome). Returns 0, or TB_EFAILED with *errmsg set
 * (malloc'd, caller frees; NULL when out of memory) saying why; errmsg may
 * be NULL.
 */
int aws_curl_load(char **errmsg)
{
	pthread_once(&load_once, load);
	if (!load_error[0])
		return 0;
	if (errmsg)
		*errmsg = strdup(load_error);
	return TB_EFAILED;
}
