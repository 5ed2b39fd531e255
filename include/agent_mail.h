/*
 * agent_mail: mail written by an agent (a reply to a notification, a
 * note, commands) recognised and acted on inside the intake transaction.
 * Promise 5: only a signed reply address (reply_address.h) or a trusted
 * DKIM/SPF pass makes a message act as an agent; anything else is a
 * customer's mail.
 */
#ifndef TRIAGED_AGENT_MAIL_H
#define TRIAGED_AGENT_MAIL_H

struct error;
struct pipeline_result;
struct pipeline_view;
struct store;

/*
 * 1 if v's message was agent work and is fully handled (res filled in),
 * 0 if it is a customer's (the pipeline goes on), -1 + err.
 */
int	agent_mail_ingest(struct store *, struct pipeline_view *v,
	    struct pipeline_result *res, struct error *err);

#endif
