/*
 * digest_run: rows of digest_runs (see digest_run.h), one per schedule
 * name, read by primary key and written with an upsert.  The claim is
 * an upsert whose update has a condition: under PostgreSQL's READ
 * COMMITTED a second instance's statement waits for the first's row and
 * evaluates the condition on what it committed, so one of the two wins.
 */
#include "digest_run.h"
#include "error.h"
#include "store_db.h"

int
digest_run_last(struct store *st, const char *schedule, time_t *end_out,
    struct error *err)
{
	static const char sql[] = "SELECT period_end FROM digest_runs"
	    " WHERE schedule = ?1";
	struct store_q *q;

	*end_out = 0;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, schedule);
	switch (store_q_step(q, err)) {
	case STORE_ROW:
		*end_out = (time_t)store_q_col_int(q, 0);
		store_q_reset(q);
		return 0;
	case STORE_DONE:
		return 0;
	default:
		return -1;
	}
}

int
digest_run_done(struct store *st, const char *schedule, time_t end,
    struct error *err)
{
	static const char sql[] = "INSERT INTO digest_runs (schedule,"
	    " period_end) VALUES (?1, ?2) ON CONFLICT (schedule) DO UPDATE"
	    " SET period_end = excluded.period_end";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, schedule);
	store_q_int(q, 2, (int64_t)end);
	return store_q_exec(q, err);
}

int
digest_run_claim(struct store *st, const char *schedule, time_t end,
    bool *won_out, struct error *err)
{
	static const char sql[] = "INSERT INTO digest_runs (schedule,"
	    " period_end) VALUES (?1, ?2) ON CONFLICT (schedule) DO UPDATE"
	    " SET period_end = excluded.period_end"
	    " WHERE digest_runs.period_end < excluded.period_end";
	struct store_q *q;

	*won_out = false;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, schedule);
	store_q_int(q, 2, (int64_t)end);
	if (store_q_exec(q, err) == -1)
		return -1;
	*won_out = store_q_changes(st) > 0;
	return 0;
}
