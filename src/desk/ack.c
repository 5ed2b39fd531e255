/*
 * ack: the auto-acknowledgement.  Sent To the Reply-To (else From) of the
 * customer's message, From the first support address, with the token in
 * the subject and In-Reply-To/References so the customer's client threads
 * it.  The envelope sender is null (<>), as RFC 3834 section 3.3 asks of
 * automatic responses: a bounce of an acknowledgement must not come back
 * and open a request of its own.
 *
 * Anyone can make us write to anyone (Reply-To is the sender's to choose),
 * so an acknowledgement must not be worth abusing (issue 20, item 5): it
 * carries at most acknowledgement.quote_limit bytes of the customer's
 * text and ACK_SUBJECT_MAX of the subject, whatever came in, and at most
 * rate_limit go to one address, rate_limit_sender are caused by one
 * envelope sender and rate_limit_client by one SMTP/LMTP client per
 * rate_period.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ack.h"
#include "address.h"
#include "agent_mail.h"
#include "buf.h"
#include "cidr.h"
#include "compose.h"
#include "config.h"
#include "config_language.h"
#include "error.h"
#include "language.h"
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
#include "kb.h"

/*
 * The customer's subject in ours: a subject is a line, not a document
 * (RFC 5322's 78-character advice), and longer ones are abuse.
 */
#define ACK_SUBJECT_MAX	256
/* Where text was cut: a visible mark (UTF-8 "[…]"). */
#define ACK_CUT_MARK	"[\xe2\x80\xa6]"

struct ack_origin {
	char	*sender;	/* lowercased envelope sender, or NULL */
	char	 client[64];	/* canonical client address, or "" */
};

static const char	*ack_recipient(const struct parsed_message *);
static bool		 ack_address_ok(const char *);
static bool		 ack_vouched(const struct ack_request *, const char *);
static int		 ack_limited(struct store *, const struct ack_request *,
			    const char *rcpt, const struct ack_origin *,
			    const char **skip_out, struct error *err);
static bool		 ack_exempt(const struct config *, const char *client);
static char		*ack_cut(const char *text, size_t limit,
			    const char *prefix);
static size_t		 ack_utf8_back(const char *, size_t);
static char		*ack_suggestions(struct store *,
			    const struct ack_request *, const char *lang);
static int		 ack_build(struct store *, const struct ack_request *,
			    const char *rcpt, const struct ack_origin *,
			    const char **skip_out, struct error *err);

int
ack_queue(struct store *st, const struct ack_request *req,
    const char **skip_out, struct error *err)
{
	const struct config *cfg = req->cfg;
	struct ack_origin origin;
	const char *rcpt;
	int rc;

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
	memset(&origin, 0, sizeof(origin));
	if (req->mail_from != NULL && *req->mail_from != '\0')
		origin.sender = customer_normalize_address(req->mail_from);
	(void)cidr_canonical(req->client, origin.client,
	    sizeof(origin.client));
	rc = ack_limited(st, req, rcpt, &origin, skip_out, err);
	if (rc == 0 && *skip_out == NULL)
		rc = ack_build(st, req, rcpt, &origin, skip_out, err);
	free(origin.sender);
	return rc;
}

/*
 * The rate limits, each over the acknowledgements queued in the last
 * rate_period (skipped ones do not count): per recipient, per envelope
 * sender, per client address.  A limit reached sets *skip_out to
 * "rate-limited", "rate-limited-sender" or "rate-limited-client", which
 * the intake's log line shows.
 */
static int
ack_limited(struct store *st, const struct ack_request *req, const char *rcpt,
    const struct ack_origin *o, const char **skip_out, struct error *err)
{
	const struct config *cfg = req->cfg;
	time_t since = req->now - cfg->ack_rate_period;
	char *norm;
	int count, rc;

	if (cfg->ack_rate_limit > 0) {
		norm = customer_normalize_address(rcpt);
		rc = outbox_count_recent(st, norm, "ack", since, &count, err);
		free(norm);
		if (rc == -1)
			return -1;
		if (count >= cfg->ack_rate_limit) {
			*skip_out = "rate-limited";
			return 0;
		}
	}
	if (cfg->ack_rate_limit_sender > 0 && o->sender != NULL) {
		if (outbox_count_origin(st, OUTBOX_ORIGIN_SENDER, o->sender,
		    "ack", since, &count, err) == -1)
			return -1;
		if (count >= cfg->ack_rate_limit_sender) {
			*skip_out = "rate-limited-sender";
			return 0;
		}
	}
	if (cfg->ack_rate_limit_client > 0 && o->client[0] != '\0' &&
	    !ack_exempt(cfg, o->client)) {
		if (outbox_count_origin(st, OUTBOX_ORIGIN_CLIENT, o->client,
		    "ack", since, &count, err) == -1)
			return -1;
		if (count >= cfg->ack_rate_limit_client) {
			*skip_out = "rate-limited-client";
			return 0;
		}
	}
	return 0;
}

