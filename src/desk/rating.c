/*
 * rating: the satisfaction survey mail and the intake of its answers
 * (see rating.h).  Rating addresses reuse reply_address.c's signed
 * format with the pseudo-agents "rate1".."rate5", under their own key
 * (reports.rating_key), so a leaked rating link grants nothing in agent
 * mail and agent reply addresses never rate.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

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
#include "outbox.h"
#include "pipeline.h"
#include "rating.h"
#include "reply_address.h"
#include "report.h"
#include "store.h"
#include "subject_token.h"
#include "template.h"
#include "threading.h"
#include "xmalloc.h"

/* How long after the resolution a survey is still worth sending. */
#define RATING_SURVEY_WINDOW	(7 * 86400)
/* Most surveys queued in one transaction; the rest wait for the next. */
#define RATING_SURVEY_BATCH	100

struct rating_candidate {
	int64_t	 ticket;
	char	*subject;
	char	*to;
	char	*name;
};

static int	rating_by_address(const struct pipeline_view *, int64_t *ticket,
		    int *score);
static int	rating_score_of(const char *agent);
static int	rating_by_reply(struct store *, const struct pipeline_view *,
		    int64_t *ticket, int *score, struct error *err);
static int	rating_is_survey(struct store *, const char *msgid,
		    int64_t *ticket, struct error *err);
static int	rating_record(struct store *, const struct pipeline_view *,
		    int64_t ticket, int score, struct pipeline_result *,
		    struct error *err);
static int	rating_candidates(struct store *, time_t now,
		    struct rating_candidate **out, size_t *n,
		    struct error *err);
static int	rating_survey_one(struct store *, const struct config *,
		    const struct subject_token *, time_t now,
		    const struct rating_candidate *, struct error *err);
static char	*rating_links(const struct config *, int64_t ticket,
		    char **links, struct error *err);

char *
rating_address(const struct config *cfg, int64_t ticket, int score,
    struct error *err)
{
	const char *key = config_reports_key(cfg);
	char agent[8];

	if (key == NULL) {
		error_set(err, ERR_PERM, "reports.rating_key is not set");
		return NULL;
	}
	if (score < 1 || score > 5) {
		error_set(err, ERR_PERM, "rating %d out of 1-5", score);
		return NULL;
	}
	snprintf(agent, sizeof(agent), "rate%d", score);
	return reply_address_make(key, strlen(key),
	    cfg->support_addresses[0], agent, (uint64_t)ticket, err);
}

int
rating_parse_reply(const char *body)
{
	const char *p = body;

	if (p == NULL)
		return 0;
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	if (*p < '1' || *p > '5' || isdigit((unsigned char)p[1]))
		return 0;
	return *p - '0';
}

static int
rating_score_of(const char *agent)
{
	if (strncmp(agent, "rate", 4) == 0 && agent[4] >= '1' &&
	    agent[4] <= '5' && agent[5] == '\0')
		return agent[4] - '0';
	return 0;
}

/* A recipient (envelope, then To/Cc) that is a valid rating address. */
static int
rating_by_address(const struct pipeline_view *v, int64_t *ticket,
    int *score)
{
	const struct config *cfg = v->cfg;
	const char *key = config_reports_key(cfg);
	const char *const *support = (const char *const *)cfg->support_addresses;
	const struct parsed_message *pm = v->pm;
	size_t i, n = v->in->nrcpts + pm->nto + pm->ncc;
	struct error err;
	uint64_t req;
	char *agent;
	const char *rcpt;

	if (key == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		if (i < v->in->nrcpts)
			rcpt = v->in->rcpts[i];
		else if (i < v->in->nrcpts + pm->nto)
			rcpt = pm->to[i - v->in->nrcpts].addr;
		else
			rcpt = pm->cc[i - v->in->nrcpts - pm->nto].addr;
		if (rcpt == NULL || !reply_address_verify(key, strlen(key),
		    support, cfg->nsupport_addresses, rcpt, &agent, &req,
		    &err))
			continue;
		*score = rating_score_of(agent);
		free(agent);
		if (*score != 0) {
			*ticket = (int64_t)req;
			return 1;
		}
	}
	return 0;
}

/* The survey mail with message id msgid: its request, or 0. */
static int
rating_is_survey(struct store *st, const char *msgid, int64_t *ticket,
    struct error *err)
{
	static const char sql[] = "SELECT m.ticket_id FROM message_ids i"
	    " JOIN messages m ON m.ticket_id = i.ticket_id"
	    " AND m.message_id = i.message_id"
	    " WHERE i.message_id = ? AND m.source = 'survey'";
	sqlite3_stmt *stmt;
	int rc;

	*ticket = 0;
	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, msgid, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		*ticket = sqlite3_column_int64(stmt, 0);
	else if (rc != SQLITE_DONE) {
		(void)store_error(st, "rating", err);
		sqlite3_reset(stmt);
		return -1;
	}
	sqlite3_reset(stmt);
	return 0;
}

