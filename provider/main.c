/*
 * terraform-provider-talentbase: arguments and environment, the go-plugin
 * handshake, serving until the client (or a signal) stops the plugin, and
 * the cleanup after it.
 */
#include <errno.h>
#include <malloc.h>
#include <openssl/crypto.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "tb/log.h"
#include "tb/provider.h"
#include "tb/rpc.h"

#define SHUTDOWN_GRACE_MS 500  /* Shutdown RPC: the client kills the plugin after 2 s */
#define SIGNAL_GRACE_MS   5000 /* SIGTERM: running calls see the cancel flag and return */
#define MALLOC_ARENAS     2    /* not glibc's 8 per core: each keeps its own free memory */

struct options {
	bool debug;
	bool version;
	bool help;
};

static const struct {
	const char *name; /* accepted with one or two leading dashes */
	size_t offset;
} flags[] = {
    {"debug", offsetof(struct options, debug)},
    {"version", offsetof(struct options, version)},
    {"help", offsetof(struct options, help)},
    {"h", offsetof(struct options, help)},
};

static const char usage[] =
    "usage: terraform-provider-talentbase [-debug | -version]\n"
    "  -debug    serve without OpenTofu/Terraform starting the plugin and print\n"
    "            the TF_REATTACH_PROVIDERS value that attaches a client to it\n"
    "  -version  print the version and exit\n";

static int parse_args(int argc, char **argv, struct options *out)
{
	const char *arg;
	size_t i;

	for (int a = 1; a < argc; a++) {
		arg = argv[a] + (argv[a][0] == '-') + (argv[a][0] == '-' && argv[a][1] == '-');
		for (i = 0; i < TB_COUNT(flags) && strcmp(arg, flags[i].name) != 0; i++)
			;
		if (arg == argv[a] || i == TB_COUNT(flags))
			return -1;
		*(bool *)((char *)out + flags[i].offset) = true;
	}
	return 0;
}

/* Checks that a client started the plugin and speaks protocol 6. */
static int check_client_env(void)
{
	const char *versions = getenv("PLUGIN_PROTOCOL_VERSIONS");
	int protocol;

	if (!tb_str_eq(getenv(TB_RPC_COOKIE_KEY), TB_RPC_COOKIE_VALUE)) {
		fputs("terraform-provider-talentbase is a plugin of OpenTofu and Terraform, not a\n"
		      "program to run by hand: name it in a configuration's required_providers\n"
		      "and run tofu or terraform. To debug it, run it with -debug.\n",
		      stderr);
		return -1;
	}
	if (tb_rpc_negotiate(versions, &protocol) != 0) {
		fprintf(stderr,
		        "terraform-provider-talentbase speaks plugin protocol %d, but the client "
		        "offers only version(s) %s: use OpenTofu 1.6 or later or Terraform 1.0 or "
		        "later.\n",
		        TB_RPC_PROTOCOL, versions);
		return -1;
	}
	return 0;
}

/* Blocks SIGINT and SIGTERM in every thread (before any is started) and
 * returns a descriptor to read them from. */
static int signal_fd(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC);
}

/* Prints the handshake line (plugin mode) or the reattach hint (debug). */
static int announce(bool debug, const struct tb_rpc_socket *sock, const struct tb_rpc_cert *cert)
{
	char *text = NULL;
	int rc;

	tb_log(TB_LOG_DEBUG, "rpc", "plugin serving", "version", TB_VERSION, "network", "unix",
	       "address", sock->path, "tls", cert->der_b64 ? "mutual" : "off", NULL);
	if (debug) {
		rc = tb_rpc_reattach_json(TB_PROVIDER_ADDRESS, sock->path, (long)getpid(), &text);
		if (rc == 0)
			printf("Provider started in debug mode. To attach OpenTofu or Terraform, "
			       "export this in the shell that runs them:\n\n"
			       "TF_REATTACH_PROVIDERS='%s'\n\nStop the provider with Ctrl-C.\n",
			       text);
	} else {
		rc = tb_rpc_handshake_line("unix", sock->path, cert->der_b64, &text);
		if (rc == 0)
			printf("%s\n", text);
	}
	free(text);
	fflush(stdout);
	/* Nothing else may reach the client's stdout reader: send strays to stderr. */
	if (rc == 0 && !debug)
		dup2(STDERR_FILENO, STDOUT_FILENO);
	return rc;
}

/*
 * Waits for the client's Shutdown call or a signal and returns how long
 * running calls may take to finish. In plugin mode SIGINT is ignored as
 * go-plugin does: Ctrl-C reaches the whole process group, and the client
 * winds down through StopProvider and Shutdown so that no apply is cut off.
 */
