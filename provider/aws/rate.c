/*
 * Adaptive client-side rate limiting, per service, after the AWS SDKs'
 * "adaptive" retry mode: nothing is limited until the service throttles;
 * then a token bucket paces requests at a fill rate that drops by a factor
 * (beta) on each throttle and grows back along a cubic curve on success,
 * never above twice the rate actually measured. A plan of hundreds of
 * resources thus settles just below the service's limit instead of
 * retrying into it.
 *
 * The arithmetic is pure (aws_rate_* take the time as an argument) so that
 * it is tested without sleeping; aws_rate_acquire sleeps.
 */
#include <math.h>
#include <string.h>

#include "aws/internal.h"

#define RATE_BETA        0.7 /* fill rate kept after a throttle */
#define RATE_SCALE       0.4 /* cubic growth constant */
#define RATE_SMOOTH      0.8 /* weight of the newest measurement */
#define RATE_MIN_FILL    0.5 /* requests per second, at the least */
#define RATE_MIN_CAP     1.0 /* bucket capacity, at the least */
#define RATE_BUCKET_SECS 0.5 /* measurement window */

void aws_rate_init(struct aws_rate *r)
{
	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->mu, NULL);
}

void aws_rate_cleanup(struct aws_rate *r)
{
	pthread_mutex_destroy(&r->mu);
}

static void refill(struct aws_rate *r, double now)
{
	if (r->last_refill > 0 && now > r->last_refill) {
		r->tokens += (now - r->last_refill) * r->fill_rate;
		if (r->tokens > r->capacity)
			r->tokens = r->capacity;
	}
	r->last_refill = now;
}

/* Seconds to wait before the next request may go at now (0: at once);
 * takes its token. Caller holds r->mu. */
double aws_rate_take(struct aws_rate *r, double now)
{
	double wait;

	if (!r->enabled)
		return 0;
	refill(r, now);
	wait = r->tokens >= 1 ? 0 : (1 - r->tokens) / r->fill_rate;
	r->tokens -= 1;
	return wait;
}

static void measure(struct aws_rate *r, double now)
{
	double bucket = floor(now / RATE_BUCKET_SECS) * RATE_BUCKET_SECS;

	r->count++;
	if (r->last_bucket == 0) {
		r->last_bucket = bucket;
		return;
	}
	if (bucket > r->last_bucket) {
		double current = r->count / (bucket - r->last_bucket);
		r->measured = current * RATE_SMOOTH + r->measured * (1 - RATE_SMOOTH);
		r->count = 0;
		r->last_bucket = bucket;
	}
}

static void set_fill_rate(struct aws_rate *r, double rate, double now)
{
	refill(r, now);
	r->fill_rate = rate > RATE_MIN_FILL ? rate : RATE_MIN_FILL;
	r->capacity = r->fill_rate > RATE_MIN_CAP ? r->fill_rate : RATE_MIN_CAP;
	if (r->tokens > r->capacity)
		r->tokens = r->capacity;
}

/* Records the outcome of one request at now: throttled or not. Caller
 * holds r->mu. */
void aws_rate_update(struct aws_rate *r, bool throttled, double now)
{
	double rate;

	measure(r, now);
	if (throttled) {
		double base = r->enabled && r->fill_rate < r->measured ? r->fill_rate : r->measured;
		if (base <= 0)
			base = r->fill_rate > 0 ? r->fill_rate : RATE_MIN_FILL;
		r->last_max = base;
		r->k = cbrt(base * (1 - RATE_BETA) / RATE_SCALE);
		r->last_throttle = now;
		r->enabled = true;
		r->throttles++;
		rate = base * RATE_BETA;
	} else {
		double t = now - r->last_throttle - r->k;
		if (!r->enabled)
			return;
		rate = RATE_SCALE * t * t * t + r->last_max;
		if (r->measured > 0 && rate > 2 * r->measured)
			rate = 2 * r->measured;
	}
	set_fill_rate(r, rate, now);
}

/* Waits for the service's next token (cancellable, bounded by the
 * deadline). 0, or TB_ECANCELED. */
int aws_rate_acquire(struct tb_aws_client *c, const struct aws_service *s, int64_t deadline_ms)
{
	struct aws_rate *r = &c->rates[s - aws_services];
	double wait;

	if (!c->set.adaptive)
		return 0;
	pthread_mutex_lock(&r->mu);
	wait = aws_rate_take(r, tb_wall_time());
	pthread_mutex_unlock(&r->mu);
	if (wait <= 0)
		return 0;
	return aws_sleep_deadline(c, (int64_t)(wait * 1000) + 1, deadline_ms);
}

/* Records one request's outcome for its service. */
void aws_rate_record(struct tb_aws_client *c, const struct aws_service *s, bool throttled)
{
	struct aws_rate *r = &c->rates[s - aws_services];

	if (!c->set.adaptive)
		return;
	pthread_mutex_lock(&r->mu);
	aws_rate_update(r, throttled, tb_wall_time());
	pthread_mutex_unlock(&r->mu);
}
