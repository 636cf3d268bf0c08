/*
 * A tiny HTTP/1.1 test server: see http_server.h. Every blocking step
 * polls in short slices so that stop never waits for a client.
 */
#include "http_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SLICE_MS 20
#define HEAD_MAX (64 * 1024)
#define BODY_MAX (16 * 1024 * 1024)

struct tbt_conn {
	struct tbt_server *srv;
	int fd;
	pthread_t th;
	char *buf;
	size_t len, cap;
	struct tbt_conn *next;
};

struct tbt_server {
	int fd, port;
	char url[64];
	pthread_t accept_th;
	atomic_bool stopping;
	pthread_mutex_t mu;
	struct tbt_response *script;
	size_t n_script, cap_script;
	struct tbt_response dflt;
	tbt_handler_fn handler;
	void *handler_ud;
	struct tbt_request **reqs;
	size_t n_reqs, cap_reqs;
	struct tbt_conn *conns;
	size_t n_conns;
};

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void response_copy(struct tbt_response *dst, const struct tbt_response *src)
{
	*dst = *src;
	dst->headers = dup_or_null(src->headers);
	dst->body = dup_or_null(src->body);
	dst->body_owned = dup_or_null(src->body_owned);
}

static void response_free(struct tbt_response *r)
{
	free((char *)r->headers);
	free((char *)r->body);
	free(r->body_owned);
	memset(r, 0, sizeof(*r));
}

static void request_free(struct tbt_request *r)
{
	if (!r)
		return;
	free(r->method);
	free(r->target);
	free(r->headers);
	free(r->body);
	free(r);
}

static void sleep_ms(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Waits until fd is readable: 1, 0 on stop. */
static int wait_readable(struct tbt_server *s, int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	while (!atomic_load(&s->stopping)) {
		int n = poll(&p, 1, SLICE_MS);

		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return 0;
	}
	return 0;
}

/* Reads more bytes into the connection buffer: >0, or 0 on EOF/stop/error. */
static ssize_t fill(struct tbt_conn *c)
{
	ssize_t n;

	if (c->cap - c->len < 4096) {
		size_t cap = c->cap ? c->cap * 2 : 8192;
		char *b = realloc(c->buf, cap + 1);

		if (!b || cap > HEAD_MAX + BODY_MAX)
			return 0;
		c->buf = b;
		c->cap = cap;
	}
	if (!wait_readable(c->srv, c->fd))
		return 0;
	n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
	if (n <= 0)
		return 0;
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	return n;
}

static size_t content_length(const char *headers)
{
	const char *p = headers;

	while (p && *p) {
		const char *eol = strstr(p, "\r\n");

		if (strncasecmp(p, "Content-Length:", 15) == 0)
			return strtoul(p + 15, NULL, 10);
		p = eol ? eol + 2 : NULL;
	}
	return 0;
}

/* Parses "METHOD TARGET HTTP/1.1\r\nheaders\r\n\r\n" of head_len bytes. */
static struct tbt_request *parse_head(const char *buf, size_t head_len)
{
	struct tbt_request *r = calloc(1, sizeof(*r));
	const char *eol = strstr(buf, "\r\n");
	const char *sp1 = memchr(buf, ' ', (size_t)(eol - buf));
	const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) : NULL;

	if (!r || !sp1 || !sp2) {
		free(r);
		return NULL;
	}
	r->method = strndup(buf, (size_t)(sp1 - buf));
	r->target = strndup(sp1 + 1, (size_t)(sp2 - sp1 - 1));
	r->headers = strndup(eol + 2, head_len - (size_t)(eol + 2 - buf) - 2);
	return r;
}

/* Reads one request; NULL on EOF, stop or garbage. */
static struct tbt_request *read_request(struct tbt_conn *c)
{
	char *end = NULL;
	size_t head, need;
	struct tbt_request *r;

