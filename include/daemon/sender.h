/*
 * sender: the worker that drains the outbox.  It owns its own store
 * connection, takes due rows, delivers each to the smarthost (or the
 * Maildir), and marks it sent, retried with exponential backoff, or failed
 * (permanent error, or older than outgoing.give_up_after).  It wakes when
 * told (after a commit that queued mail) and at the next due time.
 */
#ifndef TRIAGED_SENDER_H
#define TRIAGED_SENDER_H

struct error;
struct sender;
struct store_writer;

/*
 * Starts the worker: it reads due rows on its own read-only connection
 * to dbpath and records every result as a unit of writer, waiting for
 * its commit before the next delivery.  On a database several instances
 * share (PostgreSQL), it claims the rows it delivers for instance (this
 * process's id, unique among the instances, copied) under a lease of
 * lease seconds (outgoing.lease, read at start: a reload does not move
 * it) that it renews every lease/4 seconds.  Stop it before the writer.
 * NULL + err on failure.
 */
struct sender	*sender_start(const char *dbpath, struct store_writer *writer,
		    const char *instance, int lease, struct error *err);
/* Tells the worker new mail may be due (thread-safe, cheap). */
void		 sender_wake(struct sender *);
/* Finishes the current message, stops and frees the worker. */
void		 sender_stop(struct sender *);

#endif
