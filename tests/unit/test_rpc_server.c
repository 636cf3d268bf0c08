/*
 * The server end to end, in process: a gRPC C-core client on a temporary
 * unix socket, in plaintext and with mutual TLS. Registered and
 * unregistered methods, 32 calls in flight at once, the controller's
 * Shutdown, and stopping with a call still open.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/time.h>
#include <poll.h>
#include <pthread.h>

#include "rpc/rpc_int.h"
#include "tb/log.h"

#define N_STREAMS 24
#define N_UNARY   8

struct fixture {
	struct tb_rpc_socket sock;
	struct tb_rpc_server *srv;
	struct tb_rpc_cert server_cert, client_cert, other_cert;
	grpc_channel *ch;
};

static gpr_timespec deadline_ms(int ms)
{
	return gpr_time_add(gpr_now(GPR_CLOCK_REALTIME), gpr_time_from_millis(ms, GPR_TIMESPAN));
}

static grpc_byte_buffer *pack(const ProtobufCMessage *m)
{
	size_t n = m ? protobuf_c_message_get_packed_size(m) : 0;
	grpc_slice s = grpc_slice_malloc(n);
	grpc_byte_buffer *bb;

	if (m)
		protobuf_c_message_pack(m, GRPC_SLICE_START_PTR(s));
	bb = grpc_raw_byte_buffer_create(&s, 1);
	grpc_slice_unref(s);
	return bb;
}

/* The bytes of bb (malloc'ed), or NULL. */
static uint8_t *unpack_bytes(grpc_byte_buffer *bb, size_t *len)
{
	grpc_byte_buffer_reader r;
	grpc_slice s;
	uint8_t *out;

	if (!bb || !grpc_byte_buffer_reader_init(&r, bb))
		return NULL;
	s = grpc_byte_buffer_reader_readall(&r);
	grpc_byte_buffer_reader_destroy(&r);
	*len = GRPC_SLICE_LENGTH(s);
	out = malloc(*len + 1);
	memcpy(out, GRPC_SLICE_START_PTR(s), *len);
	grpc_slice_unref(s);
	return out;
}

/* A unary call; returns its status and the response bytes in *out (or NULL). */
static grpc_status_code unary(grpc_channel *ch, const char *method, const ProtobufCMessage *req,
                              uint8_t **out, size_t *out_len)
{
	grpc_completion_queue *cq = grpc_completion_queue_create_for_pluck(NULL);
	grpc_slice name = grpc_slice_from_static_string(method);
	grpc_call *call = grpc_channel_create_call(ch, NULL, GRPC_PROPAGATE_DEFAULTS, cq, name,
	                                           NULL, deadline_ms(10000), NULL);
	grpc_metadata_array initial, trailing;
	grpc_byte_buffer *in = pack(req), *resp = NULL;
	grpc_status_code status = GRPC_STATUS_UNKNOWN;
	grpc_slice details;
	grpc_op ops[6] = {{.op = GRPC_OP_SEND_INITIAL_METADATA}};
	grpc_event ev;

	grpc_metadata_array_init(&initial);
	grpc_metadata_array_init(&trailing);
	ops[1].op = GRPC_OP_SEND_MESSAGE;
	ops[1].data.send_message.send_message = in;
	ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
	ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
	ops[3].data.recv_initial_metadata.recv_initial_metadata = &initial;
	ops[4].op = GRPC_OP_RECV_MESSAGE;
	ops[4].data.recv_message.recv_message = &resp;
	ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
	ops[5].data.recv_status_on_client.trailing_metadata = &trailing;
	ops[5].data.recv_status_on_client.status = &status;
	ops[5].data.recv_status_on_client.status_details = &details;
	assert_int_equal(grpc_call_start_batch(call, ops, 6, call, NULL), GRPC_CALL_OK);
	ev = grpc_completion_queue_pluck(cq, call, deadline_ms(15000), NULL);
	assert_int_equal(ev.type, GRPC_OP_COMPLETE);
	if (out)
		*out = unpack_bytes(resp, out_len);
	if (resp)
		grpc_byte_buffer_destroy(resp);
	grpc_byte_buffer_destroy(in);
	grpc_slice_unref(details);
	grpc_metadata_array_destroy(&initial);
	grpc_metadata_array_destroy(&trailing);
	grpc_call_unref(call);
	grpc_completion_queue_shutdown(cq);
	grpc_completion_queue_destroy(cq);
	return status;
}

