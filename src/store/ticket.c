/*
 * ticket: the read side of requests, for triagectl.  Every query here is
 * a plain SELECT on the store's cached statements, run outside any
 * transaction, so a read-only triagectl sees a consistent snapshot per
 * statement and never holds a lock the daemon's writer waits for.
 * Optional filters are written as "(?N IS NULL OR ...)" so each query is
 * one fixed string (the statement cache is keyed by the literal).
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "customer.h"
#include "error.h"
#include "store.h"
#include "store_db.h"
#include "ticket.h"
#include "xmalloc.h"

#define TICKET_SEP_STR	"/"

/*
 * The earliest running SLA deadline of t, NULL if none runs (min() of
 * SQL is NULL as soon as one argument is).
 */
#define TICKET_DUE_NONE	"9223372036854775807"
#define TICKET_DUE_SQL \
	"nullif(min(coalesce(t.first_response_due, " TICKET_DUE_NONE ")," \
	" coalesce(t.next_response_due, " TICKET_DUE_NONE ")," \
	" coalesce(t.resolution_due, " TICKET_DUE_NONE "))," \
	" " TICKET_DUE_NONE ")"

/* Columns of a ticket_row, in the order ticket_row_read expects. */
#define TICKET_ROW_COLUMNS \
	"t.id, t.subject, t.status, t.priority, t.category, t.assignee," \
	" t.customer_id, c.name," \
	" (SELECT a.address FROM customer_addresses a" \
	"  WHERE a.customer_id = t.customer_id" \
	"  ORDER BY a.added_at, a.address LIMIT 1)," \
	" t.created_at, t.updated_at," \
	" (SELECT count(*) FROM messages m WHERE m.ticket_id = t.id)," \
	" " TICKET_DUE_SQL
#define TICKET_ROW_NCOLUMNS	13
#define TICKET_ROW_FROM \
	" FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id"

/* Outbox columns, in the order ticket_outbox_read expects. */
#define TICKET_OUTBOX_COLUMNS \
	"id, ticket_id, kind, rcpts, status, attempts, created_at, sent_at," \
	" last_error"

/* Every column of tickets, in the order ticket_read expects. */
#define TICKET_COLUMNS \
	"id, subject, customer_id, status, priority, category, assignee," \
	" source, company, sla_policy, thread_root, created_at, updated_at," \
	" first_response_at, last_customer_at, last_agent_at, resolved_at," \
	" closed_at, reopen_count, hidden, merged_into, first_response_due," \
	" next_response_due, resolution_due, sla_check_at, paused_at," \
	" paused_secs, rating, rated_at, survey_sent_at"

static const char *const ticket_statuses[] = {
	"new", "open", "pending", "resolved", "closed"
};
static const char *const ticket_outbox_statuses[] = {
	"queued", "sent", "failed"
};

static void	ticket_read(struct store_q *, struct ticket *);
static int	ticket_step(struct store *, sqlite3_stmt *, struct error *);
static char	*ticket_col(sqlite3_stmt *, int col);
static void	ticket_row_read(sqlite3_stmt *, struct ticket_row *);
static void	ticket_row_clear(struct ticket_row *);
static void	ticket_outbox_read(sqlite3_stmt *, struct ticket_outbox *);
static void	ticket_outbox_clear(struct ticket_outbox *);
static char	*ticket_address_key(const char *addr);
static char	*ticket_category_key(const char *category);
static char	*ticket_levels(const struct ticket_filter *);
static int	ticket_load_cc(struct store *, struct ticket_detail *,
		    struct error *);
static int	ticket_load_messages(struct store *, struct ticket_detail *,
		    struct error *);
static int	ticket_load_attachments(struct store *, struct ticket_message *,
		    struct error *);
static int	ticket_load_outbox(struct store *, struct ticket_detail *,
		    struct error *);
static int	ticket_load_addresses(struct store *, struct ticket_customer *,
		    struct error *);
static void	ticket_message_clear(struct ticket_message *);
static void	*ticket_grow(void *array, size_t n, size_t *cap, size_t size);
static bool	ticket_in(const char *s, const char *const *set, size_t n);

int
ticket_load(struct store *st, int64_t id, struct ticket *t,
    struct error *err)
{
	static const char sql[] = "SELECT " TICKET_COLUMNS
	    " FROM tickets WHERE id = ?1";
	struct store_q *q;

