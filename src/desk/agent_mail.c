/*
 * agent_mail: an agent's mail, recognised and acted on inside the intake
 * transaction (issue 4).  Answering a notification is all an agent needs:
 * the text above the quote goes to the customer, "#note" keeps it
 * internal, "#status resolved" and friends change the request.
 *
 * Promise 5 decides who is an agent, before anything else, as
 * agent_mail.require says: a recipient that is a validly signed reply
 * address (reply_address.c) From one of that agent's addresses
 * ("signature"), a From that is an agent's address with a DKIM/SPF pass
 * for it from a trusted authserv-id (agent_auth.c, "auth"), either of
 * them (the default) or both.  A From alone proves nothing, so mail that
 * merely claims to be an agent's is logged once and handed back to the
 * pipeline as customer mail: it changes nothing but its own request.
 *
 * What is done (all inside the caller's transaction):
 *   - the raw message is always kept with its dedupe key, so a
 *     redelivery is a duplicate and nothing happens twice (promise 2);
 *   - the quoted notification is cut off (reply_cut.c) and the commands
 *     on the first lines parsed (mail_command.c);
 *   - commands, the note and the relay are applied through ticket_ops.c
 *     (the code triagectl uses) in one savepoint: any refusal rolls all
 *     of them back, so a typo never half-changes a request nor lets a
 *     note reach the customer;
 *   - the agent gets one mail saying what was done or why not, when the
 *     message held commands or something was refused.  Automatic mail
 *     from an agent (a vacation notice answering a notification) is kept
 *     but neither relayed nor answered (promise 3).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agent_auth.h"
#include "agent_mail.h"
#include "buf.h"
#include "config.h"
#include "config_agents.h"
#include "config_canned.h"
#include "customer.h"
#include "error.h"
#include "log.h"
#include "mail_command.h"
#include "message.h"
#include "mime.h"
#include "notify.h"
#include "pipeline.h"
#include "reply_address.h"
#include "reply_cut.h"
#include "store.h"
#include "subject_token.h"
#include "task_ops.h"
#include "template.h"
#include "threading.h"
#include "ticket.h"
#include "ticket_ops.h"
#include "xmalloc.h"

/* How far a chain of merged requests is followed. */
#define MERGE_DEPTH_MAX	16

/* The agent a message proved to come from, and on which request. */
struct agent_mail_who {
	const struct agent	*agent;
	int64_t			 ticket;
	bool			 note_address;	/* sent to the note address */
	const char		*proof;		/* "signed", "dkim", "spf",
						   "signed+dkim", "signed+spf" */
};

/* One agent message being handled. */
struct agent_mail_job {
	struct store			*st;
	const struct pipeline_view	*v;
	const struct config		*cfg;
	struct agent_mail_who		 who;
	int64_t				 ticket;	/* follows #merge */
	int64_t				 last_row;	/* messages.id before us */
	int64_t				 row;		/* the raw message's row */
	char				*text;		/* cut, signature kept */
	enum reply_cut_reason		 cut_why;
	struct mail_command_list	*cmds;
	bool				 only_commands;
	struct buf			 canned;	/* #template texts */
	struct buf			 done;		/* for the result mail */
	struct buf			 failed;
	size_t				 nfailed;
	size_t				 ndone;
	bool				 noted;
	bool				 relayed;
	bool				 result_sent;
};

static int	agent_mail_identify(struct store *, const struct pipeline_view *,
		    struct agent_mail_who *, bool *, struct error *);
static size_t	agent_mail_rcpts(const struct pipeline_view *, const char ***);
static bool	agent_mail_signed(const struct pipeline_view *,
		    const char *const *, size_t, struct agent_mail_who *,
		    const char **);
static bool	agent_mail_vouched(const struct pipeline_view *,
		    const char *const *, size_t, struct agent_mail_who *,
		    const char **, const char **);
static bool	agent_mail_signed_auth(const struct pipeline_view *,
		    struct agent_mail_who *, const char **, const char **);
static const char *agent_mail_auth_why(enum agent_auth_verdict, bool);
static bool	agent_mail_to_note(const struct config *, const char *const *,
		    size_t);
