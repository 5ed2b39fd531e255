/*
 * smtp_client: deliver one message to the smarthost with libetpan
 * (blocking; called from the sender worker only).  STARTTLS or implicit
 * TLS, AUTH PLAIN/LOGIN, a timeout on every step.  The error kind tells
 * the sender whether to retry (ERR_TEMP: connection problems, 4xx) or give
 * up (ERR_PERM: 5xx).
 */
#ifndef TRIAGED_SMTP_CLIENT_H
#define TRIAGED_SMTP_CLIENT_H

#include <stddef.h>

struct config;
struct error;

/*
 * One SMTP transaction: mail_from ("" for <>), rcpts space-separated
 * (any rejected recipient fails the whole transaction), data the RFC 5322
 * message with CRLF or LF line ends (dot-stuffing is done here).  Returns 0
 * when the smarthost answered 250 to the end of DATA.  Blocks for up to
 * outgoing.smarthost.timeout per step; SIGPIPE is blocked in the calling
 * thread meanwhile.
 */
int	smtp_client_send(const struct config *, const char *mail_from,
	    const char *rcpts, const char *data, size_t len, struct error *err);

#endif
