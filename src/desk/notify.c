/*
 * notify: the notices agents get about requests (notify.h says what each
 * one looks like).  A notice is built from the request as the database
 * holds it at the moment of the change, so the state it shows is what
 * the agent would see in `triagectl show`: one query loads the request,
 * its customer's card and the earlier requests count, and every notice
 * of the call reuses it.
 *
 * Who is told is decided here too, with two rules that keep mail from
 * feeding itself: automatic mail never notifies (a customer's vacation
 * notice answering our relay would otherwise ping the agent, whose own
 * vacation notice answers the notification ...), and the agent who acted
 * never gets a notice of his own action.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "compose.h"
#include "config.h"
#include "config_agents.h"
#include "customer.h"
#include "error.h"
#include "log.h"
#include "mailout.h"
#include "kb.h"
#include "message.h"
#include "notify.h"
#include "outbox.h"
#include "pipeline.h"
#include "mime.h"
#include "reply_address.h"
#include "subject_token.h"
#include "template.h"
#include "threading.h"
#include "ticket.h"
#include "xmalloc.h"

/* The request as a notice shows it: the request and its customer. */
struct notify_ticket {
	struct ticket	 t;
	struct customer	 c;
	const char	*customer_email;	/* the first address, or NULL */
	char		*addresses;	/* all of the customer's, ", " */
	const char	*company;	/* the customer's, else the request's */
	int64_t		 earlier;	/* the customer's earlier requests */
	/*
	 * Who wrote the message a customer_message / new_request notice
	 * is about, which need not be the customer (borrowed; NULL: the
	 * customer), and why that sender is suspect (MESSAGE_FLAG_*).
	 */
	const char	*sender_name;
	const char	*sender_email;
	const char	*flag;
	char		*files;		/* the customer's message's files, or NULL */
	char		*suggested;	/* canned answers, articles, or NULL */
	struct compose_part *parts;	/* those the notice carries */
	size_t		 nparts;
};

static int	notify_load(struct store *, int64_t, struct notify_ticket *,
		    struct error *);
static void	notify_ticket_free(struct notify_ticket *);
static int	notify_latest_text(struct store *, int64_t, char **,
		    struct error *);
static int	notify_send(struct store *, const struct config *,
		    struct notify_ticket *, const struct agent *,
		    enum config_agents_notice, const char *, const char *,
		    const char *, time_t, struct error *);
static int	notify_render(const struct config *,
		    const struct notify_ticket *, const struct agent *,
		    enum config_agents_notice, const char *, const char *,
		    const char *, char **, char **, struct error *);
static char	*notify_card(const struct notify_ticket *);
static char	*notify_state(const struct notify_ticket *);
static char	*notify_quote(const char *);
static int	notify_set_root(struct store *, struct notify_ticket *,
		    const char *, struct error *);
static int	notify_previous(struct store *, const struct notify_ticket *,
		    const struct agent *, char **, struct error *);
static int	notify_told(struct store *, int64_t, const struct agent *,
		    time_t, bool *, struct error *);
static int	notify_group(struct store *, const struct config *,
		    struct notify_ticket *, enum config_agents_notice,
		    const char *,
		    const char *, const char *, time_t, bool, struct error *);
static int	notify_wrote(struct store *, int64_t, const char *, bool *,
		    struct error *);
static int	notify_files(struct store *, const struct pipeline_view *,
		    struct notify_ticket *, struct error *);
static void	notify_size(struct buf *, int64_t);
static int	notify_suggested(struct store *, const struct pipeline_view *,
		    struct notify_ticket *, struct error *);

int
notify_customer_message(struct store *st, const struct pipeline_view *v,
    struct error *err)
{
	struct notify_ticket	 t;
	enum config_agents_notice	 kind;
	const struct agent	*a;
	bool			 told;
	int			 rc;

