/*
 * inject: `triaged inject`, one message on stdin into the store, for MTA
 * pipes and procmail.  Exit codes from sysexits.h: 0 only after the
 * commit (also for a duplicate), EX_TEMPFAIL (75) when the MTA should try
 * again, EX_DATAERR (65) for input that will never be accepted.
 */
#ifndef TRIAGED_INJECT_H
#define TRIAGED_INJECT_H

#include <stdbool.h>

struct config;

/*
 * Stores the message on stdin with envelope sender mail_from (NULL:
 * unknown, then the Return-Path header is used; "" or "<>": the null
 * sender) and recipient rcpt (NULL: the first support address).  silent:
 * old mail being imported (pipeline_input's silent: stored, nothing
 * mailed, no SLA clock).  Returns the exit code.
 */
int	inject_main(struct config *cfg, const char *mail_from, const char *rcpt,
	    bool silent);

#endif
