/*
 * mailout: every outgoing mail is described by its caller and built
 * here, so that the loop protection of promise 3, the envelope, the
 * Message-ID, the outbox row, the threading memory and the history row
 * are each written in one place.  What differs between kinds is one row
 * of mailout_kinds; what differs between mails is the struct mailout.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "buf.h"
#include "compose.h"
#include "config.h"
#include "error.h"
#include "log.h"
#include "mailout.h"
#include "message.h"
#include "mime.h"
#include "outbox.h"
#include "xmalloc.h"

struct mailout_kind_info {
	const char	*name;		/* outbox kind and history source */
	const char	*tag;		/* of its Message-IDs */
	const char	*auto_submitted; /* NULL: a person's mail */
	const char	*history;	/* its direction in the history, or NULL */
};

static const struct mailout_kind_info mailout_kinds[] = {
	[MAILOUT_ACK] =	{ "ack", "ack", "auto-replied", "auto" },
	[MAILOUT_NOTICE] = { "notice", "notice", "auto-generated", "auto" },
	[MAILOUT_SURVEY] = { "survey", "survey", "auto-generated", "auto" },
	[MAILOUT_REPLY] = { "reply", "reply", NULL, "out" },
	[MAILOUT_NOTIFY] = { "notify", "notify", "auto-generated", NULL },
	[MAILOUT_NOBODY] = { "nobody_available", "nobody", "auto-generated",
	    NULL },
	[MAILOUT_SLA_WARNING] = { "sla_warning", "sla", "auto-generated",
	    NULL },
	[MAILOUT_SLA_BREACH] = { "sla_breach", "sla", "auto-generated",
	    NULL },
	[MAILOUT_DIGEST] = { "digest", "digest", "auto-generated", NULL },
	[MAILOUT_TASK_REMINDER] = { "task_reminder", "task",
	    "auto-generated", NULL },
};

static char	*mailout_rcpts(const struct mailout *);
static int	 mailout_history(struct store *, const struct config *,
		    const struct mailout *, const char *msgid,
		    const char *rcpts, const struct buf *, int64_t *row_out,
		    struct error *);

int
mailout_queue(struct store *st, const struct config *cfg,
    const struct mailout *m, struct mailout_sent *sent, struct error *err)
{
	const struct mailout_kind_info *k = &mailout_kinds[m->kind];
	const char *support = cfg->support_addresses[0];
	struct compose_msg cm;
	struct error cerr;
	struct outbox_mail om;
	struct buf out;
	char *msgid, *rcpts = NULL;
	int64_t row = 0;
	int ret = -1;

	if (sent != NULL)
		memset(sent, 0, sizeof(*sent));
	msgid = compose_message_id(k->tag, cfg->hostname);
	memset(&cm, 0, sizeof(cm));
	cm.from_name = m->from_name != NULL ? m->from_name : cfg->support_name;
	cm.from_addr = support;
	cm.to = m->to;
	cm.nto = m->nto;
	cm.cc = m->cc;
	cm.ncc = m->ncc;
	cm.reply_to = m->reply_to;
	cm.subject = m->subject;
	cm.message_id = msgid;
	cm.in_reply_to = m->in_reply_to;
	cm.references = m->references;
	cm.nreferences = m->nreferences;
	cm.auto_submitted = k->auto_submitted;
	cm.x_loop = support;
	cm.content_language = m->language;
	cm.body = m->text;
	cm.html = m->html;
	cm.parts = m->parts;
	cm.nparts = m->nparts;
	cm.date = m->now;
	buf_init(&out);
	if (compose_build(&cm, &out, &cerr) == -1) {
		/* bad input is never fatal (promise 4): logged, not retried */
		log_warnx("mailout kind=%s ticket=%lld: not sent: %s", k->name,
		    (long long)m->ticket_id, cerr.msg);
		ret = 1;
		goto done;
	}
	rcpts = mailout_rcpts(m);
	/*
	 * RFC 3834 section 3.3: automatic mail goes out with the null
	 * return path; a person's reply with ours, so its bounces reach us.
	 */
	om = (struct outbox_mail){
		.ticket_id = m->ticket_id, .kind = k->name,
		.mail_from = k->auto_submitted != NULL ? "" : support,
		.rcpts = rcpts, .message_id = msgid, .data = out.data,
		.len = out.len, .now = m->now,
		.origin_sender = m->origin_sender,
		.origin_client = m->origin_client,
		.threads = true,	/* a reply to it joins the request */
	};
	if (outbox_add(st, &om, err) == -1)
		goto done;
	if (m->ticket_id != 0 && k->history != NULL &&
	    mailout_history(st, cfg, m, msgid, rcpts, &out,
	    sent != NULL ? &row : NULL, err) == -1)
		goto done;
	if (sent != NULL) {
		(void)strlcpy(sent->message_id, msgid,
		    sizeof(sent->message_id));
		sent->history_row = row;
	}
	ret = 0;
done:
	buf_release(&out);
	free(rcpts);
	free(msgid);
	return ret;
}

