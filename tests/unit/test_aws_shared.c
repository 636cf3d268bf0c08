/*
 * Shared reads: batched describes (IDs join the call in flight's successor,
 * at most max per call, not-found per ID, errors to every caller in its own
 * arena, cancellation while waiting) and once-reads (one fetch for many
 * concurrent callers, failures cached) against a scripted server.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>

#include "aws/internal.h"
#include "helpers/aws_fixture.h"
#include "helpers/http_server.h"

static struct tbt_server *SRV;
static struct tb_aws_client *CLIENT;
static atomic_bool CANCEL;
static atomic_int DELAY_MS;
static const char *FAIL_CODE; /* every answer fails with it */

/* Answers {"items":[{"id": x}, ...]} for the request's {"ids": [...]}, minus "missing". */
static void handler(void *ud, const struct tbt_request *req, struct tbt_response *resp)
{
	json_t *in = json_loads(req->body ? req->body : "{}", 0, NULL);
	json_t *ids = json_object_get(in, "ids"), *items = json_array();
	json_t *out = json_pack("{s:o}", "items", items);

	resp->delay_ms = atomic_load(&DELAY_MS);
	if (FAIL_CODE) {
		resp->status = 400;
		resp->headers = "x-amzn-RequestId: req-shared-1\r\n";
		resp->body_owned = malloc(128);
		snprintf(resp->body_owned, 128, "{\"__type\":\"%s\",\"message\":\"no\"}",
		         FAIL_CODE);
	} else {
		for (size_t i = 0; i < json_array_size(ids); i++)
			if (strcmp(json_string_value(json_array_get(ids, i)), "missing") != 0)
				json_array_append_new(
				    items, json_pack("{s:O}", "id", json_array_get(ids, i)));
		resp->body_owned = json_dumps(out, JSON_COMPACT);
	}
	json_decref(out);
	json_decref(in);
}

static int batch_call(struct tb_aws_ctx *ctx, const char *group, const char *const *ids, size_t n,
                      void **items)
{
	json_t *body = tb_aws_json_own(ctx->arena, json_pack("{s:s, s:[]}", "group", group, "ids"));
	json_t *resp = NULL;
	int err;

	for (size_t i = 0; i < n; i++)
		json_array_append_new(json_object_get(body, "ids"), json_string(ids[i]));
	err = tb_aws_json(ctx, "ecs", "DescribeServices", body, &resp);
	for (size_t i = 0; err == 0 && i < n; i++) {
		json_t *list = json_object_get(resp, "items");
		for (size_t k = 0; k < json_array_size(list); k++)
			if (tb_str_eq(
			        json_string_value(json_object_get(json_array_get(list, k), "id")),
			        ids[i]))
				items[i] = json_array_get(list, k);
	}
	return err;
}

static const struct tb_aws_batch KIND = {.service = "ecs",
                                         .action = "DescribeServices",
                                         .max = 10,
                                         .call = batch_call,
                                         .copy = tb_aws_copy_json};

static int setup(void **state)
{
	struct tb_aws_config cfg = tbt_aws_config();
	char *err = NULL;
	int rc;

	tbt_aws_env_reset();
	SRV = tbt_server_start();
	tbt_server_set_handler(SRV, handler, NULL);
	setenv("AWS_ENDPOINT_URL", tbt_server_url(SRV), 1);
	atomic_store(&CANCEL, false);
	atomic_store(&DELAY_MS, 150);
	FAIL_CODE = NULL;
	cfg.cancel = &CANCEL;
	rc = tb_aws_client_new(&cfg, &CLIENT, &err);
	free(err);
	return rc;
}

static int teardown(void **state)
{
	tb_aws_client_free(CLIENT);
	tbt_server_stop(SRV);
	tbt_aws_home_remove();
	return 0;
}

struct asker {
	pthread_t th;
	char id[32];
	int err;
	char got[32];
	char code[64];
	int64_t took_ms;
};

static void *ask(void *arg)
{
	struct asker *k = arg;
	struct tb_arena *a = tb_arena_new();
	struct tb_aws_ctx ctx = {.client = CLIENT, .arena = a};
	void *item = NULL;
	int64_t t0 = tb_now_ms();

	k->err = tb_aws_batch_get(&ctx, &KIND, "cluster-1", k->id, &item);
	k->took_ms = tb_now_ms() - t0;
	if (k->err == 0 && item)
		snprintf(k->got, sizeof(k->got), "%s",
		         json_string_value(json_object_get(item, "id")));
	if (k->err != 0 && ctx.error.code)
		snprintf(k->code, sizeof(k->code), "%s", ctx.error.code);
	tb_arena_free(a); /* each caller's copy is its own */
	return NULL;
}

static void run_askers(struct asker *k, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pthread_create(&k[i].th, NULL, ask, &k[i]);
	for (size_t i = 0; i < n; i++)
		pthread_join(k[i].th, NULL);
}

