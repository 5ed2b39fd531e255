/*
 * mailbox_lease: rows of mailbox_leases (see mailbox_lease.h).  The take
 * is an upsert whose update has a condition (ours, or run out): under
 * PostgreSQL's READ COMMITTED a second instance's statement waits for
 * the first's row and evaluates the condition on what it committed, so
 * "held?" is the row count of the one statement.
 */
#include <stdlib.h>

#include "error.h"
#include "mailbox_lease.h"
#include "store_db.h"
#include "xmalloc.h"

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

int
mailbox_lease_list(struct store *st, struct mailbox_lease **rows_out,
    size_t *n_out, struct error *err)
{
	static const char sql[] = "SELECT name, holder, lease_until"
	    " FROM mailbox_leases ORDER BY name";
	struct mailbox_lease *rows = NULL;
	struct store_q *q;
	enum store_step rc;
	size_t n = 0;

	*rows_out = NULL;
	*n_out = 0;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	while ((rc = store_q_step(q, err)) == STORE_ROW) {
		rows = xreallocarray(rows, n + 1, sizeof(*rows));
		rows[n].name = store_q_col_strdup(q, 0);
		rows[n].holder = store_q_col_strdup(q, 1);
		rows[n].until = (time_t)store_q_col_int(q, 2);
		n++;
	}
	if (rc == STORE_ERROR) {
		mailbox_lease_free(rows, n);
		return -1;
	}
	*rows_out = rows;
	*n_out = n;
	return 0;
}

void
mailbox_lease_free(struct mailbox_lease *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(rows[i].name);
		free(rows[i].holder);
	}
	free(rows);
}
