/*
 * clock: real or fake wall time.  The fake offset is process state set
 * once by tests; it is atomic because worker threads read it.  The
 * environment's fake clock (clock.h) is read once, on first use, and is
 * immutable afterwards, so threads read it without locks.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"

static _Atomic long long clock_fake;

/* TRIAGED_FAKE_TIME and friends, as read by clock_env_read. */
static struct {
	bool		 on;
	long long	 base;		/* fake seconds at start_ms */
	long long	 start_ms;	/* real epoch milliseconds */
	double		 speed;
} clock_env;
static pthread_once_t clock_env_once = PTHREAD_ONCE_INIT;

static void		 clock_env_read(void);
static long long	 clock_env_time(const char *);
static long long	 clock_real_ms(void);

time_t
clock_now(void)
{
	long long fake = atomic_load(&clock_fake);

	if (fake != 0)
		return (time_t)fake;
	(void)pthread_once(&clock_env_once, clock_env_read);
	if (clock_env.on)
		return (time_t)(clock_env.base + (long long)((double)
		    (clock_real_ms() - clock_env.start_ms) * clock_env.speed /
		    1000.0));
	return time(NULL);
}

bool
clock_is_fake(void)
{
	(void)pthread_once(&clock_env_once, clock_env_read);
	return clock_env.on || atomic_load(&clock_fake) != 0;
}

/* A malformed variable leaves the real clock: never a surprise offset. */
static void
clock_env_read(void)
{
	const char *v;
	char *end;
	double speed = 1.0;
	long long base, start;

	if ((v = getenv("TRIAGED_FAKE_TIME")) == NULL || *v == '\0' ||
	    (base = clock_env_time(v)) <= 0)
		return;
	if ((v = getenv("TRIAGED_FAKE_SPEED")) != NULL && *v != '\0') {
		speed = strtod(v, &end);
		if (*end != '\0' || speed < 0 || speed > 1e6)
			return;
	}
	start = clock_real_ms();
	if ((v = getenv("TRIAGED_FAKE_START")) != NULL && *v != '\0') {
		start = strtoll(v, &end, 10) * 1000;
		if (*end != '\0' || start <= 0)
			return;
	}
	clock_env.base = base;
	clock_env.start_ms = start;
	clock_env.speed = speed;
	clock_env.on = true;
}

/* "2026-11-20T14:00:00Z" (UTC) or seconds since the epoch; 0 if bad. */
static long long
clock_env_time(const char *v)
{
	struct tm tm;
	char *end;
	long long t;

	memset(&tm, 0, sizeof(tm));
	end = strptime(v, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (end != NULL && *end == '\0')
		return (long long)timegm(&tm);
	t = strtoll(v, &end, 10);
	return *end == '\0' ? t : 0;
}

static long long
clock_real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
clock_set_fake(time_t t)
{
	atomic_store(&clock_fake, (long long)t);
}

void
clock_advance(time_t delta)
{
	if (atomic_load(&clock_fake) != 0)
		atomic_fetch_add(&clock_fake, (long long)delta);
}

long long
clock_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
