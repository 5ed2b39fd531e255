/*
 * purge: removing personal data (issue 14, GDPR), for retention and for
 * `triagectl forget`.  A purged request keeps its row and its figures
 * (times, status, priority, category, assignee, company, SLA marks,
 * rating, rule hits, and one messages row per message with its
 * direction, agent and time), so reports over any period count and time
 * it as before; what names or quotes the customer goes: subject, the
 * customer link, the messages' addresses, names, subjects, texts and raw
 * bytes (the attachments are in them; their rows keep type and size,
 * not the name), Message-IDs, Cc addresses, customer addresses in
 * events, and the mail we sent (outbox rows no longer queued).  A
 * customer left with no request is deleted with their addresses.
 *
 * Every function runs inside the caller's transaction (a writer unit, or
 * triagectl's own) and adds what it removed to *counts.
 */
#ifndef TRIAGED_PURGE_H
#define TRIAGED_PURGE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct error;
struct store;

struct purge_counts {
	int64_t	requests;	/* purged (anonymised) */
	int64_t	messages;	/* texts removed */
	int64_t	raw;		/* raw messages removed (with attachments) */
	int64_t	attachments;	/* names removed */
	int64_t	outbox;		/* sent or queued mail removed */
	int64_t	addresses;	/* customer addresses removed */
	int64_t	customers;	/* customer records removed */
};

/*
 * Drops the raw bytes of up to limit messages older than before on
 * resolved or closed requests (an open request keeps its files).
 * 0, or -1 + err; counts->raw says how many.
 */
int	purge_raw_batch(struct store *, time_t before, int limit,
	    struct purge_counts *counts, struct error *err);
/*
 * Purges up to limit requests closed before `before` and not purged yet
 * (one with mail still queued waits until it is sent).  0, or -1 + err.
 */
int	purge_closed_batch(struct store *, time_t before, int limit,
	    time_t now, struct purge_counts *counts, struct error *err);
/*
 * Erases a person: every request of the customer owning address (any
 * status), their messages on other requests, the address as Cc, every
 * outbox row to it (queued too: nothing is sent to them after), the
 * customer and all their addresses; records the erasure (the erasures
 * table: when, by whom, the counts; not the address).  *found false when
 * the address is unknown (nothing changed).  0, or -1 + err.
 */
int	purge_forget(struct store *, const char *address, const char *actor,
	    time_t now, bool *found, struct purge_counts *counts,
	    struct error *err);

#endif
