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

#include "buf.h"
#include "compose.h"
#include "config.h"
#include "config_language.h"
#include "config_reports.h"
#include "config_sla.h"
#include "customer.h"
#include "error.h"
#include "history.h"
#include "language.h"
#include "log.h"
#include "mailout.h"
#include "message.h"
#include "mime.h"
#include "outbox.h"
#include "pipeline.h"
#include "rating.h"
#include "reply_address.h"
#include "report.h"
#include "subject_token.h"
#include "template.h"
#include "threading.h"
#include "ticket.h"
#include "xmalloc.h"

/* How long after the resolution a survey is still worth sending. */
#define RATING_SURVEY_WINDOW	(7 * 86400)
/* Most surveys queued in one transaction; the rest wait for the next. */
#define RATING_SURVEY_BATCH	100

static int	rating_by_address(const struct pipeline_view *, int64_t *ticket,
		    int *score);
static int	rating_score_of(const char *agent);
static int	rating_by_reply(struct store *, const struct pipeline_view *,
		    int64_t *ticket, int *score, struct error *err);
static int	rating_record(struct store *, const struct pipeline_view *,
		    int64_t ticket, int score, struct pipeline_result *,
		    struct error *err);
static int	rating_survey_one(struct store *, const struct config *,
		    const struct subject_token *, time_t now,
		    const struct ticket_survey *, struct error *err);
static char	*rating_links(const struct config *, int64_t ticket,
		    char **links, struct error *err);
static int	rating_survey_text(struct store *, const struct config *,
		    const struct subject_token *,
		    const struct ticket_survey *, struct template_var *,
		    char **subject, char **body,
		    char lang_out[LANGDETECT_CODE_MAX], struct error *err);

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

/*
 * The first non-blank line must be the digit alone: "4", "4.", "5!",
 * "3/5" (a score out of five).  "2 problems remain: the printer still
 * jams" starts with a digit but is a customer's message, and must reach
 * an agent as one (issue 16): any letter or other digit on the line
 * makes it text.
 */