static int	agent_mail_follow(struct store *, int64_t *, struct error *);
static void	agent_mail_log_forged(const struct pipeline_view *, int64_t,
		    const char *, const char *);
static void	agent_mail_prepare(struct agent_mail_job *);
static int	agent_mail_handle(struct agent_mail_job *, struct error *);
static int	agent_mail_act(struct agent_mail_job *, struct error *);
static int	agent_mail_command(struct agent_mail_job *,
		    const struct mail_command *, struct error *);
static int	agent_mail_run(struct agent_mail_job *,
		    const struct mail_command *, struct error *);
static int	agent_mail_canned(struct agent_mail_job *, const char *,
		    struct error *);
static int	agent_mail_finish(struct agent_mail_job *, struct error *);
static int	agent_mail_outcome(struct agent_mail_job *, size_t,
		    const char *, const struct error *, struct error *);
static void	agent_mail_forget(struct agent_mail_job *);
static int	agent_mail_keep_raw(struct agent_mail_job *, struct error *);
static int	agent_mail_attach_raw(struct agent_mail_job *, bool *,
		    struct error *);
static int	agent_mail_insert_raw(struct agent_mail_job *, struct error *);
static bool	agent_mail_wants_result(const struct agent_mail_job *);
static int	agent_mail_result(struct agent_mail_job *, struct error *);
static char	*agent_mail_result_body(const struct agent_mail_job *);
static void	agent_mail_log(const struct agent_mail_job *);

int
agent_mail_ingest(struct store *st, struct pipeline_view *v,
    struct pipeline_result *res, struct error *err)
{
	struct agent_mail_job	 job;
	bool			 forged = false;
	int			 rc;

	memset(&job, 0, sizeof(job));
	rc = agent_mail_identify(st, v, &job.who, &forged, err);
	if (forged)
		v->token_flag = MESSAGE_FLAG_FORGED_AGENT;
	if (rc != 1)
		return rc;
	job.st = st;
	job.v = v;
	job.cfg = v->cfg;
	job.ticket = job.who.ticket;
	buf_init(&job.canned);
	buf_init(&job.done);
	buf_init(&job.failed);
	agent_mail_prepare(&job);
	rc = agent_mail_handle(&job, err);
	if (rc == 0) {
		res->status = PIPELINE_STORED;
		res->ticket_id = job.ticket;
		res->message_row = job.row;
		res->how = "agent";
		v->ticket_id = job.ticket;
		v->message_row = job.row;
		agent_mail_log(&job);
	}
	mail_command_list_free(job.cmds);
	free(job.text);
	buf_release(&job.canned);
	buf_release(&job.done);
	buf_release(&job.failed);
	return rc == 0 ? 1 : -1;
}

bool
agent_mail_accepts(const struct config *cfg, const char *rcpt)
{
	const char	*note;

	if (rcpt == NULL)
		return false;
	if (reply_address_is_tagged((const char *const *)
	    cfg->support_addresses, cfg->nsupport_addresses, rcpt))
		return true;
	note = config_agents_note_address(cfg);
	return note != NULL && strcasecmp(note, rcpt) == 0;
}

enum agent_auth_verdict
agent_mail_auth(const struct config *cfg, const char *raw, size_t len,
    const char *addr, bool *below_out)
{
	struct agent_auth_trust	 t;

	memset(&t, 0, sizeof(t));
	t.ids = config_agents_trusted_authserv(cfg, &t.nids);
	t.hosts = config_agents_trusted_hosts(cfg, &t.nhosts);
	t.self = cfg->hostname;
	return agent_auth_message(raw, len, &t, addr, below_out);
}

/*
 * 1 and *who filled when the message proves an agent wrote it, 0 when
 * it is customer mail.  Claims that fail (a From of an agent without the
 * proof agent_mail.require asks for, a damaged reply address, the note
 * address written to by anybody) are logged here, once.
 */
static int
agent_mail_identify(struct store *st, const struct pipeline_view *v,
    struct agent_mail_who *who, bool *forged, struct error *err)
{
	enum config_agents_require require = config_agents_require(v->cfg);
	enum threading_how	 how;
	const char		**rcpts, *why = NULL, *auth = NULL;
	const char		*from = v->pm->from.addr;
	int64_t			 ticket = 0;
	size_t			 n;
	bool			 found;

