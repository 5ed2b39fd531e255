/*
 * message: rows of the messages table, the history of a request: mail
 * from customers (in), our automatic mail (auto), agents' relays (out) and
 * internal notes (note).
 */
#ifndef TRIAGED_MESSAGE_H
#define TRIAGED_MESSAGE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct error;
struct parsed_message;
struct store;

struct message_row {
	int64_t		 ticket_id;
	const char	*direction;	/* "in", "out", "auto", "note" */
	const char	*dedupe_key;	/* NULL for our own mail */
	const char	*message_id;
	const char	*from_addr;
	const char	*from_name;
	const char	*subject;
	const char	*body;
	int		 body_from_html;
	const char	*envelope_from;
	const char	*envelope_rcpts;	/* space-separated */
	const char	*source;	/* lmtp, smtp, inject, ... */
	const char	*auto_reason;
	const char	*parse_warning;
	const char	*token_flag;
	const char	*agent;		/* who wrote an out or note message */
	const char	*raw;
	size_t		 raw_len;
	time_t		 created_at;
};

/* Inserts row; *id_out gets the new row id. */
int	message_insert(struct store *, const struct message_row *,
	    int64_t *id_out, struct error *err);
/* Records pm's attachments (metadata only) for message row id. */
int	message_insert_attachments(struct store *, int64_t id,
	    const struct parsed_message *pm, struct error *err);
/*
 * The ticket of the message stored under dedupe_key, or 0 in *ticket_out
 * if there is none (promise 2).
 */
int	message_find_duplicate(struct store *, const char *dedupe_key,
	    int64_t *ticket_out, struct error *err);

#endif
