/*
 * inject: reads one message on stdin and runs it through the same intake
 * as the listeners, in a transaction of its own.  It needs no running
 * daemon: the database is shared (SQLite WAL), and the mail it queues is
 * delivered by the daemon's sender, which polls the outbox.
 *
 * The exit status is all an MTA's pipe transport reads, and it bounces on
 * anything but 0 and EX_TEMPFAIL.  So every failure that is ours (config,
 * permissions, a database locked, unwritable or out of space, a read
 * error) exits EX_TEMPFAIL and the MTA keeps the mail queued; only a
 * message that can never be taken (empty, over max_message_size, refused
 * by the pipeline as such) exits EX_DATAERR and bounces.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "inject.h"
#include "intake.h"
#include "log.h"
#include "store.h"

static int	inject_read(int fd, size_t max, struct buf *out);

int
inject_main(struct config *cfg, const char *mail_from, const char *rcpt,
    bool silent)
{
	struct intake_job *job;
	struct store *st;
	struct error err;
	struct buf *raw;
	int rc;

	/*
	 * A file size limit (RLIMIT_FSIZE) must fail the write, like a full
	 * disk, and not kill us with SIGXFSZ: the MTA defers on 75 but may
	 * bounce on a death by signal.
	 */
	(void)signal(SIGXFSZ, SIG_IGN);
	if (mail_from != NULL && strcmp(mail_from, "<>") == 0)
		mail_from = "";		/* the null sender, as MTAs pass it */
	raw = buf_new();
	if ((rc = inject_read(STDIN_FILENO, cfg->max_message_size, raw)) != 0) {
		buf_free(raw);
		return rc;
	}
	if (rcpt == NULL)
		rcpt = cfg->support_addresses[0];
	job = intake_job_new(raw, "inject", mail_from, (char *const *)&rcpt, 1);
	job->silent = silent;
	if ((st = store_open(cfg->database, 0, &err)) == NULL) {
		log_warnx("inject: %s", err.msg);
		intake_job_free(job);
		return EX_TEMPFAIL;
	}
	intake_run(st, job);
	store_close(st);
	switch (job->status) {
	case INTAKE_STORED:
	case INTAKE_DUPLICATE:
		rc = EX_OK;
		break;
	case INTAKE_PERMFAIL:
		log_warnx("inject: refused: %s", job->err.msg);
		rc = EX_DATAERR;
		break;
	default:
		log_warnx("inject: try again later: %s", job->err.msg);
		rc = EX_TEMPFAIL;
		break;
	}
	intake_job_free(job);
	return rc;
}

/* Reads all of fd; 0, or the exit code for what went wrong. */
static int
inject_read(int fd, size_t max, struct buf *out)
{
	char chunk[65536];
	ssize_t n;

	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			log_warn("inject: read");
			return EX_TEMPFAIL;
		}
		if (n == 0)
			break;
		if (out->len + (size_t)n > max) {
			log_warnx("inject: message larger than "
			    "limits.max_message_size (%zu bytes)", max);
			return EX_DATAERR;
		}
		buf_append(out, chunk, (size_t)n);
	}
	if (out->len == 0) {
		log_warnx("inject: empty message on stdin");
		return EX_DATAERR;
	}
	return 0;
}