	n = agent_mail_rcpts(v, &rcpts);
	found = agent_mail_signed(v, rcpts, n, who, &why);
	if (found && require == AGENTS_REQUIRE_BOTH)
		found = agent_mail_signed_auth(v, who, &why, &auth);
	else if (!found && require == AGENTS_REQUIRE_EITHER)
		found = agent_mail_vouched(v, rcpts, n, who, &why, &auth);
	else if (!found && why == NULL && from != NULL &&
	    config_agents_by_address(v->cfg, from) != NULL)
		why = "no-signature";
	free(rcpts);
	if (!found && why == NULL)
		return 0;
	if (who->ticket == 0 && threading_find(st, v->tok, v->pm, &ticket,
	    &how, err) == -1)
		return -1;
	if (!found) {
		agent_mail_log_forged(v, ticket, why, auth);
		*forged = true;
		return 0;
	}
	if (who->ticket == 0)
		who->ticket = ticket;
	if (who->ticket == 0) {
		/* An agent writing to support about nothing we know. */
		log_info("agent-mail agent=%s no-request treated as customer",
		    who->agent->name);
		return 0;
	}
	if (agent_mail_follow(st, &who->ticket, err) == -1)
		return -1;
	if (who->ticket == 0) {
		log_info("agent-mail agent=%s unknown-request treated as "
		    "customer", who->agent->name);
		return 0;
	}
	return 1;
}

/*
 * The recipients to look at: the envelope's (what the MTA delivered to
 * us), else To and Cc (IMAP and inject have no envelope).  A new array
 * of borrowed strings.
 */
static size_t
agent_mail_rcpts(const struct pipeline_view *v, const char ***out)
{
	const struct parsed_message	*pm = v->pm;
	const char			**r;
	size_t				 i, n = 0;

	if (v->in->nrcpts > 0) {
		r = xcalloc(v->in->nrcpts, sizeof(*r));
		for (i = 0; i < v->in->nrcpts; i++)
			r[n++] = v->in->rcpts[i];
	} else {
		r = xcalloc(pm->nto + pm->ncc + 1, sizeof(*r));
		for (i = 0; i < pm->nto; i++)
			if (pm->to[i].addr != NULL)
				r[n++] = pm->to[i].addr;
		for (i = 0; i < pm->ncc; i++)
			if (pm->cc[i].addr != NULL)
				r[n++] = pm->cc[i].addr;
	}
	*out = r;
	return n;
}

/*
 * A recipient that is a valid signed reply address, From one of the
 * signed agent's addresses (see below).  A tagged address that does not
 * verify, or comes From someone else, sets *why.
 */
static bool
agent_mail_signed(const struct pipeline_view *v, const char *const *rcpts,
    size_t n, struct agent_mail_who *who, const char **why)
{
	const struct config	*cfg = v->cfg;
	const char *const	*ours = (const char *const *)
				    cfg->support_addresses;
	const void		*key;
	struct error		 e;
	char			*name;
	uint64_t		 request;
	size_t			 i, keylen;

	key = config_agents_reply_key(cfg, &keylen);
	for (i = 0; i < n; i++) {
		if (!reply_address_is_tagged(ours, cfg->nsupport_addresses,
		    rcpts[i]))
			continue;
		if (!reply_address_verify(key, keylen, ours,
		    cfg->nsupport_addresses, rcpts[i], &name, &request, &e)) {
			*why = "bad-signature";
			continue;
		}
		who->agent = config_agents_find(cfg, name);
		free(name);
		if (who->agent == NULL) {
			*why = "agent-gone";
			continue;
		}
		/*
		 * The address proves the mail answers a notice sent to this
		 * agent, not who wrote it: a notice forwarded to someone
		 * else must not let him act as the agent.  So the From must
		 * be one of the agent's addresses too (an agent who writes
		 * from another one adds it to his addresses).  That stops
		 * a reader answering from his own address; one who types
		 * the agent's From is stopped only by require =
		 * "signature+auth" (agent_mail_signed_auth).
		 */
		if (v->pm->from.addr == NULL ||
		    config_agents_by_address(cfg, v->pm->from.addr) !=
		    who->agent) {
			who->agent = NULL;
			*why = "signed-from-other";
			continue;
		}
		who->ticket = (int64_t)request;
		who->proof = "signed";
		return true;
	}
	return false;
}

