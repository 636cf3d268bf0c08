/*
 * go-plugin's handshake, plugin side: protocol negotiation, the line the
 * client reads from stdout, the socket's private directory, and the
 * TF_REATTACH_PROVIDERS value of debug mode.
 */
#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/un.h>
#include <unistd.h>

#include "tb/rpc.h"
#include "tb/util.h"

/* True when p[0..n), spaces trimmed, is the number 6. */
static bool is_our_protocol(const char *p, size_t n)
{
	char buf[16], *end;
	long v;

	while (n > 0 && *p == ' ') {
		p++;
		n--;
	}
	while (n > 0 && p[n - 1] == ' ')
		n--;
	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, p, n);
	buf[n] = '\0';
	v = strtol(buf, &end, 10);
	return *end == '\0' && v == TB_RPC_PROTOCOL;
}

/* Picks protocol 6 from the client's list; see rpc.h. */
int tb_rpc_negotiate(const char *versions, int *out)
{
	size_t n;

	if (versions && *versions) {
		for (const char *p = versions; !is_our_protocol(p, n = strcspn(p, ","));
		     p += n + 1) {
			if (p[n] == '\0')
				return TB_EINVAL;
		}
	}
	*out = TB_RPC_PROTOCOL;
	return 0;
}

/* Standard base64 without padding; see rpc.h. */
int tb_rpc_base64(const void *data, size_t n, char **out)
{
	char *s = malloc(4 * ((n + 2) / 3) + 1);
	int len;

	if (!s)
		return TB_ENOMEM;
	len = EVP_EncodeBlock((unsigned char *)s, data, (int)n);
	while (len > 0 && s[len - 1] == '=')
		s[--len] = '\0';
	*out = s;
	return 0;
}

/* "1|6|network|addr|grpc|cert"; see rpc.h. */
int tb_rpc_handshake_line(const char *network, const char *addr, const char *cert_b64, char **out)
{
	char *line = NULL;

	if (asprintf(&line, "%d|%d|%s|%s|grpc|%s", TB_RPC_CORE_VERSION, TB_RPC_PROTOCOL, network,
	             addr, cert_b64 ? cert_b64 : "") < 0)
		return TB_ENOMEM;
	*out = line;
	return 0;
}

/* The TF_REATTACH_PROVIDERS JSON for debug mode; see rpc.h. */
int tb_rpc_reattach_json(const char *provider, const char *path, long pid, char **out)
{
	json_t *v = json_pack("{s:{s:s,s:i,s:I,s:b,s:{s:s,s:s}}}", provider, "Protocol", "grpc",
	                      "ProtocolVersion", TB_RPC_PROTOCOL, "Pid", (json_int_t)pid, "Test", 1,
	                      "Addr", "Network", "unix", "String", path);
	char *s = v ? json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

	json_decref(v);
	if (!s)
		return TB_ENOMEM;
	*out = s;
	return 0;
}

/* Creates the socket's private directory; see rpc.h. */
int tb_rpc_socket_create(const char *parent, struct tb_rpc_socket *out)
{
	struct sockaddr_un sa;
	char *dir = NULL, *path = NULL;
	unsigned suffix = 0;
	int rc = TB_ENOMEM;

	if (!parent || !*parent)
		parent = getenv("TMPDIR");
	if (!parent || !*parent)
		parent = "/tmp";
	if (getrandom(&suffix, sizeof(suffix), 0) != (ssize_t)sizeof(suffix))
		suffix = (unsigned)getpid();
	if (asprintf(&dir, "%s/tb-plugin-XXXXXX", parent) < 0) {
		dir = NULL;
		goto out;
	}
	rc = TB_EIO;
	if (!mkdtemp(dir))
		goto out;
	rc = TB_ENOMEM;
	if (asprintf(&path, "%s/plugin%u", dir, suffix) < 0)
		path = NULL;
	else if (strlen(path) >= sizeof(sa.sun_path))
		rc = TB_EINVAL;
	else
		rc = 0;
	if (rc)
		rmdir(dir);
out:
	if (rc) {
		free(dir);
		free(path);
		return rc;
	}
	out->dir = dir;
	out->path = path;
	return 0;
}

/* Removes the socket and its directory; see rpc.h. */
void tb_rpc_socket_remove(struct tb_rpc_socket *s)
{
	if (s->path && unlink(s->path) < 0 && errno != ENOENT)
		fprintf(stderr, "could not remove %s: %s\n", s->path, strerror(errno));
	if (s->dir)
		rmdir(s->dir);
	free(s->path);
	free(s->dir);
	s->path = NULL;
	s->dir = NULL;
}