	if (config_agents_count(v->cfg) == 0 || v->hidden ||
	    v->auto_reason != NULL || v->ticket_id == 0)
		return 0;
	/*
	 * A new request's row is in memory: when the routing gave it to an
	 * agent and told them in this intake, nobody else hears of it (see
	 * notify_group), so the request, its customer, its files and the
	 * suggested articles need not be read.
	 */
	if (v->new_ticket && v->req != NULL &&
	    (a = config_agents_find(v->cfg, v->req->assignee)) != NULL) {
		if (notify_told(st, v->ticket_id, a, v->now, &told, err) == -1)
			return -1;
		if (told)
			return 0;
	}
	if (notify_load(st, v->ticket_id, &t, err) == -1)
		return -1;
	t.sender_email = v->sender;
	t.sender_name = v->sender_name;
	t.flag = v->token_flag;
	if (notify_files(st, v, &t, err) == -1 ||
	    (v->new_ticket && notify_suggested(st, v, &t, err) == -1)) {
		notify_ticket_free(&t);
		return -1;
	}
	kind = v->new_ticket ? AGENTS_NOTICE_NEW_REQUEST :
	    AGENTS_NOTICE_CUSTOMER_MESSAGE;
	/*
	 * Only a new request can have been given to an agent in this same
	 * intake (rules on a follow-up change tags and priority only), so
	 * only then is an agent already told skipped.  On a follow-up the
	 * check would swallow the notice of a customer's second message
	 * arriving within the same second as the first.
	 */
	rc = t.t.hidden ? 0 : notify_group(st, v->cfg, &t, kind, v->pm->body,
	    NULL, NULL, v->now, v->new_ticket, err);
	notify_ticket_free(&t);
	return rc;
}

int
notify_assigned(struct store *st, const struct config *cfg, int64_t ticket,
    const char *agent, const char *actor, time_t now, struct error *err)
{
	struct notify_ticket	 t;
	const struct agent	*a = config_agents_find(cfg, agent);
	int			 rc;

	if (a == NULL || (actor != NULL && strcmp(actor, agent) == 0))
		return 0;
	if (notify_load(st, ticket, &t, err) == -1)
		return -1;
	rc = t.t.hidden ? 0 : notify_send(st, cfg, &t, a,
	    AGENTS_NOTICE_ASSIGNED, NULL, actor, NULL, now, err);
	notify_ticket_free(&t);
	return rc;
}

int
notify_note(struct store *st, const struct config *cfg, int64_t ticket,
    const char *author, const char *text, time_t now, struct error *err)
{
	struct notify_ticket	 t;
	int			 rc;

	if (config_agents_count(cfg) == 0)
		return 0;
	if (notify_load(st, ticket, &t, err) == -1)
		return -1;
	rc = notify_group(st, cfg, &t, AGENTS_NOTICE_NOTE, text, author,
	    author, now, false, err);
	notify_ticket_free(&t);
	return rc;
}

int
notify_agent(struct store *st, const struct config *cfg, int64_t ticket,
    const struct agent *a, enum config_agents_notice kind, const char *text,
    const char *actor, const char *result, time_t now, struct error *err)
{
	struct notify_ticket	 t;
	int			 rc;

	if (notify_load(st, ticket, &t, err) == -1)
		return -1;
	rc = notify_send(st, cfg, &t, a, kind, text, actor, result, now, err);
	notify_ticket_free(&t);
	return rc;
}

/*
 * The assignee; else, for a customer's message, the category's agents,
 * else everyone; for a note, the agents who wrote on the request, else
 * the category's.  skip (may be NULL) is the agent who acted.  With
 * once, an agent already told at now (a rule's assignment notice in the
 * same intake) is not told again.
 */
static int
notify_group(struct store *st, const struct config *cfg,
    struct notify_ticket *t, enum config_agents_notice kind, const char *text,
    const char *actor, const char *skip, time_t now, bool once,
    struct error *err)
{
	const struct agent	*a, *assignee;
	bool			*pick, any = false, yes;
	size_t			 i, n = config_agents_count(cfg);
	int			 pass, rc = 0;

