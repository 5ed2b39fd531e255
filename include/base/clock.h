/*
 * clock: time is injected.  Everything that asks "what time is it" for a
 * domain decision (ticket times, retry backoff, rate limits, SLA) calls
 * clock_now(); tests and the daemon can set a fake clock so
 * time-dependent behaviour runs without sleeps.
 *
 * The environment sets a fake clock for a whole process (the daemon and
 * triagectl alike), read once on first use; it is meant for tests and
 * the daemon logs a warning when it runs on one:
 *	TRIAGED_FAKE_TIME	"2026-11-20T14:00:00Z" (UTC) or epoch secs:
 *				what the clock reads at the start
 *	TRIAGED_FAKE_SPEED	fake seconds per real second (default 1; 0
 *				stops the clock; 60 makes a minute a second)
 *	TRIAGED_FAKE_START	the real epoch second when the clock reads
 *				TRIAGED_FAKE_TIME (default: the process's
 *				first reading); give the daemon and triagectl
 *				the same one and they agree on the time
 * A malformed value leaves the real clock.  clock_set_fake overrides it.
 */
#ifndef TRIAGED_CLOCK_H
#define TRIAGED_CLOCK_H

#include <stdbool.h>
#include <time.h>

/* Seconds since the epoch, real or fake. */
time_t	clock_now(void);
/* True when clock_now is not the real time (environment or set). */
bool	clock_is_fake(void);
/* Sets a fake clock at t (seconds); 0 returns to the real clock. */
void	clock_set_fake(time_t t);
/* Moves the fake clock by delta seconds (no effect on the real clock). */
void	clock_advance(time_t delta);
/* Monotonic milliseconds, for latencies and timeouts (never faked). */
long long clock_mono_ms(void);

#endif