	memset(t, 0, sizeof(*t));
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, id);
	switch (store_q_step(q, err)) {
	case STORE_ROW:
		ticket_read(q, t);
		return 0;
	case STORE_DONE:
		return error_set(err, ERR_PERM, "no request #%lld",
		    (long long)id);
	default:
		return -1;
	}
}

void
ticket_clear(struct ticket *t)
{
	free(t->subject);
	free(t->status);
	free(t->priority);
	free(t->category);
	free(t->assignee);
	free(t->source);
	free(t->company);
	free(t->sla_policy);
	free(t->thread_root);
	memset(t, 0, sizeof(*t));
}

/* The current row of a SELECT of TICKET_COLUMNS into t. */
static void
ticket_read(struct store_q *q, struct ticket *t)
{
	int c = 0;

	t->id = store_q_col_int(q, c++);
	t->subject = store_q_col_strdup(q, c++);
	t->customer_id = store_q_col_int(q, c++);
	t->status = store_q_col_strdup(q, c++);
	t->priority = store_q_col_strdup(q, c++);
	t->category = store_q_col_strdup(q, c++);
	t->assignee = store_q_col_strdup(q, c++);
	t->source = store_q_col_strdup(q, c++);
	t->company = store_q_col_strdup(q, c++);
	t->sla_policy = store_q_col_strdup(q, c++);
	t->thread_root = store_q_col_strdup(q, c++);
	t->created_at = (time_t)store_q_col_int(q, c++);
	t->updated_at = (time_t)store_q_col_int(q, c++);
	t->first_response_at = (time_t)store_q_col_int(q, c++);
	t->last_customer_at = (time_t)store_q_col_int(q, c++);
	t->last_agent_at = (time_t)store_q_col_int(q, c++);
	t->resolved_at = (time_t)store_q_col_int(q, c++);
	t->closed_at = (time_t)store_q_col_int(q, c++);
	t->reopen_count = store_q_col_int(q, c++);
	t->hidden = store_q_col_int(q, c++) != 0;
	t->merged_into = store_q_col_int(q, c++);
	t->first_response_due = (time_t)store_q_col_int(q, c++);
	t->next_response_due = (time_t)store_q_col_int(q, c++);
	t->resolution_due = (time_t)store_q_col_int(q, c++);
	t->sla_check_at = (time_t)store_q_col_int(q, c++);
	t->paused_at = (time_t)store_q_col_int(q, c++);
	t->paused_secs = store_q_col_int(q, c++);
	t->rating = (int)store_q_col_int(q, c++);
	t->rated_at = (time_t)store_q_col_int(q, c++);
	t->survey_sent_at = (time_t)store_q_col_int(q, c++);
}

/* --- for ticket_ops, threading, agent mail, notify (store-a) --- */

/* --- for routing, assignment, SLA, ratings (store-b) --- */

/* --- for intake and the pipeline (store-c) --- */

int
ticket_list(struct store *st, const struct ticket_filter *f,
    struct ticket_row **rows_out, size_t *n_out, struct error *err)
{
	/*
	 * ?12 is ",low,normal,...," (ticket_levels): a level's offset in it
	 * grows with its rank, so instr() sorts by priority in one fixed
	 * statement.  Each ORDER BY term is NULL unless its sort is chosen.
	 */
	static const char sql[] = "SELECT " TICKET_ROW_COLUMNS TICKET_ROW_FROM
	    " WHERE (?1 IS NULL OR t.status = ?1)"
	    " AND (?2 = 0 OR t.assignee IS NULL OR t.assignee = '')"
	    " AND (?3 IS NULL OR t.category = ?3"
	    "  OR substr(t.category, 1, length(?3) + 1) = ?3 || '"
	    TICKET_SEP_STR "')"
	    " AND (?4 IS NULL OR t.customer_id ="
	    "  (SELECT customer_id FROM customer_addresses WHERE address = ?4))"
	    " AND (?5 = 0 OR t.customer_id = ?5)"
	    " AND (?7 IS NULL OR t.assignee = ?7)"
	    " AND (?8 = 0 OR NOT EXISTS (SELECT 1 FROM ticket_tags g"
	    "  WHERE g.ticket_id = t.id))"
	    " AND (?9 = 0 OR t.category IS NULL OR t.category = '')"
	    " AND (?10 IS NULL OR t.priority = ?10)"
	    " AND (?11 = 0 OR (t.status IN ('new', 'open', 'pending')"
	    "  AND " TICKET_DUE_SQL " < ?11))"
	    " AND t.hidden = ?13"
	    " ORDER BY"
	    " CASE WHEN ?14 = 1 THEN " TICKET_DUE_SQL " IS NULL END,"
	    " CASE WHEN ?14 = 1 THEN " TICKET_DUE_SQL " END,"
	    " CASE WHEN ?14 IN (1, 2) THEN instr(?12, ',' || t.priority || ',')"
	    "  END DESC,"
	    " CASE WHEN ?14 IN (1, 3) THEN t.created_at END,"
	    " CASE WHEN ?14 IN (1, 3) THEN t.id END,"
	    " t.id DESC LIMIT ?6";
	struct ticket_row *rows = NULL;
	sqlite3_stmt *stmt;
	char *addr = NULL, *category = NULL, *levels;
	size_t n = 0, cap = 0;
	int rc;

