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

#include "agents.h"
#include "buf.h"
#include "compose.h"
#include "config.h"
#include "customer.h"
#include "error.h"
#include "history.h"
#include "log.h"
#include "mailout.h"
#include "message.h"
#include "mime.h"
#include "notify.h"
#include "outbox.h"
#include "routing.h"
#include "sla.h"
#include "store.h"
#include "subject_token.h"
#include "template.h"
#include "threading.h"
#include "ticket.h"
#include "ticket_ops.h"
#include "xmalloc.h"

/* How many Message-IDs a relay's References carries at most. */
#define TICKET_OPS_REFS_MAX	20
#define TICKET_OPS_NAME_MAX	64

/* The request as the actions need it. */
struct ticket_ops_row {
	int64_t	 id;
	char	*subject;
	char	*status;
	char	*priority;
	char	*category;
	char	*assignee;
	int64_t	 merged_into;	/* 0: none */
	int64_t	 customer_id;
};

/* How deep attachments are looked for in nested multiparts. */
#define TICKET_OPS_MIME_DEPTH	4

/* The agent's attachment parts: pointers into his raw mail. */
struct ticket_ops_parts {
	const char	**at;
	size_t		 *len;
	size_t		  n;
};

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

static int	ticket_ops_get(struct store *, int64_t, struct ticket_ops_row *,
		    struct error *);
static void	ticket_ops_row_free(struct ticket_ops_row *);
static int	ticket_ops_event(struct store *, int64_t, time_t, const char *,
		    const char *, const char *, struct error *);
static int	ticket_ops_set(struct store *, const char *, int64_t,
		    const char *, time_t, struct error *);
static int	ticket_ops_touch(struct store *, int64_t, time_t,
		    struct error *);
static bool	ticket_ops_same(const char *, const char *);
static bool	ticket_ops_word_ok(const char *, bool);
static int	ticket_ops_open(struct store *, int64_t,
		    struct ticket_ops_row *, struct error *);
static int	ticket_ops_tell_customer(struct store *, const struct config *,
		    const struct ticket_ops_row *, const struct agent *, time_t,
		    struct error *);
static int	ticket_ops_notice_render(const struct config *,
		    const struct ticket_ops_row *, const struct agent *,
		    const struct ticket_ops_customer *, char **, char **,
		    struct error *);
static int	ticket_ops_customer_load(struct store *, const struct config *,
		    const struct ticket_ops_row *, struct ticket_ops_customer *,
		    struct error *);
static int	ticket_ops_customer_refs(struct store *, int64_t,
		    struct ticket_ops_customer *, struct error *);
static int	ticket_ops_customer_cc(struct store *, const struct config *,
		    int64_t, struct ticket_ops_customer *, struct error *);
static void	ticket_ops_customer_free(struct ticket_ops_customer *);
static int	ticket_ops_relay(struct store *, const struct config *,
		    const struct ticket_ops_row *, const struct agent *,
		    const char *, const struct ticket_ops_parts *, time_t,
		    struct error *);
static void	ticket_ops_parts_find(const char *, size_t, int, bool,
		    struct ticket_ops_parts *);
static bool	ticket_ops_split(const char *, size_t, size_t *, size_t *);
static char	*ticket_ops_header(const char *, size_t, const char *);
static char	*ticket_ops_param(const char *, const char *);
static bool	ticket_ops_is_attachment(const char *, size_t, bool);
static int	ticket_ops_after_reply(struct store *, const struct config *,
		    const struct ticket_ops_row *, const struct agent *,
		    int64_t, time_t, struct error *);
static int	ticket_ops_move(struct store *, int64_t, int64_t,
		    struct error *);

/* --- assign, status, priority, category ------------------------------ */

int
ticket_ops_assign(struct store *st, const struct config *cfg, int64_t ticket,
    const char *agent, const char *actor, time_t now, struct error *err)
{
	struct ticket_ops_row	 t;
	const struct agent	*a = NULL, *was;
	char			*detail;
	int			 rc = -1;

	if (agent != NULL && (a = agents_find(cfg, agent)) == NULL)
		return error_set(err, ERR_PERM, "no agent %s", agent);
	if (ticket_ops_open(st, ticket, &t, err) == -1)
		return -1;
	if (ticket_ops_same(t.assignee, agent)) {
		ticket_ops_row_free(&t);
		return 0;
	}
	was = agents_find(cfg, t.assignee);
	if (t.assignee != NULL)
		xasprintf(&detail, "%s (was %s)", agent != NULL ? agent :
		    "nobody", t.assignee);
	else
		detail = xstrdup(agent != NULL ? agent : "nobody");
	if (ticket_ops_set(st, "UPDATE tickets SET assignee = ?, "
	    "updated_at = ? WHERE id = ?", ticket, agent, now, err) == -1 ||
	    ticket_ops_event(st, ticket, now, "assigned", actor, detail,
	    err) == -1)
		goto out;
	if (a != NULL && notify_assigned(st, cfg, ticket, a->name, actor, now,
	    err) == -1)
		goto out;
	if (a != NULL && was != NULL && agents_tell_customer_on_reassign(cfg) &&
	    ticket_ops_tell_customer(st, cfg, &t, a, now, err) == -1)
		goto out;
	rc = 0;
out:
	free(detail);
	ticket_ops_row_free(&t);
	return rc;
}