	pick = xcalloc(n + 1, sizeof(*pick));
	assignee = config_agents_find(cfg, t->t.assignee);
	for (pass = 0; pass < 3 && !any; pass++) {
		for (i = 0; i < n; i++) {
			a = config_agents_at(cfg, i);
			if (pass == 0) {
				yes = a == assignee;
				if (!yes && kind == AGENTS_NOTICE_NOTE &&
				    (rc = notify_wrote(st, t->t.id, a->name,
				    &yes, err)) == -1)
					goto out;
			} else if (pass == 1)
				yes = config_agents_serves(a, t->t.category) &&
				    !config_agents_absent(a, now);
			else
				yes = kind != AGENTS_NOTICE_NOTE &&
				    assignee == NULL &&
				    !config_agents_absent(a, now);
			/* a note with an assignee stays between its agents */
			if (pass > 0 && assignee != NULL)
				yes = false;
			if (yes && skip != NULL && strcmp(a->name, skip) == 0)
				yes = false;
			pick[i] = yes;
			any = any || yes;
		}
	}
	for (i = 0; i < n && rc == 0; i++) {
		if (!pick[i])
			continue;
		a = config_agents_at(cfg, i);
		if (once && (rc = notify_told(st, t->t.id, a, now, &yes,
		    err)) == -1)
			break;
		if (once && yes)
			continue;
		rc = notify_send(st, cfg, t, a, kind, text, actor, NULL, now,
		    err);
	}
out:
	free(pick);
	return rc;
}

/* Did name write on the request (a relay or a note)? */
static int
notify_wrote(struct store *st, int64_t ticket, const char *name, bool *yes,
    struct error *err)
{
	return message_agent_wrote(st, ticket, name, yes, err);
}

/* Was a notice about ticket queued for a at now already? */
static int
notify_told(struct store *st, int64_t ticket, const struct agent *a,
    time_t now, bool *yes, struct error *err)
{
	return outbox_queued_at(st, ticket, mailout_kind_name(MAILOUT_NOTIFY),
	    a->addresses[0], now, yes, err);
}

/* --- the request ------------------------------------------------------ */

static int
notify_load(struct store *st, int64_t ticket, struct notify_ticket *t,
    struct error *err)
{
	struct buf	 b;
	size_t		 i;

	memset(t, 0, sizeof(*t));
	if (ticket_load(st, ticket, &t->t, err) == -1)
		return -1;
	if (customer_load(st, t->t.customer_id, &t->c, err) == -1) {
		notify_ticket_free(t);
		return -1;
	}
	/* the number the request got among its customer's, else counted */
	if (t->t.customer_seq > 0)
		t->earlier = t->t.customer_seq - 1;
	else if (ticket_count_before(st, t->t.customer_id, ticket,
	    &t->earlier, err) == -1) {
		notify_ticket_free(t);
		return -1;
	}
	buf_init(&b);
	for (i = 0; i < t->c.naddresses; i++)
		buf_printf(&b, "%s%s", i > 0 ? ", " : "", t->c.addresses[i]);
	t->addresses = buf_steal(&b, NULL);
	t->customer_email = t->c.naddresses > 0 ? t->c.addresses[0] : NULL;
	t->company = t->c.company != NULL ? t->c.company : t->t.company;
	return 0;
}

static void
notify_ticket_free(struct notify_ticket *t)
{
	ticket_clear(&t->t);
	customer_clear(&t->c);
	free(t->addresses);
	free(t->files);
	free(t->suggested);
	free(t->parts);
	memset(t, 0, sizeof(*t));
}

/* The customer's latest message, for notices about something else. */
static int
notify_latest_text(struct store *st, int64_t ticket, char **out,
    struct error *err)
{
	struct message_stored	 m;

