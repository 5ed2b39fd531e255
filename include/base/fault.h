/*
 * fault: named fault-injection points for the crash tests, compiled in
 * only with `configure --enable-test-hooks` (ENABLE_TEST_HOOKS); without
 * it fault_point() is nothing at all.
 *
 * TRIAGED_FAULT="NAME" or "NAME:N" in the environment arms one point:
 * the process kills itself with SIGKILL the Nth time (default the first)
 * it passes fault_point("NAME"), exactly as a kill -9 from outside at
 * that instant would.  Points: "sender-delivered" (sender.c: a mail was
 * delivered, its record not yet written).
 */
#ifndef TRIAGED_FAULT_H
#define TRIAGED_FAULT_H

#ifdef ENABLE_TEST_HOOKS
void	fault_point(const char *name);
#else
#define fault_point(name)	((void)0)
#endif

#endif
