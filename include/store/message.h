/*
 * message: rows of the messages table, the history of a request: mail
 * from customers (in), our automatic mail (auto), agents' relays (out) and
 * internal notes (note).
 */
#ifndef TRIAGED_MESSAGE_H
#define TRIAGED_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct error;
struct parsed_message;
struct store;

struct message_row {
	int64_t		 id;		/* 0: the next; else reserved for it
					   (ticket_create's message_id_out) */
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
	const char	*token_flag;	/* MESSAGE_FLAG_*, NULL: none */
	const char	*agent;		/* who wrote an out or note message */
	const char	*raw;
	size_t		 raw_len;
	time_t		 created_at;
	/*
	 * message_id (if any) leads to ticket_id in threading from now on
	 * (thread_id.h, written with the row: one statement on PostgreSQL)
	 */
	bool		 threads;
};

/*
 * Why a customer's message is suspect (messages.token_flag): its sender
 * is neither the request's customer nor in its Cc yet named the request
 * (a stranger who quoted the number), or it claimed an agent's address
 * without the proof agent_mail.require asks for.
 */
#define MESSAGE_FLAG_NOT_ON_REQUEST	"sender-not-on-request"
#define MESSAGE_FLAG_FORGED_AGENT	"forged-agent"

/*
 * The warning people read for flag (one line, no newline); NULL for a
 * NULL flag.  An unknown flag is shown as it is.
 */
const char *message_flag_text(const char *flag);

/*
 * Inserts row; *id_out gets the new row id.  id_out may be NULL: nobody
 * needs it, and on PostgreSQL a row of direction "auto" (not searched)
 * is then a deferred write (store_q_exec_later).
 */
int	message_insert(struct store *, const struct message_row *,
	    int64_t *id_out, struct error *err);
/* Records pm's attachments (metadata only) for message row id. */
int	message_insert_attachments(struct store *, int64_t id,
	    const struct parsed_message *pm, struct error *err);

/*
 * A stored message as the desk reads it back: copies, NULL where the
 * column is NULL; id 0 when no message was found.  message_stored_clear
 * frees it.
 */
struct message_stored {
	int64_t	 id;
	char	*message_id;
	char	*from_addr;
	char	*from_name;
	char	*body;
};

/* The latest message of ticket in direction ("in", ...) into *out. */
int	message_latest(struct store *, int64_t ticket, const char *direction,
	    struct message_stored *out, struct error *err);
/*
 * The latest message a customer wrote on ticket from one of customer's
 * own addresses (mail from others threaded onto it does not count).
 */
int	message_latest_from(struct store *, int64_t ticket, int64_t customer,
	    struct message_stored *out, struct error *err);
/* Frees out's copies and zeroes it; a zeroed one is fine. */
void	message_stored_clear(struct message_stored *out);
/*
 * The Message-IDs of ticket's conversation with its customer (their
 * messages and the agents' relays; none empty), oldest first, into a
 * new array of copies: free with message_ids_free.
 */
int	message_conversation_ids(struct store *, int64_t ticket,
	    char ***ids_out, size_t *n_out, struct error *err);
void	message_ids_free(char **, size_t n);
/* *yes_out: did agent write on ticket (a relay or a note)? */
int	message_agent_wrote(struct store *, int64_t ticket, const char *agent,
	    bool *yes_out, struct error *err);
/* The id of the newest message row of all (0: none yet). */
int	message_last_row(struct store *, int64_t *id_out, struct error *err);
/*
 * The first message row after row `after` that agent wrote (a note or a
 * relay) and that keeps no raw mail yet; 0 in *id_out if none.
 */
int	message_find_unkept(struct store *, int64_t after, const char *agent,
	    int64_t *id_out, struct error *err);
/*
 * Keeps the raw mail (len bytes) an agent's note or relay came from on
 * its row id, with its dedupe key (promise 2) and, where the row has
 * none yet, its envelope sender (may be NULL) and source.
 */
int	message_keep_raw(struct store *, int64_t id, const char *dedupe_key,
	    const char *raw, size_t len, const char *envelope_from,
	    const char *source, struct error *err);
/*
 * One attachment row of a request (metadata as mime_parse gave it when
 * the message was stored): id is its number for `triagectl attachment`,
 * index its place among its message's attachments, in mime_parse order.
 */
struct message_attachment {
	int64_t	 id;
	int64_t	 message;	/* the messages row */
	size_t	 index;
	char	*filename;	/* NULL if none */
	char	*content_type;
	int64_t	 size;
};

/*
 * The attachment rows of request ticket's messages, oldest first, into a
 * new array (free with message_attachments_free); none: NULL and 0.
 */
int	message_attachments(struct store *, int64_t ticket,
	    struct message_attachment **out, size_t *n_out, struct error *err);
void	message_attachments_free(struct message_attachment *, size_t n);
/*
 * A copy of the raw mail of message row id into *raw_out (free it) and
 * *len_out; NULL and 0 when the row keeps none (our own mail).
 */
int	message_raw(struct store *, int64_t id, char **raw_out,
	    size_t *len_out, struct error *err);
/* Every message of request from now belongs to into (a merge). */
int	message_move(struct store *, int64_t from, int64_t into,
	    struct error *err);

#endif