	if (message_latest(st, ticket, "in", &m, err) == -1)
		return -1;
	*out = m.body != NULL ? m.body : xstrdup("");
	m.body = NULL;
	message_stored_clear(&m);
	return 0;
}

/* --- one notice ------------------------------------------------------- */

static int
notify_send(struct store *st, const struct config *cfg,
    struct notify_ticket *t, const struct agent *a,
    enum config_agents_notice kind,
    const char *text, const char *actor, const char *result, time_t now,
    struct error *err)
{
	struct compose_addr	 to;
	struct mailout		 m;
	struct mailout_sent	 sent;
	struct error		 e;
	const char		*refs[2], *key;
	char			*latest = NULL, *subject = NULL, *body = NULL;
	char			*reply_to, *prev = NULL, *full;
	size_t			 keylen, nrefs = 0;
	int			 ret = -1, rc;

	if (text == NULL && notify_latest_text(st, t->t.id, &latest, err) == -1)
		return -1;
	if (notify_previous(st, t, a, &prev, err) == -1 ||
	    notify_render(cfg, t, a, kind, text != NULL ? text : latest,
	    actor, result, &subject, &body, err) == -1) {
		free(prev);
		free(latest);
		return -1;
	}
	if (t->files != NULL) {
		/* After the template's text: no template need know of it. */
		full = xmalloc(strlen(body) + strlen(t->files) + 3);
		(void)sprintf(full, "%s\n\n%s", body, t->files);
		free(body);
		body = full;
	}
	if (t->suggested != NULL) {
		xasprintf(&full, "%s\n\n%s", body, t->suggested);
		free(body);
		body = full;
	}
	key = config_agents_reply_key(cfg, &keylen);
	reply_to = key != NULL ? reply_address_make(key, keylen,
	    cfg->support_addresses[0], a->name, (uint64_t)t->t.id, &e) : NULL;
	if (key != NULL && reply_to == NULL)
		log_warnx("notify ticket=%lld agent=%s: no reply address: %s",
		    (long long)t->t.id, a->name, e.msg);
	to = (struct compose_addr){ a->display_name, a->addresses[0] };
	memset(&m, 0, sizeof(m));
	m.kind = MAILOUT_NOTIFY;
	m.ticket_id = t->t.id;
	m.to = &to;
	m.nto = 1;
	m.reply_to = reply_to;
	m.subject = subject;
	m.text = body;
	m.parts = t->parts;
	m.nparts = t->nparts;
	m.now = now;
	/*
	 * The agent's own chain: this notice answers the previous one he
	 * got about the request, and References starts at the request's
	 * first notice, so his client shows one thread per request even
	 * when that first notice went to a colleague.
	 */
	if (t->t.thread_root != NULL)
		refs[nrefs++] = t->t.thread_root;
	if (prev != NULL && (t->t.thread_root == NULL ||
	    strcmp(prev, t->t.thread_root) != 0))
		refs[nrefs++] = prev;
	m.in_reply_to = prev != NULL ? prev : t->t.thread_root;
	m.references = nrefs > 0 ? refs : NULL;
	m.nreferences = nrefs;
	/* a bad agent address is the config's; the change stands */
	if ((rc = mailout_queue(st, cfg, &m, &sent, err)) != 0) {
		ret = rc == 1 ? 0 : -1;
		goto done;
	}
	if (notify_set_root(st, t, sent.message_id, err) == -1)
		goto done;
	log_info("notify ticket=%lld agent=%s kind=%s", (long long)t->t.id,
	    a->name, config_agents_notice_name(kind));
	ret = 0;
done:
	free(reply_to);
	free(prev);
	free(body);
	free(subject);
	free(latest);
	return ret;
}

/*
 * The Message-ID of the latest notice about t to a (NULL if none).  The
 * outbox keeps every notice; the scan walks a's notices newest first
 * (index outbox_rcpt) and never past the request's creation, so it costs
 * what a got since then, not what the database holds.
 */
