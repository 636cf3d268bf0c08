/*
 * The gRPC server (C core). Worker threads block in
 * grpc_completion_queue_next on one shared queue that receives new-call
 * notifications. The worker that takes a notification re-arms the request
 * for that method and serves the call synchronously: each call is bound to
 * a pluck queue of its own, so its batches run one after the other on that
 * worker. One request is always outstanding for every registered method
 * and one for any other method (answered UNIMPLEMENTED); calls arriving
 * while a request is being re-armed wait inside C core.
 *
 * Workers start as calls need them: two before the handshake, and one more
 * whenever a worker takes a call and none is left idle, up to the limit.
 */
#include <errno.h>
#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/alloc.h>
#include <grpc/support/log.h>
#include <grpc/support/time.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "rpc/rpc_int.h"
#include "tb/log.h"

#define DEFAULT_WORKERS 32
#define INITIAL_WORKERS 2
#ifdef __SANITIZE_ADDRESS__
#define WORKER_STACK_BYTES (8u << 20) /* ASan's redzones grow every frame */
#else
#define WORKER_STACK_BYTES (1u << 20) /* cty codecs stop at 64 levels, JSON at 2048 */
#endif
#define MAX_MESSAGE_BYTES   (256 << 20) /* the Go SDK's limit */
#define MAX_STREAM_MESSAGES 65536
#define CANCEL_WAIT_MS      5000 /* after cancelling, for handlers to notice */

atomic_bool tb_rpc_cancel;
atomic_bool tb_rpc_stopping;

struct tb_rpc_server {
	grpc_server *server;
	grpc_completion_queue *cq; /* new-call notifications and shutdown */
	void **handles;            /* registered method handles, one per table row */
	pthread_t *threads;        /* max_threads slots, n_threads started (under mu) */
	int n_threads;
	int max_threads;
	int idle;      /* workers waiting for a call (under mu) */
	bool stopping; /* no more workers are started (under mu) */
	int stop_fd;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool shut_down; /* the shutdown tag arrived */
	char shutdown_tag;
};

/* One outstanding request for a call, then that call while it is served. */
struct job {
	struct tb_rpc_server *srv;
	const struct tb_rpc_method *method; /* NULL: any unregistered method */
	grpc_call *call;
	grpc_completion_queue *cq; /* pluck queue bound to the call */
	gpr_timespec deadline;
	grpc_metadata_array md;
	grpc_call_details details; /* unregistered only */
	grpc_byte_buffer *payload;
};

/* What the call is answered with. */
struct reply {
	grpc_status_code status;
	const char *message;
	const void *data; /* response message, NULL: none */
	size_t len;
};

static const struct {
	int rc;
	grpc_status_code status;
} status_map[] = {
    {TB_ENOTFOUND, GRPC_STATUS_NOT_FOUND},
    {TB_ENOMEM, GRPC_STATUS_RESOURCE_EXHAUSTED},
    {TB_EINVAL, GRPC_STATUS_INVALID_ARGUMENT},
    {TB_ECANCELED, GRPC_STATUS_CANCELLED},
};

static grpc_status_code status_of(int rc)
{
	for (size_t i = 0; i < TB_COUNT(status_map); i++) {
		if (status_map[i].rc == rc)
			return status_map[i].status;
	}
	return rc ? GRPC_STATUS_INTERNAL : GRPC_STATUS_OK;
}

/* ---- jobs --------------------------------------------------------------------- */

static void job_free(struct job *j)
{
	if (j->payload)
		grpc_byte_buffer_destroy(j->payload);
	if (j->call)
		grpc_call_unref(j->call);
	grpc_metadata_array_destroy(&j->md);
	if (!j->method)
		grpc_call_details_destroy(&j->details);
	grpc_completion_queue_shutdown(j->cq);
	grpc_completion_queue_destroy(j->cq);
	free(j);
}

/* Arms one request for a call of m (NULL: any unregistered method). */
static int job_request(struct tb_rpc_server *srv, const struct tb_rpc_method *m)
{
	struct job *j = calloc(1, sizeof(*j));
	grpc_call_error err;

	if (!j)
		return TB_ENOMEM;
	j->srv = srv;
	j->method = m;
	j->cq = grpc_completion_queue_create_for_pluck(NULL);
	grpc_metadata_array_init(&j->md);
	if (m) {
		err = grpc_server_request_registered_call(
		    srv->server, srv->handles[m - tb_rpc_methods], &j->call, &j->deadline, &j->md,
		    m->client_stream ? NULL : &j->payload, j->cq, srv->cq, j);
	} else {
		grpc_call_details_init(&j->details);
		err = grpc_server_request_call(srv->server, &j->call, &j->details, &j->md, j->cq,
		                               srv->cq, j);
	}
	if (err != GRPC_CALL_OK) {
		job_free(j);
		return TB_EIO;
	}
	return 0;
}

