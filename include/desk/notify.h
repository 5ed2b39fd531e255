/*
 * notify: the mail that tells agents what happened on a request (a new
 * request, a customer's message, an assignment, a note), from the
 * config's templates, threaded per request in the agent's client and
 * carrying a signed Reply-To (reply_address.h).  Queued in the outbox in
 * the caller's transaction.
 *
 * Every notice is From the support address with a null envelope sender
 * and Auto-Submitted: auto-generated (an agent's vacation notice must
 * not answer it), To the agent's first address, Reply-To the agent's
 * signed address for the request, the subject token in the Subject, the
 * reply marker (config_agents_reply_marker) above the text, and threading
 * headers that make one request one thread in the agent's client:
 * In-Reply-To the previous notice of the request to the same agent
 * (else tickets.thread_root, the request's first notice), References
 * thread_root and that previous notice.  Its Message-ID is remembered for
 * threading.  Outbox kind: "notify".
 */
#ifndef TRIAGED_NOTIFY_H
#define TRIAGED_NOTIFY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config_agents.h"

struct config;
struct error;
struct pipeline_view;
struct store;

/*
 * A customer's message landed on v->ticket_id (new or follow-up): the
 * assignee is told, else the agents serving its category (not away),
 * else every agent.  Nothing for hidden requests or automatic mail
 * (promise 3), nor, for a new request, an agent already told about it
 * in this same transaction (a rule's assignment sends its own notice).
 */
int	notify_customer_message(struct store *, const struct pipeline_view *v,
	    struct error *err);

/*
 * ticket was given to agent by actor: the agent is told, with the
 * customer's latest text, unless the agent did it himself (#take).
 */
int	notify_assigned(struct store *, const struct config *, int64_t ticket,
	    const char *agent, const char *actor, time_t now,
	    struct error *err);

/*
 * author wrote an internal note: the request's other agents (the
 * assignee and everyone who wrote on it; if none, the agents of its
 * category) are told.  Never the customer.
 */
int	notify_note(struct store *, const struct config *, int64_t ticket,
	    const char *author, const char *text, time_t now,
	    struct error *err);

/*
 * One notice of kind to a about ticket; text fills {{text}} (NULL: the
 * customer's latest message), actor {{actor}}, result {{result}} (may
 * be NULL).  For callers with their own occasion (command results).
 */
int	notify_agent(struct store *, const struct config *, int64_t ticket,
	    const struct agent *a, enum config_agents_notice kind,
	    const char *text,
	    const char *actor, const char *result, time_t now,
	    struct error *err);


#endif