static int wait_for_stop(struct tb_rpc_server *srv, int sfd, bool debug)
{
	struct pollfd fds[] = {
	    {.fd = tb_rpc_server_stop_fd(srv), .events = POLLIN},
	    {.fd = sfd, .events = POLLIN},
	};
	struct signalfd_siginfo si;

	for (;;) {
		if (poll(fds, TB_COUNT(fds), -1) < 0 && errno != EINTR)
			return SIGNAL_GRACE_MS;
		if (fds[0].revents)
			return SHUTDOWN_GRACE_MS;
		if (!fds[1].revents || read(sfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
			continue;
		if (si.ssi_signo == SIGTERM || debug) {
			tb_logf(TB_LOG_INFO, "rpc", "signal %u: stopping", si.ssi_signo);
			return SIGNAL_GRACE_MS;
		}
		tb_log(TB_LOG_DEBUG, "rpc", "interrupt ignored: the client stops the plugin", NULL);
	}
}

struct cert_job {
	pthread_t thread;
	struct tb_rpc_cert *cert;
	int rc;
};

static void *cert_main(void *arg)
{
	struct cert_job *j = arg;

	j->rc = tb_rpc_cert_generate(j->cert);
	return NULL;
}

/*
 * Creates the socket directory and the server on this thread while another
 * generates the certificate (for TLS): each takes about a millisecond of the
 * time to the handshake. Returns 0 or a TB_E* code; *srv is set when the
 * server exists, also after a failure.
 */
static int start_server(const char *client_pem, struct tb_rpc_socket *sock,
                        struct tb_rpc_cert *cert, struct tb_rpc_server **srv)
{
	struct cert_job job = {.cert = cert};
	bool tls = client_pem && *client_pem;
	bool threaded = tls && pthread_create(&job.thread, NULL, cert_main, &job) == 0;
	int rc;

	if (tls && !threaded)
		cert_main(&job);
	rc = tb_rpc_socket_create(getenv("PLUGIN_UNIX_SOCKET_DIR"), sock);
	if (rc == 0)
		rc = tb_rpc_server_new(srv);
	if (threaded)
		pthread_join(job.thread, NULL);
	if (rc == 0)
		rc = job.rc;
	if (rc == 0) {
		struct tb_rpc_server_opts opts = {
		    .socket_path = sock->path, .client_cert_pem = client_pem, .cert = cert};
		rc = tb_rpc_server_listen(*srv, &opts);
	}
	return rc;
}

/* Serves until stopped. Returns 0, or -1 after printing why it could not. */
static int serve(bool debug, int sfd)
{
	const char *client_pem = debug ? NULL : getenv("PLUGIN_CLIENT_CERT");
	struct tb_rpc_socket sock = {0};
	struct tb_rpc_cert cert = {0};
	struct tb_rpc_server *srv = NULL;
	int rc;

	rc = start_server(client_pem, &sock, &cert, &srv);
	if (rc == 0 && announce(debug, &sock, &cert) != 0)
		rc = TB_ENOMEM;
	if (srv && tb_rpc_server_stop(srv, rc ? 0 : wait_for_stop(srv, sfd, debug)) != 0) {
		tb_log(TB_LOG_ERROR, "rpc", "calls did not end after cancellation; exiting", NULL);
		tb_rpc_socket_remove(&sock);
		_exit(1);
	}
	if (rc)
		fprintf(stderr, "terraform-provider-talentbase: could not serve: %s\n",
		        tb_strerror(rc));
	tb_provider_shutdown();
	tb_rpc_cert_free(&cert);
	tb_rpc_socket_remove(&sock);
	return rc ? -1 : 0;
}

/*
 * With OpenSSL linked into the executable (TB_STATIC_LIBS), its copy serves
 * only the plugin's TLS identity, the gRPC server (which sets its own
 * protocol versions and ciphers) and request signing; openssl.cnf, whose
 * system-wide policy is for outgoing connections, is left to the shared
 * OpenSSL that libcurl loads for the AWS calls. Reading it here was a
 * quarter of a millisecond of every start. In the static release build the
 * one OpenSSL serves libcurl too, so openssl.cnf is never read: its
 * built-in defaults hold on every distribution (and AWS calls ask for TLS
 * 1.2 or later, aws/http.c).
 */
static void crypto_init(void)
{
#ifdef TB_PRIVATE_OPENSSL
	OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
#endif
}

int main(int argc, char **argv)
{
	struct options o = {0};
	int sfd, rc;

	crypto_init();
	if (parse_args(argc, argv, &o) != 0 || o.help) {
		fputs(usage, o.help ? stdout : stderr);
		return o.help ? 0 : 2;
	}
	if (o.version) {
		printf("terraform-provider-talentbase %s\n", TB_VERSION);
		return 0;
	}
#ifdef M_ARENA_MAX /* glibc; musl (the release build) has one heap */
	mallopt(M_ARENA_MAX, MALLOC_ARENAS);
#endif
	tb_log_init();
	if (!o.debug && check_client_env() != 0)
		return 1;
	sfd = signal_fd();
	if (sfd < 0) {
		perror("terraform-provider-talentbase: signals");
		return 1;
	}
	rc = serve(o.debug, sfd);
	close(sfd);
	return rc ? 1 : 0;
}