	while (!(end = c->buf ? strstr(c->buf, "\r\n\r\n") : NULL))
		if (c->len > HEAD_MAX || fill(c) == 0)
			return NULL;
	head = (size_t)(end - c->buf) + 4;
	r = parse_head(c->buf, head);
	if (!r)
		return NULL;
	need = content_length(r->headers);
	while (c->len - head < need)
		if (need > BODY_MAX || fill(c) == 0) {
			request_free(r);
			return NULL;
		}
	r->body = malloc(need + 1);
	if (r->body) {
		memcpy(r->body, c->buf + head, need);
		r->body[need] = '\0';
		r->body_len = need;
	}
	memmove(c->buf, c->buf + head + need, c->len - head - need);
	c->len -= head + need;
	c->buf[c->len] = '\0';
	return r;
}

/* Records the request and picks its response (copied into *out). */
static void record_and_pick(struct tbt_server *s, struct tbt_request *r, struct tbt_response *out)
{
	pthread_mutex_lock(&s->mu);
	if (s->n_reqs == s->cap_reqs) {
		size_t cap = s->cap_reqs ? s->cap_reqs * 2 : 16;
		struct tbt_request **n = realloc(s->reqs, cap * sizeof(*n));

		if (n) {
			s->reqs = n;
			s->cap_reqs = cap;
		}
	}
	if (s->n_reqs < s->cap_reqs)
		s->reqs[s->n_reqs++] = r;
	if (s->n_script) {
		*out = s->script[0];
		memmove(s->script, s->script + 1, --s->n_script * sizeof(*s->script));
	} else if (s->handler) {
		struct tbt_response h = {0};
		tbt_handler_fn fn = s->handler;
		void *ud = s->handler_ud;

		pthread_mutex_unlock(&s->mu);
		fn(ud, r, &h);
		*out = h;
		out->headers = dup_or_null(h.headers);
		out->body = dup_or_null(h.body);
		return;
	} else {
		response_copy(out, &s->dflt);
	}
	pthread_mutex_unlock(&s->mu);
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);

		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int send_response(int fd, const struct tbt_response *r)
{
	const char *body = r->body_owned ? r->body_owned : r->body ? r->body : "";
	char head[512];
	int n = snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\nContent-Length: %zu\r\n",
	                 r->status ? r->status : 200,
	                 r->status && r->status != 200 ? "Status" : "OK", strlen(body));

	if (send_all(fd, head, (size_t)n) ||
	    (r->headers && send_all(fd, r->headers, strlen(r->headers))) ||
	    send_all(fd, "\r\n", 2) || send_all(fd, body, strlen(body)))
		return -1;
	return 0;
}

/* Holds the connection open until the peer closes it or the server stops. */
static void hang(struct tbt_conn *c)
{
	char tmp[1024];

	while (wait_readable(c->srv, c->fd))
		if (recv(c->fd, tmp, sizeof(tmp), 0) <= 0)
			return;
}

static void *conn_main(void *arg)
{
	struct tbt_conn *c = arg;
	struct tbt_request *r;

	while ((r = read_request(c)) != NULL) {
		struct tbt_response resp;
		enum tbt_action action;
		int rc = 0;

		record_and_pick(c->srv, r, &resp);
		action = resp.action;
		for (int waited = 0; waited < resp.delay_ms && !atomic_load(&c->srv->stopping);
		     waited += SLICE_MS)
			sleep_ms(SLICE_MS);
		if (action == TBT_HANG)
			hang(c);
		else if (action == TBT_RESPOND)
			rc = send_response(c->fd, &resp);
		response_free(&resp);
		if (action != TBT_RESPOND || rc)
			break;
	}
	shutdown(c->fd, SHUT_RDWR);
	return NULL;
}

static void *accept_main(void *arg)
{
	struct tbt_server *s = arg;

	while (wait_readable(s, s->fd)) {
		int fd = accept(s->fd, NULL, NULL);
		struct tbt_conn *c = fd >= 0 ? calloc(1, sizeof(*c)) : NULL;

		if (!c) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		c->srv = s;
		c->fd = fd;
		pthread_mutex_lock(&s->mu);
		if (pthread_create(&c->th, NULL, conn_main, c) == 0) {
			c->next = s->conns;
			s->conns = c;
			s->n_conns++;
			c = NULL;
		}
		pthread_mutex_unlock(&s->mu);
		if (c) {
			close(fd);
			free(c);
		}
	}
	return NULL;
}