/*
 * An agent's From with a trusted DKIM/SPF pass; else *why (and *auth,
 * what the header said) if it claimed to be one.
 */
static bool
agent_mail_vouched(const struct pipeline_view *v, const char *const *rcpts,
    size_t n, struct agent_mail_who *who, const char **why, const char **auth)
{
	const struct config	*cfg = v->cfg;
	const struct agent	*a;
	const char		*from = v->pm->from.addr;
	enum agent_auth_verdict	 verdict;
	bool			 note = agent_mail_to_note(cfg, rcpts, n);
	bool			 below;

	a = from != NULL ? config_agents_by_address(cfg, from) : NULL;
	if (a == NULL) {
		if (note && *why == NULL)
			*why = "note-from-non-agent";
		return false;
	}
	verdict = agent_mail_auth(cfg, v->in->raw, v->in->len, from, &below);
	if (verdict != AGENT_AUTH_DKIM && verdict != AGENT_AUTH_SPF) {
		if (*why == NULL) {
			*why = "no-trusted-pass";
			*auth = agent_mail_auth_why(verdict, below);
		}
		return false;
	}
	who->agent = a;
	who->proof = agent_auth_verdict_name(verdict);
	who->note_address = note;
	return true;
}

/*
 * require = "signature+auth": the signed address already named the agent
 * and the From is his; a trusted pass for that From must prove it too,
 * since a From is typed by whoever holds a forwarded notice.
 */
static bool
agent_mail_signed_auth(const struct pipeline_view *v,
    struct agent_mail_who *who, const char **why, const char **auth)
{
	enum agent_auth_verdict	 verdict;
	bool			 below;

	verdict = agent_mail_auth(v->cfg, v->in->raw, v->in->len,
	    v->pm->from.addr, &below);
	if (verdict == AGENT_AUTH_DKIM || verdict == AGENT_AUTH_SPF) {
		who->proof = verdict == AGENT_AUTH_DKIM ? "signed+dkim" :
		    "signed+spf";
		return true;
	}
	who->agent = NULL;
	who->ticket = 0;
	who->proof = NULL;
	*why = "signed-without-auth";
	*auth = agent_mail_auth_why(verdict, below);
	return false;
}

/* For the log: what the header said, or that it said it too low. */
static const char *
agent_mail_auth_why(enum agent_auth_verdict verdict, bool below)
{
	if (below && verdict < AGENT_AUTH_NO_PASS)
		return "below-received";
	return agent_auth_verdict_name(verdict);
}

static bool
agent_mail_to_note(const struct config *cfg, const char *const *rcpts,
    size_t n)
{
	const char	*note = config_agents_note_address(cfg);
	size_t		 i;

	for (i = 0; note != NULL && i < n; i++)
		if (strcasecmp(rcpts[i], note) == 0)
			return true;
	return false;
}

/* *ticket becomes the request it was merged into, or 0 if none exists. */
static int
agent_mail_follow(struct store *st, int64_t *ticket, struct error *err)
{
	struct ticket	 t;
	struct error	 e;
	int64_t		 into;
	int		 depth;

	for (depth = 0; depth < MERGE_DEPTH_MAX; depth++) {
		if (ticket_load(st, *ticket, &t, &e) == -1) {
			if (e.kind != ERR_PERM)
				return error_set(err, e.kind, "%s", e.msg);
			*ticket = 0;	/* no such request */
			return 0;
		}
		into = t.merged_into;
		ticket_clear(&t);
		if (into == 0 || into == *ticket)
			return 0;
		*ticket = into;
	}
	return 0;
}

static void
agent_mail_log_forged(const struct pipeline_view *v, int64_t ticket,
    const char *why, const char *auth)
{
	const char	*from = v->pm->from.addr != NULL ? v->pm->from.addr : "";
	char		 esc[256];

	log_escape(esc, sizeof(esc), from, strlen(from));
	log_info("agent-mail forged-from=%s ticket=%lld treated as customer "
	    "reason=%s%s%s", esc, (long long)ticket, why,
	    auth != NULL ? " auth=" : "", auth != NULL ? auth : "");
}

