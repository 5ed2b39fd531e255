/*
 * pipeline: the domain steps for one incoming message (DESIGN "The flow of
 * one message").  Bad input never fails here (promise 4): mime_parse
 * always yields something, the raw bytes are always stored, and a message
 * with no usable sender still becomes a request.  Only the database can
 * make a message fail, and then temporarily.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ack.h"
#include "agent_mail.h"
#include "automail.h"
#include "buf.h"
#include "config.h"
#include "customer.h"
#include "dedupe.h"
#include "error.h"
#include "history.h"
#include "kb.h"
#include "language.h"
#include "log.h"
#include "message.h"
#include "mime.h"
#include "notify.h"
#include "pipeline.h"
#include "rating.h"
#include "routing.h"
#include "sla.h"
#include "store.h"
#include "subject_token.h"
#include "ticket.h"
#include "ticket_cc.h"
#include "ticket_tag.h"
#include "threading.h"
#include "xmalloc.h"

struct pipeline {
	struct config		*cfg;
	struct subject_token	*tok;
};

/*
 * What needs no database, made before the writer's turn (on the parse
 * stage's thread): besides the message, the stems the knowledge base is
 * asked with and what the message says of its language, which would
 * otherwise be a tenth of the writer's time.
 */
struct pipeline_parsed {
	struct parsed_message	*pm;
	char			 key[DEDUPE_KEY_MAX];
	const char		*auto_reason;	/* constant, or NULL */
	struct kb_query		 kb;
	char			 lang[LANGDETECT_CODE_MAX];
	const char		*lang_how;	/* constant, or NULL */
};

/* What one ingest works on; lives for one call. */
struct pipeline_msg {
	const struct pipeline_input	*in;
	const struct parsed_message	*pm;
	const char			*key;
	char				*sender;	/* lowercased customer address */
	const char			*sender_name;
	int64_t				 customer_id;
	char				*known_lang;	/* the customer's, or NULL */
	struct customer_seen		 seen;		/* sender's, first read */
	const char			*token_flag;
	const char			*auto_reason;	/* automail verdict */
	time_t				 now;
	char				 lang[LANGDETECT_CODE_MAX];
	/* a new request as ticket_create returned it (the view's req) */
	struct ticket			 req;
	char				*req_company;
	int64_t				 req_message;	/* its message's id */
	struct ticket_reserve		 reserve;	/* drawn by the first read */
};

static void	pipeline_view_init(const struct pipeline *,
		    const struct pipeline_msg *, struct pipeline_view *);
static int	pipeline_customer(struct store *, struct pipeline_msg *,
		    struct error *err);
static const char *pipeline_sender(const struct parsed_message *,
		    const struct pipeline_input *);
static bool	pipeline_expects_new(const struct pipeline *,
		    const struct parsed_message *);
static int	pipeline_new_ticket(struct store *, struct pipeline_msg *,
		    int64_t *ticket_out, struct error *err);
static int	pipeline_defaults(struct store *, struct pipeline_msg *,
		    int64_t ticket, struct error *err);
static int	pipeline_follow_up(struct store *, struct pipeline_msg *,
		    int64_t ticket, struct error *err);
static int	pipeline_silent(struct store *, struct pipeline_msg *,
		    int64_t ticket, bool new_ticket, struct error *err);
static int	pipeline_check_token_sender(struct store *,
		    struct pipeline_msg *, int64_t ticket, struct error *err);
static int	pipeline_keep_cc(struct store *, const struct config *,
		    struct pipeline_msg *, int64_t ticket, struct error *err);
static int	pipeline_store_message(struct store *, struct pipeline_msg *,
		    struct pipeline_result *, struct error *err);
static int	pipeline_event(struct store *, int64_t ticket, time_t at,
		    const char *kind, const char *detail, struct error *err);
static char	*pipeline_rcpt_list(const struct pipeline_input *);
static void	 pipeline_log(const struct pipeline_msg *,
		    const struct pipeline_result *);

struct pipeline *
pipeline_new(struct config *cfg, struct error *err)
{
	struct pipeline *p = xcalloc(1, sizeof(*p));

	if ((p->tok = subject_token_new(cfg->token_format, err)) == NULL) {
		free(p);
		return NULL;
	}
	p->cfg = config_ref(cfg);
	return p;
}

void
pipeline_free(struct pipeline *p)
{
	if (p == NULL)
		return;
	subject_token_free(p->tok);
	config_unref(p->cfg);
	free(p);
}