int
ticket_ops_status(struct store *st, const struct config *cfg, int64_t ticket,
    const char *status, const char *actor, time_t now, struct error *err)
{
	static const char sql[] = "UPDATE tickets SET status = ?1, "
	    "updated_at = ?2, "
	    "resolved_at = CASE WHEN ?1 = 'resolved' THEN ?2 "
	    "  WHEN ?1 = 'closed' THEN COALESCE(resolved_at, ?2) "
	    "  ELSE resolved_at END, "
	    "closed_at = CASE WHEN ?1 = 'closed' THEN ?2 ELSE closed_at END, "
	    "reopen_count = reopen_count + ?3 WHERE id = ?4";
	struct ticket_ops_row	 t;
	sqlite3_stmt		*stmt;
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
		ticket_ops_row_free(&t);
		return 0;
	}
	reopen = (strcmp(t.status, "resolved") == 0 ||
	    strcmp(t.status, "closed") == 0) &&
	    strcmp(status, "resolved") != 0 && strcmp(status, "closed") != 0;
	xasprintf(&detail, "%s -> %s", t.status, status);
	if ((stmt = store_stmt(st, sql, err)) == NULL)
		goto out;
	sqlite3_bind_text(stmt, 1, status, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)now);
	sqlite3_bind_int(stmt, 3, reopen ? 1 : 0);
	sqlite3_bind_int64(stmt, 4, ticket);
	rc = store_step_done(st, stmt, err);
	sqlite3_clear_bindings(stmt);
	if (rc == -1 ||
	    ticket_ops_event(st, ticket, now, "status", actor, detail,
	    err) == -1 ||
	    (reopen && ticket_ops_event(st, ticket, now, "reopened", actor,
	    detail, err) == -1) ||
	    sla_update(st, cfg, ticket, now, err) == -1)
		rc = -1;
out:
	free(detail);
	ticket_ops_row_free(&t);
	return rc;
}

int
ticket_ops_priority(struct store *st, const struct config *cfg,
    int64_t ticket, const char *priority, const char *actor, time_t now,
    struct error *err)
{
	struct ticket_ops_row	 t;
	char			*levels, *detail;
	int			 rc = -1;

	if (priority == NULL || routing_priority_rank(cfg, priority) < 0) {
		levels = routing_priority_list(cfg);
		error_set(err, ERR_PERM, "unknown priority %s (use %s)",
		    priority != NULL ? priority : "(none)", levels);
		free(levels);
		return -1;
	}
	if (ticket_ops_open(st, ticket, &t, err) == -1)
		return -1;
	if (strcmp(t.priority, priority) == 0) {
		ticket_ops_row_free(&t);
		return 0;
	}
	xasprintf(&detail, "%s -> %s", t.priority, priority);
	if (ticket_ops_set(st, "UPDATE tickets SET priority = ?, "
	    "updated_at = ? WHERE id = ?", ticket, priority, now, err) == 0 &&
	    ticket_ops_event(st, ticket, now, "priority", actor, detail,
	    err) == 0 && sla_update(st, cfg, ticket, now, err) == 0)
		rc = 0;
	free(detail);
	ticket_ops_row_free(&t);
	return rc;
}

int
ticket_ops_category(struct store *st, const struct config *cfg,
    int64_t ticket, const char *category, const char *actor, time_t now,
    struct error *err)
{
	struct ticket_ops_row	 t;
	int			 rc = -1;