/* A reply to one of our surveys whose first line is the score. */
static int
rating_by_reply(struct store *st, const struct pipeline_view *v,
    int64_t *ticket, int *score, struct error *err)
{
	const struct parsed_message *pm = v->pm;
	size_t i;

	if ((*score = rating_parse_reply(pm->body)) == 0)
		return 0;
	if (pm->in_reply_to != NULL) {
		if (rating_is_survey(st, pm->in_reply_to, ticket, err) == -1)
			return -1;
		if (*ticket != 0)
			return 1;
	}
	for (i = pm->nreferences; i > 0; i--) {
		if (rating_is_survey(st, pm->references[i - 1], ticket,
		    err) == -1)
			return -1;
		if (*ticket != 0)
			return 1;
	}
	return 0;
}

int
rating_ingest(struct store *st, struct pipeline_view *v,
    struct pipeline_result *res, struct error *err)
{
	int64_t ticket = 0;
	int score = 0, found;

	if (v->auto_reason != NULL)
		return 0;
	found = rating_by_address(v, &ticket, &score);
	if (!found && (found = rating_by_reply(st, v, &ticket, &score,
	    err)) == -1)
		return -1;
	if (!found)
		return 0;
	return rating_record(st, v, ticket, score, res, err);
}

/*
 * Stores the message on the request and records the score.  A signed
 * address for a request that no longer exists is not a rating: the
 * message goes the usual way.
 */
static int
rating_record(struct store *st, const struct pipeline_view *v,
    int64_t ticket, int score, struct pipeline_result *res,
    struct error *err)
{
	static const char rate[] = "UPDATE tickets SET rating = ?,"
	    " rated_at = ?, updated_at = ? WHERE id = ?";
	const struct parsed_message *pm = v->pm;
	struct message_row row;
	sqlite3_stmt *stmt;
	char *from, detail[4];
	int ret = -1;

	if ((stmt = store_stmt(st, rate, err)) == NULL)
		return -1;
	sqlite3_bind_int(stmt, 1, score);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)v->now);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)v->now);
	sqlite3_bind_int64(stmt, 4, ticket);
	if (store_step_done(st, stmt, err) == -1)
		return -1;
	if (sqlite3_changes(store_db(st)) == 0)
		return 0;
	from = pm->from.addr != NULL ?
	    customer_normalize_address(pm->from.addr) : NULL;
	memset(&row, 0, sizeof(row));
	row.ticket_id = ticket;
	row.direction = "in";
	row.dedupe_key = v->key;
	row.message_id = pm->message_id;
	row.from_addr = from;
	row.from_name = pm->from.name;
	row.subject = pm->subject;
	row.body = pm->body;
	row.body_from_html = pm->body_from_html;
	row.envelope_from = v->in->mail_from;
	row.source = v->in->source;
	row.parse_warning = pm->warning;
	row.raw = v->in->raw;
	row.raw_len = v->in->len;
	row.created_at = v->now;
	if (message_insert(st, &row, &res->message_row, err) == -1)
		goto out;
	snprintf(detail, sizeof(detail), "%d", score);
	if (history_add(st, ticket, v->now, "rated", from, detail, err) == -1)
		goto out;
	res->status = PIPELINE_STORED;
	res->ticket_id = ticket;
	res->how = "rating";
	log_info("rated ticket=%lld score=%d msg=%lld", (long long)ticket,
	    score, (long long)res->message_row);
	ret = 1;
out:
	free(from);
	return ret;
}

int
rating_survey_queue(struct store *st, const struct config *cfg,
    const struct subject_token *tok, time_t now, int *queued,
    struct error *err)
{
	struct rating_candidate *c = NULL;
	size_t i, n = 0;
	int ret = 0;

	*queued = 0;
	if (!config_reports_survey(cfg))
		return 0;
	if (rating_candidates(st, now, &c, &n, err) == -1)
		return -1;
	for (i = 0; i < n && ret == 0; i++) {
		if ((ret = rating_survey_one(st, cfg, tok, now, &c[i],
		    err)) == 0)
			(*queued)++;
	}
	for (i = 0; i < n; i++) {
		free(c[i].subject);
		free(c[i].to);
		free(c[i].name);
	}
	free(c);
	return ret;
}

/*
 * Resolved, unrated, not asked, recently: read through the partial index
 * tickets_survey.  The customer is the author of the latest customer
 * message (where the conversation happened).
 */
