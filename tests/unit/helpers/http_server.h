/*
 * A tiny HTTP/1.1 server for unit tests (libc + pthreads only). It listens
 * on 127.0.0.1 on a free port, answers each request from a script (FIFO),
 * else from a handler, else with a default answer, and records every
 * request it receives. Keep-alive connections, one thread per connection.
 *
 *   struct tbt_server *s = tbt_server_start();
 *   tbt_server_push(s, &(struct tbt_response){.status = 503});
 *   tbt_server_push(s, &(struct tbt_response){.body = "{}"});
 *   ... point the client at tbt_server_url(s) ...
 *   assert_int_equal(tbt_server_count(s), 2);
 *   tbt_server_stop(s);
 */
#ifndef TBT_HTTP_SERVER_H
#define TBT_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>

enum tbt_action {
	TBT_RESPOND = 0, /* send the response */
	TBT_HANG,        /* never answer; hold the connection until the client or stop closes it */
	TBT_CLOSE,       /* close the connection without answering */
};

struct tbt_response {
	int status;          /* 0: 200 */
	const char *headers; /* extra header lines, each ending in "\r\n"; may be NULL */
	const char *body;    /* may be NULL */
	char *body_owned;    /* malloc'd body used instead of body; the server frees it */
	int delay_ms;        /* wait before answering */
	enum tbt_action action;
};

struct tbt_request {
	char *method;
	char *target;  /* path and query */
	char *headers; /* raw header block, "Name: value\r\n" lines */
	char *body;    /* NUL-terminated */
	size_t body_len;
};

struct tbt_server;

/*
 * Handler: fills *resp for a request the script does not cover. Runs on a
 * connection thread; may be called concurrently.
 */
typedef void (*tbt_handler_fn)(void *ud, const struct tbt_request *req, struct tbt_response *resp);

/* Starts a server; NULL on failure. */
struct tbt_server *tbt_server_start(void);
/* Stops it, closes every connection and frees everything. */
void tbt_server_stop(struct tbt_server *s);
int tbt_server_port(const struct tbt_server *s);
/* "http://127.0.0.1:PORT" (owned by the server). */
const char *tbt_server_url(const struct tbt_server *s);
/* Appends a scripted response (strings are copied). */
void tbt_server_push(struct tbt_server *s, const struct tbt_response *r);
void tbt_server_set_handler(struct tbt_server *s, tbt_handler_fn fn, void *ud);
/* The answer when neither script nor handler applies (initially 500). */
void tbt_server_set_default(struct tbt_server *s, const struct tbt_response *r);
/* Forgets the script and the recorded requests. */
void tbt_server_reset(struct tbt_server *s);
/* Number of connections accepted so far. */
size_t tbt_server_connections(struct tbt_server *s);
/* Number of requests received so far. */
size_t tbt_server_count(struct tbt_server *s);
/* Request i (0-based), valid until reset or stop; NULL if out of range. */
const struct tbt_request *tbt_server_request(struct tbt_server *s, size_t i);
/* Copies the value of header name (case-insensitive) into buf; NULL if absent. */
char *tbt_request_header(const struct tbt_request *r, const char *name, char *buf, size_t n);

#endif