	if (category != NULL && (!ticket_ops_word_ok(category, true) ||
	    (routing_category_count(cfg) > 0 &&
	    !routing_category_exists(cfg, category))))
		return error_set(err, ERR_PERM, "unknown category %s",
		    category);
	if (ticket_ops_open(st, ticket, &t, err) == -1)
		return -1;
	if (ticket_ops_same(t.category, category)) {
		ticket_ops_row_free(&t);
		return 0;
	}
	if (ticket_ops_set(st, "UPDATE tickets SET category = ?, "
	    "updated_at = ? WHERE id = ?", ticket, category, now, err) == 0 &&
	    ticket_ops_event(st, ticket, now, "category", actor,
	    category != NULL ? category : "", err) == 0 &&
	    sla_update(st, cfg, ticket, now, err) == 0)
		rc = 0;
	ticket_ops_row_free(&t);
	return rc;
}

/* --- tags and Cc ------------------------------------------------------ */

int
ticket_ops_tag(struct store *st, const struct config *cfg, int64_t ticket,
    const char *tag, bool add, const char *actor, time_t now,
    struct error *err)
{
	static const char ins[] = "INSERT OR IGNORE INTO ticket_tags "
	    "(ticket_id, tag) VALUES (?, ?)";
	static const char del[] = "DELETE FROM ticket_tags "
	    "WHERE ticket_id = ? AND tag = ?";
	struct ticket_ops_row	 t;
	sqlite3_stmt		*stmt;
	int			 rc;

