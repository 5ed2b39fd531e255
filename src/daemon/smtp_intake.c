/*
 * smtp_intake: recipient policy and message hand-off for SMTP and LMTP.
 * The reply after DATA is built here from the job's result, after the
 * store writer committed it (promise 1): 250 carries the ticket number, so
 * the sending MTA's log line leads straight to the request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agent_mail.h"
#include "buf.h"
#include "config.h"
#include "intake.h"
#include "log.h"
#include "smtp_intake.h"
#include "store_writer.h"
#include "xmalloc.h"

struct smtp_intake {
	enum smtp_proto		 proto;
	struct store_writer	*writer;
};

static bool	smtp_intake_rcpt(void *, const char *, struct smtp_reply *);
static void	smtp_intake_message(void *, struct smtp_session *,
		    struct buf *, const char *, char *const *, size_t);
static void	smtp_intake_done(struct intake_job *, void *);
static bool	smtp_intake_local_domain(const struct config *, const char *);
static bool	smtp_intake_postmaster(const struct config *, const char *);

struct smtp_intake *
smtp_intake_new(enum smtp_proto proto, struct store_writer *writer,
    struct smtp_callbacks *cb)
{
	struct smtp_intake *si = xcalloc(1, sizeof(*si));

	si->proto = proto;
	si->writer = writer;
	cb->rcpt = smtp_intake_rcpt;
	cb->message = smtp_intake_message;
	cb->arg = si;
	return si;
}

void
smtp_intake_set_writer(struct smtp_intake *si, struct store_writer *writer)
{
	si->writer = writer;
}

void
smtp_intake_free(struct smtp_intake *si)
{
	free(si);
}

/*
 * Only support addresses (and postmaster) are accepted.  Another address
 * in one of our domains is an unknown user (5.1.1); any other domain is a
 * relay attempt (5.7.1), which an SMTP listener must refuse outright.
 */
static bool
smtp_intake_rcpt(void *arg, const char *rcpt, struct smtp_reply *reply)
{
	struct smtp_intake *si = arg;
	struct config *cfg = config_current();
	/* signed reply addresses and the note address: agent_mail.c */
	bool ok = config_is_support_address(cfg, rcpt) ||
	    agent_mail_accepts(cfg, rcpt) || smtp_intake_postmaster(cfg, rcpt);

	if (!ok && (si->proto == SMTP_PROTO_LMTP ||
	    smtp_intake_local_domain(cfg, rcpt))) {
		reply->code = 550;
		snprintf(reply->text, sizeof(reply->text),
		    "5.1.1 <%.200s>: no such user here", rcpt);
	} else if (!ok) {
		reply->code = 550;
		snprintf(reply->text, sizeof(reply->text),
		    "5.7.1 <%.200s>: relaying denied", rcpt);
	}
	config_unref(cfg);
	return ok;
}

/*
 * RFC 5321 4.5.1: "postmaster" in any case, bare or at a domain we serve
 * (a support address's, or our hostname), must be accepted.  Its mail is
 * taken like mail to a support address: it becomes a request that the
 * people reading the helpdesk see (bounces and abuse reports are what
 * arrives there), and the envelope keeps "postmaster" so the request
 * shows where it was sent.  Automatic mail to it (DSNs) is never
 * acknowledged, as everywhere (promise 3).
 */
static bool
smtp_intake_postmaster(const struct config *cfg, const char *rcpt)
{
	const char *at = strchr(rcpt, '@');
	size_t llen = at != NULL ? (size_t)(at - rcpt) : strlen(rcpt);

	if (llen != strlen("postmaster") ||
	    strncasecmp(rcpt, "postmaster", llen) != 0)
		return false;
	if (at == NULL)
		return true;
	if (strchr(at + 1, '@') != NULL)
		return false;	/* "postmaster@elsewhere@ours": not ours */
	return smtp_intake_local_domain(cfg, rcpt) ||
	    strcasecmp(at + 1, cfg->hostname) == 0;
}

static bool
smtp_intake_local_domain(const struct config *cfg, const char *rcpt)
{
	const char *at = strrchr(rcpt, '@');
	size_t i;

	if (at == NULL)
		return true;	/* a bare local part is ours, not a relay */
	for (i = 0; i < cfg->nsupport_addresses; i++) {
		const char *ours = strrchr(cfg->support_addresses[i], '@');

		if (ours != NULL && strcasecmp(ours, at) == 0)
			return true;
	}
	return false;
}

static void
smtp_intake_message(void *arg, struct smtp_session *s, struct buf *raw,
    const char *mail_from, char *const *rcpts, size_t nrcpts)
{
	struct smtp_intake *si = arg;
	struct intake_job *job;

	job = intake_job_new(raw, si->proto == SMTP_PROTO_LMTP ? "lmtp" :
	    "smtp", mail_from, rcpts, nrcpts);
	intake_job_set_client(job, smtp_session_peer(s));
	job->done = smtp_intake_done;
	job->arg = s;
	intake_submit(si->writer, job);
}

static void
smtp_intake_done(struct intake_job *job, void *arg)
{
	struct smtp_session *s = arg;
	struct smtp_reply reply;

	memset(&reply, 0, sizeof(reply));
	switch (job->status) {
	case INTAKE_STORED:
		reply.code = 250;
		snprintf(reply.text, sizeof(reply.text),
		    "2.0.0 Ok: stored as ticket #%lld",
		    (long long)job->ticket_id);
		break;
	case INTAKE_DUPLICATE:
		reply.code = 250;
		snprintf(reply.text, sizeof(reply.text),
		    "2.0.0 Ok: already stored (ticket #%lld)",
		    (long long)job->ticket_id);
		break;
	case INTAKE_PERMFAIL:
		reply.code = 554;
		snprintf(reply.text, sizeof(reply.text),
		    "5.6.0 Message refused: %.200s", job->err.msg);
		break;
	case INTAKE_TEMPFAIL:
		reply.code = 451;
		snprintf(reply.text, sizeof(reply.text),
		    "4.3.0 Temporary failure, try again later");
		log_warnx("smtp session=%s tempfail: %s", smtp_session_id(s),
		    job->err.msg);
		break;
	}
	intake_job_free(job);
	smtp_session_data_done(s, &reply, 1);
}