static int
notify_previous(struct store *st, const struct notify_ticket *t,
    const struct agent *a, char **out, struct error *err)
{
	return outbox_latest_message_id(st, t->t.id,
	    mailout_kind_name(MAILOUT_NOTIFY), a->addresses[0],
	    t->t.created_at, out, err);
}

/* The notice's subject (with the token) and body from kind's templates. */
static int
notify_render(const struct config *cfg, const struct notify_ticket *t,
    const struct agent *a, enum config_agents_notice kind, const char *text,
    const char *actor, const char *result, char **subject_out,
    char **body_out, struct error *err)
{
	struct subject_token	*tok;
	struct template_var	 vars[25];
	struct buf		 body;
	const char		*marker = config_agents_reply_marker(cfg);
	char			*token, *idstr, *card, *state, *quoted;
	char			*rendered, *nearlier, *warning = NULL;
	const char		*sender = t->sender_email != NULL ?
				    t->sender_email : t->customer_email;
	const char		*sender_name;
	size_t			 nv = 0;

	if ((tok = subject_token_new(cfg->token_format, err)) == NULL)
		return -1;
	token = subject_token_format(tok, (uint64_t)t->t.id);
	xasprintf(&idstr, "%lld", (long long)t->t.id);
	xasprintf(&nearlier, "%lld", (long long)t->earlier);
	card = notify_card(t);
	state = notify_state(t);
	quoted = notify_quote(text);
	/* the sender's own name: the customer's only if it is the customer */
	if (t->sender_email != NULL)
		sender_name = t->sender_name != NULL && *t->sender_name !=
		    '\0' ? t->sender_name : t->sender_email;
	else
		sender_name = t->c.name != NULL && *t->c.name != '\0' ?
		    t->c.name : t->customer_email;
	if (t->flag != NULL)
		xasprintf(&warning, "WARNING: %s.\n\n",
		    message_flag_text(t->flag));
	vars[nv++] = (struct template_var){ "id", idstr };
	vars[nv++] = (struct template_var){ "token", token };
	vars[nv++] = (struct template_var){ "subject", t->t.subject };
	vars[nv++] = (struct template_var){ "text", text };
	vars[nv++] = (struct template_var){ "quoted_text", quoted };
	vars[nv++] = (struct template_var){ "customer_name",
	    t->c.name != NULL && *t->c.name != '\0' ?
	    t->c.name : t->customer_email };
	vars[nv++] = (struct template_var){ "customer_email",
	    t->customer_email };
	vars[nv++] = (struct template_var){ "customer_company", t->company };
	vars[nv++] = (struct template_var){ "customer_requests", nearlier };
	vars[nv++] = (struct template_var){ "card", card };
	vars[nv++] = (struct template_var){ "state", state };
	vars[nv++] = (struct template_var){ "status", t->t.status };
	vars[nv++] = (struct template_var){ "priority", t->t.priority };
	vars[nv++] = (struct template_var){ "category", t->t.category };
	vars[nv++] = (struct template_var){ "assignee", t->t.assignee };
	vars[nv++] = (struct template_var){ "agent", a->name };
	vars[nv++] = (struct template_var){ "agent_name", a->display_name };
	vars[nv++] = (struct template_var){ "actor", actor };
	vars[nv++] = (struct template_var){ "support_address",
	    cfg->support_addresses[0] };
	vars[nv++] = (struct template_var){ "support_name", cfg->support_name };
	vars[nv++] = (struct template_var){ "marker", marker };
	vars[nv++] = (struct template_var){ "result", result };
	vars[nv++] = (struct template_var){ "sender_name", sender_name };
	vars[nv++] = (struct template_var){ "sender_email", sender };
	vars[nv++] = (struct template_var){ "warning", warning };
	rendered = template_render(config_agents_notice_subject(cfg, kind),
	    vars, nv);
	*subject_out = subject_token_apply(tok, rendered, (uint64_t)t->t.id);
	free(rendered);
	rendered = template_render(config_agents_notice_body(cfg, kind),
	    vars, nv);
	/* the cut relies on the marker: an admin's template may forget it */
	buf_init(&body);
	if (strstr(rendered, marker) == NULL)
		buf_printf(&body, "%s\n\n", marker);
	buf_append_str(&body, rendered);
	buf_append_char(&body, '\0');
	*body_out = buf_steal(&body, NULL);
	free(rendered);
	free(warning);
	free(quoted);
	free(state);
	free(card);
	free(nearlier);
	free(idstr);
	free(token);
	subject_token_free(tok);
	return 0;
}