/* Checked at config load, so every entry parses. */
static bool
ack_exempt(const struct config *cfg, const char *client)
{
	struct cidr net;
	size_t i;

	for (i = 0; i < cfg->nack_rate_exempt; i++)
		if (cidr_parse(cfg->ack_rate_exempt[i], &net) == NULL &&
		    cidr_contains(&net, client))
			return true;
	return false;
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
	 * as is one no mail server would route (address_ok).
	 */
	return address_ok(addr);
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

/*
 * text with prefix before each line, in at most limit bytes (0: ""):
 * whole lines while they fit; what does not is cut, at a line end when
 * that keeps at least half of the room, else inside the line at a UTF-8
 * character boundary, and the cut is marked "[…]" on a line of its own
 * (prefixed too).  The result ends with a line break unless empty.
 * Reads no more of text than it keeps, whatever its size.
 */
static char *
ack_cut(const char *text, size_t limit, const char *prefix)
{
	size_t plen = strlen(prefix);
	size_t mlen = plen + strlen(ACK_CUT_MARK) + 1;	/* the mark's line */
	size_t room, len, take, need;
	const char *p = text;
	struct buf b;
	bool whole, last;

	buf_init(&b);
	while (*p != '\0') {
		room = limit - b.len;		/* b.len <= limit throughout */
		/* this line's length, looking no further than could fit */
		for (len = 0; len <= room && p[len] != '\0' && p[len] != '\n';
		    len++)
			;
		whole = p[len] == '\0' || p[len] == '\n';
		last = p[len] == '\0' || p[len + 1] == '\0';
		need = plen + len + 1;
		if (whole && need <= room && (last || need + mlen <= room)) {
			/* fits, and leaves room for the mark if more follows */
			buf_append_str(&b, prefix);
			buf_append(&b, p, len);
			buf_append_char(&b, '\n');
			if (last)
				break;
			p += len + 1;
			continue;
		}
		if (mlen > room)
			break;		/* not even the mark fits */
		if (b.len < limit / 2 && room - mlen > plen + 1) {
			/* a long line: keep its head, whole characters only */
			take = ack_utf8_back(p, len < room - mlen - plen - 1 ?
			    len : room - mlen - plen - 1);
			if (take > 0) {
				buf_append_str(&b, prefix);
				buf_append(&b, p, take);
				buf_append_char(&b, '\n');
			}
		}
		buf_append_str(&b, prefix);
		buf_append_str(&b, ACK_CUT_MARK "\n");
		break;
	}
	return buf_steal(&b, NULL);
}

/* The longest prefix of p[0..n) not ending inside a UTF-8 character. */
static size_t
ack_utf8_back(const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = n, need;

	/* back over continuation bytes to the lead byte of the last char */
	while (i > 0 && (u[i - 1] & 0xc0) == 0x80)
		i--;
	if (i == 0)
		return n;	/* not UTF-8 at all: bytes are bytes */
	need = u[i - 1] >= 0xf0 ? 4 : u[i - 1] >= 0xe0 ? 3 :
	    u[i - 1] >= 0xc0 ? 2 : 1;
	return n - (i - 1) >= need ? n : i - 1;
}

static int
ack_build(struct store *st, const struct ack_request *req, const char *rcpt,
    const struct ack_origin *origin, const char **skip_out,
    struct error *err)
{
	const struct config *cfg = req->cfg;
	const struct parsed_message *pm = req->pm;
	struct compose_addr to;
	struct mailout m;
	struct template_var vars[11];
	const struct template *tsubj = cfg->ack_subject;
	const struct template *tbody = cfg->ack_body;
	const struct template *lsubj, *lbody;
	/*
	 * The language of the text: a template's for sure, so it is said
	 * (Content-Language); a setting's is taken for the default one,
	 * for the suggestions' sentence, but not said: an admin may have
	 * written it in any language without ever setting language.
	 */
	const char *tlang = config_language_default(cfg), *said = NULL;
	char starts[128];
	const char **refs;
	char *token, *idstr, *quoted, *original, *their_subject, *rendered;
	char *subject, *body, *addr, *suggestions;
	size_t i, nrefs = 0;
	int ret;

	token = subject_token_format(req->tok, (uint64_t)req->ticket_id);
	xasprintf(&idstr, "%lld", (long long)req->ticket_id);
	quoted = ack_cut(pm->body, cfg->ack_quote_limit, "> ");
	original = ack_cut(pm->body, cfg->ack_quote_limit, "");
	their_subject = ack_cut(pm->subject, ACK_SUBJECT_MAX, "");
	/* one line: the cut's own line breaks become spaces */
	for (i = 0; their_subject[i] != '\0'; i++)
		if (their_subject[i] == '\n')
			their_subject[i] = their_subject[i + 1] == '\0' ?
			    '\0' : ' ';
	vars[0] = (struct template_var){ "id", idstr };
	vars[1] = (struct template_var){ "token", token };
	vars[2] = (struct template_var){ "subject", their_subject };
	vars[3] = (struct template_var){ "customer_name", req->customer_name };
	vars[4] = (struct template_var){ "customer_email", rcpt };
	vars[5] = (struct template_var){ "original_text", original };
	vars[6] = (struct template_var){ "quoted_text", quoted };
	vars[7] = (struct template_var){ "support_address",
	    cfg->support_addresses[0] };
	vars[8] = (struct template_var){ "support_name", cfg->support_name };
	starts[0] = '\0';
	if (req->kind != NULL && strcmp(req->kind, "out_of_hours") == 0) {
		language_format_time(req->language, req->calendar,
		    req->clock_starts, starts, sizeof(starts));
		if (config_language_template(cfg, req->language,
		    CONFIG_LANGUAGE_OUT_OF_HOURS, &lsubj, &lbody) == 0) {
			tsubj = config_sla_ooh_subject(cfg);
			tbody = config_sla_ooh_body(cfg);
		} else {
			tsubj = lsubj;
			tbody = lbody;
			tlang = said = req->language;
		}
	} else if (config_language_template(cfg, req->language,
	    CONFIG_LANGUAGE_ACK, &lsubj, &lbody) == 1) {
		tsubj = lsubj;
		tbody = lbody;
		tlang = said = req->language;
	}
	vars[9] = (struct template_var){ "clock_starts", starts };
	suggestions = ack_suggestions(st, req, tlang);
	vars[10] = (struct template_var){ "suggestions", suggestions };
	rendered = template_render(tsubj, vars, 11);
	subject = subject_token_apply(req->tok, rendered, (uint64_t)req->ticket_id);
	body = template_render(tbody, vars, 11);
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
	m.origin_sender = origin->sender;
	m.origin_client = origin->client[0] != '\0' ? origin->client : NULL;
	m.language = said;
	/* Bad input is never fatal (promise 4): no ack, message kept. */
	if ((ret = mailout_queue(st, cfg, &m, NULL, err)) == 1) {
		*skip_out = "unsendable";
		ret = 0;
	}
	free(refs);
	free(addr);
	free(suggestions);
	free(body);
	free(subject);
	free(rendered);
	free(their_subject);
	free(original);
	free(quoted);
	free(idstr);
	free(token);
	return ret;
}

/*
 * {{suggestions}}: the articles that may answer the customer (issue 19),
 * introduced in lang, the language of the template around them (a
 * Polish sentence in an English setting's text would read as a slip),
 * or NULL (the variable gives "") when acknowledgement.suggest is 0 or
 * none scores knowledge_base.min_score.  The acknowledgement goes out
 * without them rather than not at all if the index cannot be read.
 */
static char *
ack_suggestions(struct store *st, const struct ack_request *req,
    const char *lang)
{
	const struct config *cfg = req->cfg;
	struct kb_hit *hits;
	struct error err;
	struct buf out;
	char *excerpt;
	size_t n, i;

	if (cfg->ack_suggest <= 0)
		return NULL;
	error_clear(&err);
	if (kb_suggest(st, req->kb, req->pm->subject, req->pm->body,
	    KB_KIND_ARTICLE, cfg->kb_min_score, (size_t)cfg->ack_suggest,
	    &hits, &n, &err) == -1) {
		log_warnx("ack ticket=%lld suggestions skipped: %s",
		    (long long)req->ticket_id, err.msg);
		return NULL;
	}
	if (n == 0)
		return NULL;
	buf_init(&out);
	buf_printf(&out, "\n%s\n\n", language_suggestions_intro(lang, n));
	for (i = 0; i < n; i++) {
		buf_printf(&out, "- %s\n", hits[i].title);
		if (hits[i].url != NULL) {
			buf_printf(&out, "  %s\n", hits[i].url);
			continue;
		}
		excerpt = kb_excerpt(hits[i].body, 200);
		if (excerpt[0] != '\0')
			buf_printf(&out, "  %s\n", excerpt);
		free(excerpt);
	}
	kb_index_hits_free(hits, n);
	return buf_steal(&out, NULL);
}