/* Runs one batch on the job's call and waits for it. */
static bool job_batch(struct job *j, const grpc_op *ops, size_t n)
{
	grpc_event ev;

	if (grpc_call_start_batch(j->call, ops, n, j, NULL) != GRPC_CALL_OK)
		return false;
	ev = grpc_completion_queue_pluck(j->cq, j, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
	return ev.type == GRPC_OP_COMPLETE && ev.success;
}

/* ---- reading requests ------------------------------------------------------------ */

/* Copies a received message into the arena. */
static int copy_message(struct tb_arena *a, grpc_byte_buffer *bb, void **out, size_t *out_len)
{
	grpc_byte_buffer_reader reader;
	grpc_slice s;
	void *data;
	size_t n;

	if (!grpc_byte_buffer_reader_init(&reader, bb))
		return TB_EINVAL;
	s = grpc_byte_buffer_reader_readall(&reader);
	grpc_byte_buffer_reader_destroy(&reader);
	n = GRPC_SLICE_LENGTH(s);
	data = tb_arena_alloc(a, n ? n : 1);
	if (data)
		memcpy(data, GRPC_SLICE_START_PTR(s), n);
	grpc_slice_unref(s);
	if (!data)
		return TB_ENOMEM;
	*out_len = n;
	*out = data;
	return 0;
}

/* Reads a client stream to its end; the first message is the request. */
static int read_stream(struct job *j, struct tb_arena *a, void **out, size_t *out_len)
{
	grpc_byte_buffer *bb = NULL;
	grpc_op op = {.op = GRPC_OP_RECV_MESSAGE, .data.recv_message.recv_message = &bb};
	int rc = 0;

	for (size_t i = 0;; i++) {
		if (!job_batch(j, &op, 1))
			return TB_EIO;
		if (!bb)
			return rc;
		if (i == 0)
			rc = copy_message(a, bb, out, out_len);
		grpc_byte_buffer_destroy(bb);
		bb = NULL;
		if (i >= MAX_STREAM_MESSAGES)
			return TB_EINVAL;
	}
}

/* ---- serving one call ------------------------------------------------------------ */

static bool send_reply(struct job *j, const struct reply *rep)
{
	grpc_op ops[4] = {{.op = GRPC_OP_SEND_INITIAL_METADATA}};
	grpc_slice details = grpc_slice_from_copied_string(rep->message ? rep->message : "");
	grpc_byte_buffer *bb = NULL;
	grpc_slice body;
	int cancelled = 0;
	size_t n = 1;
	bool ok;

	if (rep->data) {
		body = grpc_slice_from_copied_buffer(rep->data, rep->len);
		bb = grpc_raw_byte_buffer_create(&body, 1);
		grpc_slice_unref(body);
		ops[n].op = GRPC_OP_SEND_MESSAGE;
		ops[n++].data.send_message.send_message = bb;
	}
	ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
	ops[n].data.send_status_from_server.status = rep->status;
	ops[n++].data.send_status_from_server.status_details = &details;
	ops[n].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
	ops[n++].data.recv_close_on_server.cancelled = &cancelled;
	ok = job_batch(j, ops, n) && !cancelled;
	grpc_slice_unref(details);
	if (bb)
		grpc_byte_buffer_destroy(bb);
	return ok;
}

/* Decodes, dispatches and fills rep for a registered method. */
static void run_method(struct job *j, struct tb_call *c, struct reply *rep)
{
	void *req = NULL;
	size_t len = 0;
	int rc = 0;

	if (j->method->client_stream)
		rc = read_stream(j, c->arena, &req, &len);
	else if (j->payload)
		rc = copy_message(c->arena, j->payload, &req, &len);
	if (rc == 0)
		rc = tb_rpc_dispatch(c, j->method, req, len, (void **)&rep->data, &rep->len);
	rep->status = status_of(rc);
	if (rc) {
		rep->data = NULL;
		rep->message = tb_strerror(rc);
	}
}

static void log_call(const char *method, const struct reply *rep, const struct tb_call *c,
                     int64_t ms)
{
	char status[16], duration[24], errors[24];

	if (!tb_log_enabled(TB_LOG_DEBUG))
		return;
	snprintf(status, sizeof(status), "%d", (int)rep->status);
	snprintf(duration, sizeof(duration), "%lld", (long long)ms);
	snprintf(errors, sizeof(errors), "%zu", c->diags.n_errors);
	tb_log(TB_LOG_DEBUG, "rpc", "served", "method", method, "grpc_status", status,
	       "duration_ms", duration, "diagnostic_errors", errors, NULL);
}

static void serve_registered(struct tb_rpc_server *srv, struct job *j)
{
	struct tb_arena *a = tb_arena_new();
	struct tb_call c = {.arena = a, .meta = tb_provider_meta_get(), .cancel = &tb_rpc_cancel};
	struct reply rep = {.status = GRPC_STATUS_RESOURCE_EXHAUSTED, .message = "out of memory"};
	int64_t start = tb_now_ms();
	uint64_t one = 1;

	tb_log(TB_LOG_TRACE, "rpc", "received", "method", j->method->name, NULL);
	if (a) {
		tb_diags_init(&c.diags, a);
		run_method(j, &c, &rep);
	}
	send_reply(j, &rep);
	if (j->method->stop_after && write(srv->stop_fd, &one, sizeof(one)) < 0)
		tb_logf(TB_LOG_ERROR, "rpc", "could not signal shutdown: %s", strerror(errno));
	log_call(j->method->name, &rep, &c, tb_now_ms() - start);
	tb_arena_free(a);
	tb_provider_meta_put(c.meta);
}

static void serve_unregistered(struct job *j)
{
	struct reply rep = {.status = GRPC_STATUS_UNIMPLEMENTED};
	char *method = grpc_slice_to_c_string(j->details.method);

	rep.message = method;
	tb_log(TB_LOG_DEBUG, "rpc", "answered UNIMPLEMENTED", "method", method, NULL);
	send_reply(j, &rep);
	gpr_free(method);
}

/* A notification: re-arm the request for the same method, then serve. */
static void on_new_call(struct tb_rpc_server *srv, struct job *j, bool ok)
{
	if (ok && job_request(srv, j->method) != 0)
		tb_log(TB_LOG_ERROR, "rpc", "could not wait for further calls", "method",
		       j->method ? j->method->name : "(unregistered)", NULL);
	if (ok && j->method)
		serve_registered(srv, j);
	else if (ok)
		serve_unregistered(j);
	job_free(j);
}

static void *worker_main(void *arg);

/* Starts one more worker, counted idle; mu is held. */
static int worker_start_locked(struct tb_rpc_server *srv)
{
	pthread_attr_t attr;
	int err;

	if (srv->stopping || srv->n_threads >= srv->max_threads)
		return 0;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, WORKER_STACK_BYTES);
	err = pthread_create(&srv->threads[srv->n_threads], &attr, worker_main, srv);
	pthread_attr_destroy(&attr);
	if (err)
		return TB_ENOMEM;
	srv->n_threads++;
	srv->idle++;
	return 0;
}

