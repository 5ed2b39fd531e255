/*
 * task: the tasks on a request (the tasks table, issue 19): "call the
 * customer back tomorrow at 10", with an assignee, an optional due time,
 * who made it and when, when and by whom it was done, and when its
 * reminder was queued.  Calls run in the caller's transaction, if any;
 * errors are the database's (ERR_TEMP) unless said otherwise.  Names and
 * texts are stored as given: task_ops.c checks them.
 */
#ifndef TRIAGED_TASK_H
#define TRIAGED_TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct error;
struct store;

/* One row.  Times 0 where the column is NULL; strings are copies. */
struct task {
	int64_t	 id;
	int64_t	 ticket_id;
	char	*assignee;	/* NULL: the request's assignee, or the team */
	time_t	 due_at;	/* 0: no due time, no reminder */
	char	*text;
	char	*created_by;
	time_t	 created_at;
	time_t	 done_at;	/* 0: open */
	char	*done_by;
	time_t	 reminded_at;	/* 0: no reminder queued yet */
};

/* Frees t's strings and zeroes it. */
void	task_clear(struct task *t);

/*
 * Inserts t (its id, done and reminded fields ignored) and sets
 * *id_out.  0, or -1 + err.
 */
int	task_insert(struct store *, const struct task *t, int64_t *id_out,
	    struct error *err);
/*
 * Reads task id into *t (task_clear it).  0; -1 + err: ERR_PERM "no
 * task #id", ERR_TEMP for the database.
 */
int	task_load(struct store *, int64_t id, struct task *t,
	    struct error *err);
/*
 * Marks open task id done at `at` by `by`; *done_out false when it was
 * done already (nothing changed).  0, or -1 + err.
 */
int	task_mark_done(struct store *, int64_t id, time_t at, const char *by,
	    bool *done_out, struct error *err);
/*
 * Sets reminded_at of task id, if it is still unset; *marked_out false
 * when another pass marked it first.  0, or -1 + err.
 */
int	task_mark_reminded(struct store *, int64_t id, time_t at,
	    bool *marked_out, struct error *err);

/*
 * Up to max ids of open tasks due at now or before and not reminded,
 * earliest first (index tasks_remind), into ids (room for max).
 */
int	task_due(struct store *, time_t now, size_t max, int64_t *ids,
	    size_t *n_out, struct error *err);

/* What task_list reads. */
struct task_filter {
	int64_t		 ticket;	/* 0: every request */
	const char	*assignee;	/* NULL: anyone's */
	bool		 open_only;	/* done ones left out */
	time_t		 overdue_at;	/* not 0: open and due before it */
	size_t		 limit;		/* 0: all */
};
/*
 * The tasks f selects, by due time (none last), then id, into a new
 * array (task_list_free).  0, or -1 + err and nothing to free.
 */
int	task_list(struct store *, const struct task_filter *f,
	    struct task **out, size_t *n_out, struct error *err);
void	task_list_free(struct task *, size_t n);

/*
 * Open tasks of ticket (0: of every request) whose due time passed at
 * now: *n_out.
 * 0, or -1 + err.
 */
int	task_overdue_count(struct store *, int64_t ticket, time_t now,
	    int64_t *n_out, struct error *err);
/*
 * Of the tasks with a due time done in [since, until): how many
 * (*done_out) and how many by their due time (*on_time_out).
 */
int	task_done_counts(struct store *, time_t since, time_t until,
	    int64_t *done_out, int64_t *on_time_out, struct error *err);
/* Every task of from moves to into (a merge).  0, or -1 + err. */
int	task_move(struct store *, int64_t from, int64_t into,
	    struct error *err);

#endif