static int
rating_candidates(struct store *st, time_t now, struct rating_candidate **out,
    size_t *n, struct error *err)
{
	static const char sql[] = "SELECT t.id, t.subject,"
	    " (SELECT m.from_addr FROM messages m WHERE m.ticket_id = t.id"
	    "  AND m.direction = 'in' ORDER BY m.id DESC LIMIT 1),"
	    " (SELECT c.name FROM customers c WHERE c.id = t.customer_id)"
	    " FROM tickets t WHERE t.survey_sent_at IS NULL"
	    " AND t.status = 'resolved' AND t.resolved_at >= ?"
	    " AND t.rating IS NULL AND t.hidden = 0 LIMIT ?";
	sqlite3_stmt *stmt;
	const unsigned char *s;
	int rc;

	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)(now -
	    RATING_SURVEY_WINDOW));
	sqlite3_bind_int(stmt, 2, RATING_SURVEY_BATCH);
	*out = xcalloc(RATING_SURVEY_BATCH, sizeof(**out));
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct rating_candidate *c = &(*out)[(*n)++];

		c->ticket = sqlite3_column_int64(stmt, 0);
		s = sqlite3_column_text(stmt, 1);
		c->subject = xstrdup(s != NULL ? (const char *)s : "");
		s = sqlite3_column_text(stmt, 2);
		c->to = s != NULL ? xstrdup((const char *)s) : NULL;
		s = sqlite3_column_text(stmt, 3);
		c->name = s != NULL && *s != '\0' ?
		    xstrdup((const char *)s) : NULL;
	}
	if (rc != SQLITE_DONE) {
		(void)store_error(st, "survey", err);
		sqlite3_reset(stmt);
		return -1;
	}
	sqlite3_reset(stmt);
	return 0;
}

/* "  1 (poor):       mailto:..." lines; links[0..4] the five URLs. */
static char *
rating_links(const struct config *cfg, int64_t ticket, char **links,
    struct error *err)
{
	static const char *const words[] = { "poor", "fair", "good",
	    "very good", "excellent" };
	struct buf b;
	char *addr;
	int i;

	buf_init(&b);
	for (i = 0; i < 5; i++) {
		if ((addr = rating_address(cfg, ticket, i + 1, err)) == NULL) {
			buf_release(&b);
			return NULL;
		}
		xasprintf(&links[i], "mailto:%s?subject=Rating%%20%d", addr,
		    i + 1);
		buf_printf(&b, "  %d (%s): %s\n", i + 1, words[i], links[i]);
		free(addr);
	}
	return buf_steal(&b, NULL);
}

/*
 * One survey: composed like the acknowledgement (null envelope sender,
 * Auto-Submitted), stored as an 'auto' message with source "survey" so a
 * reply to it can be recognised, and the request marked as asked.  A
 * request without a usable customer address is marked too: it would
 * never become askable.
 */
static int
rating_survey_one(struct store *st, const struct config *cfg,
    const struct subject_token *tok, time_t now,
    const struct rating_candidate *c, struct error *err)
{
	static const char mark[] = "UPDATE tickets SET survey_sent_at = ?"
	    " WHERE id = ?";
	struct template_var vars[13];
	struct compose_addr to;
	struct mailout m;
	sqlite3_stmt *stmt;
	char *links[5] = { NULL }, *block = NULL, *token, *idstr, *rendered,
	    *subject, *body;
	int i, ret = -1;

	token = subject_token_format(tok, (uint64_t)c->ticket);
	xasprintf(&idstr, "%lld", (long long)c->ticket);
	if (c->to != NULL && (block = rating_links(cfg, c->ticket, links,
	    err)) == NULL)
		goto done;
	vars[0] = (struct template_var){ "id", idstr };
	vars[1] = (struct template_var){ "token", token };
	vars[2] = (struct template_var){ "subject", c->subject };
	vars[3] = (struct template_var){ "customer_name", c->name };
	vars[4] = (struct template_var){ "customer_email", c->to };
	vars[5] = (struct template_var){ "support_address",
	    cfg->support_addresses[0] };
	vars[6] = (struct template_var){ "support_name", cfg->support_name };
	vars[7] = (struct template_var){ "links", block };
	for (i = 0; i < 5; i++)
		vars[8 + i] = (struct template_var){
		    config_reports_survey_vars[8 + i], links[i] };
	rendered = template_render(config_reports_survey_subject(cfg), vars,
	    13);
	subject = subject_token_apply(tok, rendered, (uint64_t)c->ticket);
	body = template_render(config_reports_survey_body(cfg), vars, 13);
	to = (struct compose_addr){ c->name, c->to };
	memset(&m, 0, sizeof(m));
	m.kind = MAILOUT_SURVEY;	/* its history row: a reply is known */
	m.ticket_id = c->ticket;
	m.to = &to;
	m.nto = 1;
	m.subject = subject;
	m.text = body;
	m.now = now;
	if (c->to != NULL && mailout_queue(st, cfg, &m, NULL, err) == -1)
		goto free_rendered;
	if ((stmt = store_stmt(st, mark, err)) == NULL)
		goto free_rendered;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)now);
	sqlite3_bind_int64(stmt, 2, c->ticket);
	ret = store_step_done(st, stmt, err);
free_rendered:
	free(rendered);
	free(subject);
	free(body);
done:
	for (i = 0; i < 5; i++)
		free(links[i]);
	free(block);
	free(idstr);
	free(token);
	return ret;
}