	(void)cfg;
	if (tag == NULL || !ticket_ops_word_ok(tag, false))
		return error_set(err, ERR_PERM, "bad tag \"%s\" (one word of "
		    "letters, digits, - _ .)", tag != NULL ? tag : "");
	if (ticket_ops_open(st, ticket, &t, err) == -1)
		return -1;
	ticket_ops_row_free(&t);
	if ((stmt = store_stmt(st, add ? ins : del, err)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, ticket);
	sqlite3_bind_text(stmt, 2, tag, -1, SQLITE_TRANSIENT);
	rc = store_step_done(st, stmt, err);
	sqlite3_clear_bindings(stmt);
	if (rc == -1)
		return -1;
	if (sqlite3_changes(store_db(st)) == 0)
		return 0;
	if (ticket_ops_touch(st, ticket, now, err) == -1)
		return -1;
	return ticket_ops_event(st, ticket, now, add ? "tag" : "untag", actor,
	    tag, err);
}

int
ticket_ops_cc(struct store *st, const struct config *cfg, int64_t ticket,
    const char *address, const char *actor, time_t now, struct error *err)
{
	static const char sql[] = "INSERT OR IGNORE INTO ticket_cc "
	    "(ticket_id, address) VALUES (?, ?)";
	struct ticket_ops_row	 t;
	sqlite3_stmt		*stmt;
	char			*addr;
	int			 rc = -1;

	if (address == NULL || !compose_address_ok(address))
		return error_set(err, ERR_PERM, "\"%s\" is not an address",
		    address != NULL ? address : "");
	addr = customer_normalize_address(address);
	if (config_is_support_address(cfg, addr) ||
	    agents_by_address(cfg, addr) != NULL) {
		error_set(err, ERR_PERM, "%s is ours or an agent's; Cc is for "
		    "the customer's side", addr);
		free(addr);
		return -1;
	}
	if (ticket_ops_open(st, ticket, &t, err) == -1) {
		free(addr);
		return -1;
	}
	ticket_ops_row_free(&t);
	if ((stmt = store_stmt(st, sql, err)) == NULL)
		goto out;
	sqlite3_bind_int64(stmt, 1, ticket);
	sqlite3_bind_text(stmt, 2, addr, -1, SQLITE_TRANSIENT);
	rc = store_step_done(st, stmt, err);
	sqlite3_clear_bindings(stmt);
	if (rc == 0 && sqlite3_changes(store_db(st)) > 0)
		rc = ticket_ops_event(st, ticket, now, "cc", actor, addr, err);
out:
	free(addr);
	return rc;
}

/* --- note and reply --------------------------------------------------- */

int
ticket_ops_note(struct store *st, const struct config *cfg, int64_t ticket,
    const char *agent, const char *text, time_t now, struct error *err)
{
	struct ticket_ops_row	 t;
	struct message_row	 m;
	const struct agent	*a;
	int64_t			 row;
	char			 detail[32];
	int			 rc = -1;

	if ((a = agents_find(cfg, agent)) == NULL)
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
	m.created_at = now;
	if (message_insert(st, &m, &row, err) == -1 ||
	    ticket_ops_set(st, "UPDATE messages SET agent = ? WHERE id = ?",
	    row, a->name, 0, err) == -1 ||
	    ticket_ops_touch(st, ticket, now, err) == -1)
		goto out;
	(void)snprintf(detail, sizeof(detail), "message %lld", (long long)row);
	if (ticket_ops_event(st, ticket, now, "note", a->name, detail,
	    err) == -1 ||
	    notify_note(st, cfg, ticket, a->name, text, now, err) == -1)
		goto out;
	rc = 0;
out:
	ticket_ops_row_free(&t);
	return rc;
}

int
ticket_ops_reply(struct store *st, const struct config *cfg, int64_t ticket,
    const char *agent, const char *text, time_t now, struct error *err)
{
	struct ticket_ops_row	 t;
	const struct agent	*a;
	int			 rc;

	if ((a = agents_find(cfg, agent)) == NULL)
		return error_set(err, ERR_PERM, "no agent %s",
		    agent != NULL ? agent : "(none)");
	if (text == NULL || text[strspn(text, " \t\r\n")] == '\0')
		return error_set(err, ERR_PERM, "the reply is empty");
	if (ticket_ops_open(st, ticket, &t, err) == -1)
		return -1;
	rc = ticket_ops_relay(st, cfg, &t, a, text, NULL, now, err);
	ticket_ops_row_free(&t);
	return rc;
}

int
ticket_ops_reply_mime(struct store *st, const struct config *cfg,
    int64_t ticket, const char *agent, const char *text, const char *raw,
    size_t len, time_t now, struct error *err)
{
	struct ticket_ops_parts	 parts;
	struct ticket_ops_row	 t;
	const struct agent	*a;
	int			 rc;

	if ((a = agents_find(cfg, agent)) == NULL)
		return error_set(err, ERR_PERM, "no agent %s",
		    agent != NULL ? agent : "(none)");
	memset(&parts, 0, sizeof(parts));
	if (raw != NULL)
		ticket_ops_parts_find(raw, len, 0, false, &parts);
	/* attachments alone are worth relaying */
	if ((text == NULL || text[strspn(text, " \t\r\n")] == '\0') &&
	    parts.n == 0)
		rc = error_set(err, ERR_PERM, "the reply is empty");
	else if ((rc = ticket_ops_open(st, ticket, &t, err)) == 0) {
		rc = ticket_ops_relay(st, cfg, &t, a, text != NULL ? text : "",
		    &parts, now, err);
		ticket_ops_row_free(&t);
	}
	free(parts.at);
	free(parts.len);
	return rc;
}

/*
 * The customer's copy: personal mail from the agent under our address,
 * so no Auto-Submitted (the customer's autoresponder may answer it, and
 * the intake knows such answers for what they are).
 */
static int
ticket_ops_relay(struct store *st, const struct config *cfg,
    const struct ticket_ops_row *t, const struct agent *a, const char *text,
    const struct ticket_ops_parts *parts, time_t now, struct error *err)
{
	struct ticket_ops_customer c;
	struct subject_token	*tok;
	struct compose_addr	 to, *cc;
	struct compose_part	*files;
	struct mailout		 m;
	struct mailout_sent	 sent;
	char			*applied, *subject;
	size_t			 i, nfiles = parts != NULL ? parts->n : 0;
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
	/* the agent's files go out as they came, byte for byte */
	files = xcalloc(nfiles + 1, sizeof(*files));
	for (i = 0; i < nfiles; i++) {
		files[i].entity = parts->at[i];
		files[i].entity_len = parts->len[i];
	}
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
	free(files);
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
    const struct ticket_ops_row *t, const struct agent *a, int64_t row,
    time_t now, struct error *err)
{
	static const char sql[] = "UPDATE tickets SET "
	    "first_response_at = COALESCE(first_response_at, ?1), "
	    "last_agent_at = ?1, updated_at = ?1, "
	    "assignee = COALESCE(assignee, ?2), "
	    "status = CASE WHEN status = 'new' THEN 'open' ELSE status END "
	    "WHERE id = ?3";
	sqlite3_stmt	*stmt;
	char		 detail[32];
	int		 rc;

	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)now);
	sqlite3_bind_text(stmt, 2, a->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 3, t->id);
	rc = store_step_done(st, stmt, err);
	sqlite3_clear_bindings(stmt);
	if (rc == -1)
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
    const struct ticket_ops_row *t, const struct agent *a, time_t now,
    struct error *err)
{
	struct ticket_ops_customer c;
	struct compose_addr	 to;
	struct mailout		 m;
	char			*subject = NULL, *body = NULL;
	int			 rc;

