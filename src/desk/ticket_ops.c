/*
 * ticket_ops: the actions on a request, shared by agents' mail commands,
 * triagectl, rules and SLA escalations (ticket_ops.h).  Each one checks
 * what it was asked in words an agent understands, changes the row,
 * writes one `events` row (kind as store_schema.c migration 3 lists
 * them), lets the SLA module recompute deadlines when the change moves
 * them, and queues the notices -- all in the caller's transaction, so a
 * refusal later in the same agent mail rolls everything back with it.
 *
 * A change to what the request already is (assigning the assignee,
 * setting the status it has) is done and silent: no event, no notice,
 * so a command repeated by a redelivered or re-sent mail is harmless.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "address.h"
#include "compose.h"
#include "config.h"
#include "config_agents.h"
#include "config_language.h"
#include "customer.h"
#include "error.h"
#include "history.h"
#include "language.h"
#include "mailout.h"
#include "message.h"
#include "mime.h"
#include "notify.h"
#include "routing.h"
#include "sla.h"
#include "subject_token.h"
#include "template.h"
#include "thread_id.h"
#include "ticket.h"
#include "ticket_cc.h"
#include "ticket_ops.h"
#include "task.h"
#include "ticket_tag.h"
#include "xmalloc.h"

/* How many Message-IDs a relay's References carries at most. */
#define TICKET_OPS_REFS_MAX	20
#define TICKET_OPS_NAME_MAX	64

/* Where mail to the customer goes and what it answers. */
struct ticket_ops_customer {
	char	*addr;
	char	*name;
	char	*in_reply_to;		/* the customer's latest Message-ID */
	char	**refs;
	size_t	 nrefs;
	char	**cc;
	size_t	 ncc;
};

static int	ticket_ops_event(struct store *, int64_t, time_t, const char *,
		    const char *, const char *, struct error *);
static bool	ticket_ops_word_ok(const char *, bool);
static int	ticket_ops_open(struct store *, int64_t, struct ticket *,
		    struct error *);
static int	ticket_ops_told(struct store *, const struct config *, int64_t,
		    const struct agent *, const char *, const char *, time_t,
		    struct error *);
static int	ticket_ops_tell_customer(struct store *, const struct config *,
		    const struct ticket *, const struct agent *, time_t,
		    struct error *);
static int	ticket_ops_notice_render(const struct config *,
		    const struct ticket *, const struct agent *,
		    const struct ticket_ops_customer *, char *lang,
		    char **, char **, struct error *);
static int	ticket_ops_customer_load(struct store *, const struct config *,
		    const struct ticket *, struct ticket_ops_customer *,
		    struct error *);
static int	ticket_ops_customer_first(struct store *, int64_t,
		    struct ticket_ops_customer *, struct error *);
static void	ticket_ops_customer_check(const struct config *,
		    struct ticket_ops_customer *);
static int	ticket_ops_customer_refs(struct store *, int64_t,
		    struct ticket_ops_customer *, struct error *);
static int	ticket_ops_customer_cc(struct store *, const struct config *,
		    int64_t, struct ticket_ops_customer *, struct error *);
static void	ticket_ops_customer_free(struct ticket_ops_customer *);
static int	ticket_ops_relay(struct store *, const struct config *,
		    const struct ticket *, const struct agent *,
		    const char *, const struct compose_part *, size_t, time_t,
		    struct error *);
static size_t	ticket_ops_files(const char *, size_t,
		    const struct parsed_message *, struct compose_part **);
static int	ticket_ops_after_reply(struct store *, const struct config *,
		    const struct ticket *, const struct agent *,
		    int64_t, time_t, struct error *);
static int	ticket_ops_move(struct store *, int64_t, int64_t,
		    struct error *);

/* --- assign, status, priority, category ------------------------------ */

