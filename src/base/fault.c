/*
 * fault: see fault.h.  The hit counter is process state, but only in
 * builds for the tests (--enable-test-hooks); a production build has
 * neither it nor the points.
 */
#include "fault.h"

#ifdef ENABLE_TEST_HOOKS
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static _Atomic long fault_hits;

void
fault_point(const char *name)
{
	const char *want = getenv("TRIAGED_FAULT"), *colon;
	size_t len;
	long n = 1;

	if (want == NULL)
		return;
	colon = strchr(want, ':');
	len = colon != NULL ? (size_t)(colon - want) : strlen(want);
	if (strlen(name) != len || strncmp(want, name, len) != 0)
		return;
	if (colon != NULL && (n = strtol(colon + 1, NULL, 10)) < 1)
		n = 1;
	if (atomic_fetch_add(&fault_hits, 1) + 1 != n)
		return;
	log_warnx("test hook: fault %s hit %ld times: SIGKILL", name, n);
	(void)kill(getpid(), SIGKILL);
	pause();
}
#else
/* ISO C wants a translation unit to declare something. */
typedef int fault_disabled;
#endif
