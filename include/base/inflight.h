/*
 * inflight: a daemon-wide budget of message bytes received but not yet
 * committed (issue 20, item 4).  Every listener charges the bytes of the
 * DATA it is reading, and keeps the charge while the message waits for the
 * store writer; the charge is released when the job's done callback has
 * answered the client.  Above the limit new work is refused with a 4xx
 * (the client retries later) instead of the process growing.
 *
 * One counter, owned by whoever starts the listeners (the daemon), shared
 * by them by pointer.  Every function is safe from any thread.
 */
#ifndef TRIAGED_INFLIGHT_H
#define TRIAGED_INFLIGHT_H

#include <stdbool.h>
#include <stddef.h>

struct inflight;

/* A counter at 0 bytes with limit bytes (0: no limit). */
struct inflight	*inflight_new(size_t limit);
/* Frees the counter; every charge should have been released. */
void		 inflight_free(struct inflight *);
/*
 * A new limit (SIGHUP).  Charges already taken stay even if they now
 * exceed it; only new acquisitions see it.
 */
void		 inflight_set_limit(struct inflight *, size_t limit);
size_t		 inflight_limit(const struct inflight *);
/*
 * Adds n bytes unless the total would then exceed the limit: returns
 * true if charged, false (and charges nothing) if not.  n == 0 always
 * succeeds.
 */
bool		 inflight_acquire(struct inflight *, size_t n);
/* Gives back n bytes of an earlier successful acquire. */
void		 inflight_release(struct inflight *, size_t n);
/* Bytes charged now (for logs and tests; may change at once). */
size_t		 inflight_bytes(const struct inflight *);

#endif