/*
 * Cuts the quoted notification off and parses the commands.  Whether the
 * reply holds anything for the customer is decided without the agent's
 * signature ("#status resolved" + "-- Anna" is commands only), but the
 * relay keeps it: the signature is meant for the customer.
 */
static void
agent_mail_prepare(struct agent_mail_job *job)
{
	struct mail_command_list	*bare;
	const char			*marker;
	char				*nosig;

	marker = config_agents_reply_marker(job->cfg);
	job->text = reply_cut(job->v->pm->body, marker, 0, &job->cut_why);
	job->cmds = mail_command_parse(job->text);
	nosig = reply_cut(job->v->pm->body, marker, REPLY_CUT_SIGNATURE,
	    NULL);
	bare = mail_command_parse(nosig);
	job->only_commands = bare->rest[0] == '\0';
	mail_command_list_free(bare);
	free(nosig);
}

static int
agent_mail_handle(struct agent_mail_job *job, struct error *err)
{
	int	 rc;

	if (job->v->auto_reason != NULL)
		return agent_mail_keep_raw(job, err);
	if (message_last_row(job->st, &job->last_row, err) == -1 ||
	    store_savepoint(job->st, err) == -1)
		return -1;
	if ((rc = agent_mail_act(job, err)) == 0 && job->nfailed > 0)
		agent_mail_forget(job);
	else if (rc == 0)
		rc = store_release(job->st, err);
	if (rc == -1) {
		/* Leave the caller's savepoint where it expects it. */
		store_rollback_to(job->st);
		return -1;
	}
	if (agent_mail_keep_raw(job, err) == -1)
		return -1;
	if (agent_mail_wants_result(job))
		return agent_mail_result(job, err);
	return 0;
}

/* Commands in order, then the note or the relay; stops at a refusal. */
static int
agent_mail_act(struct agent_mail_job *job, struct error *err)
{
	const struct mail_command_list	*l = job->cmds;
	size_t				 i;

	for (i = 0; i < l->nerrors; i++) {
		buf_printf(&job->failed, "  line %zu: %s\n", l->errors[i].line,
		    l->errors[i].msg);
		job->nfailed++;
	}
	for (i = 0; job->nfailed == 0 && i < l->ncommands; i++)
		if (agent_mail_command(job, &l->commands[i], err) == -1)
			return -1;
	if (job->nfailed > 0)
		return 0;
	return agent_mail_finish(job, err);
}

static int
agent_mail_command(struct agent_mail_job *job, const struct mail_command *c,
    struct error *err)
{
	struct error	 e;
	char		 what[200];
	int		 rc;

	if (c->kind == MAIL_COMMAND_NOTE)
		return 0;
	error_clear(&e);
	if (c->kind == MAIL_COMMAND_MERGE || c->kind == MAIL_COMMAND_DONE)
		snprintf(what, sizeof(what), "#%s %llu",
		    mail_command_kind_name(c->kind),
		    (unsigned long long)c->number);
	else
		snprintf(what, sizeof(what), "#%s%s%s",
		    mail_command_kind_name(c->kind), c->arg ? " " : "",
		    c->arg ? c->arg : "");
	rc = agent_mail_run(job, c, &e);
	return agent_mail_outcome(job, c->line, what, rc == -1 ? &e : NULL,
	    err);
}

/* One command through ticket_ops; -1 + e when it was refused or failed. */
static int
agent_mail_run(struct agent_mail_job *job, const struct mail_command *c,
    struct error *e)
{
	struct store		*st = job->st;
	const struct config	*cfg = job->cfg;
	const char		*me = job->who.agent->name;
	time_t			 now = job->v->now;
	int64_t			 t = job->ticket;