/* ---- fixtures ---------------------------------------------------------------- */

static grpc_channel *channel(struct fixture *f, const struct tb_rpc_cert *client)
{
	grpc_arg arg = {.type = GRPC_ARG_STRING,
	                .key = GRPC_SSL_TARGET_NAME_OVERRIDE_ARG,
	                .value.string = "localhost"};
	grpc_channel_args args = {.num_args = 1, .args = &arg};
	grpc_ssl_pem_key_cert_pair pair;
	grpc_channel_credentials *creds;
	grpc_channel *ch;
	char target[256];

	snprintf(target, sizeof(target), "unix:%s", f->sock.path);
	if (client) {
		pair.private_key = client->key_pem;
		pair.cert_chain = client->cert_pem;
		creds = grpc_ssl_credentials_create(f->server_cert.cert_pem, &pair, NULL, NULL);
	} else {
		creds = grpc_insecure_credentials_create();
	}
	ch = grpc_channel_create(target, creds, client ? &args : NULL);
	grpc_channel_credentials_release(creds);
	return ch;
}

static int start(struct fixture *f, bool tls)
{
	struct tb_rpc_server_opts o = {0};

	grpc_init();
	if (tb_rpc_socket_create(NULL, &f->sock) != 0)
		return -1;
	o.socket_path = f->sock.path;
	if (tls) {
		if (tb_rpc_cert_generate(&f->server_cert) ||
		    tb_rpc_cert_generate(&f->client_cert) || tb_rpc_cert_generate(&f->other_cert))
			return -1;
		o.client_cert_pem = f->client_cert.cert_pem;
		o.cert = &f->server_cert;
	}
	if (tb_rpc_server_start(&o, &f->srv) != 0)
		return -1;
	f->ch = channel(f, tls ? &f->client_cert : NULL);
	return 0;
}

static int setup_plain(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	*state = f;
	return start(f, false);
}

static int setup_tls(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	*state = f;
	return start(f, true);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->ch)
		grpc_channel_destroy(f->ch);
	if (f->srv)
		assert_int_equal(tb_rpc_server_stop(f->srv, 100), 0);
	tb_rpc_cert_free(&f->server_cert);
	tb_rpc_cert_free(&f->client_cert);
	tb_rpc_cert_free(&f->other_cert);
	tb_rpc_socket_remove(&f->sock);
	free(f);
	grpc_shutdown();
	return 0;
}

static void check_schema_response(const uint8_t *data, size_t len)
{
	Tfplugin6__GetProviderSchema__Response *r;

	assert_non_null(data);
	r = (Tfplugin6__GetProviderSchema__Response *)protobuf_c_message_unpack(
	    &tfplugin6__get_provider_schema__response__descriptor, NULL, len, data);
	assert_non_null(r);
	assert_non_null(r->provider);
	assert_non_null(r->server_capabilities);
	assert_true(r->server_capabilities->plan_destroy);
	protobuf_c_message_free_unpacked(&r->base, NULL);
}

/* ---- plaintext ------------------------------------------------------------------- */

