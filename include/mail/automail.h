/*
 * automail: is this message automatic (promise 3: never answer it)?
 */
#ifndef TRIAGED_AUTOMAIL_H
#define TRIAGED_AUTOMAIL_H

#include <stddef.h>

struct parsed_message;

/*
 * Returns NULL when the message is personal mail we may answer, otherwise a
 * short constant reason for the log ("auto-submitted", "precedence-bulk",
 * "list-id", "null-sender", "mailer-daemon", "report", "x-loop", ...).
 * envelope_from is the SMTP reverse path: "" for the null sender <>, NULL
 * when unknown (then a Return-Path header, if any, is used).  our is the
 * list of our own addresses (support.addresses), n of them: mail From or
 * X-Loop'ed by any of them is ours.  The rules, in order, and every
 * reason are listed at the top of automail.c.  pm NULL gives NULL.  Pure
 * function: no allocation, no logging, thread-safe.
 */
const char	*automail_reason(const struct parsed_message *pm,
		    const char *envelope_from, char *const *our, size_t n);

#endif