static void test_aws_shared_batch_coalesces(void **state)
{
	struct asker k[21];
	uint64_t calls, ids, once;

	memset(k, 0, sizeof(k));
	for (size_t i = 0; i < 21; i++)
		snprintf(k[i].id, sizeof(k[i].id), "svc-%zu", i % 20); /* svc-0 twice */
	run_askers(k, 21);
	for (size_t i = 0; i < 21; i++) {
		assert_int_equal(k[i].err, 0);
		assert_string_equal(k[i].got, k[i].id);
	}
	tb_aws_shared_stats(CLIENT, &calls, &ids, &once);
	/* 20 distinct IDs, at most 10 a call: never one call per caller. */
	assert_true(tbt_server_count(SRV) == calls);
	assert_in_range(calls, 2, 4);
	assert_in_range(ids, 20, 21);
}

static void test_aws_shared_batch_alone_goes_at_once(void **state)
{
	struct asker k[1] = {{.id = "svc-1"}};

	atomic_store(&DELAY_MS, 0);
	run_askers(k, 1);
	assert_int_equal(k[0].err, 0);
	assert_int_equal(tbt_server_count(SRV), 1);
	assert_true(k[0].took_ms < 1000); /* no batching timer on the critical path */
}

static void test_aws_shared_batch_missing_is_not_found(void **state)
{
	struct asker k[3] = {{.id = "a"}, {.id = "missing"}, {.id = "b"}};

	run_askers(k, 3);
	assert_int_equal(k[0].err, 0);
	assert_string_equal(k[0].got, "a");
	assert_int_equal(k[1].err, 0);
	assert_string_equal(k[1].got, ""); /* answered, without an item */
	assert_string_equal(k[2].got, "b");
}

static void test_aws_shared_batch_error_to_each(void **state)
{
	struct asker k[4];

	memset(k, 0, sizeof(k));
	FAIL_CODE = "AccessDeniedException";
	for (size_t i = 0; i < 4; i++)
		snprintf(k[i].id, sizeof(k[i].id), "svc-%zu", i);
	run_askers(k, 4);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(k[i].err, TB_EACCESS);
		assert_string_equal(k[i].code, "AccessDeniedException");
	}
}

static void *cancel_later(void *arg)
{
	struct timespec ts = {0, 600 * 1000000L};

	nanosleep(&ts, NULL);
	atomic_store(&CANCEL, true);
	return NULL;
}

static void test_aws_shared_batch_cancel_while_waiting(void **state)
{
	struct asker k[2] = {{.id = "slow-1"}, {.id = "slow-2"}};
	pthread_t th;

	atomic_store(&DELAY_MS, 2500);
	pthread_create(&th, NULL, cancel_later, NULL);
	run_askers(k, 2);
	pthread_join(th, NULL);
	/* The waiter that did not lead stops within a second of the cancel. */
	assert_true(k[0].err == TB_ECANCELED || k[1].err == TB_ECANCELED);
	assert_true(k[0].took_ms < 2000 || k[1].took_ms < 2000);
}

static int fetches;

static int fetch_value(struct tb_aws_ctx *ctx, void *ud, json_t **out)
{
	json_t *resp = NULL;
	int err = tb_aws_json(ctx, "ecs", "DescribeClusters",
	                      tb_aws_json_own(ctx->arena, json_pack("{s:[s]}", "ids", ud)), &resp);

	__atomic_add_fetch(&fetches, 1, __ATOMIC_SEQ_CST);
	*out = resp;
	return err;
}

struct onceer {
	pthread_t th;
	const char *key;
	int err;
	char got[32];
};

static void *ask_once(void *arg)
{
	struct onceer *o = arg;
	struct tb_arena *a = tb_arena_new();
	struct tb_aws_ctx ctx = {.client = CLIENT, .arena = a};
	json_t *v = NULL;

	o->err = tb_aws_once(&ctx, o->key, fetch_value, (void *)"c1", &v);
	if (o->err == 0)
		snprintf(o->got, sizeof(o->got), "%s",
		         json_string_value(json_object_get(
		             json_array_get(json_object_get(v, "items"), 0), "id")));
	tb_arena_free(a);
	return NULL;
}

static void test_aws_shared_once_one_fetch(void **state)
{
	struct onceer o[8];

	fetches = 0;
	for (size_t i = 0; i < 8; i++) {
		o[i] = (struct onceer){.key = "clusters/c1"};
		pthread_create(&o[i].th, NULL, ask_once, &o[i]);
	}
	for (size_t i = 0; i < 8; i++)
		pthread_join(o[i].th, NULL);
	for (size_t i = 0; i < 8; i++) {
		assert_int_equal(o[i].err, 0);
		assert_string_equal(o[i].got, "c1");
	}
	assert_int_equal(fetches, 1);
	assert_int_equal(tbt_server_count(SRV), 1);
}

static void test_aws_shared_once_failure_cached(void **state)
{
	struct onceer o = {.key = "clusters/denied"};

	fetches = 0;
	FAIL_CODE = "AccessDeniedException";
	ask_once(&o);
	assert_int_equal(o.err, TB_EACCESS);
	FAIL_CODE = NULL;
	ask_once(&o);
	assert_int_equal(o.err, TB_EACCESS);
	assert_int_equal(fetches, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_aws_shared_batch_coalesces, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_aws_shared_batch_alone_goes_at_once, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_aws_shared_batch_missing_is_not_found, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_aws_shared_batch_error_to_each, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_aws_shared_batch_cancel_while_waiting, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_aws_shared_once_one_fetch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_aws_shared_once_failure_cached, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
