/*
 * clock: real or fake wall time.  The fake offset is process state set
 * once by tests; it is atomic because worker threads read it.
 */
#include <stdatomic.h>
#include <time.h>

#include "clock.h"

static _Atomic long long clock_fake;

time_t
clock_now(void)
{
	long long fake = atomic_load(&clock_fake);

	return fake != 0 ? (time_t)fake : time(NULL);
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
