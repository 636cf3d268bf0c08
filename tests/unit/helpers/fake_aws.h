/*
 * A fake AWS endpoint for the unit tests of any resource (header only):
 * the real AWS client talks to a local HTTP server (http_server.h) that
 * answers each action from a table of recorded answers (files under
 * tests/data/<dir>/ or inline bodies), records the order of the calls,
 * and fails a chosen action with a chosen error code. A test's hook
 * answers first, for whatever the table cannot say.
 *
 *   static const struct tbt_canned answers[] = {
 *       {"DescribeSecret", "describe_secret.json", NULL},
 *       {"TagResource", NULL, "{}"},
 *   };
 *   tbt_fake_start(&F, "secret", answers, TB_COUNT(answers), NULL);
 *   ... meta.aws = F.client; run the resource ...
 *   assert_true(tbt_fake_called_at(&F, "TagResource") > tbt_fake_called_at(&F, "CreateSecret"));
 *   tbt_fake_stop(&F);
 *
 * Query answers in the table are the <Action>Result's inside; the fake
 * wraps them. JSON answers carry x-amzn-RequestId req-fake-1, query ones
 * RequestId r-1 (errors: req-query-1).
 */
#ifndef TBT_FAKE_AWS_H
#define TBT_FAKE_AWS_H

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helpers/aws_fixture.h"
#include "helpers/http_server.h"
#include "tb/aws.h"

struct tbt_canned {
	const char *action;
	const char *file; /* tests/data/<dir>/ file, or */
	const char *body; /* an inline answer (query: the Result's inside) */
};

struct tbt_fake;

/* Fills resp and returns true to answer action itself; false: the table answers. */
typedef bool (*tbt_fake_hook)(struct tbt_fake *f, const char *action, const struct tbt_request *req,
                              struct tbt_response *resp);

struct tbt_fake {
	pthread_mutex_t mu;
	char calls[16384]; /* "Action Action ..." in the order received */
	const char *dir;
	const struct tbt_canned *answers;
	size_t n_answers;
	const char *fail_action, *fail_code; /* the next calls of fail_action fail */
	tbt_fake_hook hook;
	void *ud; /* the test's own */
	struct tbt_server *server;
	struct tb_aws_client *client;
};

/* The action of a request: X-Amz-Target's last part, or the query's Action. */
static inline void tbt_fake_action(const struct tbt_request *req, char *out, size_t n)
{
	char target[256];
	const char *dot, *p;

	out[0] = '\0';
	if (tbt_request_header(req, "X-Amz-Target", target, sizeof(target)) &&
	    (dot = strrchr(target, '.')) != NULL) {
		snprintf(out, n, "%s", dot + 1);
		return;
	}
	if ((p = strstr(req->body ? req->body : "", "Action=")) != NULL)
		snprintf(out, n, "%.*s", (int)strcspn(p + 7, "&"), p + 7);
}

/* tests/data/<dir>/<name> (malloc'd, for body_owned), or NULL when missing. */
static inline char *tbt_fake_read(const char *dir, const char *name)
{
	char path[512];
	FILE *f;
	char *buf;
	long len;

	snprintf(path, sizeof(path), "%s/%s/%s", TB_TEST_DATA, dir, name);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)len + 1);
	if (fread(buf, 1, (size_t)len, f) != (size_t)len)
		buf[0] = '\0';
	fclose(f);
	return buf;
}

/* An AWS error answer with code, in the JSON or the query protocol. */
static inline void tbt_fake_error(bool json, const char *code, struct tbt_response *resp)
{
	char *body = malloc(512);

	resp->status = 400;
	if (json)
		snprintf(body, 512, "{\"__type\":\"%s\",\"message\":\"injected failure\"}", code);
	else
		snprintf(
		    body, 512,
		    "<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>injected "
		    "failure</Message></Error><RequestId>req-query-1</RequestId></ErrorResponse>",
		    code);
	resp->body_owned = body;
	resp->headers = json ? "x-amzn-RequestId: req-fake-1\r\n" : NULL;
}