const struct config *
pipeline_config(const struct pipeline *p)
{
	return p->cfg;
}

struct pipeline_parsed *
pipeline_parse(const struct config *cfg, const struct pipeline_input *in)
{
	struct pipeline_parsed *pp = xcalloc(1, sizeof(*pp));
	const char *addr;
	char *sender;

	pp->pm = mime_parse(in->raw, in->len);
	dedupe_key(pp->pm, in->raw, in->len, pp->key, sizeof(pp->key));
	pp->auto_reason = automail_reason(pp->pm, in->mail_from,
	    cfg->support_addresses, cfg->nsupport_addresses);
	kb_query_for(&pp->kb, cfg, pp->pm->subject, pp->pm->body);
	addr = pipeline_sender(pp->pm, in);
	sender = addr != NULL ? customer_normalize_address(addr) : NULL;
	language_detect(cfg, pp->pm, sender, pp->lang, &pp->lang_how);
	free(sender);
	return pp;
}

void
pipeline_parsed_free(struct pipeline_parsed *pp)
{
	if (pp == NULL)
		return;
	mime_free(pp->pm);
	kb_query_clear(&pp->kb);
	free(pp);
}

int
pipeline_ingest(struct pipeline *p, struct store *st,
    const struct pipeline_input *in, const struct pipeline_parsed *parsed,
    time_t now, struct pipeline_result *res, struct error *err)
{
	struct pipeline_parsed *own = NULL;
	struct pipeline_view v;
	struct pipeline_msg m;
	const struct calendar *ooh_cal = NULL;	/* out of hours: whose */
	enum threading_how how;
	const char *lang_how, *addr;
	int64_t dup, ticket;
	int handled, ret = -1;

	if (parsed == NULL)
		parsed = own = pipeline_parse(p->cfg, in);
	memset(res, 0, sizeof(*res));
	memset(&m, 0, sizeof(m));
	m.in = in;
	m.now = now;
	m.pm = parsed->pm;
	m.key = parsed->key;

	if ((addr = pipeline_sender(m.pm, in)) != NULL)
		m.sender = customer_normalize_address(addr);
	if (customer_seen_with_duplicate(st, m.key, m.sender, &dup, &m.seen,
	    pipeline_expects_new(p, m.pm) ? &m.reserve : NULL, err) == -1)
		goto out;
	if (dup != 0) {
		res->status = PIPELINE_DUPLICATE;
		res->ticket_id = dup;
		res->how = "duplicate";
		pipeline_log(&m, res);
		ret = 0;
		goto out;
	}
	res->auto_reason = parsed->auto_reason;
	m.auto_reason = res->auto_reason;
	pipeline_view_init(p, &m, &v);
	v.kb = &parsed->kb;
	/*
	 * Old mail from an agent (or a survey answer) is history too: it
	 * must not relay, run commands or rate anything now, so a silent
	 * import stores it as correspondence on the request it threads to.
	 */
	handled = 0;
	if (!in->silent &&
	    (handled = rating_ingest(st, &v, res, err)) == 0)
		handled = agent_mail_ingest(st, &v, res, err);
	if (handled == -1)
		goto out;
	if (handled) {
		pipeline_log(&m, res);
		ret = 0;
		goto out;
	}
	m.token_flag = v.token_flag;	/* a forged agent's From */
	if (pipeline_customer(st, &m, err) == -1)
		goto out;
	if (threading_find(st, p->tok, m.pm, &ticket, &how, err) == -1)
		goto out;
	res->how = threading_how_name(how);
	if (how == THREADING_TOKEN &&
	    pipeline_check_token_sender(st, &m, ticket, err) == -1)
		goto out;
	if (ticket == 0) {
		if (pipeline_new_ticket(st, &m, &ticket, err) == -1)
			goto out;
		res->new_ticket = true;
	} else if (!in->silent &&
	    pipeline_follow_up(st, &m, ticket, err) == -1)
		goto out;
	res->ticket_id = ticket;
	if (pipeline_keep_cc(st, p->cfg, &m, ticket, err) == -1 ||
	    pipeline_store_message(st, &m, res, err) == -1)
		goto out;
	if (language_choose(st, p->cfg, m.customer_id, m.known_lang,
	    parsed->lang_how != NULL ? parsed->lang : NULL, parsed->lang_how,
	    m.auto_reason == NULL, m.lang, &lang_how, err) == -1)
		goto out;
	language_settle(p->cfg, m.sender, lang_how);
	if (in->silent) {
		if (pipeline_silent(st, &m, ticket, res->new_ticket,
		    err) == -1)
			goto out;
		res->ack_skipped = "silent";
		pipeline_log(&m, res);
		ret = 0;
		goto out;
	}
	v.sender = m.sender;
	v.sender_name = m.sender_name;
	v.token_flag = m.token_flag;
	v.customer_id = m.customer_id;
	v.ticket_id = ticket;
	v.message_row = res->message_row;
	v.new_ticket = res->new_ticket;
	if (res->new_ticket) {
		v.req = &m.req;
		v.req_company = m.req_company;
	}
	if (routing_apply(st, &v, err) == -1 ||
	    sla_intake(st, &v, &ooh_cal, err) == -1 ||
	    notify_customer_message(st, &v, err) == -1)
		goto out;
	if (res->new_ticket && (v.skip_ack || v.hidden))
		res->ack_skipped = v.hidden ? "spam" : "rule";
	else if (res->new_ticket) {
		struct ack_request req = {
			.cfg = p->cfg, .tok = p->tok, .pm = m.pm,
			.raw = in->raw, .raw_len = in->len,
			.auto_reason = res->auto_reason, .ticket_id = ticket,
			.customer_name = m.sender_name, .now = now,
			.mail_from = m.in->mail_from, .client = m.in->client,
			.kind = v.ack_kind, .clock_starts = v.clock_starts,
			.calendar = ooh_cal, .language = m.lang,
			.kb = &parsed->kb,
		};

		if (ack_queue(st, &req, &res->ack_skipped, err) == -1)
			goto out;
		res->ack_queued = res->ack_skipped == NULL;
	}
	pipeline_log(&m, res);
	ret = 0;
out:
	free(m.sender);
	free(m.known_lang);
	customer_seen_clear(&m.seen);
	ticket_clear(&m.req);
	free(m.req_company);
	ticket_reserve_clear(&m.reserve);
	pipeline_parsed_free(own);
	return ret;
}