int
ticket_ops_assign(struct store *st, const struct config *cfg, int64_t ticket,
    const char *agent, const char *actor, time_t now, struct error *err)
{
	struct ticket		 t;
	const struct agent	*a = NULL, *was;
	char			*detail;
	int			 rc = -1;

	if (agent != NULL && (a = config_agents_find(cfg, agent)) == NULL)
		return error_set(err, ERR_PERM, "no agent %s", agent);
	if (ticket_ops_open(st, ticket, &t, err) == -1)
		return -1;
	if (xstreq(t.assignee, agent)) {
		ticket_clear(&t);
		return 0;
	}
	was = config_agents_find(cfg, t.assignee);
	if (t.assignee != NULL)
		xasprintf(&detail, "%s (was %s)", agent != NULL ? agent :
		    "nobody", t.assignee);
	else
		detail = xstrdup(agent != NULL ? agent : "nobody");
	if (ticket_set_assignee(st, ticket, agent, now, err) == -1 ||
	    ticket_ops_told(st, cfg, ticket, a, actor, detail, now,
	    err) == -1)
		goto out;
	if (a != NULL && was != NULL &&
	    config_agents_tell_customer_on_reassign(cfg) &&
	    ticket_ops_tell_customer(st, cfg, &t, a, now, err) == -1)
		goto out;
	rc = 0;
out:
	free(detail);
	ticket_clear(&t);
	return rc;
}

int
ticket_ops_assigned(struct store *st, const struct config *cfg,
    int64_t ticket, const char *agent, const char *actor, time_t now,
    struct error *err)
{
	const struct agent *a;

	if ((a = config_agents_find(cfg, agent)) == NULL)
		return error_set(err, ERR_PERM, "no agent %s", agent);
	return ticket_ops_told(st, cfg, ticket, a, actor, agent, now, err);
}

/* The "assigned" event of a new assignee a (NULL: nobody), who is told. */
static int
ticket_ops_told(struct store *st, const struct config *cfg, int64_t ticket,
    const struct agent *a, const char *actor, const char *detail,
    time_t now, struct error *err)
{
	if (ticket_ops_event(st, ticket, now, "assigned", actor, detail,
	    err) == -1)
		return -1;
	return a != NULL ? notify_assigned(st, cfg, ticket, a->name, actor,
	    now, err) : 0;
}

int
ticket_ops_status(struct store *st, const struct config *cfg, int64_t ticket,
    const char *status, const char *actor, time_t now, struct error *err)
{
	struct ticket		 t;
	char			*detail;
	bool			 reopen;
	int			 rc = -1;

	if (status == NULL || !ticket_status_valid(status))
		return error_set(err, ERR_PERM, "unknown status %s (use new, "
		    "open, pending, resolved or closed)", status != NULL ?
		    status : "(none)");
	if (ticket_ops_open(st, ticket, &t, err) == -1)
		return -1;
	if (strcmp(t.status, status) == 0) {
		ticket_clear(&t);
		return 0;
	}
	reopen = (strcmp(t.status, "resolved") == 0 ||
	    strcmp(t.status, "closed") == 0) &&
	    strcmp(status, "resolved") != 0 && strcmp(status, "closed") != 0;
	xasprintf(&detail, "%s -> %s", t.status, status);
	if (ticket_set_status(st, ticket, status, reopen, now, err) == 0 &&
	    ticket_ops_event(st, ticket, now, "status", actor, detail,
	    err) == 0 &&
	    (!reopen || ticket_ops_event(st, ticket, now, "reopened", actor,
	    detail, err) == 0) &&
	    sla_update(st, cfg, ticket, now, err) == 0)
		rc = 0;
	free(detail);
	ticket_clear(&t);
	return rc;
}

int
ticket_ops_priority(struct store *st, const struct config *cfg,
    int64_t ticket, const char *priority, const char *actor, time_t now,
    struct error *err)
{
	struct ticket		 t;
	char			*levels, *detail;
	int			 rc = -1;

