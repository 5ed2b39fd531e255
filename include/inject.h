/*
 * inject: `triaged inject`, one message on stdin into the store, for MTA
 * pipes and procmail.  Exit codes from sysexits.h: 0 only after the
 * commit (also for a duplicate), EX_TEMPFAIL (75) when the MTA should try
 * again, EX_DATAERR (65) for input that will never be accepted.
 */
#ifndef TRIAGED_INJECT_H
#define TRIAGED_INJECT_H

struct config;

/* Runs inject with argv after the word "inject"; returns the exit code. */
int	inject_main(struct config *cfg, int argc, char **argv);

#endif
