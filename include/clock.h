/*
 * clock: time is injected.  Everything that asks "what time is it" for a
 * domain decision (ticket times, retry backoff, rate limits, SLA) calls
 * clock_now(); tests and the daemon (TRIAGED_FAKE_TIME, test builds only)
 * can set a fake clock so time-dependent behaviour runs without sleeps.
 */
#ifndef TRIAGED_CLOCK_H
#define TRIAGED_CLOCK_H

#include <time.h>

/* Seconds since the epoch, real or fake. */
time_t	clock_now(void);
/* Sets a fake clock at t (seconds); 0 returns to the real clock. */
void	clock_set_fake(time_t t);
/* Moves the fake clock by delta seconds (no effect on the real clock). */
void	clock_advance(time_t delta);
/* Monotonic milliseconds, for latencies and timeouts (never faked). */
long long clock_mono_ms(void);

#endif
