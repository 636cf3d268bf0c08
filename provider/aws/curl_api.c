/*
 * libcurl's function table. The development build loads libcurl on first
 * use: the provider answers schema and validation calls without it, and
 * linking it would load its ~30 shared objects (GnuTLS, Kerberos, LDAP, ...)
 * at every start, before the handshake. The first AWS client loads it once
 * per process and it stays loaded. The release build (TB_CURL_LINKED, see
 * docs/guides/publishing.md) is a static executable with libcurl linked in:
 * the same table is filled from the linked functions and nothing is loaded.
 */
#ifndef TB_CURL_LINKED
#include <dlfcn.h>
#endif
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/internal.h"

#define CURL_SONAME "libcurl.so.4"

struct aws_curl_api aws_curl;

/* clang-format off */
#ifdef TB_CURL_LINKED
#define CURL_SYM(name) {"curl_" #name, offsetof(struct aws_curl_api, name), (void *)curl_##name}
#else
#define CURL_SYM(name) {"curl_" #name, offsetof(struct aws_curl_api, name), NULL}
#endif
static const struct {
	const char *symbol;
	size_t offset; /* of the pointer in struct aws_curl_api */
	void *linked;  /* the function itself (TB_CURL_LINKED), else NULL */
} curl_symbols[] = {
	CURL_SYM(global_init), CURL_SYM(version_info), CURL_SYM(share_init),
	CURL_SYM(share_setopt), CURL_SYM(share_cleanup), CURL_SYM(easy_init),
	CURL_SYM(easy_reset), CURL_SYM(easy_cleanup), CURL_SYM(easy_setopt),
	CURL_SYM(easy_perform), CURL_SYM(easy_getinfo), CURL_SYM(easy_strerror),
	CURL_SYM(slist_append), CURL_SYM(slist_free_all), CURL_SYM(url),
	CURL_SYM(url_set), CURL_SYM(url_get), CURL_SYM(url_cleanup), CURL_SYM(free),
};
/* clang-format on */

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[512]; /* empty: loaded */

#ifdef TB_CURL_LINKED
static void *open_library(void)
{
	return NULL;
}

static void *lookup(void *lib, size_t i)
{
	return curl_symbols[i].linked;
}

static void close_library(void *lib)
{
}
#else
/* libcurl.so.4, or NULL with load_error set. */
static void *open_library(void)
{
	void *lib = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	const char *why;

	if (!lib) {
		why = dlerror();
		snprintf(load_error, sizeof(load_error), "%s could not be loaded: %s", CURL_SONAME,
		         why ? why : "unknown error");
	}
	return lib;
}

static void *lookup(void *lib, size_t i)
{
	return dlsym(lib, curl_symbols[i].symbol);
}

static void close_library(void *lib)
{
	dlclose(lib);
}
#endif

/* Fills aws_curl from lib. Returns 0, or TB_EFAILED with load_error set. */
static int resolve_symbols(void *lib)
{
	void *sym;

	for (size_t i = 0; i < TB_COUNT(curl_symbols); i++) {
		sym = lookup(lib, i);
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
	void *lib = open_library();

	if (load_error[0])
		return;
	if (resolve_symbols(lib) != 0) {
		memset(&aws_curl, 0, sizeof(aws_curl));
		close_library(lib);
		return;
	}
	if (aws_curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(load_error, sizeof(load_error), "libcurl could not be initialised");
		memset(&aws_curl, 0, sizeof(aws_curl));
	}
}

/*
 * Loads (linked in: binds) and initialises libcurl once per process
 * (thread-safe; later calls return the first outcome). Returns 0, or TB_EFAILED with *errmsg set
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