	switch (c->kind) {
	case MAIL_COMMAND_ASSIGN:
		return ticket_ops_assign(st, cfg, t, c->arg, me, now, e);
	case MAIL_COMMAND_TAKE:
		return ticket_ops_assign(st, cfg, t, me, me, now, e);
	case MAIL_COMMAND_STATUS:
		return ticket_ops_status(st, cfg, t, c->arg, me, now, e);
	case MAIL_COMMAND_PRIORITY:
		return ticket_ops_priority(st, cfg, t, c->arg, me, now, e);
	case MAIL_COMMAND_CATEGORY:
		return ticket_ops_category(st, cfg, t, c->arg, me, now, e);
	case MAIL_COMMAND_TAG:
	case MAIL_COMMAND_UNTAG:
		return ticket_ops_tag(st, cfg, t, c->arg,
		    c->kind == MAIL_COMMAND_TAG, me, now, e);
	case MAIL_COMMAND_CC:
		return ticket_ops_cc(st, cfg, t, c->arg, me, now, e);
	case MAIL_COMMAND_MERGE:
		if (ticket_ops_merge(st, cfg, t, (int64_t)c->number, me, now,
		    e) == -1)
			return -1;
		/* What follows (the relay too) belongs to the survivor. */
		job->ticket = (int64_t)c->number;
		return 0;
	case MAIL_COMMAND_TEMPLATE:
		return agent_mail_canned(job, c->arg, e);
	case MAIL_COMMAND_TASK:
		return task_ops_command(st, cfg, t, me, c->arg, now, NULL, e);
	case MAIL_COMMAND_DONE:
		return task_ops_done(st, cfg, (int64_t)c->number, me, now, e);
	case MAIL_COMMAND_NOTE:
		break;
	}
	return 0;
}

/* #template NAME: the canned answer joins the text for the customer. */
static int
agent_mail_canned(struct agent_mail_job *job, const char *name,
    struct error *e)
{
	const struct config	*cfg = job->cfg;
	const struct template	*t;
	struct template_var	 vars[7];
	struct ticket		 req;
	struct customer		 c;
	char			*text, *token, *id;

	if ((t = config_canned_find(cfg, name)) == NULL)
		return error_set(e, ERR_PERM, "no template %s", name);
	if (ticket_load(job->st, job->ticket, &req, e) == -1)
		return -1;
	if (customer_load(job->st, req.customer_id, &c, e) == -1) {
		ticket_clear(&req);
		return -1;
	}
	token = subject_token_format(job->v->tok, (uint64_t)job->ticket);
	xasprintf(&id, "%lld", (long long)job->ticket);
	vars[0] = (struct template_var){ "id", id };
	vars[1] = (struct template_var){ "token", token };
	vars[2] = (struct template_var){ "subject", req.subject };
	vars[3] = (struct template_var){ "customer_name", c.name };
	vars[4] = (struct template_var){ "agent_name",
	    job->who.agent->display_name != NULL ?
	    job->who.agent->display_name : job->who.agent->name };
	vars[5] = (struct template_var){ "support_address",
	    cfg->support_addresses[0] };
	vars[6] = (struct template_var){ "support_name", cfg->support_name };
	text = template_render(t, vars, 7);
	if (job->canned.len > 0)
		buf_append_str(&job->canned, "\n\n");
	buf_append_str(&job->canned, text);
	free(text);
	free(id);
	free(token);
	customer_clear(&c);
	ticket_clear(&req);
	return 0;
}

/*
 * After the commands: the note, else the text for the customer (the
 * reply's own text, then any canned answers).  A note never reaches the
 * customer: ticket_ops_note shares it with the agents only.
 */
