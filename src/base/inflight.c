/*
 * inflight: the byte budget as two atomic words.  acquire is a
 * compare-and-swap loop, so two listeners (or an IMAP worker) racing for
 * the last bytes never both pass the limit; release is a plain
 * subtraction.  Relaxed ordering is enough: the counter guards no other
 * memory, it only says yes or no.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#include "inflight.h"
#include "log.h"
#include "xmalloc.h"

struct inflight {
	size_t	bytes;
	size_t	limit;		/* 0: none */
};

struct inflight *
inflight_new(size_t limit)
{
	struct inflight *f = xcalloc(1, sizeof(*f));

	f->limit = limit;
	return f;
}

void
inflight_free(struct inflight *f)
{
	if (f == NULL)
		return;
	if (f->bytes != 0)
		log_warnx("inflight: %zu bytes still charged at exit",
		    f->bytes);
	free(f);
}

void
inflight_set_limit(struct inflight *f, size_t limit)
{
	__atomic_store_n(&f->limit, limit, __ATOMIC_RELAXED);
}

size_t
inflight_limit(const struct inflight *f)
{
	return __atomic_load_n(&f->limit, __ATOMIC_RELAXED);
}

bool
inflight_acquire(struct inflight *f, size_t n)
{
	size_t cur, limit;

	if (n == 0)
		return true;
	limit = __atomic_load_n(&f->limit, __ATOMIC_RELAXED);
	cur = __atomic_load_n(&f->bytes, __ATOMIC_RELAXED);
	do {
		if (limit != 0 && (n > limit || cur > limit - n))
			return false;
	} while (!__atomic_compare_exchange_n(&f->bytes, &cur, cur + n, true,
	    __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return true;
}

void
inflight_release(struct inflight *f, size_t n)
{
	size_t old;

	old = __atomic_fetch_sub(&f->bytes, n, __ATOMIC_RELAXED);
	if (old < n)
		fatalx("inflight: released %zu bytes of %zu charged", n, old);
}

size_t
inflight_bytes(const struct inflight *f)
{
	return __atomic_load_n(&f->bytes, __ATOMIC_RELAXED);
}