	*rows_out = NULL;
	*n_out = 0;
	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	addr = ticket_address_key(f->customer);
	category = ticket_category_key(f->category);
	levels = ticket_levels(f);
	sqlite3_bind_text(stmt, 1, f->status, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 2, f->unassigned);
	sqlite3_bind_text(stmt, 3, category, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, addr, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, f->customer_id);
	sqlite3_bind_int64(stmt, 6,
	    f->limit == 0 ? -1 : (sqlite3_int64)f->limit);
	sqlite3_bind_text(stmt, 7, f->assignee, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 8, f->untagged);
	sqlite3_bind_int(stmt, 9, f->uncategorized);
	sqlite3_bind_text(stmt, 10, f->priority, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 11, (sqlite3_int64)f->due_before);
	sqlite3_bind_text(stmt, 12, levels, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 13, f->hidden);
	sqlite3_bind_int(stmt, 14, (int)f->sort);
	while ((rc = ticket_step(st, stmt, err)) == 1) {
		rows = ticket_grow(rows, n, &cap, sizeof(*rows));
		ticket_row_read(stmt, &rows[n++]);
	}
	/* The bindings point into our strings: clear before freeing. */
	sqlite3_clear_bindings(stmt);
	free(addr);
	free(category);
	free(levels);
	if (rc == -1) {
		ticket_rows_free(rows, n);
		return -1;
	}
	*rows_out = rows;
	*n_out = n;
	return 0;
}

void
ticket_rows_free(struct ticket_row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		ticket_row_clear(&rows[i]);
	free(rows);
}

struct ticket_detail *
ticket_show(struct store *st, int64_t id, struct error *err)
{
	static const char sql[] = "SELECT " TICKET_ROW_COLUMNS ", t.source"
	    TICKET_ROW_FROM " WHERE t.id = ?1";
	struct ticket_detail *d;
	sqlite3_stmt *stmt;
	int rc;

	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, id);
	if ((rc = ticket_step(st, stmt, err)) != 1) {
		if (rc == 0)
			error_set(err, ERR_PERM, "no request #%lld",
			    (long long)id);
		return NULL;
	}
	d = xcalloc(1, sizeof(*d));
	ticket_row_read(stmt, &d->row);
	d->source = ticket_col(stmt, TICKET_ROW_NCOLUMNS);
	sqlite3_reset(stmt);
	if (ticket_load_cc(st, d, err) == -1 ||
	    ticket_load_messages(st, d, err) == -1 ||
	    ticket_load_outbox(st, d, err) == -1) {
		ticket_detail_free(d);
		return NULL;
	}
	return d;
}

void
ticket_detail_free(struct ticket_detail *d)
{
	size_t i;

	if (d == NULL)
		return;
	ticket_row_clear(&d->row);
	free(d->source);
	for (i = 0; i < d->ncc; i++) {
		free(d->cc[i].address);
		free(d->cc[i].name);
	}
	free(d->cc);
	for (i = 0; i < d->nmessages; i++)
		ticket_message_clear(&d->messages[i]);
	free(d->messages);
	ticket_outbox_free(d->outbox, d->noutbox);
	free(d);
}