static void test_rpc_server_unary(void **state)
{
	struct fixture *f = *state;
	Grpc__Health__V1__HealthCheckRequest hc = GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
	uint8_t *out = NULL;
	size_t len = 0;

	assert_int_equal(unary(f->ch, "/tfplugin6.Provider/GetProviderSchema", NULL, &out, &len),
	                 GRPC_STATUS_OK);
	check_schema_response(out, len);
	free(out);
	hc.service = "plugin";
	assert_int_equal(unary(f->ch, "/grpc.health.v1.Health/Check", &hc.base, NULL, NULL),
	                 GRPC_STATUS_OK);
	hc.service = "elsewhere";
	assert_int_equal(unary(f->ch, "/grpc.health.v1.Health/Check", &hc.base, NULL, NULL),
	                 GRPC_STATUS_NOT_FOUND);
}

/* Requests over C core's default 4 MiB limit are accepted (limit 256 MiB). */
static void test_rpc_server_large_request(void **state)
{
	struct fixture *f = *state;
	Tfplugin6__ValidateProviderConfig__Request req =
	    TFPLUGIN6__VALIDATE_PROVIDER_CONFIG__REQUEST__INIT;
	Tfplugin6__DynamicValue dv = TFPLUGIN6__DYNAMIC_VALUE__INIT;
	Tfplugin6__ValidateProviderConfig__Response *r;
	size_t n = 6u << 20;
	uint8_t *big = malloc(n), *out = NULL;
	size_t len = 0;

	memset(big, '[', n);
	dv.json.data = big;
	dv.json.len = n;
	req.config = &dv;
	assert_int_equal(
	    unary(f->ch, "/tfplugin6.Provider/ValidateProviderConfig", &req.base, &out, &len),
	    GRPC_STATUS_OK);
	r = (Tfplugin6__ValidateProviderConfig__Response *)protobuf_c_message_unpack(
	    &tfplugin6__validate_provider_config__response__descriptor, NULL, len, out);
	assert_non_null(r);
	assert_int_equal(r->n_diagnostics,
	                 1); /* not JSON: an error diagnostic, not a failed call */
	protobuf_c_message_free_unpacked(&r->base, NULL);
	free(out);
	free(big);
}

static void test_rpc_server_unimplemented(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(unary(f->ch, "/plugin.GRPCStdio/StreamStdio", NULL, NULL, NULL),
	                 GRPC_STATUS_UNIMPLEMENTED);
	assert_int_equal(unary(f->ch, "/plugin.GRPCBroker/StartStream", NULL, NULL, NULL),
	                 GRPC_STATUS_UNIMPLEMENTED);
	assert_int_equal(unary(f->ch, "/tfplugin6.Provider/NoSuchMethod", NULL, NULL, NULL),
	                 GRPC_STATUS_UNIMPLEMENTED);
	/* And the server keeps answering afterwards. */
	assert_int_equal(unary(f->ch, "/tfplugin6.Provider/GetMetadata", NULL, NULL, NULL),
	                 GRPC_STATUS_OK);
}

/* A WriteStateBytes stream held open: it keeps one worker busy reading. */
struct stream {
	grpc_call *call;
	grpc_completion_queue *cq;
};

static void stream_open(grpc_channel *ch, struct stream *s)
{
	Tfplugin6__WriteStateBytes__RequestChunk chunk =
	    TFPLUGIN6__WRITE_STATE_BYTES__REQUEST_CHUNK__INIT;
	Tfplugin6__RequestChunkMeta meta = TFPLUGIN6__REQUEST_CHUNK_META__INIT;
	grpc_byte_buffer *bb;
	grpc_op ops[2] = {{.op = GRPC_OP_SEND_INITIAL_METADATA}, {.op = GRPC_OP_SEND_MESSAGE}};
	grpc_event ev;

	meta.type_name = "bucket";
	chunk.meta = &meta;
	bb = pack(&chunk.base);
	s->cq = grpc_completion_queue_create_for_pluck(NULL);
	s->call = grpc_channel_create_call(
	    ch, NULL, GRPC_PROPAGATE_DEFAULTS, s->cq,
	    grpc_slice_from_static_string("/tfplugin6.Provider/WriteStateBytes"), NULL,
	    deadline_ms(20000), NULL);
	ops[1].data.send_message.send_message = bb;
	assert_int_equal(grpc_call_start_batch(s->call, ops, 2, s, NULL), GRPC_CALL_OK);
	ev = grpc_completion_queue_pluck(s->cq, s, deadline_ms(10000), NULL);
	assert_int_equal(ev.type, GRPC_OP_COMPLETE);
	assert_true(ev.success);
	grpc_byte_buffer_destroy(bb);
}

