/*
 * outbox: outgoing mail as rows, written in the same transaction as the
 * ticket change that caused it (promise 1), claimed and marked by the
 * sender.  A crash between delivery and marking re-sends at most once.
 */
#ifndef TRIAGED_OUTBOX_H
#define TRIAGED_OUTBOX_H

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

/* Queues a message (call inside the caller's transaction). */
int	outbox_enqueue(struct store *, int64_t ticket_id, const char *kind,
	    const char *mail_from, const char *rcpts, const char *message_id,
	    const char *data, size_t len, time_t now, struct error *err);
/*
 * How many mails of kind went to rcpt since `since` (rate limits); rcpt
 * must equal the row's rcpts exactly (acknowledgements have one).
 */
int	outbox_count_recent(struct store *, const char *rcpt, const char *kind,
	    time_t since, int *count_out, struct error *err);
/*
 * Fetches up to max queued rows due at now, oldest first, into a new
 * array (*items_out, *n_out); free with outbox_items_free.
 */
int	outbox_due(struct store *, time_t now, size_t max,
	    struct outbox_item **items_out, size_t *n_out, struct error *err);
void	outbox_items_free(struct outbox_item *, size_t n);
/* The earliest next_attempt_at of queued rows, or 0 if none. */
int	outbox_next_due(struct store *, time_t *when_out, struct error *err);
/* Each mark_* counts one more attempt (the successful one included). */
int	outbox_mark_sent(struct store *, int64_t id, time_t now, struct error *err);
/* Temporary failure: attempts++, next try at `retry_at`. */
int	outbox_mark_retry(struct store *, int64_t id, time_t retry_at,
	    const char *why, struct error *err);
/* Permanent failure: kept with status 'failed' and the reason. */
int	outbox_mark_failed(struct store *, int64_t id, const char *why,
	    struct error *err);

#endif