/* The stages' view of m; sender and ticket are filled in as they are known. */
static void
pipeline_view_init(const struct pipeline *p, const struct pipeline_msg *m,
    struct pipeline_view *v)
{
	memset(v, 0, sizeof(*v));
	v->cfg = p->cfg;
	v->tok = p->tok;
	v->in = m->in;
	v->pm = m->pm;
	v->key = m->key;
	v->sender_name = m->sender_name;
	v->auto_reason = m->auto_reason;
	v->now = m->now;
}

/*
 * The customer is the From address; failing that the envelope sender (a
 * message with a broken From is still somebody's message).  No address at
 * all leaves the request without a customer rather than inventing one.
 */
static int
pipeline_customer(struct store *st, struct pipeline_msg *m, struct error *err)
{
	if (m->sender == NULL)
		return 0;
	m->sender_name = m->pm->from.name;
	if (m->sender_name == NULL || *m->sender_name == '\0')
		m->sender_name = NULL;
	return customer_find_or_create(st, m->sender, m->sender_name, m->now,
	    &m->seen, &m->customer_id, &m->known_lang, err);
}

/* The customer's address: From's, else the envelope's; NULL: none. */
static const char *
pipeline_sender(const struct parsed_message *pm,
    const struct pipeline_input *in)
{
	const char *addr = pm->from.addr;

	if (addr == NULL || strchr(addr, '@') == NULL)
		addr = in->mail_from;
	if (addr == NULL || *addr == '\0' || strchr(addr, '@') == NULL)
		return NULL;
	return addr;
}

/*
 * Will this message open a request?  Then on PostgreSQL the first read
 * draws its number (ticket.h, struct ticket_reserve) and the request's
 * INSERT waits for no answer.  Asked before anything is known: no token
 * in the subject, no In-Reply-To or References.  (An agent's From alone
 * says nothing: without a signed reply address or a thread the agent's
 * mail opens a request like a customer's, agent_mail.c.)  A number
 * drawn for a message that threads after all (a signed reply address
 * without threading headers, a survey answer) is a gap in the numbers,
 * as a rolled-back transaction leaves one; one not drawn for a message
 * that opens a request costs the round trip.
 */
static bool
pipeline_expects_new(const struct pipeline *p, const struct parsed_message *pm)
{
	uint64_t id;

	return pm->in_reply_to == NULL && pm->nreferences == 0 &&
	    !subject_token_find(p->tok, pm->subject, &id);
}