/* A worker took a call: keep one idle worker for the next call if allowed. */
static void worker_busy(struct tb_rpc_server *srv)
{
	int rc = 0;

	pthread_mutex_lock(&srv->mu);
	if (--srv->idle == 0)
		rc = worker_start_locked(srv);
	pthread_mutex_unlock(&srv->mu);
	if (rc)
		tb_log(TB_LOG_WARN, "rpc", "could not start another worker", NULL);
}

static void worker_idle(struct tb_rpc_server *srv)
{
	pthread_mutex_lock(&srv->mu);
	srv->idle++;
	pthread_mutex_unlock(&srv->mu);
}

static void *worker_main(void *arg)
{
	struct tb_rpc_server *srv = arg;
	grpc_event ev;

	for (;;) {
		ev = grpc_completion_queue_next(srv->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
		if (ev.type == GRPC_QUEUE_SHUTDOWN)
			return NULL;
		if (ev.type != GRPC_OP_COMPLETE)
			continue;
		if (ev.tag != &srv->shutdown_tag) {
			worker_busy(srv);
			on_new_call(srv, ev.tag, ev.success);
			worker_idle(srv);
			continue;
		}
		pthread_mutex_lock(&srv->mu);
		srv->shut_down = true;
		pthread_cond_broadcast(&srv->cv);
		pthread_mutex_unlock(&srv->mu);
	}
}

/* ---- start and stop ---------------------------------------------------------------- */

static const enum tb_log_level grpc_log_levels[] = {
    [GPR_LOG_SEVERITY_DEBUG] = TB_LOG_DEBUG,
    [GPR_LOG_SEVERITY_INFO] = TB_LOG_INFO,
    [GPR_LOG_SEVERITY_ERROR] = TB_LOG_ERROR,
};

/* C core's own log lines, as JSON lines like every other (GRPC_VERBOSITY
 * still chooses which C core emits). */
static void grpc_log(gpr_log_func_args *args)
{
	enum tb_log_level level = TB_LOG_ERROR;
	char source[256];

	if ((size_t)args->severity < TB_COUNT(grpc_log_levels))
		level = grpc_log_levels[args->severity];
	if (!tb_log_enabled(level))
		return;
	snprintf(source, sizeof(source), "%s:%d", args->file, args->line);
	tb_log(level, "grpc", args->message, "source", source, NULL);
}

static grpc_server_credentials *server_credentials(const struct tb_rpc_server_opts *o)
{
	grpc_ssl_pem_key_cert_pair pair;

	if (!o->client_cert_pem || !*o->client_cert_pem)
		return grpc_insecure_server_credentials_create();
	pair.private_key = o->cert->key_pem;
	pair.cert_chain = o->cert->cert_pem;
	return grpc_ssl_server_credentials_create_ex(
	    o->client_cert_pem, &pair, 1,
	    GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY, NULL);
}

static int server_create(struct tb_rpc_server *srv)
{
	grpc_arg args[] = {
	    {.type = GRPC_ARG_INTEGER,
	     .key = GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH,
	     .value.integer = MAX_MESSAGE_BYTES},
	    {.type = GRPC_ARG_INTEGER,
	     .key = GRPC_ARG_MAX_SEND_MESSAGE_LENGTH,
	     .value.integer = MAX_MESSAGE_BYTES},
	    {.type = GRPC_ARG_INTEGER, .key = GRPC_ARG_HTTP2_MAX_PING_STRIKES, .value.integer = 0},
	};
	grpc_channel_args ca = {.num_args = TB_COUNT(args), .args = args};
	const struct tb_rpc_method *m;

	srv->server = grpc_server_create(&ca, NULL);
	srv->cq = grpc_completion_queue_create_for_next(NULL);
	grpc_server_register_completion_queue(srv->server, srv->cq, NULL);
	for (size_t i = 0; i < tb_rpc_n_methods; i++) {
		m = &tb_rpc_methods[i];
		srv->handles[i] = grpc_server_register_method(
		    srv->server, m->name, NULL,
		    m->client_stream ? GRPC_SRM_PAYLOAD_NONE
		                     : GRPC_SRM_PAYLOAD_READ_INITIAL_BYTE_BUFFER,
		    0);
		if (!srv->handles[i])
			return TB_EINVAL;
	}
	return 0;
}

static int server_listen(struct tb_rpc_server *srv, const struct tb_rpc_server_opts *o)
{
	grpc_server_credentials *creds;
	char *addr = NULL;
	int port;

	if (asprintf(&addr, "unix:%s", o->socket_path) < 0)
		return TB_ENOMEM;
	creds = server_credentials(o);
	port = creds ? grpc_server_add_http2_port(srv->server, addr, creds) : 0;
	if (creds)
		grpc_server_credentials_release(creds);
	free(addr);
	return port > 0 ? 0 : TB_EIO;
}

static int server_run(struct tb_rpc_server *srv, int workers)
{
	int rc = 0;

	grpc_server_start(srv->server);
	for (size_t i = 0; i <= tb_rpc_n_methods; i++) {
		rc = job_request(srv, i < tb_rpc_n_methods ? &tb_rpc_methods[i] : NULL);
		if (rc)
			return rc;
	}
	srv->threads = calloc((size_t)workers, sizeof(*srv->threads));
	if (!srv->threads)
		return TB_ENOMEM;
	srv->max_threads = workers;
	pthread_mutex_lock(&srv->mu);
	for (int i = 0; rc == 0 && i < INITIAL_WORKERS; i++)
		rc = worker_start_locked(srv);
	pthread_mutex_unlock(&srv->mu);
	return rc;
}

static int thread_count(struct tb_rpc_server *srv)
{
	int n;

	pthread_mutex_lock(&srv->mu);
	n = srv->n_threads;
	pthread_mutex_unlock(&srv->mu);
	return n;
}

static bool wait_shut_down(struct tb_rpc_server *srv, int ms)
{
	struct timespec until;
	bool done;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&srv->mu);
	while (!srv->shut_down && pthread_cond_timedwait(&srv->cv, &srv->mu, &until) == 0)
		;
	done = srv->shut_down;
	pthread_mutex_unlock(&srv->mu);
	return done;
}

