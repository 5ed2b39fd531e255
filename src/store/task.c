/*
 * task: rows of the tasks table (task.h).  The reminder's mark is a
 * conditional UPDATE (reminded_at IS NULL): the row that says "reminded"
 * and the outbox row of the reminder are written in one transaction by
 * the caller, so a reminder is queued once across crashes and restarts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "store_db.h"
#include "task.h"
#include "xmalloc.h"

#define TASK_COLUMNS	"id, ticket_id, assignee, due_at, text, created_by," \
	" created_at, done_at, done_by, reminded_at"

static void	task_read(struct store_q *, struct task *);

void
task_clear(struct task *t)
{
	free(t->assignee);
	free(t->text);
	free(t->created_by);
	free(t->done_by);
	memset(t, 0, sizeof(*t));
}

int
task_insert(struct store *st, const struct task *t, int64_t *id_out,
    struct error *err)
{
	static const char sql[] = "INSERT INTO tasks (ticket_id, assignee,"
	    " due_at, text, created_by, created_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, t->ticket_id);
	store_q_text(q, 2, t->assignee);
	store_q_id(q, 3, (int64_t)t->due_at);
	store_q_text(q, 4, t->text);
	store_q_text(q, 5, t->created_by);
	store_q_int(q, 6, (int64_t)t->created_at);
	return store_q_returning(q, id_out, err);
}

int
task_load(struct store *st, int64_t id, struct task *t, struct error *err)
{
	static const char sql[] = "SELECT " TASK_COLUMNS
	    " FROM tasks WHERE id = ?1";
	struct store_q *q;
	enum store_step rc;

	memset(t, 0, sizeof(*t));
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, id);
	if ((rc = store_q_step(q, err)) == STORE_ERROR)
		return -1;
	if (rc == STORE_DONE)
		return error_set(err, ERR_PERM, "no task #%lld",
		    (long long)id);
	task_read(q, t);
	store_q_reset(q);
	return 0;
}

int
task_mark_done(struct store *st, int64_t id, time_t at, const char *by,
    bool *done_out, struct error *err)
{
	static const char sql[] = "UPDATE tasks SET done_at = ?2,"
	    " done_by = ?3 WHERE id = ?1 AND done_at IS NULL";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, id);
	store_q_int(q, 2, (int64_t)at);
	store_q_text(q, 3, by);
	if (store_q_exec(q, err) == -1)
		return -1;
	*done_out = store_q_changes(st) > 0;
	return 0;
}

int
task_mark_reminded(struct store *st, int64_t id, time_t at,
    bool *marked_out, struct error *err)
{
	static const char sql[] = "UPDATE tasks SET reminded_at = ?2"
	    " WHERE id = ?1 AND reminded_at IS NULL";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, id);
	store_q_int(q, 2, (int64_t)at);
	if (store_q_exec(q, err) == -1)
		return -1;
	*marked_out = store_q_changes(st) > 0;
	return 0;
}

int
task_due(struct store *st, time_t now, size_t max, int64_t *ids,
    size_t *n_out, struct error *err)
{
	/* the WHERE repeats the index's, so the planner can use it */
	static const char sql[] = "SELECT id FROM tasks"
	    " WHERE done_at IS NULL AND reminded_at IS NULL"
	    " AND due_at IS NOT NULL AND due_at <= ?1"
	    " ORDER BY due_at, id LIMIT ?2";
	struct store_q *q;
	enum store_step rc = STORE_DONE;
	size_t n = 0;

	*n_out = 0;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, (int64_t)now);
	store_q_int(q, 2, (int64_t)max);
	while (n < max && (rc = store_q_step(q, err)) == STORE_ROW)
		ids[n++] = store_q_col_int(q, 0);
	if (n < max && rc == STORE_ERROR)
		return -1;
	store_q_reset(q);
	*n_out = n;
	return 0;
}