static int
pipeline_new_ticket(struct store *st, struct pipeline_msg *m,
    int64_t *ticket_out, struct error *err)
{
	char *subject = subject_token_strip_prefixes(m->pm->subject);
	int rc;
	struct ticket_new n = {
		.subject = subject, .customer = m->customer_id,
		.source = m->in->source, .now = m->now,
		.reserve = &m->reserve,
		/* pipeline_event's, written with the request */
		.event_kind = "created", .event_actor = "customer",
		.event_detail = m->sender,
	};

	rc = ticket_create(st, &n, &m->req, &m->req_company, &m->req_message,
	    err);
	free(subject);
	if (rc == -1)
		return -1;
	*ticket_out = m->req.id;
	return pipeline_defaults(st, m, *ticket_out, err);
}

/*
 * The intake's defaults (an IMAP mailbox's category, priority and tags).
 * Nothing runs without them, so LMTP and inject work exactly as before.
 * The new request's row in m follows what is written.
 */
static int
pipeline_defaults(struct store *st, struct pipeline_msg *m, int64_t ticket,
    struct error *err)
{
	const struct pipeline_input *in = m->in;
	size_t i;

	if (in->category != NULL) {
		if (ticket_set_category(st, ticket, in->category, m->now,
		    err) == -1)
			return -1;
		xstrset(&m->req.category, in->category);
	}
	if (in->priority != NULL) {
		if (ticket_set_priority(st, ticket, in->priority, m->now,
		    err) == -1)
			return -1;
		xstrset(&m->req.priority, in->priority);
	}
	for (i = 0; i < in->ntags; i++)
		if (ticket_tag_add(st, ticket, in->tags[i], NULL, err) == -1)
			return -1;
	return 0;
}

/*
 * A customer writing again reopens a request that waited on them or was
 * considered done: the new message needs an answer.  Only a request that
 * was resolved or closed counts as reopened (reopen_count, the reports'
 * "reopened"); one that was pending simply goes back to open.  Automatic
 * mail (a vacation reply to our notice) reopens nothing.
 */
static int
pipeline_follow_up(struct store *st, struct pipeline_msg *m, int64_t ticket,
    struct error *err)
{
	bool reopened, unpended;

	if (ticket_touch(st, ticket, m->now, err) == -1)
		return -1;
	if (m->auto_reason != NULL)
		return pipeline_event(st, ticket, m->now, "message", m->sender,
		    err);
	if (ticket_customer_wrote(st, ticket, &reopened, &unpended, err) == -1)
		return -1;
	if (reopened &&
	    pipeline_event(st, ticket, m->now, "reopened", m->sender, err) == -1)
		return -1;
	if (unpended &&
	    pipeline_event(st, ticket, m->now, "status", "pending -> open",
	    err) == -1)
		return -1;
	return pipeline_event(st, ticket, m->now, "message", m->sender, err);
}

/*
 * Old mail imported silently (issue 19).  A request it opens is closed:
 * the mailbox's past was answered elsewhere or has gone stale, and an
 * open one would start no SLA clock yet fill every agent's queue; the
 * tag "imported" (triagectl show) tells them apart, and an agent
 * reopens the one that still matters.  A customer writing again
 * later reopens it as any closed request.  A message following up a
 * request changes nothing but the request's history: an old message
 * must not reopen what an agent closed since.
 */
static int
pipeline_silent(struct store *st, struct pipeline_msg *m, int64_t ticket,
    bool new_ticket, struct error *err)
{
	if (!new_ticket) {
		if (ticket_touch(st, ticket, m->now, err) == -1)
			return -1;
		return pipeline_event(st, ticket, m->now, "message",
		    m->sender, err);
	}
	if (ticket_set_status(st, ticket, "closed", false, m->now,
	    err) == -1 ||
	    ticket_tag_add(st, ticket, PIPELINE_IMPORTED_TAG, NULL,
	    err) == -1)
		return -1;
	return pipeline_event(st, ticket, m->now, "status",
	    "new -> closed (imported silently)", err);
}

/*
 * DESIGN: a token from a sender who is not on the request is flagged, not
 * trusted.  The message still joins the request (a customer writing from
 * a second address is the common case), but the flag shows in history.
 */
static int
pipeline_check_token_sender(struct store *st, struct pipeline_msg *m,
    int64_t ticket, struct error *err)
{
	bool on;

	if (ticket_has_party(st, ticket, m->customer_id, m->sender, &on,
	    err) == -1)
		return -1;
	if (!on && m->token_flag == NULL)
		m->token_flag = MESSAGE_FLAG_NOT_ON_REQUEST;
	return 0;
}