	if (priority == NULL ||
	    config_routing_priority_rank(cfg, priority) < 0) {
		levels = config_routing_priority_list(cfg);
		error_set(err, ERR_PERM, "unknown priority %s (use %s)",
		    priority != NULL ? priority : "(none)", levels);
		free(levels);
		return -1;
	}
	if (ticket_ops_open(st, ticket, &t, err) == -1)
		return -1;
	if (strcmp(t.priority, priority) == 0) {
		ticket_clear(&t);
		return 0;
	}
	xasprintf(&detail, "%s -> %s", t.priority, priority);
	if (ticket_set_priority(st, ticket, priority, now, err) == 0 &&
	    ticket_ops_event(st, ticket, now, "priority", actor, detail,
	    err) == 0 && sla_update(st, cfg, ticket, now, err) == 0)
		rc = 0;
	free(detail);
	ticket_clear(&t);
	return rc;
}

int
ticket_ops_category(struct store *st, const struct config *cfg,
    int64_t ticket, const char *category, const char *actor, time_t now,
    struct error *err)
{
	struct ticket		 t;
	int			 rc = -1;

	if (category != NULL && (!ticket_ops_word_ok(category, true) ||
	    (config_routing_category_count(cfg) > 0 &&
	    !config_routing_category_exists(cfg, category))))
		return error_set(err, ERR_PERM, "unknown category %s",
		    category);
	if (ticket_ops_open(st, ticket, &t, err) == -1)
		return -1;
	if (xstreq(t.category, category)) {
		ticket_clear(&t);
		return 0;
	}
	if (ticket_set_category(st, ticket, category, now, err) == 0 &&
	    ticket_ops_event(st, ticket, now, "category", actor,
	    category != NULL ? category : "", err) == 0 &&
	    sla_update(st, cfg, ticket, now, err) == 0)
		rc = 0;
	ticket_clear(&t);
	return rc;
}

/* --- tags and Cc ------------------------------------------------------ */

int
ticket_ops_tag(struct store *st, const struct config *cfg, int64_t ticket,
    const char *tag, bool add, const char *actor, time_t now,
    struct error *err)
{
	struct ticket		 t;
	bool			 changed;
	int			 rc;

	(void)cfg;
	if (tag == NULL || !ticket_ops_word_ok(tag, false))
		return error_set(err, ERR_PERM, "bad tag \"%s\" (one word of "
		    "letters, digits, - _ .)", tag != NULL ? tag : "");
	if (ticket_ops_open(st, ticket, &t, err) == -1)
		return -1;
	ticket_clear(&t);
	rc = add ? ticket_tag_add(st, ticket, tag, &changed, err) :
	    ticket_tag_remove(st, ticket, tag, &changed, err);
	if (rc == -1)
		return -1;
	if (!changed)
		return 0;
	if (ticket_touch(st, ticket, now, err) == -1)
		return -1;
	return ticket_ops_event(st, ticket, now, add ? "tag" : "untag", actor,
	    tag, err);
}

int
ticket_ops_cc(struct store *st, const struct config *cfg, int64_t ticket,
    const char *address, const char *actor, time_t now, struct error *err)
{
	struct ticket		 t;
	char			*addr;
	bool			 added;
	int			 rc;

	if (address == NULL || !address_ok(address))
		return error_set(err, ERR_PERM, "\"%s\" is not an address",
		    address != NULL ? address : "");
	addr = customer_normalize_address(address);
	if (config_is_support_address(cfg, addr) ||
	    config_agents_by_address(cfg, addr) != NULL) {
		error_set(err, ERR_PERM, "%s is ours or an agent's; Cc is for "
		    "the customer's side", addr);
		free(addr);
		return -1;
	}
	if (ticket_ops_open(st, ticket, &t, err) == -1) {
		free(addr);
		return -1;
	}
	ticket_clear(&t);
	rc = ticket_cc_add(st, ticket, addr, NULL, &added, err);
	if (rc == 0 && added)
		rc = ticket_ops_event(st, ticket, now, "cc", actor, addr, err);
	free(addr);
	return rc;
}

/* --- note and reply --------------------------------------------------- */

