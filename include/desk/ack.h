/*
 * ack: the auto-acknowledgement of a new request (issue 2).  Decides
 * whether one may be sent (promise 3: never to automatic mail, never to
 * ourselves, rate-limited per address), renders the admin's templates and
 * queues the mail in the outbox, inside the caller's transaction.
 */
#ifndef TRIAGED_ACK_H
#define TRIAGED_ACK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct calendar;
struct config;
struct error;
struct kb_query;
struct parsed_message;
struct store;
struct subject_token;

struct ack_request {
	const struct config		*cfg;
	const struct subject_token	*tok;
	const struct parsed_message	*pm;	/* the customer's message */
	const struct kb_query		*kb;	/* its stems, or NULL */
	const char			*raw;	/* and its bytes as received, */
	size_t				 raw_len; /* for require_auth */
	const char			*auto_reason;	/* automail verdict, NULL if personal */
	int64_t				 ticket_id;
	const char			*customer_name;
	/*
	 * The envelope sender (NULL unknown) and the SMTP/LMTP client
	 * address (NULL: IMAP, inject) of the customer's message, for the
	 * rate limits.
	 */
	const char			*mail_from;
	const char			*client;
	time_t				 now;
	/*
	 * NULL: the usual acknowledgement; "out_of_hours" (sla.h
	 * sla_intake): the out-of-hours one, saying when the clock
	 * starts (shown in calendar's time zone).
	 */
	const char			*kind;
	time_t				 clock_starts;
	const struct calendar		*calendar;
	/*
	 * The customer's language (language.h; NULL: the default): its
	 * templates (config_language.h) when it has them, and its dates.
	 */
	const char			*language;
};

/*
 * Queues the acknowledgement, or decides not to: *skip_out is NULL when
 * queued, else a constant reason ("disabled", "rate-limited",
 * "unauthenticated" under acknowledgement.require_auth when no trusted
 * Authentication-Results vouches for the address it would go to, ...).
 * -1 + err only on database errors.
 */
int	ack_queue(struct store *, const struct ack_request *,
	    const char **skip_out, struct error *err);

#endif
