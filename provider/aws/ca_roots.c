/*
 * Trust roots for the AWS calls' TLS, found the way Go programs (and so
 * Terraform, OpenTofu and every Go provider) find them on Linux, because the
 * release binary is static and carries no distribution's compiled-in path:
 * the file named by SSL_CERT_FILE, else the first of the distributions'
 * bundle files that exists; the directories named by SSL_CERT_DIR
 * (colon-separated), else those of /etc/ssl/certs and /etc/pki/tls/certs
 * that exist. AWS_CA_BUNDLE (or the profile's ca_bundle) replaces the file.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aws/internal.h"

/* Go's crypto/x509 root_linux.go lists, in its order. */
const char *const aws_ca_files[] = {
    "/etc/ssl/certs/ca-certificates.crt",                /* Debian, Ubuntu, Gentoo, Arch */
    "/etc/pki/tls/certs/ca-bundle.crt",                  /* Fedora, RHEL 6 */
    "/etc/ssl/ca-bundle.pem",                            /* OpenSUSE */
    "/etc/pki/tls/cacert.pem",                           /* OpenELEC */
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", /* CentOS, RHEL 7, Amazon Linux */
    "/etc/ssl/cert.pem",                                 /* Alpine */
    NULL,
};
const char *const aws_ca_dirs[] = {"/etc/ssl/certs", "/etc/pki/tls/certs", NULL};

static bool is_kind(const char *path, mode_t kind)
{
	struct stat st;

	return path[0] && stat(path, &st) == 0 && (st.st_mode & S_IFMT) == kind;
}

/* Appends path to the colon-separated list dst (size n) if it is a
 * directory and fits. */
static void add_dir(char *dst, size_t n, const char *path, size_t len)
{
	char one[sizeof(((struct aws_ca_roots *)0)->dirs)];
	size_t used = strlen(dst);

	if (len == 0 || len >= sizeof(one))
		return;
	memcpy(one, path, len);
	one[len] = '\0';
	if (!is_kind(one, S_IFDIR) || used + len + 2 > n)
		return;
	snprintf(dst + used, n - used, "%s%s", used ? ":" : "", one);
}

static void find_file(struct aws_ca_roots *out, const char *const *files)
{
	const char *env = getenv("SSL_CERT_FILE");

	if (env && env[0]) {
		if (is_kind(env, S_IFREG))
			snprintf(out->file, sizeof(out->file), "%s", env);
		return;
	}
	for (size_t i = 0; files[i]; i++) {
		if (is_kind(files[i], S_IFREG)) {
			snprintf(out->file, sizeof(out->file), "%s", files[i]);
			return;
		}
	}
}

static void find_dirs(struct aws_ca_roots *out, const char *const *dirs)
{
	const char *env = getenv("SSL_CERT_DIR"), *p, *colon;

	if (env && env[0]) {
		for (p = env; p; p = colon ? colon + 1 : NULL) {
			colon = strchr(p, ':');
			add_dir(out->dirs, sizeof(out->dirs), p,
			        colon ? (size_t)(colon - p) : strlen(p));
		}
		return;
	}
	for (size_t i = 0; dirs[i]; i++)
		add_dir(out->dirs, sizeof(out->dirs), dirs[i], strlen(dirs[i]));
}

/*
 * Fills *out from the environment and the candidate lists files and dirs
 * (NULL-terminated; aws_ca_files and aws_ca_dirs in the provider): out->file
 * is the bundle file, out->dirs the colon-separated directories (each empty
 * when none is there). Reads SSL_CERT_FILE and SSL_CERT_DIR.
 */
void aws_ca_roots_find(struct aws_ca_roots *out, const char *const *files, const char *const *dirs)
{
	memset(out, 0, sizeof(*out));
	find_file(out, files);
	find_dirs(out, dirs);
}

static struct aws_ca_roots roots;
static pthread_once_t roots_once = PTHREAD_ONCE_INIT;

static void roots_init(void)
{
	aws_ca_roots_find(&roots, aws_ca_files, aws_ca_dirs);
}

/* The process's trust roots, looked up once (thread-safe); never NULL. */
const struct aws_ca_roots *aws_ca_roots(void)
{
	pthread_once(&roots_once, roots_init);
	return &roots;
}