/* Half-closes the stream and returns its status; *resp gets the answer. */
static grpc_status_code stream_finish(struct stream *s, uint8_t **resp, size_t *len)
{
	grpc_metadata_array initial, trailing;
	grpc_byte_buffer *bb = NULL;
	grpc_status_code status = GRPC_STATUS_UNKNOWN;
	grpc_slice details;
	grpc_op ops[4] = {{.op = GRPC_OP_SEND_CLOSE_FROM_CLIENT}};
	grpc_event ev;

	grpc_metadata_array_init(&initial);
	grpc_metadata_array_init(&trailing);
	ops[1].op = GRPC_OP_RECV_INITIAL_METADATA;
	ops[1].data.recv_initial_metadata.recv_initial_metadata = &initial;
	ops[2].op = GRPC_OP_RECV_MESSAGE;
	ops[2].data.recv_message.recv_message = &bb;
	ops[3].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
	ops[3].data.recv_status_on_client.trailing_metadata = &trailing;
	ops[3].data.recv_status_on_client.status = &status;
	ops[3].data.recv_status_on_client.status_details = &details;
	assert_int_equal(grpc_call_start_batch(s->call, ops, 4, s, NULL), GRPC_CALL_OK);
	ev = grpc_completion_queue_pluck(s->cq, s, deadline_ms(15000), NULL);
	assert_int_equal(ev.type, GRPC_OP_COMPLETE);
	if (resp)
		*resp = unpack_bytes(bb, len);
	if (bb)
		grpc_byte_buffer_destroy(bb);
	grpc_slice_unref(details);
	grpc_metadata_array_destroy(&initial);
	grpc_metadata_array_destroy(&trailing);
	grpc_call_unref(s->call);
	grpc_completion_queue_shutdown(s->cq);
	grpc_completion_queue_destroy(s->cq);
	return status;
}

static void *unary_thread(void *arg)
{
	grpc_channel *ch = arg;
	uint8_t *out = NULL;
	size_t len = 0;
	intptr_t ok;

	ok = unary(ch, "/tfplugin6.Provider/GetProviderSchema", NULL, &out, &len) == GRPC_STATUS_OK;
	free(out);
	return (void *)ok;
}

/* 24 streams keep 24 workers busy while 8 more calls complete: 32 at once. */
static void test_rpc_server_concurrent(void **state)
{
	struct fixture *f = *state;
	struct stream streams[N_STREAMS];
	pthread_t threads[N_UNARY];
	Tfplugin6__WriteStateBytes__Response *r;
	uint8_t *out;
	size_t len;
	void *ok;

	for (int i = 0; i < N_STREAMS; i++)
		stream_open(f->ch, &streams[i]);
	for (int i = 0; i < N_UNARY; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, unary_thread, f->ch), 0);
	for (int i = 0; i < N_UNARY; i++) {
		assert_int_equal(pthread_join(threads[i], &ok), 0);
		assert_true((intptr_t)ok);
	}
	for (int i = 0; i < N_STREAMS; i++) {
		out = NULL;
		assert_int_equal(stream_finish(&streams[i], &out, &len), GRPC_STATUS_OK);
		r = (Tfplugin6__WriteStateBytes__Response *)protobuf_c_message_unpack(
		    &tfplugin6__write_state_bytes__response__descriptor, NULL, len, out);
		assert_non_null(r);
		assert_int_equal(r->n_diagnostics, 1);
		assert_non_null(strstr(r->diagnostics[0]->detail, "\"bucket\""));
		protobuf_c_message_free_unpacked(&r->base, NULL);
		free(out);
	}
}