/* Everyone else the customer wrote to is kept on the request. */
static int
pipeline_keep_cc(struct store *st, const struct config *cfg,
    struct pipeline_msg *m, int64_t ticket, struct error *err)
{
	const struct parsed_message *pm = m->pm;
	const struct mime_address *lists[2] = { pm->to, pm->cc };
	size_t counts[2] = { pm->nto, pm->ncc }, l, i;

	if (m->token_flag != NULL)	/* an outsider adds nobody */
		return 0;
	for (l = 0; l < 2; l++) {
		for (i = 0; i < counts[l]; i++) {
			const struct mime_address *a = &lists[l][i];
			char *addr;
			int rc;

			if (a->addr == NULL || strchr(a->addr, '@') == NULL ||
			    config_is_support_address(cfg, a->addr))
				continue;
			addr = customer_normalize_address(a->addr);
			if (m->sender != NULL && strcmp(addr, m->sender) == 0) {
				free(addr);
				continue;
			}
			rc = ticket_cc_add(st, ticket, addr, a->name, NULL, err);
			free(addr);
			if (rc == -1)
				return -1;
		}
	}
	return 0;
}

static int
pipeline_store_message(struct store *st, struct pipeline_msg *m,
    struct pipeline_result *res, struct error *err)
{
	struct message_row row;
	char *rcpts = pipeline_rcpt_list(m->in);
	int rc;

	memset(&row, 0, sizeof(row));
	row.id = m->req_message;	/* a new request's; else 0 */
	row.ticket_id = res->ticket_id;
	row.direction = "in";
	row.dedupe_key = m->key;
	row.message_id = m->pm->message_id;
	row.from_addr = m->sender;
	row.from_name = m->sender_name;
	row.subject = m->pm->subject;
	row.body = m->pm->body;
	row.body_from_html = m->pm->body_from_html;
	row.envelope_from = m->in->mail_from;
	row.envelope_rcpts = rcpts;
	row.source = m->in->source;
	row.auto_reason = res->auto_reason;
	row.parse_warning = m->pm->warning;
	row.token_flag = m->token_flag;
	row.raw = m->in->raw;
	row.raw_len = m->in->len;
	row.created_at = m->now;
	row.threads = true;	/* replies to it thread here (threading.c) */
	rc = message_insert(st, &row, &res->message_row, err);
	free(rcpts);
	if (rc == -1)
		return -1;
	return message_insert_attachments(st, res->message_row, m->pm, err);
}

static int
pipeline_event(struct store *st, int64_t ticket, time_t at, const char *kind,
    const char *detail, struct error *err)
{
	return history_add(st, ticket, at, kind, "customer", detail, err);
}

static char *
pipeline_rcpt_list(const struct pipeline_input *in)
{
	struct buf b;
	size_t i;

	if (in->nrcpts == 0)
		return NULL;
	buf_init(&b);
	for (i = 0; i < in->nrcpts; i++) {
		if (i > 0)
			buf_append_char(&b, ' ');
		buf_append_str(&b, in->rcpts[i]);
	}
	return buf_steal(&b, NULL);
}

static void
pipeline_log(const struct pipeline_msg *m, const struct pipeline_result *res)
{
	char key[128], from[128];

	log_escape(key, sizeof(key), m->key, strlen(m->key));
	log_escape(from, sizeof(from), m->sender ? m->sender : "",
	    m->sender ? strlen(m->sender) : 0);
	if (res->status == PIPELINE_DUPLICATE) {
		log_info("duplicate key=\"%s\" ticket=%lld source=%s", key,
		    (long long)res->ticket_id, m->in->source);
		return;
	}
	log_info("stored msg=%lld ticket=%lld new=%d thread=%s from=\"%s\" "
	    "source=%s size=%zu auto=%s ack=%s%s%s%s",
	    (long long)res->message_row,
	    (long long)res->ticket_id, res->new_ticket ? 1 : 0, res->how, from,
	    m->in->source, m->in->len,
	    res->auto_reason ? res->auto_reason : "no",
	    res->ack_queued ? "queued" : (res->new_ticket ? "skipped:" : "none"),
	    res->ack_skipped && res->new_ticket ? res->ack_skipped : "",
	    m->token_flag ? " flag=" : "", m->token_flag ? m->token_flag : "");
}