	if (ticket_ops_customer_load(st, cfg, t, &c, err) == -1)
		return -1;
	if (c.addr == NULL) {
		ticket_ops_customer_free(&c);
		return 0;
	}
	if (ticket_ops_notice_render(cfg, t, a, &c, &subject, &body,
	    err) == -1) {
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
	/* an unsendable address: the change stands */
	rc = mailout_queue(st, cfg, &m, NULL, err) == -1 ? -1 : 0;
	free(body);
	free(subject);
	ticket_ops_customer_free(&c);
	return rc;
}

/* The reassigned_customer template, with the token in the subject. */
static int
ticket_ops_notice_render(const struct config *cfg,
    const struct ticket_ops_row *t, const struct agent *a,
    const struct ticket_ops_customer *c, char **subject_out,
    char **body_out, struct error *err)
{
	struct subject_token	*tok;
	struct template_var	 vars[10];
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
	rendered = template_render(agents_notice_subject(cfg,
	    AGENTS_NOTICE_REASSIGNED_CUSTOMER), vars, 10);
	*subject_out = subject_token_apply(tok, rendered, (uint64_t)t->id);
	*body_out = template_render(agents_notice_body(cfg,
	    AGENTS_NOTICE_REASSIGNED_CUSTOMER), vars, 10);
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
    const struct ticket_ops_row *t, struct ticket_ops_customer *c,
    struct error *err)
{
	static const char last[] = "SELECT message_id FROM messages "
	    "WHERE ticket_id = ? AND direction = 'in' ORDER BY id DESC LIMIT 1";
	static const char who[] = "SELECT m.from_addr, m.from_name "
	    "FROM messages m JOIN customer_addresses a "
	    "ON a.address = lower(m.from_addr) WHERE m.ticket_id = ?1 "
	    "AND m.direction = 'in' AND a.customer_id = ?2 "
	    "ORDER BY m.id DESC LIMIT 1";
	static const char cust[] = "SELECT c.name, (SELECT address FROM "
	    "customer_addresses a WHERE a.customer_id = c.id "
	    "ORDER BY added_at, address LIMIT 1) FROM customers c "
	    "WHERE c.id = ?";
	sqlite3_stmt	*stmt;
	char		*lower;
	int		 rc;

	memset(c, 0, sizeof(*c));
	if ((stmt = store_stmt(st, last, err)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, t->id);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		c->in_reply_to = store_column_text(stmt, 0);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(st, "reply: last message", err);
	if ((stmt = store_stmt(st, who, err)) == NULL)
		goto fail;
	sqlite3_bind_int64(stmt, 1, t->id);
	sqlite3_bind_int64(stmt, 2, t->customer_id);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		c->addr = store_column_text(stmt, 0);
		c->name = store_column_text(stmt, 1);
	}
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_error(st, "reply: customer's message", err);
		goto fail;
	}
	if (c->addr == NULL || !compose_address_ok(c->addr)) {
		free(c->addr);
		c->addr = NULL;
		if ((stmt = store_stmt(st, cust, err)) == NULL)
			goto fail;
		sqlite3_bind_int64(stmt, 1, t->customer_id);
		if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
			if (c->name == NULL)
				c->name = store_column_text(stmt, 0);
			c->addr = store_column_text(stmt, 1);
		}
		sqlite3_reset(stmt);
		sqlite3_clear_bindings(stmt);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			store_error(st, "reply: customer", err);
			goto fail;
		}
	}
	if (c->addr != NULL) {
		lower = customer_normalize_address(c->addr);
		free(c->addr);
		c->addr = lower;
		/* never relay to ourselves or to an agent */
		if (!compose_address_ok(c->addr) ||
		    config_is_support_address(cfg, c->addr) ||
		    agents_by_address(cfg, c->addr) != NULL) {
			free(c->addr);
			c->addr = NULL;
		}
	}
	if (ticket_ops_customer_refs(st, t->id, c, err) == -1 ||
	    ticket_ops_customer_cc(st, cfg, t->id, c, err) == -1)
		goto fail;
	return 0;
