/*
 * ticket_ops: the actions on a request, one function each, shared by
 * agents' mail commands, triagectl, the rules and the SLA escalations so
 * that every path records the same event and sends the same notices.
 * Each runs inside the caller's transaction (the store writer's, or
 * triagectl's own) and never commits.
 *
 * actor names who acted: an agent name, "rule:NAME", "sla", "triagectl".
 * Errors: ERR_PERM with a sentence for the agent or admin ("no agent
 * bob", "no request #12", "unknown status done") when the request cannot
 * be done as asked; ERR_TEMP for database trouble.
 */
#ifndef TRIAGED_TICKET_OPS_H
#define TRIAGED_TICKET_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct config;
struct error;
struct parsed_message;
struct store;

/* agent NULL unassigns.  Notifies the new assignee. */
int	ticket_ops_assign(struct store *, const struct config *, int64_t ticket,
	    const char *agent, const char *actor, time_t now, struct error *);
/*
 * What ticket_ops_assign does after its write, for a request made in
 * this transaction whose row already names agent (the intake writes
 * its decisions in one statement, routing.c): the "assigned" event and
 * the agent's notice.
 */
int	ticket_ops_assigned(struct store *, const struct config *,
	    int64_t ticket, const char *agent, const char *actor, time_t now,
	    struct error *);
/* new, open, pending, resolved, closed */
int	ticket_ops_status(struct store *, const struct config *, int64_t ticket,
	    const char *status, const char *actor, time_t now, struct error *);
int	ticket_ops_priority(struct store *, const struct config *,
	    int64_t ticket, const char *priority, const char *actor, time_t now,
	    struct error *);
/* category NULL clears it */
int	ticket_ops_category(struct store *, const struct config *,
	    int64_t ticket, const char *category, const char *actor, time_t now,
	    struct error *);
int	ticket_ops_tag(struct store *, const struct config *, int64_t ticket,
	    const char *tag, bool add, const char *actor, time_t now,
	    struct error *);
int	ticket_ops_cc(struct store *, const struct config *, int64_t ticket,
	    const char *address, const char *actor, time_t now, struct error *);
/* An internal note, shared with the request's agents, never the customer. */
int	ticket_ops_note(struct store *, const struct config *, int64_t ticket,
	    const char *agent, const char *text, time_t now, struct error *);
/* The agent's answer, relayed to the customer (text is UTF-8). */
int	ticket_ops_reply(struct store *, const struct config *, int64_t ticket,
	    const char *agent, const char *text, time_t now, struct error *);
/*
 * ticket_ops_reply carrying the files attached to the agent's own mail:
 * raw (len bytes, as received) as pm parsed it (mime_parse; NULL: it is
 * parsed here).  The parts mime.c calls files (mime.h: a
 * Content-Disposition of attachment, or a named part, at any depth; not
 * the pictures of a multipart/related HTML body) are copied unchanged
 * -- headers, encoding and body -- into the relay, then multipart/mixed.
 * Their metadata is recorded for the relay's message row.  raw NULL or
 * without files: exactly ticket_ops_reply.
 */
int	ticket_ops_reply_mime(struct store *, const struct config *,
	    int64_t ticket, const char *agent, const char *text,
	    const char *raw, size_t len, const struct parsed_message *pm,
	    time_t now, struct error *);
/* ticket goes into `into`: messages, Cc and history move; ticket closes. */
int	ticket_ops_merge(struct store *, const struct config *, int64_t ticket,
	    int64_t into, const char *actor, time_t now, struct error *);

#endif
