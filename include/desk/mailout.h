/*
 * mailout: the one builder of every mail triaged sends (DESIGN "desk").
 * A caller describes the mail (its kind, the request, the recipients,
 * the text, the threading ids, the attachments); mailout_queue composes
 * it (compose.c), queues it in the outbox inside the caller's
 * transaction (promise 1), remembers its Message-ID so that answers
 * thread onto the request, and records mail to the customer in the
 * request's history: automatic mail as an "auto" message, an agent's
 * relayed reply as an "out" message of that agent with its attachments.
 *
 * Promise 3 is decided here and nowhere else, by the kind: every
 * automatic mail carries Auto-Submitted (RFC 3834 section 5: auto-replied
 * for the acknowledgement, auto-generated for the rest) and goes out with
 * the null envelope sender, so no bounce or vacation notice comes back
 * to us; everything we send carries our X-Loop.  An agent's relayed reply
 * is the one human mail: no Auto-Submitted, the support address as its
 * envelope sender, so the customer's bounces reach a person.
 */
#ifndef TRIAGED_MAILOUT_H
#define TRIAGED_MAILOUT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct compose_addr;
struct compose_part;
struct config;
struct error;
struct store;

enum mailout_kind {
	MAILOUT_ACK,		/* the acknowledgement of a customer's mail */
	MAILOUT_NOTICE,		/* to the customer about his request */
	MAILOUT_SURVEY,		/* the rating survey */
	MAILOUT_REPLY,		/* an agent's answer, relayed to the customer */
	MAILOUT_NOTIFY,		/* to an agent about a request */
	MAILOUT_NOBODY,		/* to managers: nobody available */
	MAILOUT_SLA_WARNING,	/* to agents and managers */
	MAILOUT_SLA_BREACH,
	MAILOUT_DIGEST,		/* the scheduled report */
	MAILOUT_TASK_REMINDER	/* to an agent: a task is due */
};

struct mailout {
	enum mailout_kind	 kind;
	int64_t			 ticket_id;	/* 0: about no request */
	const struct compose_addr *to;		/* unusable ones left out */
	size_t			 nto;
	const struct compose_addr *cc;
	size_t			 ncc;
	const char		*from_name;	/* NULL: support.name */
	const char		*agent;		/* MAILOUT_REPLY: whose reply */
	const char		*reply_to;	/* NULL: none */
	const char		*subject;	/* UTF-8, final */
	const char		*text;		/* UTF-8 */
	const char		*html;		/* NULL, or an HTML alternative */
	const char		*in_reply_to;	/* without <>; may be NULL */
	const char *const	*references;
	size_t			 nreferences;
	const struct compose_part *parts;	/* attachments */
	size_t			 nparts;
	time_t			 now;
	/*
	 * What caused it, kept on the outbox row for the rate limits of
	 * automatic mail (ack.c): the lowercased envelope sender and the
	 * client address of the customer's message; NULL: none.
	 */
	const char		*origin_sender;
	const char		*origin_client;
	/*
	 * The language the text is written in, as a Content-Language
	 * header (RFC 3282: mail clients pick a spelling dictionary or
	 * offer a translation by it); NULL: none said.
	 */
	const char		*language;
};

/* What mailout_queue queued. */
struct mailout_sent {
	char	message_id[256];	/* without <> */
	int64_t	history_row;		/* its message row; 0: none */
};

/*
 * Composes and queues m in the store's open transaction.  Returns 0 when
 * queued, with *sent (may be NULL) filled; 1 when the mail cannot be sent
 * (From or every recipient refused by address_ok), with nothing
 * queued and one warning logged here (err untouched): the change that
 * caused the mail stands; -1 + err when the store failed (the caller's
 * transaction must roll back).
 */
int		 mailout_queue(struct store *, const struct config *,
		    const struct mailout *m, struct mailout_sent *sent,
		    struct error *err);
/* "ack", "notify", ...: the outbox's and the history's name of kind. */
const char	*mailout_kind_name(enum mailout_kind);

#endif
