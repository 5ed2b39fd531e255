/*
 * notify: the mail that tells agents what happened on a request (a new
 * request, a customer's message, an assignment, a note), from the
 * config's templates, threaded per request in the agent's client and
 * carrying a signed Reply-To (reply_address.h).  Queued in the outbox in
 * the caller's transaction.
 */
#ifndef TRIAGED_NOTIFY_H
#define TRIAGED_NOTIFY_H

struct error;
struct pipeline_view;
struct store;

/* A customer's message landed on v->ticket_id (new or follow-up). */
int	notify_customer_message(struct store *, const struct pipeline_view *v,
	    struct error *err);

#endif