fail:
	ticket_ops_customer_free(c);
	return -1;
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
	static const char sql[] = "SELECT message_id FROM messages "
	    "WHERE ticket_id = ? AND direction IN ('in', 'out') "
	    "AND message_id IS NOT NULL AND message_id <> '' ORDER BY id";
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, ticket);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (c->nrefs == TICKET_OPS_REFS_MAX) {
			free(c->refs[1]);
			memmove(&c->refs[1], &c->refs[2], (c->nrefs - 2) *
			    sizeof(*c->refs));
			c->nrefs--;
		}
		c->refs = xreallocarray(c->refs, c->nrefs + 1,
		    sizeof(*c->refs));
		c->refs[c->nrefs++] = store_column_text(stmt, 0);
	}
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (rc != SQLITE_DONE)
		return store_error(st, "reply: references", err);
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
	static const char sql[] = "SELECT address FROM ticket_cc "
	    "WHERE ticket_id = ? ORDER BY address";
	sqlite3_stmt	*stmt;
	const char	*addr;
	int		 rc;

	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, ticket);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		addr = (const char *)sqlite3_column_text(stmt, 0);
		if (addr == NULL || !compose_address_ok(addr) ||
		    (c->addr != NULL && strcasecmp(addr, c->addr) == 0) ||
		    config_is_support_address(cfg, addr) ||
		    agents_by_address(cfg, addr) != NULL)
			continue;
		c->cc = xreallocarray(c->cc, c->ncc + 1, sizeof(*c->cc));
		c->cc[c->ncc++] = xstrdup(addr);
	}
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (rc != SQLITE_DONE)
		return store_error(st, "reply: cc", err);
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

/* --- the agent's attachments ------------------------------------------ */

/*
 * Collects the attachment parts of the entity at raw (headers and body).
 * related: inside a multipart/related, whose parts are the HTML body's
 * pictures rather than files the agent attached.
 */
static void
ticket_ops_parts_find(const char *raw, size_t len, int depth, bool related,
    struct ticket_ops_parts *parts)
{
	const char	*body, *p, *end, *next, *part = NULL;
	char		*type, *boundary, *delim;
	size_t		 hlen, boff, dlen;
	bool		 sub_related;

	if (depth > TICKET_OPS_MIME_DEPTH || !ticket_ops_split(raw, len, &hlen,
	    &boff))
		return;
	type = ticket_ops_header(raw, hlen, "Content-Type");
	if (type == NULL || strncasecmp(type, "multipart/", 10) != 0) {
		if (depth > 0 && ticket_ops_is_attachment(raw, hlen, related)) {
			parts->at = xreallocarray(parts->at, parts->n + 1,
			    sizeof(*parts->at));
			parts->len = xreallocarray(parts->len, parts->n + 1,
			    sizeof(*parts->len));
			parts->at[parts->n] = raw;
			parts->len[parts->n++] = len;
		}
		free(type);
		return;
	}
	sub_related = related || strncasecmp(type, "multipart/related",
	    17) == 0;
	boundary = ticket_ops_param(type, "boundary");
	free(type);
	if (boundary == NULL)
		return;
	xasprintf(&delim, "--%s", boundary);
	dlen = strlen(delim);
	body = raw + boff;
	end = raw + len;
	for (p = body; p < end; p = next) {
		next = memchr(p, '\n', (size_t)(end - p));
		next = next != NULL ? next + 1 : end;
		if ((size_t)(end - p) < dlen || memcmp(p, delim, dlen) != 0 ||
		    (p + dlen < end && strchr("-\r\n \t", p[dlen]) == NULL))
			continue;
		if (part != NULL) {
			/* the CRLF before the delimiter belongs to it */
			const char *stop = p;

			if (stop > part && stop[-1] == '\n')
				stop--;
			if (stop > part && stop[-1] == '\r')
				stop--;
			ticket_ops_parts_find(part, (size_t)(stop - part),
			    depth + 1, sub_related, parts);
		}
		if ((size_t)(end - p) >= dlen + 2 && p[dlen] == '-' &&
		    p[dlen + 1] == '-')
			break;
		part = next;
	}
	free(delim);
	free(boundary);
}

/* Header length (with its final line break) and where the body starts. */
static bool
ticket_ops_split(const char *raw, size_t len, size_t *hlen, size_t *boff)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		if (raw[i] != '\n')
			continue;
		if (i + 1 < len && raw[i + 1] == '\n') {
			*hlen = i + 1;
			*boff = i + 2;
			return true;
		}
		if (i + 2 < len && raw[i + 1] == '\r' && raw[i + 2] == '\n') {
			*hlen = i + 1;
			*boff = i + 3;
			return true;
		}
	}
	return false;
}

/* The unfolded value of header name in the header block, or NULL. */
static char *
ticket_ops_header(const char *h, size_t hlen, const char *name)
{
	struct buf	 b;
	const char	*p = h, *end = h + hlen, *nl;
	size_t		 n = strlen(name);

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		nl = nl != NULL ? nl + 1 : end;
		if ((size_t)(end - p) > n && strncasecmp(p, name, n) == 0 &&
		    p[n] == ':')
			break;
		p = nl;
	}
	if (p >= end)
		return NULL;
	buf_init(&b);
	p += n + 1;
	p += strspn(p, " \t");
	for (;;) {
		nl = memchr(p, '\n', (size_t)(end - p));
		nl = nl != NULL ? nl : end;
		buf_append(&b, p, (size_t)(nl - p));
		if (nl >= end || nl + 1 >= end || (nl[1] != ' ' &&
		    nl[1] != '\t'))
			break;
		p = nl + 1;
	}
	buf_append_char(&b, '\0');
	return buf_steal(&b, NULL);
}

