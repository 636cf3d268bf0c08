/*
 * rpc: the plugin end of go-plugin's handshake and the gRPC server that
 * answers tfplugin6 (protocol 6.10), go-plugin's controller and gRPC health
 * over a unix socket, in plaintext or with AutoMTLS. Requests are decoded
 * into calls of provider.h and the results encoded back; see provider/rpc/.
 */
#ifndef TB_RPC_H
#define TB_RPC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#define TB_RPC_COOKIE_KEY   "TF_PLUGIN_MAGIC_COOKIE"
#define TB_RPC_COOKIE_VALUE "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
#define TB_RPC_CORE_VERSION 1 /* go-plugin's own handshake version */
#define TB_RPC_PROTOCOL     6 /* the application protocol: tfplugin6 */

/*
 * Set by StopProvider and at shutdown: work that waits or retries polls it
 * and returns TB_ECANCELED. Every call's struct tb_call points its cancel
 * member here. ConfigureProvider clears a StopProvider's (the next run in
 * debug mode), never the shutdown's.
 */
extern atomic_bool tb_rpc_cancel;

/*
 * Picks the protocol version from PLUGIN_PROTOCOL_VERSIONS (a comma list in
 * any order, spaces allowed). NULL or "" means a client that does not
 * negotiate: 6. Returns 0 and 6 in *out, or TB_EINVAL when 6 is not listed.
 */
int tb_rpc_negotiate(const char *versions, int *out);

/* Standard-alphabet base64 without '=' padding. *out is malloc'ed (caller
 * frees). Returns 0 or TB_ENOMEM. */
int tb_rpc_base64(const void *data, size_t n, char **out);

/*
 * The handshake line without its newline: "1|6|<network>|<addr>|grpc|<cert>"
 * where cert_b64 may be NULL (plaintext: the field stays empty). *out is
 * malloc'ed. Returns 0 or TB_ENOMEM.
 */
int tb_rpc_handshake_line(const char *network, const char *addr, const char *cert_b64, char **out);

/*
 * The JSON value of TF_REATTACH_PROVIDERS for a provider serving plaintext
 * on the unix socket at path: {"<provider>":{"Protocol":"grpc",
 * "ProtocolVersion":6,"Pid":pid,"Test":true,"Addr":{"Network":"unix",
 * "String":path}}}. *out is malloc'ed. Returns 0 or TB_ENOMEM.
 */
int tb_rpc_reattach_json(const char *provider, const char *path, long pid, char **out);

/* A freshly generated server identity for AutoMTLS. */
struct tb_rpc_cert {
	char *cert_pem; /* self-signed certificate */
	char *key_pem;  /* its ECDSA P-256 private key (PKCS#8) */
	char *der_b64;  /* the certificate's DER, base64 without padding */
};

/*
 * Generates an ECDSA P-256 key and a self-signed certificate as go-plugin
 * does: CN and DNS SAN "localhost", CA:TRUE, key usage digitalSignature,
 * keyEncipherment, keyAgreement and keyCertSign, extended key usage
 * serverAuth and clientAuth, valid from 30 s ago for 262980 hours. Free with
 * tb_rpc_cert_free (also after a failure). Returns 0, TB_ENOMEM or TB_EFAILED
 * (an OpenSSL error).
 */
int tb_rpc_cert_generate(struct tb_rpc_cert *out);
void tb_rpc_cert_free(struct tb_rpc_cert *c);

/* A private directory (mode 0700) holding the server's unix socket. */
struct tb_rpc_socket {
	char *dir;
	char *path; /* dir + "/plugin<random>"; not created here */
};

/*
 * Creates a fresh directory under parent (NULL: $TMPDIR, else /tmp) and
 * chooses the socket path inside it. Release with tb_rpc_socket_remove.
 * Returns 0, TB_ENOMEM, TB_EINVAL (path too long for a socket) or TB_EIO.
 */
int tb_rpc_socket_create(const char *parent, struct tb_rpc_socket *out);
/* Removes the socket (if present) and the directory; frees the strings. */
void tb_rpc_socket_remove(struct tb_rpc_socket *s);

struct tb_rpc_server_opts {
	const char *socket_path;        /* absolute path of the unix socket */
	const char *client_cert_pem;    /* NULL or "": plaintext */
	const struct tb_rpc_cert *cert; /* required with client_cert_pem */
	int workers;                    /* most threads serving calls (started as needed); 0: 32 */
};

struct tb_rpc_server;

/*
 * Starts serving: registers every method of the method table, listens on
 * o->socket_path and starts the worker threads. Calls of methods not in the
 * table are answered UNIMPLEMENTED. *out is freed by tb_rpc_server_stop.
 * Returns 0, TB_ENOMEM, TB_EINVAL (options) or TB_EIO (could not listen).
 */
int tb_rpc_server_start(const struct tb_rpc_server_opts *o, struct tb_rpc_server **out);

/*
 * tb_rpc_server_start in two steps, so that the caller can generate the
 * certificate meanwhile. tb_rpc_server_new initialises C core and registers
 * the methods: 0 and *out, or TB_ENOMEM / TB_EINVAL / TB_EIO with nothing
 * left allocated. tb_rpc_server_listen then listens and starts the workers:
 * 0, TB_EINVAL (options), TB_EIO (could not listen) or TB_ENOMEM; srv stays
 * the caller's either way, to be released with tb_rpc_server_stop.
 */
int tb_rpc_server_new(struct tb_rpc_server **out);
int tb_rpc_server_listen(struct tb_rpc_server *srv, const struct tb_rpc_server_opts *o);

/* A descriptor that becomes readable once a client asked the plugin to
 * shut down (plugin.GRPCController/Shutdown) and was answered. */
int tb_rpc_server_stop_fd(const struct tb_rpc_server *s);

/*
 * Sets tb_rpc_cancel, stops accepting calls, lets running calls finish for
 * up to grace_ms, then cancels them; joins the workers and frees s.
 * Returns 0, or TB_ETIMEOUT when a call still had not finished several
 * seconds after being cancelled: then s is left allocated and threads may
 * still run, so the process should exit without further cleanup (_exit).
 */
int tb_rpc_server_stop(struct tb_rpc_server *s, int grace_ms);

#endif