/* The table's answer for action; false when it has none. */
static inline bool tbt_fake_canned(struct tbt_fake *f, const char *action, bool json,
                                   struct tbt_response *resp)
{
	for (size_t i = 0; i < f->n_answers; i++) {
		const struct tbt_canned *c = &f->answers[i];
		if (strcmp(c->action, action) != 0)
			continue;
		if (c->file)
			resp->body_owned = tbt_fake_read(f->dir, c->file);
		else if (json)
			resp->body = c->body;
		else {
			resp->body_owned = malloc(strlen(c->body) + 256);
			sprintf(
			    resp->body_owned,
			    "<%sResponse><%sResult>%s</%sResult><ResponseMetadata><RequestId>r-1"
			    "</RequestId></ResponseMetadata></%sResponse>",
			    action, action, c->body, action, action);
		}
		return true;
	}
	return false;
}

static inline void tbt_fake_handler(void *ud, const struct tbt_request *req,
                                    struct tbt_response *resp)
{
	struct tbt_fake *f = ud;
	char action[64], target[8];
	bool json = tbt_request_header(req, "X-Amz-Target", target, sizeof(target)) != NULL;

	tbt_fake_action(req, action, sizeof(action));
	pthread_mutex_lock(&f->mu);
	strncat(f->calls, action, sizeof(f->calls) - strlen(f->calls) - 2);
	strcat(f->calls, " ");
	pthread_mutex_unlock(&f->mu);
	resp->headers = json ? "x-amzn-RequestId: req-fake-1\r\n" : NULL;
	if (f->fail_action && strcmp(action, f->fail_action) == 0) {
		tbt_fake_error(json, f->fail_code, resp);
		return;
	}
	if (f->hook && f->hook(f, action, req, resp))
		return;
	if (!tbt_fake_canned(f, action, json, resp))
		resp->status = 500;
}

/* Starts the server and a client aimed at it (a clean AWS environment). 0 or -1. */
static inline int tbt_fake_start(struct tbt_fake *f, const char *dir,
                                 const struct tbt_canned *answers, size_t n, tbt_fake_hook hook)
{
	struct tb_aws_config cfg;
	char *err = NULL;

	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->mu, NULL);
	f->dir = dir;
	f->answers = answers;
	f->n_answers = n;
	f->hook = hook;
	if ((f->server = tbt_server_start()) == NULL)
		return -1;
	tbt_aws_env_reset();
	setenv("AWS_ENDPOINT_URL", tbt_server_url(f->server), 1);
	cfg = tbt_aws_config();
	if (tb_aws_client_new(&cfg, &f->client, &err) != 0) {
		free(err);
		return -1;
	}
	tbt_server_set_handler(f->server, tbt_fake_handler, f);
	return 0;
}

static inline void tbt_fake_stop(struct tbt_fake *f)
{
	tb_aws_client_free(f->client);
	tbt_server_stop(f->server);
	tbt_aws_home_remove();
	pthread_mutex_destroy(&f->mu);
}

/* Position of action's first call in the log; fails when it was not called. */
static inline size_t tbt_fake_called_at(struct tbt_fake *f, const char *action)
{
	char needle[80];
	const char *at;

	snprintf(needle, sizeof(needle), "%s ", action);
	at = strstr(f->calls, needle);
	while (at && at != f->calls && at[-1] != ' ')
		at = strstr(at + 1, needle);
	if (at == NULL)
		fail_msg("%s was not called; calls: %s", action, f->calls);
	return (size_t)(at - f->calls);
}

static inline size_t tbt_fake_count(struct tbt_fake *f, const char *action)
{
	size_t n = 0, len = strlen(action);

	for (const char *p = f->calls; (p = strstr(p, action)) != NULL; p += len)
		if ((p == f->calls || p[-1] == ' ') && p[len] == ' ')
			n++;
	return n;
}

/* The body of the n-th (0-based) call of action; fails when there is none. */
static inline const char *tbt_fake_body(struct tbt_fake *f, const char *action, size_t n)
{
	char got[64];

	for (size_t i = 0; i < tbt_server_count(f->server); i++) {
		const struct tbt_request *r = tbt_server_request(f->server, i);
		tbt_fake_action(r, got, sizeof(got));
		if (strcmp(got, action) == 0 && n-- == 0)
			return r->body;
	}
	fail_msg("no call %zu of %s", n, action);
	return NULL;
}

/* Whether some call of action has text in its body. */
static inline bool tbt_fake_sent(struct tbt_fake *f, const char *action, const char *text)
{
	char got[64];

	for (size_t i = 0; i < tbt_server_count(f->server); i++) {
		const struct tbt_request *r = tbt_server_request(f->server, i);
		tbt_fake_action(r, got, sizeof(got));
		if (strcmp(got, action) == 0 && r->body && strstr(r->body, text))
			return true;
	}
	return false;
}

#endif
