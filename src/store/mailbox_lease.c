/*
 * mailbox_lease: rows of mailbox_leases (see mailbox_lease.h).  The take
 * is an upsert whose update has a condition (ours, or run out): under
 * PostgreSQL's READ COMMITTED a second instance's statement waits for
 * the first's row and evaluates the condition on what it committed, so
 * "held?" is the row count of the one statement.
 */
#include "error.h"
#include "mailbox_lease.h"
#include "store_db.h"

int
mailbox_lease_take(struct store *st, const char *name, const char *holder,
    time_t now, time_t until, bool *held_out, struct error *err)
{
	static const char sql[] = "INSERT INTO mailbox_leases (name, holder,"
	    " lease_until) VALUES (?1, ?2, ?4) ON CONFLICT (name) DO UPDATE"
	    " SET holder = excluded.holder, lease_until = excluded.lease_until"
	    " WHERE mailbox_leases.holder = excluded.holder"
	    " OR mailbox_leases.lease_until < ?3";
	struct store_q *q;

	*held_out = false;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, name);
	store_q_text(q, 2, holder);
	store_q_int(q, 3, (int64_t)now);
	store_q_int(q, 4, (int64_t)until);
	if (store_q_exec(q, err) == -1)
		return -1;
	*held_out = store_q_changes(st) > 0;
	return 0;
}

int
mailbox_lease_release(struct store *st, const char *name, const char *holder,
    struct error *err)
{
	static const char sql[] = "DELETE FROM mailbox_leases"
	    " WHERE name = ?1 AND holder = ?2";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, name);
	store_q_text(q, 2, holder);
	return store_q_exec(q, err);
}