int
ticket_ops_note(struct store *st, const struct config *cfg, int64_t ticket,
    const char *agent, const char *text, time_t now, struct error *err)
{
	struct ticket		 t;
	struct message_row	 m;
	const struct agent	*a;
	int64_t			 row;
	char			 detail[32];
	int			 rc = -1;

	if ((a = config_agents_find(cfg, agent)) == NULL)
		return error_set(err, ERR_PERM, "no agent %s",
		    agent != NULL ? agent : "(none)");
	if (text == NULL || text[strspn(text, " \t\r\n")] == '\0')
		return error_set(err, ERR_PERM, "the note is empty");
	if (ticket_ops_open(st, ticket, &t, err) == -1)
		return -1;
	memset(&m, 0, sizeof(m));
	m.ticket_id = ticket;
	m.direction = "note";
	m.from_addr = a->addresses[0];
	m.from_name = a->display_name;
	m.subject = t.subject;
	m.body = text;
	m.source = "agent";
	m.agent = a->name;
	m.created_at = now;
	if (message_insert(st, &m, &row, err) == -1 ||
	    ticket_touch(st, ticket, now, err) == -1)
		goto out;
	(void)snprintf(detail, sizeof(detail), "message %lld", (long long)row);
	if (ticket_ops_event(st, ticket, now, "note", a->name, detail,
	    err) == -1 ||
	    notify_note(st, cfg, ticket, a->name, text, now, err) == -1)
		goto out;
	rc = 0;
out:
	ticket_clear(&t);
	return rc;
}

int
ticket_ops_reply(struct store *st, const struct config *cfg, int64_t ticket,
    const char *agent, const char *text, time_t now, struct error *err)
{
	struct ticket		 t;
	const struct agent	*a;
	int			 rc;

	if ((a = config_agents_find(cfg, agent)) == NULL)
		return error_set(err, ERR_PERM, "no agent %s",
		    agent != NULL ? agent : "(none)");
	if (text == NULL || text[strspn(text, " \t\r\n")] == '\0')
		return error_set(err, ERR_PERM, "the reply is empty");
	if (ticket_ops_open(st, ticket, &t, err) == -1)
		return -1;
	rc = ticket_ops_relay(st, cfg, &t, a, text, NULL, 0, now, err);
	ticket_clear(&t);
	return rc;
}

int
ticket_ops_reply_mime(struct store *st, const struct config *cfg,
    int64_t ticket, const char *agent, const char *text, const char *raw,
    size_t len, const struct parsed_message *pm, time_t now,
    struct error *err)
{
	struct parsed_message	*own = NULL;
	struct compose_part	*files = NULL;
	struct ticket		 t;
	const struct agent	*a;
	size_t			 nfiles = 0;
	int			 rc;

	if ((a = config_agents_find(cfg, agent)) == NULL)
		return error_set(err, ERR_PERM, "no agent %s",
		    agent != NULL ? agent : "(none)");
	if (raw != NULL && pm == NULL)
		pm = own = mime_parse(raw, len);
	if (raw != NULL)
		nfiles = ticket_ops_files(raw, len, pm, &files);
	/* attachments alone are worth relaying */
	if ((text == NULL || text[strspn(text, " \t\r\n")] == '\0') &&
	    nfiles == 0)
		rc = error_set(err, ERR_PERM, "the reply is empty");
	else if ((rc = ticket_ops_open(st, ticket, &t, err)) == 0) {
		rc = ticket_ops_relay(st, cfg, &t, a, text != NULL ? text : "",
		    files, nfiles, now, err);
		ticket_clear(&t);
	}
	free(files);
	mime_free(own);
	return rc;
}

/*
 * The files the agent attached (mime.c decides which parts are files),
 * each as its whole entity in raw: they go out as they came, byte for
 * byte.  A new array (free it) of *out; the count.
 */
static size_t
ticket_ops_files(const char *raw, size_t len, const struct parsed_message *pm,
    struct compose_part **out)
{
	const struct mime_attachment	*at;
	size_t				 i, n = 0;

	*out = xcalloc(pm->nattachments + 1, sizeof(**out));
	for (i = 0; i < pm->nattachments; i++) {
		at = &pm->attachments[i];
		if (!at->file || at->entity_len == 0 ||
		    at->entity_off > len || at->entity_len > len -
		    at->entity_off)
			continue;
		(*out)[n].entity = raw + at->entity_off;
		(*out)[n++].entity_len = at->entity_len;
	}
	return n;
}