const char *
mailout_kind_name(enum mailout_kind kind)
{
	return mailout_kinds[kind].name;
}

/* The envelope: every usable To and Cc, space-separated, lowercased. */
static char *
mailout_rcpts(const struct mailout *m)
{
	const struct compose_addr *lists[2] = { m->to, m->cc };
	size_t counts[2] = { m->nto, m->ncc }, i, j;
	struct buf b;
	char *p;

	buf_init(&b);
	for (i = 0; i < 2; i++) {
		for (j = 0; j < counts[i]; j++) {
			if (lists[i][j].addr == NULL ||
			    !address_ok(lists[i][j].addr))
				continue;
			if (b.len > 0)
				buf_append_char(&b, ' ');
			buf_append_str(&b, lists[i][j].addr);
		}
	}
	buf_append_char(&b, '\0');
	p = buf_steal(&b, NULL);
	for (i = 0; p[i] != '\0'; i++)
		if (p[i] >= 'A' && p[i] <= 'Z')
			p[i] = (char)(p[i] - 'A' + 'a');
	return p;
}

/*
 * Mail to the customer joins the request's history; a reply carries its
 * agent and its attachments' names and sizes (read back from what was
 * composed: the files as the customer gets them).  *row_out (if not NULL)
 * gets the history row's id.
 */
static int
mailout_history(struct store *st, const struct config *cfg,
    const struct mailout *m, const char *msgid, const char *rcpts,
    const struct buf *composed, int64_t *row_out, struct error *err)
{
	const struct mailout_kind_info *k = &mailout_kinds[m->kind];
	struct parsed_message *pm;
	struct message_row row;
	int64_t id = 0;
	int rc;

	memset(&row, 0, sizeof(row));
	row.ticket_id = m->ticket_id;
	row.direction = k->history;
	row.message_id = msgid;
	row.from_addr = cfg->support_addresses[0];
	row.from_name = m->from_name != NULL ? m->from_name :
	    cfg->support_name;
	row.subject = m->subject;
	row.body = m->text;
	row.envelope_from = k->auto_submitted != NULL ? "" :
	    cfg->support_addresses[0];
	row.envelope_rcpts = rcpts;
	/* the raw mail is the outbox row's data */
	row.source = m->kind == MAILOUT_REPLY ? "agent" : k->name;
	row.agent = m->agent;
	row.created_at = m->now;
	/* the row's id: for the attachments, or the caller wants it */
	if (message_insert(st, &row, m->nparts > 0 || row_out != NULL ?
	    &id : NULL, err) == -1)
		return -1;
	if (row_out != NULL)
		*row_out = id;
	if (m->nparts == 0)
		return 0;
	pm = mime_parse(composed->data, composed->len);
	rc = message_insert_attachments(st, id, pm, err);
	mime_free(pm);
	return rc;
}
