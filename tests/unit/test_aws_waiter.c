/*
 * The waiter: pending to target, failure states, unexpected states,
 * NOT_FOUND, timeouts, cancellation within a second, refresh errors, and
 * progress lines at info.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <time.h>

#include "aws/internal.h"
#include "helpers/aws_fixture.h"
#include "tb/log.h"

struct fixture {
	struct tb_aws_client *client;
	struct tb_arena *arena;
	struct tb_aws_ctx ctx;
	atomic_bool cancel;
};

struct script {
	const char *const *states; /* NULL entries mean TB_ENOTFOUND */
	size_t n;
	int error; /* returned once the script is exhausted, if non-zero */
	size_t calls;
};

static const char *const pending[] = {"PENDING", "PROVISIONING", NULL};
static const char *const active[] = {"ACTIVE", NULL};
static const char *const failed[] = {"FAILED", NULL};
static const char *const gone[] = {"NOT_FOUND", "INACTIVE", NULL};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct tb_aws_config cfg = tbt_aws_config();
	char *err = NULL;
	int rc;

	tbt_aws_env_reset();
	cfg.cancel = &f->cancel;
	rc = tb_aws_client_new(&cfg, &f->client, &err);
	free(err);
	f->arena = tb_arena_new();
	f->ctx = (struct tb_aws_ctx){.client = f->client, .arena = f->arena};
	*state = f;
	return rc;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tb_aws_client_free(f->client);
	tb_arena_free(f->arena);
	tbt_aws_home_remove();
	free(f);
	return 0;
}

static int refresh(struct tb_aws_ctx *ctx, void *ud, const char **state)
{
	struct script *s = ud;
	size_t i = s->calls++;

	if (i >= s->n) {
		if (s->error)
			return aws_fail(ctx, s->error, "ecs", "DescribeServices", "refresh failed");
		i = s->n - 1;
	}
	if (!s->states[i])
		return TB_ENOTFOUND;
	*state = s->states[i];
	return 0;
}

static struct tb_aws_waiter waiter(struct script *s)
{
	return (struct tb_aws_waiter){
	    .what = "ECS service web to become ACTIVE",
	    .pending = pending,
	    .target = active,
	    .failure = failed,
	    .timeout_ms = 5000,
	    .min_delay_ms = 5,
	    .max_delay_ms = 20,
	    .refresh = refresh,
	    .ud = s,
	};
}

static void test_pending_to_target(void **state)
{
	struct fixture *f = *state;
	const char *const seq[] = {"PENDING", "PROVISIONING", "PENDING", "ACTIVE"};
	struct script s = {.states = seq, .n = 4};
	struct tb_aws_waiter w = waiter(&s);

	assert_int_equal(tb_aws_wait(&f->ctx, &w), 0);
	assert_int_equal(s.calls, 4);
}

static void test_failure_state(void **state)
{
	struct fixture *f = *state;
	const char *const seq[] = {"PENDING", "FAILED"};
	struct script s = {.states = seq, .n = 2};
	struct tb_aws_waiter w = waiter(&s);

	assert_int_equal(tb_aws_wait(&f->ctx, &w), TB_EFAILED);
	assert_string_equal(f->ctx.error.message,
	                    "ECS service web to become ACTIVE: reached state FAILED");
	assert_int_equal(s.calls, 2);
}

static void test_unexpected_state(void **state)
{
	struct fixture *f = *state;
	const char *const seq[] = {"PENDING", "DRAINING"};
	struct script s = {.states = seq, .n = 2};
	struct tb_aws_waiter w = waiter(&s);

	assert_int_equal(tb_aws_wait(&f->ctx, &w), TB_EFAILED);
	assert_non_null(strstr(f->ctx.error.message, "unexpected state DRAINING"));
}

static void test_not_found(void **state)
{
	struct fixture *f = *state;
	const char *const seq[] = {"ACTIVE", "DRAINING", NULL};
	const char *const draining[] = {"ACTIVE", "DRAINING", NULL};
	struct script s = {.states = seq, .n = 3};
	struct tb_aws_waiter w = waiter(&s);

	w.pending = draining;
	w.target = gone;
	assert_int_equal(tb_aws_wait(&f->ctx, &w), 0);
	assert_int_equal(s.calls, 3);

	s = (struct script){.states = seq + 2, .n = 1};
	w = waiter(&s);
	assert_int_equal(tb_aws_wait(&f->ctx, &w), TB_ENOTFOUND);
	assert_non_null(strstr(f->ctx.error.message, "no longer exists"));
}