/*
 * The customer's copy: personal mail from the agent under our address,
 * so no Auto-Submitted (the customer's autoresponder may answer it, and
 * the intake knows such answers for what they are).
 */
static int
ticket_ops_relay(struct store *st, const struct config *cfg,
    const struct ticket *t, const struct agent *a, const char *text,
    const struct compose_part *files, size_t nfiles, time_t now,
    struct error *err)
{
	struct ticket_ops_customer c;
	struct subject_token	*tok;
	struct compose_addr	 to, *cc;
	struct mailout		 m;
	struct mailout_sent	 sent;
	char			*applied, *subject;
	size_t			 i;
	int			 rc = -1;

	if (ticket_ops_customer_load(st, cfg, t, &c, err) == -1)
		return -1;
	if (c.addr == NULL) {
		ticket_ops_customer_free(&c);
		return error_set(err, ERR_PERM, "request #%lld has no customer "
		    "address to answer", (long long)t->id);
	}
	if ((tok = subject_token_new(cfg->token_format, err)) == NULL) {
		ticket_ops_customer_free(&c);
		return -1;
	}
	applied = subject_token_apply(tok, t->subject, (uint64_t)t->id);
	xasprintf(&subject, "Re: %s", applied);
	to = (struct compose_addr){ c.name, c.addr };
	cc = xcalloc(c.ncc + 1, sizeof(*cc));
	for (i = 0; i < c.ncc; i++)
		cc[i].addr = c.cc[i];
	memset(&m, 0, sizeof(m));
	m.kind = MAILOUT_REPLY;
	m.ticket_id = t->id;
	m.to = &to;
	m.nto = 1;
	m.cc = cc;
	m.ncc = c.ncc;
	m.from_name = a->display_name;
	m.agent = a->name;
	m.subject = subject;
	m.text = text;
	m.in_reply_to = c.in_reply_to;
	m.references = (const char *const *)c.refs;
	m.nreferences = c.nrefs;
	m.parts = files;
	m.nparts = nfiles;
	m.now = now;
	switch (mailout_queue(st, cfg, &m, &sent, err)) {
	case 0:
		rc = ticket_ops_after_reply(st, cfg, t, a, sent.history_row,
		    now, err);
		break;
	case 1:
		rc = error_set(err, ERR_PERM, "request #%lld: the customer's "
		    "address %s cannot be written to", (long long)t->id,
		    c.addr);
		break;
	}
	free(cc);
	free(subject);
	free(applied);
	subject_token_free(tok);
	ticket_ops_customer_free(&c);
	return rc;
}

/* First response, "first reply takes it", the event, the deadlines. */
static int
ticket_ops_after_reply(struct store *st, const struct config *cfg,
    const struct ticket *t, const struct agent *a, int64_t row,
    time_t now, struct error *err)
{
	char		 detail[32];

	if (ticket_mark_replied(st, t->id, a->name, now, err) == -1)
		return -1;
	if (t->assignee == NULL && ticket_ops_event(st, t->id, now, "assigned",
	    a->name, "first reply", err) == -1)
		return -1;
	if (strcmp(t->status, "new") == 0 && ticket_ops_event(st, t->id, now,
	    "status", a->name, "new -> open", err) == -1)
		return -1;
	(void)snprintf(detail, sizeof(detail), "message %lld", (long long)row);
	if (ticket_ops_event(st, t->id, now, "reply", a->name, detail,
	    err) == -1)
		return -1;
	return sla_update(st, cfg, t->id, now, err);
}

/*
 * "Anna is handling your request now", when the config asks for it: an
 * automatic notice (RFC 3834: Auto-Submitted, null envelope sender), kept
 * in the history as an `auto` message like the acknowledgement.
 */
static int
ticket_ops_tell_customer(struct store *st, const struct config *cfg,
    const struct ticket *t, const struct agent *a, time_t now,
    struct error *err)
{
	struct ticket_ops_customer c;
	struct compose_addr	 to;
	struct mailout		 m;
	char			 lang[LANGDETECT_CODE_MAX];
	char			*subject = NULL, *body = NULL;
	const char		*how;
	int			 rc;

