/*
 * Adaptive rate limiting, on a simulated clock: nothing is paced before a
 * throttle; a throttle drops the fill rate below the rate measured; success
 * grows it back, never past twice the measured rate; and a client against a
 * service that throttles above its limit meets far fewer throttles with the
 * limiter than sending as fast as it can (the plain retry's behaviour).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "aws/internal.h"

static void test_aws_rate_idle_until_throttled(void **state)
{
	struct aws_rate r;

	aws_rate_init(&r);
	for (int i = 0; i < 100; i++) {
		assert_true(aws_rate_take(&r, 1000.0 + i * 0.001) == 0);
		aws_rate_update(&r, false, 1000.0 + i * 0.001);
	}
	assert_false(r.enabled);
	aws_rate_cleanup(&r);
}

static void test_aws_rate_throttle_slows_then_recovers(void **state)
{
	struct aws_rate r;
	double t = 1000.0, after;

	aws_rate_init(&r);
	/* 40 requests a second for three seconds, then a throttle. */
	for (int i = 0; i < 120; i++, t += 0.025)
		aws_rate_update(&r, false, t);
	aws_rate_update(&r, true, t);
	assert_true(r.enabled);
	assert_true(r.fill_rate < 40 && r.fill_rate > 10);
	after = r.fill_rate;
	/* The bucket now paces: a burst has to wait. */
	double waited = 0;
	for (int i = 0; i < 50; i++)
		waited += aws_rate_take(&r, t);
	assert_true(waited > 0);
	/* Quiet success for a while: the rate grows back, bounded by 2x measured. */
	for (int i = 0; i < 400; i++, t += 0.025)
		aws_rate_update(&r, false, t);
	assert_true(r.fill_rate > after);
	assert_true(r.fill_rate <= 2 * r.measured + 1e-9);
	aws_rate_cleanup(&r);
}

/* A service that allows `limit` requests per one-second window, and a
 * client that wants to send `want` requests as fast as it may. Returns the
 * throttles it meets; every throttled request is sent again. */
static int simulate(bool adaptive, double limit, int want)
{
	struct aws_rate r;
	double t = 1000.0, window = 1000.0;
	int in_window = 0, throttles = 0, done = 0;

	aws_rate_init(&r);
	while (done < want && t < 1000.0 + 600) {
		bool throttled;
		if (adaptive)
			t += aws_rate_take(&r, t);
		if (t >= window + 1) {
			window = (double)(int64_t)t;
			in_window = 0;
		}
		throttled = ++in_window > limit;
		throttles += throttled;
		done += !throttled;
		if (adaptive)
			aws_rate_update(&r, throttled, t);
		t += 0.005; /* 5 ms a round trip */
	}
	aws_rate_cleanup(&r);
	return throttles;
}

static void test_aws_rate_fewer_throttles_than_plain_retry(void **state)
{
	int plain = simulate(false, 20, 400), adaptive = simulate(true, 20, 400);

	print_message("throttles for 400 requests at a 20/s limit: plain %d, adaptive %d\n", plain,
	              adaptive);
	assert_true(adaptive * 4 < plain);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_aws_rate_idle_until_throttled),
	    cmocka_unit_test(test_aws_rate_throttle_slows_then_recovers),
	    cmocka_unit_test(test_aws_rate_fewer_throttles_than_plain_retry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
