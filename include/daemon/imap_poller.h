/*
 * imap_poller: IMAP intake (issue 3).  One worker thread per configured
 * mailbox connects (implicit TLS, STARTTLS, or plain only when allowed),
 * verifies the certificate, logs in, selects the folder and takes what
 * is there in batches: each message becomes an intake job for the store
 * writer, and only once its commit held (stored or duplicate) is it
 * flagged \Seen, moved or deleted.  Then IDLE (or a poll interval) until
 * more mail comes.  Failures are retried with backoff and logged once per
 * state change; a mailbox never affects another one or the listeners.
 * Blocking calls happen only on the workers; the loop thread only starts,
 * asks to stop and frees.
 */
#ifndef TRIAGED_IMAP_POLLER_H
#define TRIAGED_IMAP_POLLER_H

#include <stdbool.h>

struct config;
struct error;
struct imap_poller;
struct store_writer;

/*
 * Starts one worker per mailbox of cfg (none: a poller that does
 * nothing), taking a reference to cfg.  Jobs go to writer; the state rows
 * to dbpath (the writer's database: cfg's may name another one after a
 * reload, which only takes effect at a restart).  NULL + err if a thread
 * cannot be created.
 */
struct imap_poller	*imap_poller_start(struct config *cfg,
			    struct store_writer *writer, const char *dbpath,
			    struct error *err);
/* The config the workers run with (borrowed). */
const struct config	*imap_poller_config(const struct imap_poller *);
/*
 * True if a and b configure the same mailboxes with the same settings,
 * so a reload can leave running workers alone.
 */
bool			 imap_poller_same(const struct config *a,
			    const struct config *b);
/*
 * Asks every worker to stop at its next safe point (a batch in flight is
 * committed and flagged first).  Returns at once: the batch's commits are
 * delivered by the loop, which must keep running until
 * imap_poller_done() (SIGTERM drain, reload).
 */
void			 imap_poller_stop(struct imap_poller *);
/* True once every worker has finished. */
bool			 imap_poller_done(struct imap_poller *);
/*
 * No more submissions to the writer: a message not yet handed over is
 * left on the server for next time.  Call before store_writer_stop(),
 * which then completes what is in flight.
 */
void			 imap_poller_detach(struct imap_poller *);
/* Stops (if not yet), joins every worker and frees; NULL is fine. */
void			 imap_poller_free(struct imap_poller *);

#endif
