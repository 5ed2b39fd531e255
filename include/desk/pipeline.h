/*
 * pipeline: parse -> dedupe -> thread -> store -> acknowledge, for one
 * message, inside a transaction the caller opened (the store writer's
 * group commit, or `triaged inject`'s own).  Nothing here commits: the
 * caller acknowledges the sender only after its COMMIT returned.
 */
#ifndef TRIAGED_PIPELINE_H
#define TRIAGED_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct config;
struct error;
struct kb_query;
struct pipeline;
struct pipeline_parsed;
struct store;
struct ticket;

struct pipeline_input {
	const char	*raw;
	size_t		 len;
	const char	*source;	/* "lmtp", "smtp", "inject" */
	const char	*mail_from;	/* NULL unknown, "" the null sender */
	char *const	*rcpts;		/* envelope recipients (may be 0) */
	size_t		 nrcpts;
	const char	*client;	/* SMTP/LMTP client address, or NULL */
	/*
	 * Defaults for a request this message opens (an IMAP mailbox's
	 * category, priority, tags); NULL / 0: none.  A follow-up to an
	 * existing request changes none of them.
	 */
	const char	*category;
	const char	*priority;
	char *const	*tags;
	size_t		 ntags;
	/*
	 * Old mail imported (an IMAP mailbox's existing mail, `triaged
	 * inject --silent`): stored and threaded, but no rule, SLA clock,
	 * notice or acknowledgement runs and nothing is mailed; a request
	 * it opens is closed and tagged PIPELINE_IMPORTED_TAG, one it
	 * follows up keeps its status.
	 */
	bool		 silent;
};

#define PIPELINE_IMPORTED_TAG	"imported"

enum pipeline_status {
	PIPELINE_STORED,
	PIPELINE_DUPLICATE
};

struct pipeline_result {
	enum pipeline_status	 status;
	int64_t			 ticket_id;
	int64_t			 message_row;
	bool			 new_ticket;
	bool			 ack_queued;
	const char		*how;		/* threading: new, token, ... */
	const char		*auto_reason;	/* NULL if personal mail */
	const char		*ack_skipped;	/* why no ack, NULL if queued */
};

/*
 * What the later stages of one ingest see and may decide, inside its
 * transaction (pipeline_ingest calls them in this order):
 *   agent_mail_ingest (agent_mail.h)  mail from an agent: handled there
 *   routing_apply (routing.h)         rules: category, tags, priority,
 *                                     assignee, SLA policy, skip_ack, spam
 *   sla_update (sla.h)                the request's deadlines
 *   notify_customer_message (notify.h) the agents are told
 *   the acknowledgement (ack.h)       unless skip_ack or hidden
 * Every pointer is borrowed for the call.
 */
struct pipeline_view {
	const struct config		*cfg;
	const struct subject_token	*tok;
	const struct pipeline_input	*in;
	const struct parsed_message	*pm;
	const struct kb_query		*kb;		/* pm's stems */
	const char			*key;		/* dedupe key */
	const char			*sender;	/* lowercased, or NULL */
	const char			*sender_name;
	const char			*auto_reason;	/* NULL: personal mail */
	time_t				 now;
	/* set once the message is on a request */
	int64_t				 customer_id;
	int64_t				 ticket_id;
	int64_t				 message_row;
	bool				 new_ticket;
	/*
	 * A new request's row as ticket_create returned it, and its
	 * customer's company (the admin's): routing and SLA read these
	 * instead of the store, and keep req current in what they and
	 * the assignment write (not the notification thread's root).
	 * NULL for a follow-up: they read the request themselves.
	 */
	struct ticket			*req;
	const char			*req_company;
	/* decisions of the stages */
	bool				 skip_ack;	/* a rule said so */
	bool				 hidden;	/* dropped as spam */
	/*
	 * MESSAGE_FLAG_* (message.h) or NULL: set by agent_mail to
	 * "forged-agent" for an agent's From without proof, by the
	 * pipeline to "sender-not-on-request"; stored with the message
	 * and shown in the agents' notice.
	 */
	const char			*token_flag;
	const char			*ack_kind;	/* NULL: the usual ack;
							   "out_of_hours" */
	time_t				 clock_starts;	/* out of hours: when */
};

/*
 * A pipeline for cfg (takes a reference; compiles the subject token).
 * NULL + err if the config's token does not compile (config.c checks it,
 * so this is a bug).
 */
struct pipeline	*pipeline_new(struct config *cfg, struct error *err);
void		 pipeline_free(struct pipeline *);
const struct config *pipeline_config(const struct pipeline *);

/*
 * The part of ingesting that needs no database: MIME parsing, the dedupe
 * key and the automatic-mail verdict (for cfg's addresses).  Pure, so it
 * runs on any thread: the daemon does it in a parse stage beside the
 * single writer, which then only runs SQL.  Free with
 * pipeline_parsed_free().
 */
struct pipeline_parsed *pipeline_parse(const struct config *cfg,
		    const struct pipeline_input *in);
void		 pipeline_parsed_free(struct pipeline_parsed *);

/*
 * Ingests one message; parsed is pipeline_parse()'s result for in, or
 * NULL to parse here.  0 and *res filled on success (stored or
 * duplicate); -1 + err (ERR_TEMP for database trouble) otherwise, in which
 * case the caller rolls back to its savepoint.  Logs one line per message.
 */
int		 pipeline_ingest(struct pipeline *, struct store *,
		    const struct pipeline_input *in,
		    const struct pipeline_parsed *parsed, time_t now,
		    struct pipeline_result *res, struct error *err);

#endif