static void test_rpc_server_shutdown_rpc(void **state)
{
	struct fixture *f = *state;
	struct pollfd p = {.fd = tb_rpc_server_stop_fd(f->srv), .events = POLLIN};
	int64_t start;

	assert_int_equal(poll(&p, 1, 0), 0);
	assert_int_equal(unary(f->ch, "/plugin.GRPCController/Shutdown", NULL, NULL, NULL),
	                 GRPC_STATUS_OK);
	assert_int_equal(poll(&p, 1, 2000), 1);
	start = tb_now_ms();
	assert_int_equal(tb_rpc_server_stop(f->srv, 500), 0);
	f->srv = NULL;
	assert_true(tb_now_ms() - start < 1000);
	assert_true(atomic_load(&tb_rpc_cancel));
}

/* Stopping with a call still open cancels it after the grace period. */
static void test_rpc_server_stop_cancels(void **state)
{
	struct fixture *f = *state;
	struct stream s;
	int64_t start;

	stream_open(f->ch, &s);
	start = tb_now_ms();
	assert_int_equal(tb_rpc_server_stop(f->srv, 200), 0);
	f->srv = NULL;
	assert_true(tb_now_ms() - start < 2000);
	assert_int_not_equal(stream_finish(&s, NULL, NULL), GRPC_STATUS_OK);
}

/* ---- mutual TLS -------------------------------------------------------------------- */

static void test_rpc_server_tls(void **state)
{
	struct fixture *f = *state;
	grpc_channel *stranger;
	uint8_t *out = NULL;
	size_t len = 0;

	assert_int_equal(unary(f->ch, "/tfplugin6.Provider/GetProviderSchema", NULL, &out, &len),
	                 GRPC_STATUS_OK);
	check_schema_response(out, len);
	free(out);
	/* A client certificate other than PLUGIN_CLIENT_CERT is refused. */
	stranger = channel(f, &f->other_cert);
	assert_int_equal(unary(stranger, "/tfplugin6.Provider/GetProviderSchema", NULL, NULL, NULL),
	                 GRPC_STATUS_UNAVAILABLE);
	grpc_channel_destroy(stranger);
}

static void test_rpc_server_bad_address(void **state)
{
	struct tb_rpc_server_opts o = {.socket_path = "/nonexistent-dir-for-tb/plugin1"};
	struct tb_rpc_server *srv = NULL;
	struct tb_rpc_cert none = {0};

	assert_int_equal(tb_rpc_server_start(&o, &srv), TB_EIO);
	assert_null(srv);
	o.client_cert_pem = "-----BEGIN CERTIFICATE-----";
	assert_int_equal(tb_rpc_server_start(&o, &srv), TB_EINVAL); /* TLS without identity */
	o.cert = &none;
	o.socket_path = NULL;
	assert_int_equal(tb_rpc_server_start(&o, &srv), TB_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_rpc_server_unary, setup_plain, teardown),
	    cmocka_unit_test_setup_teardown(test_rpc_server_large_request, setup_plain, teardown),
	    cmocka_unit_test_setup_teardown(test_rpc_server_unimplemented, setup_plain, teardown),
	    cmocka_unit_test_setup_teardown(test_rpc_server_concurrent, setup_plain, teardown),
	    cmocka_unit_test_setup_teardown(test_rpc_server_shutdown_rpc, setup_plain, teardown),
	    cmocka_unit_test_setup_teardown(test_rpc_server_stop_cancels, setup_plain, teardown),
	    cmocka_unit_test_setup_teardown(test_rpc_server_tls, setup_tls, teardown),
	    cmocka_unit_test(test_rpc_server_bad_address),
	};

	tb_log_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
