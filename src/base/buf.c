/*
 * buf: growable binary-safe byte buffer (sds-like: length kept, NUL after
 * the data).  Growth aborts on OOM; callers bound what they append.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xmalloc.h"

struct buf *
buf_new(void)
{
	struct buf *b = xmalloc(sizeof(*b));

	buf_init(b);
	return b;
}

void
buf_free(struct buf *b)
{
	if (b == NULL)
		return;
	buf_release(b);
	free(b);
}

void
buf_init(struct buf *b)
{
	b->data = xmalloc(1);
	b->data[0] = '\0';
	b->len = 0;
	b->cap = 1;
}

void
buf_release(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->data[0] = '\0';
}

void
buf_reserve(struct buf *b, size_t more)
{
	size_t need = b->len + more + 1, cap = b->cap;

	if (need <= cap)
		return;
	while (cap < need)
		cap = cap < 64 ? 64 : cap * 2;
	b->data = xreallocarray(b->data, cap, 1);
	b->cap = cap;
}

void
buf_append(struct buf *b, const void *p, size_t len)
{
	if (len == 0)
		return;
	buf_reserve(b, len);
	memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void
buf_append_str(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void
buf_append_char(struct buf *b, char c)
{
	buf_append(b, &c, 1);
}

void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n <= 0)
		return;
	buf_reserve(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *
buf_steal(struct buf *b, size_t *len_out)
{
	char *p = b->data;

	if (len_out != NULL)
		*len_out = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}
