/*
 * ack: the auto-acknowledgement.  Sent To the Reply-To (else From) of the
 * customer's message, From the first support address, with the token in
 * the subject and In-Reply-To/References so the customer's client threads
 * it.  The envelope sender is null (<>), as RFC 3834 section 3.3 asks of
 * automatic responses: a bounce of an acknowledgement must not come back
 * and open a request of its own.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ack.h"
#include "agent_mail.h"
#include "buf.h"
#include "compose.h"
#include "config.h"
#include "error.h"
#include "log.h"
#include "mailout.h"
#include "message.h"
#include "mime.h"
#include "outbox.h"
#include "sla.h"
#include "store.h"
#include "subject_token.h"
#include "template.h"
#include "threading.h"
#include "xmalloc.h"
#include "customer.h"

static const char	*ack_recipient(const struct parsed_message *);
static bool		 ack_address_ok(const char *);
static bool		 ack_vouched(const struct ack_request *, const char *);
static char		*ack_quote(const char *text);
static int		 ack_build(struct store *, const struct ack_request *,
			    const char *rcpt, const char **skip_out,
			    struct error *err);

int
ack_queue(struct store *st, const struct ack_request *req,
    const char **skip_out, struct error *err)
{
	const struct config *cfg = req->cfg;
	const char *rcpt;
	int count;

	*skip_out = NULL;
	if (!cfg->ack_enabled) {
		*skip_out = "disabled";
		return 0;
	}
	if (req->auto_reason != NULL) {
		*skip_out = req->auto_reason;
		return 0;
	}
	if ((rcpt = ack_recipient(req->pm)) == NULL) {
		*skip_out = "no-address";
		return 0;
	}
	if (config_is_support_address(cfg, rcpt)) {
		*skip_out = "our-address";
		return 0;
	}
	if (cfg->ack_require_auth && !ack_vouched(req, rcpt)) {
		*skip_out = "unauthenticated";
		return 0;
	}
	if (cfg->ack_rate_limit > 0) {
		char *norm = customer_normalize_address(rcpt);
		int rc = outbox_count_recent(st, norm, "ack",
		    req->now - cfg->ack_rate_period, &count, err);

		free(norm);
		if (rc == -1)
			return -1;
		if (count >= cfg->ack_rate_limit) {
			*skip_out = "rate-limited";
			return 0;
		}
	}
	return ack_build(st, req, rcpt, skip_out, err);
}

/* Reply-To wins: it is where the customer asked answers to go. */
static const char *
ack_recipient(const struct parsed_message *pm)
{
	if (ack_address_ok(pm->reply_to.addr))
		return pm->reply_to.addr;
	if (ack_address_ok(pm->from.addr))
		return pm->from.addr;
	return NULL;
}

static bool
ack_address_ok(const char *addr)
{
	/*
	 * An internationalised address (RFC 6532) needs SMTPUTF8 all the way;
	 * we send 7-bit mail, so such a sender is stored but not answered,
	 * as is one no mail server would route (compose_address_ok).
	 */
	return compose_address_ok(addr);
}

/*
 * Anti-backscatter (acknowledgement.require_auth): a forged sender must
 * not get our mail.  The address the ack goes to (Reply-To, else From)
 * must be the one a trusted Authentication-Results proves, by the rules
 * that prove an agent (agent_mail_auth): dkim=pass for its domain, or
 * spf=pass for that very address as envelope sender.  A Reply-To the
 * proof does not cover is not answered either: that is reflection.
 */
static bool
ack_vouched(const struct ack_request *req, const char *rcpt)
{
	enum agent_auth_verdict	 v;

	v = agent_mail_auth(req->cfg, req->raw, req->raw_len, rcpt, NULL);
	return v == AGENT_AUTH_DKIM || v == AGENT_AUTH_SPF;
}

static char *
ack_quote(const char *text)
{
	struct buf b;
	const char *p = text, *nl;

	buf_init(&b);
	while (*p != '\0') {
		nl = strchr(p, '\n');
		buf_append_str(&b, "> ");
		if (nl == NULL) {
			buf_append_str(&b, p);
			buf_append_char(&b, '\n');
			break;
		}
		buf_append(&b, p, (size_t)(nl - p + 1));
		p = nl + 1;
	}
	return buf_steal(&b, NULL);
}

static int
ack_build(struct store *st, const struct ack_request *req, const char *rcpt,
    const char **skip_out, struct error *err)
{
	const struct config *cfg = req->cfg;
	const struct parsed_message *pm = req->pm;
	struct compose_addr to;
	struct mailout m;
	struct template_var vars[10];
	const struct template *tsubj = cfg->ack_subject;
	const struct template *tbody = cfg->ack_body;
	char starts[64];
	const char **refs;
	char *token, *idstr, *quoted, *rendered, *subject, *body, *addr;
	size_t i, nrefs = 0;
	int ret;

	token = subject_token_format(req->tok, (uint64_t)req->ticket_id);
	xasprintf(&idstr, "%lld", (long long)req->ticket_id);
	quoted = ack_quote(pm->body);
	vars[0] = (struct template_var){ "id", idstr };
	vars[1] = (struct template_var){ "token", token };
	vars[2] = (struct template_var){ "subject", pm->subject };
	vars[3] = (struct template_var){ "customer_name", req->customer_name };
	vars[4] = (struct template_var){ "customer_email", rcpt };
	vars[5] = (struct template_var){ "original_text", pm->body };
	vars[6] = (struct template_var){ "quoted_text", quoted };
	vars[7] = (struct template_var){ "support_address",
	    cfg->support_addresses[0] };
	vars[8] = (struct template_var){ "support_name", cfg->support_name };
	starts[0] = '\0';
	if (req->kind != NULL && strcmp(req->kind, "out_of_hours") == 0) {
		sla_format_time(req->calendar, req->clock_starts, starts,
		    sizeof(starts));
		tsubj = sla_ooh_subject(cfg);
		tbody = sla_ooh_body(cfg);
	}
	vars[9] = (struct template_var){ "clock_starts", starts };
	rendered = template_render(tsubj, vars, 10);
	subject = subject_token_apply(req->tok, rendered, (uint64_t)req->ticket_id);
	body = template_render(tbody, vars, 10);
	addr = customer_normalize_address(rcpt);

	refs = xcalloc(pm->nreferences + 1, sizeof(*refs));
	for (i = 0; i < pm->nreferences; i++)
		refs[nrefs++] = pm->references[i];
	if (pm->message_id != NULL)
		refs[nrefs++] = pm->message_id;

	to = (struct compose_addr){ req->customer_name, addr };
	memset(&m, 0, sizeof(m));
	m.kind = MAILOUT_ACK;
	m.ticket_id = req->ticket_id;
	m.to = &to;
	m.nto = 1;
	m.subject = subject;
	m.text = body;
	m.in_reply_to = pm->message_id;
	m.references = refs;
	m.nreferences = nrefs;
	m.now = req->now;
	/* Bad input is never fatal (promise 4): no ack, message kept. */
	if ((ret = mailout_queue(st, cfg, &m, NULL, err)) == 1) {
		*skip_out = "unsendable";
		ret = 0;
	}
	free(refs);
	free(addr);
	free(body);
	free(subject);
	free(rendered);
	free(quoted);
	free(idstr);
	free(token);
	return ret;
}