struct ticket_customer *
ticket_customer_load(struct store *st, const char *addr, struct error *err)
{
	static const char sql[] = "SELECT c.id, c.name, c.company, c.created_at"
	    " FROM customer_addresses a"
	    " JOIN customers c ON c.id = a.customer_id"
	    " WHERE a.address = ?1";
	struct ticket_filter f;
	struct ticket_customer *c;
	sqlite3_stmt *stmt;
	char *key;
	int rc;

	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return NULL;
	key = ticket_address_key(addr);
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	if ((rc = ticket_step(st, stmt, err)) != 1) {
		sqlite3_clear_bindings(stmt);
		free(key);
		if (rc == 0)
			error_set(err, ERR_PERM, "no customer %s", addr);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->id = sqlite3_column_int64(stmt, 0);
	c->name = ticket_col(stmt, 1);
	c->company = ticket_col(stmt, 2);
	c->created_at = (time_t)sqlite3_column_int64(stmt, 3);
	/* The binding points into key: reset and clear before freeing it. */
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	free(key);
	memset(&f, 0, sizeof(f));
	f.customer_id = c->id;
	if (ticket_load_addresses(st, c, err) == -1 ||
	    ticket_list(st, &f, &c->requests, &c->nrequests, err) == -1) {
		ticket_customer_free(c);
		return NULL;
	}
	return c;
}

void
ticket_customer_free(struct ticket_customer *c)
{
	size_t i;

	if (c == NULL)
		return;
	free(c->name);
	free(c->company);
	for (i = 0; i < c->naddresses; i++)
		free(c->addresses[i]);
	free(c->addresses);
	ticket_rows_free(c->requests, c->nrequests);
	free(c);
}

int
ticket_outbox_list(struct store *st, const char *status,
    struct ticket_outbox **rows_out, size_t *n_out, struct error *err)
{
	static const char sql[] = "SELECT " TICKET_OUTBOX_COLUMNS
	    " FROM outbox WHERE (?1 IS NULL OR status = ?1) ORDER BY id";
	struct ticket_outbox *rows = NULL;
	sqlite3_stmt *stmt;
	size_t n = 0, cap = 0;
	int rc;

	*rows_out = NULL;
	*n_out = 0;
	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, status, -1, SQLITE_STATIC);
	while ((rc = ticket_step(st, stmt, err)) == 1) {
		rows = ticket_grow(rows, n, &cap, sizeof(*rows));
		ticket_outbox_read(stmt, &rows[n++]);
	}
	sqlite3_clear_bindings(stmt);
	if (rc == -1) {
		ticket_outbox_free(rows, n);
		return -1;
	}
	*rows_out = rows;
	*n_out = n;
	return 0;
}

void
ticket_outbox_free(struct ticket_outbox *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		ticket_outbox_clear(&rows[i]);
	free(rows);
}

bool
ticket_status_valid(const char *s)
{
	return ticket_in(s, ticket_statuses,
	    sizeof(ticket_statuses) / sizeof(ticket_statuses[0]));
}

bool
ticket_outbox_status_valid(const char *s)
{
	return ticket_in(s, ticket_outbox_statuses,
	    sizeof(ticket_outbox_statuses) / sizeof(ticket_outbox_statuses[0]));
}

/* 1: a row is ready; 0: done (statement reset); -1: error (reset). */
static int
ticket_step(struct store *st, sqlite3_stmt *stmt, struct error *err)
{
	int rc = sqlite3_step(stmt);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc != SQLITE_DONE)
		store_error(st, "read", err);
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* A copy of a text column, NULL for SQL NULL; bytes kept as stored. */
static char *
ticket_col(sqlite3_stmt *stmt, int col)
{
	const unsigned char *s;
	char *copy;
	int len;

	if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
		return NULL;
	s = sqlite3_column_text(stmt, col);
	len = sqlite3_column_bytes(stmt, col);
	copy = xmalloc((size_t)len + 1);
	if (len > 0)
		memcpy(copy, s, (size_t)len);
	copy[len] = '\0';
	return copy;
}

static void
ticket_row_read(sqlite3_stmt *stmt, struct ticket_row *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(stmt, 0);
	r->subject = ticket_col(stmt, 1);
	r->status = ticket_col(stmt, 2);
	r->priority = ticket_col(stmt, 3);
	r->category = ticket_col(stmt, 4);
	r->assignee = ticket_col(stmt, 5);
	/* A ticket whose customer row is missing still shows, as nobody's. */
	if (sqlite3_column_type(stmt, 7) != SQLITE_NULL) {
		r->customer.id = sqlite3_column_int64(stmt, 6);
		r->customer.name = ticket_col(stmt, 7);
		r->customer.address = ticket_col(stmt, 8);
	}
	r->created_at = (time_t)sqlite3_column_int64(stmt, 9);
	r->updated_at = (time_t)sqlite3_column_int64(stmt, 10);
	r->nmessages = sqlite3_column_int64(stmt, 11);
	r->due = (time_t)sqlite3_column_int64(stmt, 12);
	/* An empty assignee is how some writers say "nobody". */
	if (r->assignee != NULL && *r->assignee == '\0') {
		free(r->assignee);
		r->assignee = NULL;
	}
}