static char *
notify_card(const struct notify_ticket *t)
{
	struct buf	 b;

	buf_init(&b);
	buf_printf(&b, "Customer: %s\n", t->c.name != NULL &&
	    *t->c.name != '\0' ? t->c.name : "(no name)");
	buf_printf(&b, "Addresses: %s\n", t->addresses != NULL &&
	    *t->addresses != '\0' ? t->addresses : "(none)");
	if (t->company != NULL)
		buf_printf(&b, "Company: %s\n", t->company);
	buf_printf(&b, "Earlier requests: %lld\n", (long long)t->earlier);
	return buf_steal(&b, NULL);
}

static char *
notify_state(const struct notify_ticket *t)
{
	struct buf	 b;

	buf_init(&b);
	buf_printf(&b, "Request #%lld: %s\n", (long long)t->t.id,
	    t->t.subject != NULL ? t->t.subject : "");
	buf_printf(&b, "Status: %s\nPriority: %s\nCategory: %s\n"
	    "Assignee: %s\n", t->t.status, t->t.priority,
	    t->t.category != NULL ? t->t.category : "(none)",
	    t->t.assignee != NULL ? t->t.assignee : "(nobody)");
	return buf_steal(&b, NULL);
}

static char *
notify_quote(const char *text)
{
	struct buf	 b;
	const char	*p = text != NULL ? text : "", *nl;

	buf_init(&b);
	while (*p != '\0') {
		buf_append_str(&b, "> ");
		if ((nl = strchr(p, '\n')) == NULL) {
			buf_append_str(&b, p);
			buf_append_char(&b, '\n');
			break;
		}
		buf_append(&b, p, (size_t)(nl - p + 1));
		p = nl + 1;
	}
	buf_append_char(&b, '\0');
	return buf_steal(&b, NULL);
}

/* The request's first notice starts the agents' thread. */
static int
notify_set_root(struct store *st, struct notify_ticket *t, const char *msgid,
    struct error *err)
{
	if (t->t.thread_root != NULL)
		return 0;
	if (ticket_set_thread_root(st, t->t.id, msgid, err) == -1)
		return -1;
	t->t.thread_root = xstrdup(msgid);
	return 0;
}

/*
 * The files of the customer's message v (mime.c's files: not the
 * pictures an HTML body shows), one line each with name, type and size
 * into t->files (NULL when there are none).  The first ones, up to
 * notifications.attach_max bytes in all, go along as they came (whole
 * entities of the raw message, as relays carry an agent's files, in
 * t->parts); the others are listed with the triagectl command line that
 * writes them out: an agent's mailbox need not take a customer's 25 MB.
 */
static int
notify_files(struct store *st, const struct pipeline_view *v,
    struct notify_ticket *t, struct error *err)
{
	int64_t				 max = config_agents_attach_max(v->cfg);
	int64_t				 used = 0;
	bool				 attach;
	struct message_attachment	*rows;
	const struct mime_attachment	*p;
	struct buf			 b;
	size_t				 n, i, k, name, nfiles = 0;