static int
agent_mail_finish(struct agent_mail_job *job, struct error *err)
{
	const struct mail_command_list	*l = job->cmds;
	const char			*me = job->who.agent->name;
	struct error			 e;
	struct buf			 relay;
	bool				 relay_empty;
	int				 rc = 0;

	error_clear(&e);
	if (l->note || job->who.note_address) {
		if (l->rest[0] == '\0' && job->canned.len == 0)
			return 0;
		rc = ticket_ops_note(job->st, job->cfg, job->ticket, me,
		    l->rest[0] != '\0' ? l->rest : job->canned.data,
		    job->v->now, &e);
		job->noted = rc == 0;
		return agent_mail_outcome(job, 0, "note", rc == -1 ? &e : NULL,
		    err);
	}
	if (job->only_commands && job->canned.len == 0 && l->ncommands > 0)
		return 0;
	buf_init(&relay);
	if (!job->only_commands)
		buf_append_str(&relay, l->rest);
	if (relay.len > 0 && job->canned.len > 0)
		buf_append_str(&relay, "\n\n");
	if (job->canned.len > 0)
		buf_append(&relay, job->canned.data, job->canned.len);
	buf_append_char(&relay, '\0');
	relay_empty = relay.data[0] == '\0';
	/*
	 * The raw message goes along for its attachments (carried to the
	 * customer byte for byte); images inline in a multipart/related
	 * body are a signature's logos and stay behind.  A reply made only
	 * of commands sends nothing, attachments or not: the signature
	 * images of some clients would otherwise reach the customer.  No
	 * text and no commands: a file sent without a word is relayed
	 * (ticket_ops_reply_mime takes attachments alone); a really empty
	 * reply is refused, and the agent told so rather than left to
	 * wonder.
	 */
	rc = ticket_ops_reply_mime(job->st, job->cfg, job->ticket, me,
	    relay.data, job->v->in->raw, job->v->in->len, job->v->pm,
	    job->v->now, &e);
	buf_release(&relay);
	if (rc == -1 && e.kind == ERR_PERM && relay_empty &&
	    strcmp(e.msg, "the reply is empty") == 0)
		error_set(&e, ERR_PERM, "there was no text above the quoted "
		    "notification");
	job->relayed = rc == 0;
	return agent_mail_outcome(job, 0, "reply to the customer",
	    rc == -1 ? &e : NULL, err);
}

/*
 * Records how one action went for the result mail.  A refusal
 * (ERR_PERM) is the agent's to fix; anything else is ours and fails the
 * whole message, to be retried (error.h: internal counts as temporary).
 */
static int
agent_mail_outcome(struct agent_mail_job *job, size_t line, const char *what,
    const struct error *e, struct error *err)
{
	if (e == NULL) {
		if (line > 0) {
			buf_printf(&job->done, "  %s: done\n", what);
			job->ndone++;
		}
		return 0;
	}
	if (e->kind != ERR_PERM) {
		error_set(err, e->kind == ERR_NONE ? ERR_INTERNAL : e->kind,
		    "%s", e->msg);
		return -1;
	}
	if (line > 0)
		buf_printf(&job->failed, "  line %zu: %s: %s\n", line, what,
		    e->msg);
	else
		buf_printf(&job->failed, "  %s: %s\n", what, e->msg);
	job->nfailed++;
	return 0;
}

/* A refusal undoes everything the message did (and its notices). */
static void
agent_mail_forget(struct agent_mail_job *job)
{
	store_rollback_to(job->st);
	job->ticket = job->who.ticket;
	job->noted = job->relayed = false;
	buf_reset(&job->done);
	job->ndone = 0;
}

/*
 * The raw message is kept on the row ticket_ops wrote for the note or the
 * relay when there is one (the history then shows each text once), else
 * on a note row of its own: commands only, a refusal, automatic mail.
 * Either way the dedupe key is stored, so a redelivery is a duplicate.
 */
static int
agent_mail_keep_raw(struct agent_mail_job *job, struct error *err)
{
	bool	 attached = false;

	if ((job->noted || job->relayed) &&
	    agent_mail_attach_raw(job, &attached, err) == -1)
		return -1;
	if (!attached && agent_mail_insert_raw(job, err) == -1)
		return -1;
	return threading_remember(job->st, job->v->pm->message_id,
	    job->ticket, err);
}

static int
agent_mail_attach_raw(struct agent_mail_job *job, bool *attached,
    struct error *err)
{
	const struct pipeline_view	*v = job->v;

	if (message_find_unkept(job->st, job->last_row, job->who.agent->name,
	    &job->row, err) == -1)
		return -1;
	if (job->row == 0)
		return 0;
	if (message_keep_raw(job->st, job->row, v->key, v->in->raw,
	    v->in->len, v->in->mail_from, v->in->source, err) == -1)
		return -1;
	*attached = true;
	return 0;
}