/* Joins the workers and releases everything; the server has shut down. */
static void server_free(struct tb_rpc_server *srv)
{
	grpc_server_destroy(srv->server);
	grpc_completion_queue_shutdown(srv->cq);
	for (int i = 0; i < thread_count(srv); i++)
		pthread_join(srv->threads[i], NULL);
	grpc_completion_queue_destroy(srv->cq);
	pthread_cond_destroy(&srv->cv);
	pthread_mutex_destroy(&srv->mu);
	close(srv->stop_fd);
	free(srv->threads);
	free(srv->handles);
	free(srv);
}

/*
 * C core is initialised once per process and never shut down: its final
 * clean-up joins executor threads that may sit in a 10 s poll, longer than
 * the 2 s a client allows a plugin to exit. The process exit releases it.
 */
static pthread_once_t grpc_once = PTHREAD_ONCE_INIT;

static void grpc_start(void)
{
	gpr_set_log_function(grpc_log);
	grpc_init();
}

/*
 * Shuts the server down: graceful for grace_ms, then cancelling every call.
 * Without workers (a failed start), the shutdown tag is collected here.
 */
int tb_rpc_server_stop(struct tb_rpc_server *srv, int grace_ms)
{
	grpc_event ev;

	atomic_store(&tb_rpc_stopping, true);
	atomic_store(&tb_rpc_cancel, true);
	pthread_mutex_lock(&srv->mu);
	srv->stopping = true;
	pthread_mutex_unlock(&srv->mu);
	grpc_server_shutdown_and_notify(srv->server, srv->cq, &srv->shutdown_tag);
	while (thread_count(srv) == 0 && !srv->shut_down) {
		ev = grpc_completion_queue_next(srv->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
		if (ev.tag == &srv->shutdown_tag)
			srv->shut_down = true;
		else if (ev.type == GRPC_OP_COMPLETE)
			on_new_call(srv, ev.tag, false);
	}
	if (!wait_shut_down(srv, grace_ms)) {
		tb_log(TB_LOG_WARN, "rpc", "cancelling calls still running at shutdown", NULL);
		grpc_server_cancel_all_calls(srv->server);
		if (!wait_shut_down(srv, CANCEL_WAIT_MS))
			return TB_ETIMEOUT;
	}
	server_free(srv);
	return 0;
}

static bool opts_valid(const struct tb_rpc_server_opts *o)
{
	return o->socket_path && (!o->client_cert_pem || !*o->client_cert_pem || o->cert);
}

/* Creates the server and registers the methods; see rpc.h. */
int tb_rpc_server_new(struct tb_rpc_server **out)
{
	struct tb_rpc_server *srv = calloc(1, sizeof(*srv));
	pthread_condattr_t attr;
	int rc;

	if (!srv || !(srv->handles = calloc(tb_rpc_n_methods, sizeof(*srv->handles)))) {
		free(srv);
		return TB_ENOMEM;
	}
	srv->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	pthread_mutex_init(&srv->mu, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&srv->cv, &attr);
	pthread_condattr_destroy(&attr);
	pthread_once(&grpc_once, grpc_start);
	rc = server_create(srv);
	if (rc == 0 && srv->stop_fd < 0)
		rc = TB_EIO;
	if (rc) {
		tb_rpc_server_stop(srv, 0);
		return rc;
	}
	*out = srv;
	return 0;
}

/* Listens and starts the workers; see rpc.h. */
int tb_rpc_server_listen(struct tb_rpc_server *srv, const struct tb_rpc_server_opts *o)
{
	int rc;

	if (!opts_valid(o))
		return TB_EINVAL;
	rc = server_listen(srv, o);
	if (rc == 0)
		rc = server_run(srv, o->workers > 0 ? o->workers : DEFAULT_WORKERS);
	if (rc == 0) {
		atomic_store(&tb_rpc_stopping, false);
		atomic_store(&tb_rpc_cancel, false);
	}
	return rc;
}

/* Starts the server; see rpc.h. On failure everything is released. */
int tb_rpc_server_start(const struct tb_rpc_server_opts *o, struct tb_rpc_server **out)
{
	struct tb_rpc_server *srv = NULL;
	int rc;

	if (!opts_valid(o))
		return TB_EINVAL;
	rc = tb_rpc_server_new(&srv);
	if (rc == 0 && (rc = tb_rpc_server_listen(srv, o)) != 0)
		tb_rpc_server_stop(srv, 0);
	if (rc == 0)
		*out = srv;
	return rc;
}

/* The descriptor readable after a Shutdown call was answered. */
int tb_rpc_server_stop_fd(const struct tb_rpc_server *srv)
{
	return srv->stop_fd;
}