static void test_timeout(void **state)
{
	struct fixture *f = *state;
	const char *const seq[] = {"PENDING"};
	struct script s = {.states = seq, .n = 1};
	struct tb_aws_waiter w = waiter(&s);
	int64_t t0 = tb_now_ms();

	w.timeout_ms = 150;
	assert_int_equal(tb_aws_wait(&f->ctx, &w), TB_ETIMEOUT);
	assert_true(tb_now_ms() - t0 < 1000);
	assert_true(s.calls >= 2);
	assert_non_null(strstr(f->ctx.error.message, "waiting for ECS service web to become ACTIVE "
	                                             "(last state PENDING)"));
}

static void test_ctx_deadline_bounds_wait(void **state)
{
	struct fixture *f = *state;
	const char *const seq[] = {"PENDING"};
	struct script s = {.states = seq, .n = 1};
	struct tb_aws_waiter w = waiter(&s);
	int64_t t0 = tb_now_ms();

	w.timeout_ms = 0;
	w.min_delay_ms = 10000;
	f->ctx.deadline_ms = t0 + 200;
	assert_int_equal(tb_aws_wait(&f->ctx, &w), TB_ETIMEOUT);
	assert_true(tb_now_ms() - t0 < 1000);
	/* No poll at the deadline (it could only fail for want of time): the
	 * waiter's own message says what it waited for. */
	assert_int_equal(s.calls, 1);
	assert_non_null(strstr(f->ctx.error.message, "waiting for ECS service web to become ACTIVE "
	                                             "(last state PENDING)"));
}

static void *cancel_later(void *arg)
{
	struct timespec ts = {.tv_nsec = 300 * 1000000L};

	nanosleep(&ts, NULL);
	atomic_store((atomic_bool *)arg, true);
	return NULL;
}

static void test_cancel(void **state)
{
	struct fixture *f = *state;
	const char *const seq[] = {"PENDING"};
	struct script s = {.states = seq, .n = 1};
	struct tb_aws_waiter w = waiter(&s);
	pthread_t th;
	int64_t t0 = tb_now_ms();

	w.timeout_ms = 60000;
	w.min_delay_ms = 30000;
	pthread_create(&th, NULL, cancel_later, &f->cancel);
	assert_int_equal(tb_aws_wait(&f->ctx, &w), TB_ECANCELED);
	pthread_join(th, NULL);
	assert_true(tb_now_ms() - t0 < 1300);
	assert_true(tb_aws_canceled(f->client));
	assert_int_equal(tb_aws_sleep(f->client, 5000), TB_ECANCELED);
}

static void test_refresh_error(void **state)
{
	struct fixture *f = *state;
	const char *const seq[] = {"PENDING"};
	struct script s = {.states = seq, .n = 1, .error = TB_EACCESS};
	struct tb_aws_waiter w = waiter(&s);

	assert_int_equal(tb_aws_wait(&f->ctx, &w), TB_EACCESS);
	assert_string_equal(f->ctx.error.message, "refresh failed");
	assert_int_equal(s.calls, 2);
}

static void test_progress_logged(void **state)
{
	struct fixture *f = *state;
	const char *const seq[] = {"PENDING", "PENDING", "PROVISIONING", "ACTIVE"};
	struct script s = {.states = seq, .n = 4};
	struct tb_aws_waiter w = waiter(&s);
	FILE *log = tmpfile();
	char text[4096] = "";
	size_t n;

	tb_log_set_fd(fileno(log));
	tb_log_set_level(TB_LOG_INFO);
	assert_int_equal(tb_aws_wait(&f->ctx, &w), 0);
	tb_log_set_level(TB_LOG_OFF);
	tb_log_set_fd(2);
	rewind(log);
	n = fread(text, 1, sizeof(text) - 1, log);
	text[n] = '\0';
	fclose(log);
	assert_non_null(strstr(text, "\"@level\":\"info\""));
	assert_non_null(strstr(text, "\"for\":\"ECS service web to become ACTIVE\""));
	assert_non_null(strstr(text, "\"state\":\"PENDING\""));
	assert_non_null(strstr(text, "\"state\":\"PROVISIONING\""));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_pending_to_target),
	    T(test_failure_state),
	    T(test_unexpected_state),
	    T(test_not_found),
	    T(test_timeout),
	    T(test_ctx_deadline_bounds_wait),
	    T(test_cancel),
	    T(test_refresh_error),
	    T(test_progress_logged),
	};

	tb_log_set_level(TB_LOG_OFF);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
