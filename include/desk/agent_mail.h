/*
 * agent_mail: mail written by an agent (a reply to a notification, a
 * note, commands) recognised and acted on inside the intake transaction.
 * Promise 5: only a signed reply address (reply_address.h) and/or a
 * trusted DKIM/SPF pass, as agent_mail.require says, makes a message act
 * as an agent; anything else is a customer's mail.
 */
#ifndef TRIAGED_AGENT_MAIL_H
#define TRIAGED_AGENT_MAIL_H

#include <stdbool.h>
#include <stddef.h>

#include "agent_auth.h"

struct config;
struct error;
struct pipeline_result;
struct pipeline_view;
struct store;

/*
 * 1 if v's message was agent work and is fully handled (res filled in),
 * 0 if it is a customer's (the pipeline goes on), -1 + err (ERR_TEMP:
 * database trouble; the caller rolls back, nothing of it stays).
 *
 * Agent work is, as agent_mail.require allows: a reply to a valid
 * signed reply address From that agent's address (with "signature+auth"
 * also vouched for as below); mail From an agent's address that a
 * trusted Authentication-Results vouches for, on the request its subject
 * token or references name; mail to the note address from such an
 * agent.  Its raw bytes are always stored (the
 * dedupe key with them, so a redelivery changes nothing twice), then its
 * commands are applied all or nothing, its #note recorded, and the rest
 * relayed to the customer.  The agent gets one mail with the outcome
 * when the message held commands or something failed; automatic mail
 * from an agent (a vacation notice) is stored and otherwise ignored.
 */
int	agent_mail_ingest(struct store *, struct pipeline_view *v,
	    struct pipeline_result *res, struct error *err);

/*
 * What trusted Authentication-Results in the raw message (len bytes, as
 * received) say about addr: agent_auth_message with cfg's
 * agent_mail.trusted_authserv_ids and trusted_hosts, and our hostname
 * for the Received field our listeners add.  Also what
 * acknowledgement.require_auth asks of a customer (ack.c).
 */
enum agent_auth_verdict agent_mail_auth(const struct config *cfg,
	    const char *raw, size_t len, const char *addr, bool *below_out);

/*
 * Should the intake accept rcpt for cfg besides the support addresses?
 * True for anything shaped like a signed reply address (valid or not:
 * agent_mail_ingest checks the signature and logs a forgery, which a
 * refusal at RCPT would hide) and for the note address.
 */
bool	agent_mail_accepts(const struct config *cfg, const char *rcpt);

#endif
