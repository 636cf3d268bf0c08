/* Growing byte buffer with a hard cap and a sticky failure flag. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tb/util.h"

#define BUF_DEFAULT_MAX ((size_t)256 * 1024 * 1024)
#define BUF_MIN_CAP     64

void tb_buf_init(struct tb_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void tb_buf_free(struct tb_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->failed = false;
}

void tb_buf_reset(struct tb_buf *b)
{
	b->len = 0;
	b->failed = false;
	if (b->data != NULL)
		b->data[0] = '\0';
}

/* Makes room for n more bytes plus a NUL terminator. */
static int buf_grow(struct tb_buf *b, size_t n)
{
	size_t max = b->max ? b->max : BUF_DEFAULT_MAX;
	size_t want, cap;
	char *p;

	if (b->failed)
		return TB_ENOMEM;
	if (n > max || b->len > max - n)
		goto fail;
	want = b->len + n + 1;
	if (want <= b->cap)
		return 0;
	cap = b->cap ? b->cap : BUF_MIN_CAP;
	while (cap < want)
		cap = cap > SIZE_MAX / 2 ? want : cap * 2;
	if (cap > max + 1)
		cap = max + 1;
	p = tb_realloc(b->data, cap);
	if (p == NULL)
		goto fail;
	b->data = p;
	b->cap = cap;
	return 0;
fail:
	b->failed = true;
	return TB_ENOMEM;
}

int tb_buf_append(struct tb_buf *b, const void *data, size_t n)
{
	int err = buf_grow(b, n);

	if (err != 0)
		return err;
	if (n > 0)
		memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int tb_buf_puts(struct tb_buf *b, const char *s)
{
	return tb_buf_append(b, s, strlen(s));
}

int tb_buf_putc(struct tb_buf *b, char c)
{
	return tb_buf_append(b, &c, 1);
}

int tb_buf_vprintf(struct tb_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n, err;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		b->failed = true;
		return TB_EINVAL;
	}
	err = buf_grow(b, (size_t)n);
	if (err != 0)
		return err;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int tb_buf_printf(struct tb_buf *b, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = tb_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return err;
}

char *tb_buf_detach(struct tb_buf *b)
{
	char *p = b->data;

	if (p == NULL) {
		p = tb_malloc(1);
		if (p != NULL)
			p[0] = '\0';
	}
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->failed = false;
	return p;
}