static int listen_loopback(int *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 64) ||
	    getsockname(fd, (struct sockaddr *)&a, &len)) {
		close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

struct tbt_server *tbt_server_start(void)
{
	struct tbt_server *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	pthread_mutex_init(&s->mu, NULL);
	s->dflt.status = 500;
	s->dflt.body =
	    strdup("{\"__type\":\"TestServerNoScript\",\"message\":\"nothing scripted\"}");
	s->fd = listen_loopback(&s->port);
	if (s->fd < 0 || pthread_create(&s->accept_th, NULL, accept_main, s) != 0) {
		if (s->fd >= 0)
			close(s->fd);
		response_free(&s->dflt);
		pthread_mutex_destroy(&s->mu);
		free(s);
		return NULL;
	}
	snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d", s->port);
	return s;
}

void tbt_server_stop(struct tbt_server *s)
{
	if (!s)
		return;
	atomic_store(&s->stopping, true);
	pthread_join(s->accept_th, NULL);
	close(s->fd);
	while (s->conns) {
		struct tbt_conn *c = s->conns;

		s->conns = c->next;
		pthread_join(c->th, NULL);
		close(c->fd);
		free(c->buf);
		free(c);
	}
	tbt_server_reset(s);
	free(s->script);
	free(s->reqs);
	response_free(&s->dflt);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

int tbt_server_port(const struct tbt_server *s)
{
	return s->port;
}

const char *tbt_server_url(const struct tbt_server *s)
{
	return s->url;
}

void tbt_server_push(struct tbt_server *s, const struct tbt_response *r)
{
	pthread_mutex_lock(&s->mu);
	if (s->n_script == s->cap_script) {
		size_t cap = s->cap_script ? s->cap_script * 2 : 16;
		struct tbt_response *n = realloc(s->script, cap * sizeof(*n));

		if (n) {
			s->script = n;
			s->cap_script = cap;
		}
	}
	if (s->n_script < s->cap_script)
		response_copy(&s->script[s->n_script++], r);
	pthread_mutex_unlock(&s->mu);
}

void tbt_server_set_handler(struct tbt_server *s, tbt_handler_fn fn, void *ud)
{
	pthread_mutex_lock(&s->mu);
	s->handler = fn;
	s->handler_ud = ud;
	pthread_mutex_unlock(&s->mu);
}

void tbt_server_set_default(struct tbt_server *s, const struct tbt_response *r)
{
	pthread_mutex_lock(&s->mu);
	response_free(&s->dflt);
	response_copy(&s->dflt, r);
	pthread_mutex_unlock(&s->mu);
}

void tbt_server_reset(struct tbt_server *s)
{
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < s->n_script; i++)
		response_free(&s->script[i]);
	s->n_script = 0;
	for (size_t i = 0; i < s->n_reqs; i++)
		request_free(s->reqs[i]);
	s->n_reqs = 0;
	pthread_mutex_unlock(&s->mu);
}

size_t tbt_server_connections(struct tbt_server *s)
{
	size_t n;

	pthread_mutex_lock(&s->mu);
	n = s->n_conns;
	pthread_mutex_unlock(&s->mu);
	return n;
}

size_t tbt_server_count(struct tbt_server *s)
{
	size_t n;

	pthread_mutex_lock(&s->mu);
	n = s->n_reqs;
	pthread_mutex_unlock(&s->mu);
	return n;
}

const struct tbt_request *tbt_server_request(struct tbt_server *s, size_t i)
{
	const struct tbt_request *r = NULL;

	pthread_mutex_lock(&s->mu);
	if (i < s->n_reqs)
		r = s->reqs[i];
	pthread_mutex_unlock(&s->mu);
	return r;
}

char *tbt_request_header(const struct tbt_request *r, const char *name, char *buf, size_t n)
{
	size_t nl = strlen(name);

	for (const char *p = r->headers; p && *p;) {
		const char *eol = strstr(p, "\r\n");
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		if (len > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1;
			size_t vl = len - nl - 1;

			while (vl && (*v == ' ' || *v == '\t'))
				v++, vl--;
			snprintf(buf, n, "%.*s", (int)vl, v);
			return buf;
		}
		p = eol ? eol + 2 : p + len;
	}
	return NULL;
}