	if (ticket_ops_customer_load(st, cfg, t, &c, err) == -1)
		return -1;
	if (c.addr == NULL) {
		ticket_ops_customer_free(&c);
		return 0;
	}
	/*
	 * Their language as language.h chooses it; no message to read here,
	 * but each of theirs taught what it could when it came.
	 */
	if (language_of_customer(st, cfg, t->customer_id, lang, &how,
	    err) == -1 || ticket_ops_notice_render(cfg, t, a, &c, lang,
	    &subject, &body, err) == -1) {
		ticket_ops_customer_free(&c);
		return -1;
	}
	to = (struct compose_addr){ c.name, c.addr };
	memset(&m, 0, sizeof(m));
	m.kind = MAILOUT_NOTICE;
	m.ticket_id = t->id;
	m.to = &to;
	m.nto = 1;
	m.subject = subject;
	m.text = body;
	m.in_reply_to = c.in_reply_to;
	m.references = (const char *const *)c.refs;
	m.nreferences = c.nrefs;
	m.now = now;
	m.language = lang[0] != '\0' ? lang : NULL;
	/* an unsendable address: the change stands */
	rc = mailout_queue(st, cfg, &m, NULL, err) == -1 ? -1 : 0;
	free(body);
	free(subject);
	ticket_ops_customer_free(&c);
	return rc;
}

/*
 * The reassigned_customer template of lang (language.templates), else
 * the setting's (lang then becomes "": whatever language the admin wrote
 * it in), with the token in the subject.
 */
static int
ticket_ops_notice_render(const struct config *cfg,
    const struct ticket *t, const struct agent *a,
    const struct ticket_ops_customer *c, char *lang,
    char **subject_out, char **body_out, struct error *err)
{
	struct subject_token	*tok;
	struct template_var	 vars[10];
	const struct template	*tsubj, *tbody;
	char			*token, *idstr, *rendered;

	if ((tok = subject_token_new(cfg->token_format, err)) == NULL)
		return -1;
	token = subject_token_format(tok, (uint64_t)t->id);
	xasprintf(&idstr, "%lld", (long long)t->id);
	vars[0] = (struct template_var){ "id", idstr };
	vars[1] = (struct template_var){ "token", token };
	vars[2] = (struct template_var){ "subject", t->subject };
	vars[3] = (struct template_var){ "customer_name", c->name != NULL &&
	    *c->name != '\0' ? c->name : c->addr };
	vars[4] = (struct template_var){ "customer_email", c->addr };
	vars[5] = (struct template_var){ "agent", a->name };
	vars[6] = (struct template_var){ "agent_name", a->display_name };
	vars[7] = (struct template_var){ "support_address",
	    cfg->support_addresses[0] };
	vars[8] = (struct template_var){ "support_name", cfg->support_name };
	vars[9] = (struct template_var){ "assignee", a->name };
	if (config_language_template(cfg, lang, CONFIG_LANGUAGE_REASSIGNED,
	    &tsubj, &tbody) == 0) {
		tsubj = config_agents_notice_subject(cfg,
		    AGENTS_NOTICE_REASSIGNED_CUSTOMER);
		tbody = config_agents_notice_body(cfg,
		    AGENTS_NOTICE_REASSIGNED_CUSTOMER);
		lang[0] = '\0';
	}
	rendered = template_render(tsubj, vars, 10);
	*subject_out = subject_token_apply(tok, rendered, (uint64_t)t->id);
	*body_out = template_render(tbody, vars, 10);
	free(rendered);
	free(idstr);
	free(token);
	subject_token_free(tok);
	return 0;
}

/* --- the customer's side of a request -------------------------------- */

/*
 * To the request's customer, at the address they last wrote from (else
 * their first), answering the latest message on the request, with the
 * request's Cc.  Mail from others threaded onto the request (a forged
 * agent From is customer mail, promise 5) is answered but never
 * receives the relay: it goes to the customer the request belongs to.
 */