	if (v->pm == NULL || v->pm->nattachments == 0 || v->message_row == 0)
		return 0;
	if (message_attachments(st, v->ticket_id, &rows, &n, err) == -1)
		return -1;
	buf_init(&b);
	t->parts = xcalloc(n + 1, sizeof(*t->parts));
	for (i = 0; i < n; i++) {
		if (rows[i].message != v->message_row ||
		    rows[i].index >= v->pm->nattachments)
			continue;
		p = &v->pm->attachments[rows[i].index];
		if (!p->file)
			continue;
		if (nfiles++ == 0)
			buf_append_str(&b, "Files:\n");
		/* A stranger's name: no line of its own in our notice. */
		buf_append_str(&b, "- ");
		name = b.len;
		buf_append_str(&b, p->filename != NULL ? p->filename :
		    "unnamed");
		for (k = name; k < b.len; k++)
			if ((unsigned char)b.data[k] < 0x20 ||
			    b.data[k] == 0x7f)
				b.data[k] = '?';
		buf_printf(&b, " (%s, ", p->content_type != NULL ?
		    p->content_type : "application/octet-stream");
		notify_size(&b, rows[i].size);
		attach = p->entity_len > 0 && p->entity_off <= v->in->len &&
		    p->entity_len <= v->in->len - p->entity_off &&
		    rows[i].size <= max - used;
		if (attach) {
			used += rows[i].size;
			t->parts[t->nparts].entity = v->in->raw +
			    p->entity_off;
			t->parts[t->nparts++].entity_len = p->entity_len;
			buf_append_str(&b, "): attached\n");
		} else
			buf_printf(&b, "): triagectl attachment %lld %lld\n",
			    (long long)v->ticket_id, (long long)rows[i].id);
	}
	message_attachments_free(rows, n);
	if (nfiles == 0) {
		buf_release(&b);
		return 0;
	}
	t->files = buf_steal(&b, NULL);
	return 0;
}

/* "880 bytes", "12.5 KB", "3.1 MB" (1024-based, as file managers). */
static void
notify_size(struct buf *b, int64_t size)
{
	if (size < 1024)
		buf_printf(b, "%lld bytes", (long long)size);
	else if (size < 1024 * 1024)
		buf_printf(b, "%.1f KB", (double)size / 1024);
	else
		buf_printf(b, "%.1f MB", (double)size / (1024 * 1024));
}

/*
 * The canned answers and knowledge base articles that may answer a new
 * request (issue 19), those reaching knowledge_base.min_score, for the
 * agents' notice: after the template's text, as the files are.
 */
static int
notify_suggested(struct store *st, const struct pipeline_view *v,
    struct notify_ticket *t, struct error *err)
{
	struct kb_hit	*hits;
	struct buf	 b;
	size_t		 n, i, ncanned = 0, narticles = 0;

	if (v->pm == NULL)
		return 0;
	if (kb_suggest(st, v->kb, v->pm->subject, v->pm->body, NULL,
	    v->cfg->kb_min_score, 5, &hits, &n, err) == -1)
		return -1;
	if (n == 0)
		return 0;
	buf_init(&b);
	for (i = 0; i < n; i++) {
		if (strcmp(hits[i].kind, KB_KIND_CANNED) != 0)
			continue;
		if (ncanned++ == 0)
			buf_append_str(&b, "Canned answers that may fit "
			    "(#template NAME in your reply):\n");
		buf_printf(&b, "- %s\n", hits[i].path);
	}
	for (i = 0; i < n; i++) {
		if (strcmp(hits[i].kind, KB_KIND_ARTICLE) != 0)
			continue;
		if (narticles++ == 0)
			buf_printf(&b, "%sKnowledge base articles that may "
			    "answer it:\n", ncanned > 0 ? "\n" : "");
		buf_printf(&b, "- %s", hits[i].title);
		if (hits[i].url != NULL)
			buf_printf(&b, " <%s>", hits[i].url);
		buf_append_char(&b, '\n');
	}
	kb_index_hits_free(hits, n);
	t->suggested = buf_steal(&b, NULL);
	return 0;
}