static int
agent_mail_insert_raw(struct agent_mail_job *job, struct error *err)
{
	const struct pipeline_view	*v = job->v;
	const struct parsed_message	*pm = v->pm;
	struct message_row		 row;

	memset(&row, 0, sizeof(row));
	row.ticket_id = job->ticket;
	row.direction = "note";
	row.dedupe_key = v->key;
	row.message_id = pm->message_id;
	row.from_addr = pm->from.addr;
	row.from_name = pm->from.name;
	row.subject = pm->subject;
	/* What the agent wrote, not the notification it quoted. */
	row.body = job->text;
	row.body_from_html = pm->body_from_html;
	row.envelope_from = v->in->mail_from;
	row.source = v->in->source;
	row.auto_reason = v->auto_reason;
	row.parse_warning = pm->warning;
	row.agent = job->who.agent->name;
	row.raw = v->in->raw;
	row.raw_len = v->in->len;
	row.created_at = v->now;
	if (message_insert(job->st, &row, &job->row, err) == -1)
		return -1;
	return message_insert_attachments(job->st, job->row, pm, err);
}

/* Commands deserve an answer; a refused note or relay too. */
static bool
agent_mail_wants_result(const struct agent_mail_job *job)
{
	size_t	 i;

	if (job->nfailed > 0)
		return true;
	for (i = 0; i < job->cmds->ncommands; i++)
		if (job->cmds->commands[i].kind != MAIL_COMMAND_NOTE)
			return true;
	return false;
}

/*
 * The one mail telling the agent what happened.  It goes to the agent's
 * configured address, not to the From (which a signed reply does not
 * vouch for), with a null envelope sender and Auto-Submitted so that no
 * autoresponder answers it (RFC 3834).
 */
static int
agent_mail_result(struct agent_mail_job *job, struct error *err)
{
	char	*result;
	int	 rc;

	/*
	 * Through the admin's command_result template, threaded with the
	 * request's notifications and with a signed Reply-To, so the agent
	 * can answer the result with corrected commands.
	 */
	result = agent_mail_result_body(job);
	rc = notify_agent(job->st, job->cfg, job->ticket, job->who.agent,
	    AGENTS_NOTICE_COMMAND_RESULT, "", job->who.agent->name, result,
	    job->v->now, err);
	job->result_sent = rc == 0;
	free(result);
	return rc;
}

static char *
agent_mail_result_body(const struct agent_mail_job *job)
{
	struct buf	 b;

	buf_init(&b);
	if (job->nfailed > 0) {
		buf_printf(&b, "Nothing was changed on request #%lld, and "
		    "nothing was sent to the customer:\n\n",
		    (long long)job->ticket);
		buf_append(&b, job->failed.data, job->failed.len);
		buf_append_str(&b, "\nPlease correct your message and send it "
		    "again.\n");
		return buf_steal(&b, NULL);
	}
	buf_printf(&b, "Done on request #%lld:\n\n", (long long)job->ticket);
	buf_append(&b, job->done.data, job->done.len);
	if (job->noted)
		buf_append_str(&b, "\nYour note was added for the agents.\n");
	else if (job->relayed)
		buf_append_str(&b, "\nYour reply was sent to the customer.\n");
	else
		buf_append_str(&b, "\nNothing was sent to the customer.\n");
	return buf_steal(&b, NULL);
}

static void
agent_mail_log(const struct agent_mail_job *job)
{
	const struct parsed_message	*pm = job->v->pm;
	const char			*from = pm->from.addr ? pm->from.addr : "";
	char				 esc[256];

	log_escape(esc, sizeof(esc), from, strlen(from));
	log_info("agent-mail msg=%lld ticket=%lld agent=%s proof=%s "
	    "from=\"%s\" cut=%s commands=%zu refused=%zu note=%d relayed=%d "
	    "result=%d auto=%s", (long long)job->row, (long long)job->ticket,
	    job->who.agent->name, job->who.proof, esc,
	    reply_cut_reason_name(job->cut_why), job->cmds->ncommands,
	    job->nfailed, job->noted ? 1 : 0, job->relayed ? 1 : 0,
	    job->result_sent ? 1 : 0,
	    job->v->auto_reason ? job->v->auto_reason : "no");
}
