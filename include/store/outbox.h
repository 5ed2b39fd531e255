/*
 * outbox: outgoing mail as rows, written in the same transaction as the
 * ticket change that caused it (promise 1), claimed and marked by the
 * sender.  See sender.c for what a crash between delivery and marking
 * does (README "Outgoing mail").
 */
#ifndef TRIAGED_OUTBOX_H
#define TRIAGED_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct error;
struct store;

struct outbox_item {
	int64_t	 id;
	int64_t	 ticket_id;	/* 0 if none */
	char	*kind;		/* "ack", ... */
	char	*mail_from;	/* envelope sender */
	char	*rcpts;		/* space-separated */
	char	*message_id;
	char	*data;		/* the whole RFC 5322 message, CRLF or LF */
	size_t	 len;
	int	 attempts;
	time_t	 created_at;
};

/* A mail to queue; the pointers are borrowed for the call. */
struct outbox_mail {
	int64_t		 ticket_id;	/* 0 if none */
	const char	*kind;
	const char	*mail_from;	/* envelope sender, "" for <> */
	const char	*rcpts;		/* space-separated */
	const char	*message_id;	/* NULL if none */
	const char	*data;
	size_t		 len;
	time_t		 now;
	/*
	 * What made us write it, for the rate limits of automatic mail
	 * (outbox_count_origin): the envelope sender (lowercased) and the
	 * client address of the incoming message; NULL: unknown / none.
	 */
	const char	*origin_sender;
	const char	*origin_client;
	/*
	 * message_id leads to ticket_id in threading from now on (a reply
	 * to this mail joins the request; thread_id.h), written with the
	 * row: one statement on PostgreSQL.  Needs both.
	 */
	bool		 threads;
};

/* Queues a message (call inside the caller's transaction). */
int	outbox_add(struct store *, const struct outbox_mail *,
	    struct error *err);
/* outbox_add without an origin. */
int	outbox_enqueue(struct store *, int64_t ticket_id, const char *kind,
	    const char *mail_from, const char *rcpts, const char *message_id,
	    const char *data, size_t len, time_t now, struct error *err);
/*
 * How many mails of kind went to rcpt since `since` (rate limits); rcpt
 * must equal the row's rcpts exactly (acknowledgements have one).
 */
int	outbox_count_recent(struct store *, const char *rcpt, const char *kind,
	    time_t since, int *count_out, struct error *err);
enum outbox_origin {
	OUTBOX_ORIGIN_SENDER,	/* outbox_mail.origin_sender */
	OUTBOX_ORIGIN_CLIENT	/* outbox_mail.origin_client */
};
/*
 * How many mails of kind were queued since `since` because of messages
 * whose origin (sender or client, as given to outbox_add) was value.
 */
int	outbox_count_origin(struct store *, enum outbox_origin,
	    const char *value, const char *kind, time_t since, int *count_out,
	    struct error *err);
/*
 * *yes_out: was mail of kind about ticket queued for rcpt (the row's
 * whole rcpts) at exactly `at`?  (A notice already sent in this same
 * intake.)  0, or -1 + err.
 */
int	outbox_queued_at(struct store *, int64_t ticket, const char *kind,
	    const char *rcpt, time_t at, bool *yes_out, struct error *err);
/*
 * The Message-ID of the latest mail of kind about ticket queued for rcpt
 * (the row's whole rcpts) at or after since, a new string in *out, NULL
 * if none.  since bounds the scan of rcpt's rows (index outbox_rcpt):
 * pass the request's creation.  0, or -1 + err.
 */
int	outbox_latest_message_id(struct store *, int64_t ticket,
	    const char *kind, const char *rcpt, time_t since, char **out,
	    struct error *err);
/*
 * Fetches up to max queued rows due at now, oldest first, into a new
 * array (*items_out, *n_out); free with outbox_items_free.
 */
int	outbox_due(struct store *, time_t now, size_t max,
	    struct outbox_item **items_out, size_t *n_out, struct error *err);
void	outbox_items_free(struct outbox_item *, size_t n);
/*
 * Several instances on one database (PostgreSQL, issue 15): like
 * outbox_due, but each row returned is claimed for owner (an instance
 * id) until lease_until, in the caller's transaction (a unit of the
 * writer): rows another instance holds under a lease not yet run out
 * are not returned, rows whose lease ran out are taken over, owner's
 * own are returned again.  On SQLite, whose one writer is the only
 * sender of its file, it is outbox_due and claims nothing.
 */
int	outbox_claim(struct store *, const char *owner, time_t now,
	    time_t lease_until, size_t max, struct outbox_item **items_out,
	    size_t *n_out, struct error *err);
/*
 * Moves the lease of every queued row owner holds to lease_until
 * (nothing on SQLite).  0, or -1 + err.
 */
int	outbox_renew(struct store *, const char *owner, time_t lease_until,
	    struct error *err);
/* Gives up owner's claims on queued rows (a clean stop).  0, or -1 + err. */
int	outbox_release(struct store *, const char *owner, struct error *err);
/*
 * The ids of every queued row (due or not), ascending, in a new array
 * (*ids_out, *n_out; free() it).
 */
int	outbox_queued_ids(struct store *, int64_t **ids_out, size_t *n_out,
	    struct error *err);
/* The earliest next_attempt_at of queued rows, or 0 if none. */
int	outbox_next_due(struct store *, time_t *when_out, struct error *err);
/*
 * Each mark_* counts one more attempt (the successful one included) and
 * ends the row's claim (outbox_claim).
 */
int	outbox_mark_sent(struct store *, int64_t id, time_t now, struct error *err);
/* outbox_mark_sent of the n rows ids at once: one statement. */
int	outbox_mark_sent_all(struct store *, const int64_t *ids, size_t n,
	    time_t now, struct error *err);
/* Temporary failure: attempts++, next try at `retry_at`. */
int	outbox_mark_retry(struct store *, int64_t id, time_t retry_at,
	    const char *why, struct error *err);
/* Permanent failure: kept with status 'failed' and the reason. */
int	outbox_mark_failed(struct store *, int64_t id, const char *why,
	    struct error *err);

#endif