int
task_list(struct store *st, const struct task_filter *f, struct task **out,
    size_t *n_out, struct error *err)
{
	static const char sql[] = "SELECT " TASK_COLUMNS " FROM tasks"
	    " WHERE (?1 = 0 OR ticket_id = ?1)"
	    " AND (?2 IS NULL OR assignee = ?2)"
	    " AND (?3 = 0 OR done_at IS NULL)"
	    " AND (?4 = 0 OR (done_at IS NULL AND due_at IS NOT NULL"
	    "  AND due_at < ?4))"
	    " ORDER BY due_at IS NULL, due_at, id LIMIT ?5";
	struct store_q *q;
	enum store_step rc;
	struct task *v = NULL;
	size_t n = 0;

	*out = NULL;
	*n_out = 0;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, f->ticket);
	store_q_text(q, 2, f->assignee);
	store_q_int(q, 3, f->open_only ? 1 : 0);
	store_q_int(q, 4, (int64_t)f->overdue_at);
	/* no limit: the largest integer (LIMIT -1 is SQLite's only) */
	store_q_int(q, 5, f->limit > 0 ? (int64_t)f->limit : INT64_MAX);
	while ((rc = store_q_step(q, err)) == STORE_ROW) {
		v = xreallocarray(v, n + 1, sizeof(*v));
		task_read(q, &v[n++]);
	}
	if (rc == STORE_ERROR) {
		task_list_free(v, n);
		return -1;
	}
	*out = v;
	*n_out = n;
	return 0;
}

void
task_list_free(struct task *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		task_clear(&v[i]);
	free(v);
}

int
task_overdue_count(struct store *st, int64_t ticket, time_t now,
    int64_t *n_out, struct error *err)
{
	static const char sql[] = "SELECT count(*) FROM tasks"
	    " WHERE (?1 = 0 OR ticket_id = ?1) AND done_at IS NULL"
	    " AND due_at IS NOT NULL AND due_at < ?2";
	struct store_q *q;

	*n_out = 0;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, ticket);
	store_q_int(q, 2, (int64_t)now);
	return store_q_one_int(q, n_out, err) == -1 ? -1 : 0;
}

int
task_done_counts(struct store *st, time_t since, time_t until,
    int64_t *done_out, int64_t *on_time_out, struct error *err)
{
	static const char sql[] = "SELECT count(*),"
	    " coalesce(sum(CASE WHEN done_at <= due_at THEN 1 ELSE 0 END), 0)"
	    " FROM tasks WHERE done_at IS NOT NULL AND done_at >= ?1"
	    " AND done_at < ?2 AND due_at IS NOT NULL";
	struct store_q *q;
	enum store_step rc;

	*done_out = *on_time_out = 0;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, (int64_t)since);
	store_q_int(q, 2, (int64_t)until);
	if ((rc = store_q_step(q, err)) == STORE_ERROR)
		return -1;
	if (rc == STORE_ROW) {
		*done_out = store_q_col_int(q, 0);
		*on_time_out = store_q_col_int(q, 1);
	}
	store_q_reset(q);
	return 0;
}

int
task_move(struct store *st, int64_t from, int64_t into, struct error *err)
{
	static const char sql[] = "UPDATE tasks SET ticket_id = ?2"
	    " WHERE ticket_id = ?1";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, from);
	store_q_int(q, 2, into);
	return store_q_exec(q, err);
}

static void
task_read(struct store_q *q, struct task *t)
{
	memset(t, 0, sizeof(*t));
	t->id = store_q_col_int(q, 0);
	t->ticket_id = store_q_col_int(q, 1);
	t->assignee = store_q_col_strdup(q, 2);
	t->due_at = (time_t)store_q_col_int(q, 3);
	t->text = store_q_col_strdup(q, 4);
	t->created_by = store_q_col_strdup(q, 5);
	t->created_at = (time_t)store_q_col_int(q, 6);
	t->done_at = (time_t)store_q_col_int(q, 7);
	t->done_by = store_q_col_strdup(q, 8);
	t->reminded_at = (time_t)store_q_col_int(q, 9);
}