int
rating_parse_reply(const char *body)
{
	const char *p = body;
	int score;

	if (p == NULL)
		return 0;
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	if (*p < '1' || *p > '5')
		return 0;
	score = *p++ - '0';
	if (p[0] == '/' && p[1] == '5')
		p += 2;
	for (; *p != '\0' && *p != '\n'; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\r')
			continue;
		/* punctuation only: no letter, digit or non-ASCII byte */
		if ((unsigned char)*p >= 0x80 || !ispunct((unsigned char)*p))
			return 0;
	}
	return score;
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
		if (ticket_survey_of(st, pm->in_reply_to, ticket, err) == -1)
			return -1;
		if (*ticket != 0)
			return 1;
	}
	for (i = pm->nreferences; i > 0; i--) {
		if (ticket_survey_of(st, pm->references[i - 1], ticket,
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
	const struct parsed_message *pm = v->pm;
	struct message_row row;
	char *from, detail[4];
	bool found;
	int ret = -1;

	if (ticket_rate(st, ticket, score, v->now, &found, err) == -1)
		return -1;
	if (!found)
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
	struct ticket_survey *c;
	size_t i, n;
	int ret = 0;

	*queued = 0;
	if (!config_reports_survey(cfg))
		return 0;
	/*
	 * Resolved, unrated, not asked, recently.  The customer is the
	 * author of the latest customer message (where the conversation
	 * happened).
	 */
	if (ticket_survey_due(st, now - RATING_SURVEY_WINDOW,
	    RATING_SURVEY_BATCH, &c, &n, err) == -1)
		return -1;
	for (i = 0; i < n && ret == 0; i++) {
		if ((ret = rating_survey_one(st, cfg, tok, now, &c[i],
		    err)) == 0)
			(*queued)++;
	}
	ticket_surveys_free(c, n);
	return ret;
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
    const struct ticket_survey *c, struct error *err)
{
	struct template_var vars[16];
	struct compose_addr to;
	struct mailout m;
	const char *name = c->name != NULL && *c->name != '\0' ? c->name :
	    NULL;
	char *links[5] = { NULL }, *block = NULL, *token, *idstr;
	char *subject = NULL, *body = NULL, lang[LANGDETECT_CODE_MAX];
	int i, ret = -1;
	bool marked;

	token = subject_token_format(tok, (uint64_t)c->id);
	xasprintf(&idstr, "%lld", (long long)c->id);
	if (c->to != NULL && (block = rating_links(cfg, c->id, links,
	    err)) == NULL)
		goto done;
	vars[0] = (struct template_var){ "id", idstr };
	vars[1] = (struct template_var){ "token", token };
	vars[2] = (struct template_var){ "subject",
	    c->subject != NULL ? c->subject : "" };
	vars[3] = (struct template_var){ "customer_name", name };
	vars[4] = (struct template_var){ "customer_email", c->to };
	vars[5] = (struct template_var){ "support_address",
	    cfg->support_addresses[0] };
	vars[6] = (struct template_var){ "support_name", cfg->support_name };
	vars[7] = (struct template_var){ "links", block };
	for (i = 0; i < 5; i++)
		vars[8 + i] = (struct template_var){
		    config_reports_survey_vars[8 + i], links[i] };
	if (rating_survey_text(st, cfg, tok, c, vars, &subject, &body, lang,
	    err) == -1)
		goto done;
	to = (struct compose_addr){ name, c->to };
	memset(&m, 0, sizeof(m));
	m.kind = MAILOUT_SURVEY;	/* its history row: a reply is known */
	m.ticket_id = c->id;
	m.to = &to;
	m.nto = 1;
	m.subject = subject;
	m.text = body;
	m.now = now;
	m.language = lang[0] != '\0' ? lang : NULL;
	/*
	 * Marked first, in the transaction that queues the survey: another
	 * instance on the same database that marked it meanwhile asks, we
	 * do not (the mark's row lock serialises the two).
	 */
	if ((ret = ticket_survey_sent(st, c->id, now, &marked, err)) == 0 &&
	    marked && c->to != NULL &&
	    mailout_queue(st, cfg, &m, NULL, err) == -1)
		ret = -1;
done:
	free(subject);
	free(body);
	for (i = 0; i < 5; i++)
		free(links[i]);
	free(block);
	free(idstr);
	free(token);
	return ret;
}

/*
 * The survey in the customer's language (language.h: remembered, else
 * the default; what their mail told was remembered when it came): that
 * language's survey.txt, else the reports.survey_* settings; vars[13..15]
 * (opened, resolved, took) are filled here, dates in the reports'
 * calendar's zone; the language of the text into lang ("" for the
 * settings' text: whatever the admin wrote it in).  0, or -1 + err.
 */
static int
rating_survey_text(struct store *st, const struct config *cfg,
    const struct subject_token *tok, const struct ticket_survey *c,
    struct template_var *vars, char **subject, char **body,
    char lang[LANGDETECT_CODE_MAX], struct error *err)
{
	const struct calendar *cal;
	const struct template *tsubj, *tbody;
	char opened[128], resolved[128], took[64];
	const char *how;
	char *rendered;

	if (language_of_customer(st, cfg, c->customer_id, lang, &how,
	    err) == -1)
		return -1;
	cal = config_sla_calendar(cfg, config_reports_calendar(cfg));
	language_format_time(lang, cal, c->created_at, opened,
	    sizeof(opened));
	language_format_time(lang, cal, c->resolved_at, resolved,
	    sizeof(resolved));
	language_format_span(lang, c->resolved_at - c->created_at, took,
	    sizeof(took));
	vars[13] = (struct template_var){ "opened", opened };
	vars[14] = (struct template_var){ "resolved", resolved };
	vars[15] = (struct template_var){ "took", took };
	if (config_language_template(cfg, lang, CONFIG_LANGUAGE_SURVEY,
	    &tsubj, &tbody) == 0) {
		tsubj = config_reports_survey_subject(cfg);
		tbody = config_reports_survey_body(cfg);
		lang[0] = '\0';
	}
	rendered = template_render(tsubj, vars, 16);
	*subject = subject_token_apply(tok, rendered, (uint64_t)c->id);
	*body = template_render(tbody, vars, 16);
	free(rendered);
	return 0;
}