static int
ticket_ops_customer_load(struct store *st, const struct config *cfg,
    const struct ticket *t, struct ticket_ops_customer *c,
    struct error *err)
{
	struct message_stored	 m;

	memset(c, 0, sizeof(*c));
	if (message_latest(st, t->id, "in", &m, err) == -1)
		return -1;
	c->in_reply_to = m.message_id;
	m.message_id = NULL;
	message_stored_clear(&m);
	if (message_latest_from(st, t->id, t->customer_id, &m, err) == -1)
		goto fail;
	c->addr = m.from_addr;
	c->name = m.from_name;
	m.from_addr = m.from_name = NULL;
	message_stored_clear(&m);
	if ((c->addr == NULL || !address_ok(c->addr)) &&
	    ticket_ops_customer_first(st, t->customer_id, c, err) == -1)
		goto fail;
	if (c->addr != NULL)
		ticket_ops_customer_check(cfg, c);
	if (ticket_ops_customer_refs(st, t->id, c, err) == -1 ||
	    ticket_ops_customer_cc(st, cfg, t->id, c, err) == -1)
		goto fail;
	return 0;
fail:
	ticket_ops_customer_free(c);
	return -1;
}

/* Where the customer's own mail gives no address: their first one. */
static int
ticket_ops_customer_first(struct store *st, int64_t customer,
    struct ticket_ops_customer *c, struct error *err)
{
	struct customer	 cu;

	free(c->addr);
	c->addr = NULL;
	if (customer_load(st, customer, &cu, err) == -1)
		return -1;
	if (c->name == NULL && cu.id != 0) {
		c->name = cu.name;
		cu.name = NULL;
	}
	if (cu.naddresses > 0)
		c->addr = xstrdup(cu.addresses[0]);
	customer_clear(&cu);
	return 0;
}

/* Lowercased; never relay to ourselves or to an agent. */
static void
ticket_ops_customer_check(const struct config *cfg,
    struct ticket_ops_customer *c)
{
	char	*lower;

	lower = customer_normalize_address(c->addr);
	free(c->addr);
	c->addr = lower;
	if (!address_ok(c->addr) ||
	    config_is_support_address(cfg, c->addr) ||
	    config_agents_by_address(cfg, c->addr) != NULL) {
		free(c->addr);
		c->addr = NULL;
	}
}

/*
 * References: the request's conversation as the customer saw it (their
 * messages and our relays), the first kept and the latest ones, ending
 * at the message answered, so any client threads the relay under it.
 */
static int
ticket_ops_customer_refs(struct store *st, int64_t ticket,
    struct ticket_ops_customer *c, struct error *err)
{
	char	**ids;
	size_t	 i, n;

	if (message_conversation_ids(st, ticket, &ids, &n, err) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (c->nrefs == TICKET_OPS_REFS_MAX) {
			free(c->refs[1]);
			memmove(&c->refs[1], &c->refs[2], (c->nrefs - 2) *
			    sizeof(*c->refs));
			c->nrefs--;
		}
		c->refs = xreallocarray(c->refs, c->nrefs + 1,
		    sizeof(*c->refs));
		c->refs[c->nrefs++] = ids[i];
	}
	free(ids);
	/* our relays came after the customer's latest: end at theirs */
	while (c->in_reply_to != NULL && c->nrefs > 1 &&
	    strcmp(c->refs[c->nrefs - 1], c->in_reply_to) != 0)
		free(c->refs[--c->nrefs]);
	return 0;
}

static int
ticket_ops_customer_cc(struct store *st, const struct config *cfg,
    int64_t ticket, struct ticket_ops_customer *c, struct error *err)
{
	struct ticket_cc	*cc;
	const char		*addr;
	size_t			 i, n;

	if (ticket_cc_list(st, ticket, &cc, &n, err) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		addr = cc[i].address;
		if (addr == NULL || !address_ok(addr) ||
		    (c->addr != NULL && strcasecmp(addr, c->addr) == 0) ||
		    config_is_support_address(cfg, addr) ||
		    config_agents_by_address(cfg, addr) != NULL)
			continue;
		c->cc = xreallocarray(c->cc, c->ncc + 1, sizeof(*c->cc));
		c->cc[c->ncc++] = xstrdup(addr);
	}
	ticket_cc_free(cc, n);
	return 0;
}

