/*
 * mailbox_lease: which instance polls an IMAP mailbox, when several
 * share one database (issue 15, README "Several instances"): one row per
 * mailbox name, its holder (an instance id) and the time its lease runs
 * out.  The IMAP workers take and renew it through the store writer.
 */
#ifndef TRIAGED_MAILBOX_LEASE_H
#define TRIAGED_MAILBOX_LEASE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct error;
struct store;

/*
 * Takes or renews the lease of mailbox name for holder until `until`:
 * *held_out true when holder holds it now (it was free, ours, or its
 * holder's lease ran out before now), false when another holder's lease
 * runs still.  One statement, so two instances racing for a free
 * mailbox get one each way: one holds it.  0, or -1 + err.
 */
int	mailbox_lease_take(struct store *, const char *name,
	    const char *holder, time_t now, time_t until, bool *held_out,
	    struct error *err);
/* Gives the lease up if holder holds it (a clean stop).  0, or -1 + err. */
int	mailbox_lease_release(struct store *, const char *name,
	    const char *holder, struct error *err);

/* A lease as `triagectl mailboxes` shows it. */
struct mailbox_lease {
	char	*name;
	char	*holder;
	time_t	 until;
};

/*
 * Every lease row (none on SQLite, whose one instance never takes one),
 * by name, into a new array freed with mailbox_lease_free.  A row whose
 * until has passed is a dead holder's: the next instance to try takes
 * it.  0, or -1 + err.
 */
int	mailbox_lease_list(struct store *, struct mailbox_lease **rows_out,
	    size_t *n_out, struct error *err);
void	mailbox_lease_free(struct mailbox_lease *, size_t n);

#endif