/* A parameter of a header value (quotes removed), or NULL. */
static char *
ticket_ops_param(const char *value, const char *name)
{
	const char	*p = value, *v, *e;
	size_t		 n = strlen(name);

	while ((p = strchr(p, ';')) != NULL) {
		p++;
		p += strspn(p, " \t\r");
		if (strncasecmp(p, name, n) != 0)
			continue;
		v = p + n;
		v += strspn(v, " \t");
		if (*v != '=')
			continue;
		v++;
		v += strspn(v, " \t");
		if (*v == '"') {
			v++;
			if ((e = strchr(v, '"')) == NULL)
				return NULL;
		} else
			e = v + strcspn(v, "; \t\r");
		return e > v ? xstrndup(v, (size_t)(e - v)) : NULL;
	}
	return NULL;
}

static bool
ticket_ops_is_attachment(const char *h, size_t hlen, bool related)
{
	char	*disp, *type, *name;
	bool	 yes = false;

	disp = ticket_ops_header(h, hlen, "Content-Disposition");
	type = ticket_ops_header(h, hlen, "Content-Type");
	name = type != NULL ? ticket_ops_param(type, "name") : NULL;
	if (disp != NULL && strncasecmp(disp + strspn(disp, " \t"),
	    "attachment", 10) == 0)
		yes = true;
	else if (!related && disp != NULL && (strstr(disp, "filename") !=
	    NULL || name != NULL))
		yes = true;
	else if (!related && disp == NULL && name != NULL && type != NULL &&
	    strncasecmp(type + strspn(type, " \t"), "text/", 5) != 0)
		yes = true;
	free(disp);
	free(type);
	free(name);
	return yes;
}

/* --- merge ------------------------------------------------------------ */

int
ticket_ops_merge(struct store *st, const struct config *cfg, int64_t ticket,
    int64_t into, const char *actor, time_t now, struct error *err)
{
	static const char close_sql[] = "UPDATE tickets SET merged_into = ?1, "
	    "status = 'closed', closed_at = ?2, updated_at = ?2, "
	    "resolved_at = COALESCE(resolved_at, ?2) WHERE id = ?3";
	static const char into_sql[] = "UPDATE tickets SET updated_at = ?1, "
	    "last_customer_at = max(COALESCE(last_customer_at, 0), "
	    "  COALESCE((SELECT last_customer_at FROM tickets WHERE id = ?2), "
	    "  0)) WHERE id = ?3";
	struct ticket_ops_row	 a, b;
	sqlite3_stmt		*stmt;
	char			 detail[64];
	int			 rc = -1;

	if (ticket == into)
		return error_set(err, ERR_PERM, "request #%lld cannot be "
		    "merged into itself", (long long)ticket);
	if (ticket_ops_open(st, ticket, &a, err) == -1)
		return -1;
	if (ticket_ops_open(st, into, &b, err) == -1) {
		ticket_ops_row_free(&a);
		return -1;
	}
	if (ticket_ops_move(st, ticket, into, err) == -1 ||
	    (stmt = store_stmt(st, close_sql, err)) == NULL)
		goto out;
	sqlite3_bind_int64(stmt, 1, into);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)now);
	sqlite3_bind_int64(stmt, 3, ticket);
	rc = store_step_done(st, stmt, err);
	sqlite3_clear_bindings(stmt);
	if (rc == -1 || (stmt = store_stmt(st, into_sql, err)) == NULL) {
		rc = -1;
		goto out;
	}
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)now);
	sqlite3_bind_int64(stmt, 2, ticket);
	sqlite3_bind_int64(stmt, 3, into);
	rc = store_step_done(st, stmt, err);
	sqlite3_clear_bindings(stmt);
	if (rc == -1)
		goto out;
	rc = -1;
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
	ticket_ops_row_free(&a);
	ticket_ops_row_free(&b);
	return rc;
}

