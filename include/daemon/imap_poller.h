/*
 * imap_poller: IMAP intake (issue 3).  One worker thread per configured
 * mailbox connects (implicit TLS, STARTTLS, or plain only when allowed),
 * verifies the certificate, logs in, selects the folder and takes what
 * is there in batches: each message becomes an intake job for the store
 * writer, and only once its commit held (stored or duplicate) is it
 * flagged \Seen, moved or deleted.  Then IDLE (or a poll interval) until
 * more mail comes.  Failures are retried with backoff and logged once per
 * state change; a mailbox never affects another one or the listeners.
 * Every byte from a server passes the guard of imap_stream.h (issue 20).
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
 * reload, which only takes effect at a restart).  On a database several
 * instances share (PostgreSQL), a worker polls its mailbox only while it
 * holds the mailbox's lease for instance (this process's id, copied).
 * NULL + err if a thread cannot be created.
 */
struct imap_poller	*imap_poller_start(struct config *cfg,
			    struct store_writer *writer, const char *dbpath,
			    const char *instance, struct error *err);
/* The config the workers run with (borrowed). */
const struct config	*imap_poller_config(const struct imap_poller *);
/*
 * True if a and b configure the same mailboxes with the same settings,
 * so a reload can leave running workers alone.
 */
bool			 imap_poller_same(const struct config *a,
			    const struct config *b);
/*
 * Asks every worker to stop: one not in a batch has its connection cut
 * at once (shutdown(2): no read of a silent or dripping server holds
 * it); a batch in flight gets a second to be committed and flagged.
 * Returns at once: the batch's commits are delivered by the loop, which
 * must keep running, calling imap_poller_done(), until it is true
 * (SIGTERM drain, reload).
 */
void			 imap_poller_stop(struct imap_poller *);
/*
 * True once every worker has finished.  While stopping, it also cuts
 * the connections of batches still in flight once their grace is over,
 * so calling it every 100 ms or so ends the workers within seconds
 * whatever their servers do.
 */
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