static void
ticket_row_clear(struct ticket_row *r)
{
	free(r->subject);
	free(r->status);
	free(r->priority);
	free(r->category);
	free(r->assignee);
	free(r->customer.name);
	free(r->customer.address);
}

static void
ticket_outbox_read(sqlite3_stmt *stmt, struct ticket_outbox *o)
{
	memset(o, 0, sizeof(*o));
	o->id = sqlite3_column_int64(stmt, 0);
	o->ticket_id = sqlite3_column_int64(stmt, 1);
	o->kind = ticket_col(stmt, 2);
	o->rcpts = ticket_col(stmt, 3);
	o->status = ticket_col(stmt, 4);
	o->attempts = sqlite3_column_int64(stmt, 5);
	o->created_at = (time_t)sqlite3_column_int64(stmt, 6);
	o->sent_at = (time_t)sqlite3_column_int64(stmt, 7);
	o->last_error = ticket_col(stmt, 8);
}

static void
ticket_outbox_clear(struct ticket_outbox *o)
{
	free(o->kind);
	free(o->rcpts);
	free(o->status);
	free(o->last_error);
}

/*
 * The stored form of an address typed by an admin: surrounding blanks
 * and one pair of angle brackets dropped, lowercased like customer.c
 * stores it.  NULL in, NULL out.
 */
static char *
ticket_address_key(const char *addr)
{
	const char *end;
	char *trimmed, *key;

	if (addr == NULL)
		return NULL;
	addr += strspn(addr, " \t");
	end = addr + strlen(addr);
	while (end > addr && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (end - addr >= 2 && *addr == '<' && end[-1] == '>') {
		addr++;
		end--;
	}
	trimmed = xstrndup(addr, (size_t)(end - addr));
	key = customer_normalize_address(trimmed);
	free(trimmed);
	return key;
}

/* "billing/" means "billing": the separator is implied by the query. */
static char *
ticket_category_key(const char *category)
{
	char *key;
	size_t len;

	if (category == NULL)
		return NULL;
	key = xstrdup(category);
	len = strlen(key);
	while (len > 1 && key[len - 1] == TICKET_CATEGORY_SEP)
		key[--len] = '\0';
	return key;
}

/* ",low,normal,high,urgent,", for ordering by instr(); NULL if none. */
static char *
ticket_levels(const struct ticket_filter *f)
{
	struct buf b;
	size_t i;

	if (f->levels == NULL || f->nlevels == 0)
		return NULL;
	buf_init(&b);
	buf_append_char(&b, ',');
	for (i = 0; i < f->nlevels; i++) {
		buf_append_str(&b, f->levels[i]);
		buf_append_char(&b, ',');
	}
	return buf_steal(&b, NULL);
}

static int
ticket_load_cc(struct store *st, struct ticket_detail *d, struct error *err)
{
	static const char sql[] = "SELECT address, name FROM ticket_cc"
	    " WHERE ticket_id = ?1 ORDER BY address";
	sqlite3_stmt *stmt;
	size_t cap = 0;
	int rc;

	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, d->row.id);
	while ((rc = ticket_step(st, stmt, err)) == 1) {
		d->cc = ticket_grow(d->cc, d->ncc, &cap, sizeof(*d->cc));
		d->cc[d->ncc].address = ticket_col(stmt, 0);
		d->cc[d->ncc].name = ticket_col(stmt, 1);
		d->ncc++;
	}
	return rc;
}