/* Messages, their ids, history, Cc and tags go to `into`. */
static int
ticket_ops_move(struct store *st, int64_t from, int64_t into,
    struct error *err)
{
	static const char *const sqls[] = {
		"UPDATE messages SET ticket_id = ?2 WHERE ticket_id = ?1",
		"UPDATE message_ids SET ticket_id = ?2 WHERE ticket_id = ?1",
		"UPDATE events SET ticket_id = ?2 WHERE ticket_id = ?1",
		"INSERT OR IGNORE INTO ticket_cc (ticket_id, address, name) "
		"SELECT ?2, address, name FROM ticket_cc WHERE ticket_id = ?1",
		"DELETE FROM ticket_cc WHERE ticket_id = ?1",
		"INSERT OR IGNORE INTO ticket_tags (ticket_id, tag) "
		"SELECT ?2, tag FROM ticket_tags WHERE ticket_id = ?1",
		"DELETE FROM ticket_tags WHERE ticket_id = ?1",
	};
	sqlite3_stmt	*stmt;
	size_t		 i;
	int		 rc;

	for (i = 0; i < sizeof(sqls) / sizeof(sqls[0]); i++) {
		if ((stmt = store_stmt(st, sqls[i], err)) == NULL)
			return -1;
		sqlite3_bind_int64(stmt, 1, from);
		sqlite3_bind_int64(stmt, 2, into);
		rc = store_step_done(st, stmt, err);
		sqlite3_clear_bindings(stmt);
		if (rc == -1)
			return -1;
	}
	return 0;
}

/* --- shared helpers --------------------------------------------------- */

static int
ticket_ops_get(struct store *st, int64_t ticket, struct ticket_ops_row *t,
    struct error *err)
{
	static const char sql[] = "SELECT subject, status, priority, category, "
	    "assignee, merged_into, customer_id FROM tickets WHERE id = ?";
	sqlite3_stmt	*stmt;
	int		 rc;

	memset(t, 0, sizeof(*t));
	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, ticket);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		t->id = ticket;
		t->subject = store_column_text(stmt, 0);
		t->status = store_column_text(stmt, 1);
		t->priority = store_column_text(stmt, 2);
		t->category = store_column_text(stmt, 3);
		t->assignee = store_column_text(stmt, 4);
		t->merged_into = sqlite3_column_int64(stmt, 5);
		t->customer_id = sqlite3_column_int64(stmt, 6);
	}
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (rc == SQLITE_DONE)
		return error_set(err, ERR_PERM, "no request #%lld",
		    (long long)ticket);
	if (rc != SQLITE_ROW)
		return store_error(st, "request", err);
	if (t->subject == NULL)
		t->subject = xstrdup("");
	return 0;
}

/* A request that can still change: it exists and was not merged away. */
static int
ticket_ops_open(struct store *st, int64_t ticket, struct ticket_ops_row *t,
    struct error *err)
{
	if (ticket_ops_get(st, ticket, t, err) == -1)
		return -1;
	if (t->merged_into != 0) {
		error_set(err, ERR_PERM, "request #%lld was merged into #%lld",
		    (long long)ticket, (long long)t->merged_into);
		ticket_ops_row_free(t);
		return -1;
	}
	return 0;
}

static void
ticket_ops_row_free(struct ticket_ops_row *t)
{
	free(t->subject);
	free(t->status);
	free(t->priority);
	free(t->category);
	free(t->assignee);
	memset(t, 0, sizeof(*t));
}

static int
ticket_ops_event(struct store *st, int64_t ticket, time_t now,
    const char *kind, const char *actor, const char *detail,
    struct error *err)
{
	return history_add(st, ticket, now, kind, actor, detail, err);
}

/*
 * Runs sql (a string literal) with ?1 = value (NULL binds NULL), ?2 =
 * now and ?3 = id; statements without ?2 take value then id.
 */
static int
ticket_ops_set(struct store *st, const char *sql, int64_t id,
    const char *value, time_t now, struct error *err)
{
	sqlite3_stmt	*stmt;
	int		 n, rc;

	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	n = sqlite3_bind_parameter_count(stmt);
	if (value != NULL)
		sqlite3_bind_text(stmt, 1, value, -1, SQLITE_TRANSIENT);
	if (n == 3)
		sqlite3_bind_int64(stmt, 2, (sqlite3_int64)now);
	sqlite3_bind_int64(stmt, n, id);
	rc = store_step_done(st, stmt, err);
	sqlite3_clear_bindings(stmt);
	return rc;
}

static int
ticket_ops_touch(struct store *st, int64_t ticket, time_t now,
    struct error *err)
{
	static const char sql[] = "UPDATE tickets SET updated_at = ? "
	    "WHERE id = ?";
	sqlite3_stmt	*stmt;

	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)now);
	sqlite3_bind_int64(stmt, 2, ticket);
	return store_step_done(st, stmt, err);
}

static bool
ticket_ops_same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
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