static void
ticket_ops_customer_free(struct ticket_ops_customer *c)
{
	size_t	 i;

	free(c->addr);
	free(c->name);
	free(c->in_reply_to);
	for (i = 0; i < c->nrefs; i++)
		free(c->refs[i]);
	free(c->refs);
	for (i = 0; i < c->ncc; i++)
		free(c->cc[i]);
	free(c->cc);
	memset(c, 0, sizeof(*c));
}

/* --- merge ------------------------------------------------------------ */

int
ticket_ops_merge(struct store *st, const struct config *cfg, int64_t ticket,
    int64_t into, const char *actor, time_t now, struct error *err)
{
	struct ticket		 a, b;
	char			 detail[64];
	int			 rc = -1;

	if (ticket == into)
		return error_set(err, ERR_PERM, "request #%lld cannot be "
		    "merged into itself", (long long)ticket);
	if (ticket_ops_open(st, ticket, &a, err) == -1)
		return -1;
	if (ticket_ops_open(st, into, &b, err) == -1) {
		ticket_clear(&a);
		return -1;
	}
	if (ticket_ops_move(st, ticket, into, err) == -1 ||
	    ticket_merge(st, ticket, into, now, err) == -1)
		goto out;
	(void)snprintf(detail, sizeof(detail), "into #%lld", (long long)into);
	if (ticket_ops_event(st, ticket, now, "merged", actor, detail,
	    err) == -1)
		goto out;
	(void)snprintf(detail, sizeof(detail), "from #%lld",
	    (long long)ticket);
	if (ticket_ops_event(st, into, now, "merged", actor, detail,
	    err) == -1 ||
	    sla_update(st, cfg, ticket, now, err) == -1 ||
	    sla_update(st, cfg, into, now, err) == -1)
		goto out;
	rc = 0;
out:
	ticket_clear(&a);
	ticket_clear(&b);
	return rc;
}

/* Messages, their ids, history, Cc, tags and tasks go to `into`. */
static int
ticket_ops_move(struct store *st, int64_t from, int64_t into,
    struct error *err)
{
	if (message_move(st, from, into, err) == -1 ||
	    thread_id_move(st, from, into, err) == -1 ||
	    history_move(st, from, into, err) == -1 ||
	    ticket_cc_move(st, from, into, err) == -1 ||
	    ticket_tag_move(st, from, into, err) == -1 ||
	    task_move(st, from, into, err) == -1)
		return -1;
	return 0;
}

/* --- shared helpers --------------------------------------------------- */

/* A request that can still change: it exists and was not merged away. */
static int
ticket_ops_open(struct store *st, int64_t ticket, struct ticket *t,
    struct error *err)
{
	if (ticket_load(st, ticket, t, err) == -1)
		return -1;
	if (t->subject == NULL)
		t->subject = xstrdup("");
	if (t->merged_into != 0) {
		error_set(err, ERR_PERM, "request #%lld was merged into #%lld",
		    (long long)ticket, (long long)t->merged_into);
		ticket_clear(t);
		return -1;
	}
	return 0;
}

static int
ticket_ops_event(struct store *st, int64_t ticket, time_t now,
    const char *kind, const char *actor, const char *detail,
    struct error *err)
{
	return history_add(st, ticket, now, kind, actor, detail, err);
}

/* One word: a tag, or with path a category ("billing/refunds"). */
static bool
ticket_ops_word_ok(const char *s, bool path)
{
	const unsigned char	*p;
	size_t			 n = strlen(s);

	if (n == 0 || n > TICKET_OPS_NAME_MAX || s[0] == '/' ||
	    s[n - 1] == '/')
		return false;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x80 && !isalnum(*p) && strchr(path ? "-_./" :
		    "-_.", *p) == NULL)
			return false;
	}
	return true;
}