static int
ticket_load_messages(struct store *st, struct ticket_detail *d,
    struct error *err)
{
	static const char sql[] = "SELECT id, direction, message_id,"
	    " from_addr, from_name, subject, body, created_at, source,"
	    " auto_reason, parse_warning"
	    " FROM messages WHERE ticket_id = ?1 ORDER BY id";
	struct ticket_message *m;
	sqlite3_stmt *stmt;
	size_t i, cap = 0;
	int rc;

	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, d->row.id);
	while ((rc = ticket_step(st, stmt, err)) == 1) {
		d->messages = ticket_grow(d->messages, d->nmessages, &cap,
		    sizeof(*d->messages));
		m = &d->messages[d->nmessages++];
		memset(m, 0, sizeof(*m));
		m->id = sqlite3_column_int64(stmt, 0);
		m->direction = ticket_col(stmt, 1);
		m->message_id = ticket_col(stmt, 2);
		m->from_addr = ticket_col(stmt, 3);
		m->from_name = ticket_col(stmt, 4);
		m->subject = ticket_col(stmt, 5);
		m->body = ticket_col(stmt, 6);
		m->body_len = (size_t)sqlite3_column_bytes(stmt, 6);
		m->created_at = (time_t)sqlite3_column_int64(stmt, 7);
		m->source = ticket_col(stmt, 8);
		m->auto_reason = ticket_col(stmt, 9);
		m->parse_warning = ticket_col(stmt, 10);
	}
	if (rc == -1)
		return -1;
	/* After the loop: one statement is stepped at a time. */
	for (i = 0; i < d->nmessages; i++)
		if (ticket_load_attachments(st, &d->messages[i], err) == -1)
			return -1;
	return 0;
}

static int
ticket_load_attachments(struct store *st, struct ticket_message *m,
    struct error *err)
{
	static const char sql[] = "SELECT filename, content_type, size"
	    " FROM attachments WHERE message_id = ?1 ORDER BY id";
	struct ticket_attachment *a;
	sqlite3_stmt *stmt;
	size_t cap = 0;
	int rc;

	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, m->id);
	while ((rc = ticket_step(st, stmt, err)) == 1) {
		m->attachments = ticket_grow(m->attachments, m->nattachments,
		    &cap, sizeof(*m->attachments));
		a = &m->attachments[m->nattachments++];
		a->filename = ticket_col(stmt, 0);
		a->content_type = ticket_col(stmt, 1);
		a->size = sqlite3_column_int64(stmt, 2);
	}
	return rc;
}

static int
ticket_load_outbox(struct store *st, struct ticket_detail *d,
    struct error *err)
{
	static const char sql[] = "SELECT " TICKET_OUTBOX_COLUMNS
	    " FROM outbox WHERE ticket_id = ?1 ORDER BY id";
	sqlite3_stmt *stmt;
	size_t cap = 0;
	int rc;

	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, d->row.id);
	while ((rc = ticket_step(st, stmt, err)) == 1) {
		d->outbox = ticket_grow(d->outbox, d->noutbox, &cap,
		    sizeof(*d->outbox));
		ticket_outbox_read(stmt, &d->outbox[d->noutbox++]);
	}
	return rc;
}

static int
ticket_load_addresses(struct store *st, struct ticket_customer *c,
    struct error *err)
{
	static const char sql[] = "SELECT address FROM customer_addresses"
	    " WHERE customer_id = ?1 ORDER BY added_at, address";
	sqlite3_stmt *stmt;
	size_t cap = 0;
	int rc;

	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, c->id);
	while ((rc = ticket_step(st, stmt, err)) == 1) {
		c->addresses = ticket_grow(c->addresses, c->naddresses, &cap,
		    sizeof(*c->addresses));
		c->addresses[c->naddresses++] = ticket_col(stmt, 0);
	}
	return rc;
}

static void
ticket_message_clear(struct ticket_message *m)
{
	size_t i;

	free(m->direction);
	free(m->message_id);
	free(m->from_name);
	free(m->from_addr);
	free(m->subject);
	free(m->body);
	free(m->source);
	free(m->auto_reason);
	free(m->parse_warning);
	for (i = 0; i < m->nattachments; i++) {
		free(m->attachments[i].filename);
		free(m->attachments[i].content_type);
	}
	free(m->attachments);
}

/* Room for element n of an array of elements of size bytes. */
static void *
ticket_grow(void *array, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return array;
	*cap = *cap == 0 ? 8 : *cap * 2;
	return xreallocarray(array, *cap, size);
}

static bool
ticket_in(const char *s, const char *const *set, size_t n)
{
	size_t i;

	if (s == NULL)
		return false;
	for (i = 0; i < n; i++)
		if (strcmp(s, set[i]) == 0)
			return true;
	return false;
}
