/*
 * message: inserting and finding rows of the messages table.  The
 * UNIQUE dedupe_key makes "stored once" a property of the database, not
 * of our code paths (promise 2).
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "message.h"
#include "mime.h"
#include "search_index.h"
#include "search_pg.h"
#include "store_db.h"
#include "thread_id.h"
#include "xmalloc.h"

/* The columns message_stored_read expects, in its order. */
#define MESSAGE_STORED_COLUMNS \
	"m.id, m.message_id, m.from_addr, m.from_name, m.body"

static int	message_stored_read(struct store_q *, struct message_stored *,
		    struct error *);
static int	message_id_of(struct store_q *, int64_t *, struct error *);

int
message_insert(struct store *st, const struct message_row *r, int64_t *id_out,
    struct error *err)
{
#define MESSAGE_COLUMNS "ticket_id, direction, dedupe_key, message_id," \
	    " from_addr, from_name, subject, body, body_from_html," \
	    " envelope_from, envelope_rcpts, source, auto_reason," \
	    " parse_warning, token_flag, created_at, raw, agent"
#define MESSAGE_VALUES "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11," \
	    " ?12, ?13, ?14, ?15, ?16, ?17, ?18"
	static const char returning[] = "INSERT INTO messages ("
	    MESSAGE_COLUMNS ") VALUES (" MESSAGE_VALUES ") RETURNING id";
	static const char later[] = "INSERT INTO messages ("
	    MESSAGE_COLUMNS ") VALUES (" MESSAGE_VALUES ")";
	static const char reserved[] = "INSERT INTO messages ("
	    MESSAGE_COLUMNS ", id) VALUES (" MESSAGE_VALUES ", ?19)";
	/*
	 * PostgreSQL, an id known and a message searched: the row and its
	 * search document in one statement (search_pg_message's INSERT; a
	 * new id has no document to replace).  The document's foreign key
	 * is checked at the statement's end, when the row is there.
	 */
	static const char reserved_doc[] = "WITH m AS (INSERT INTO messages ("
	    MESSAGE_COLUMNS ", id) VALUES (" MESSAGE_VALUES ", ?19))"
	    " INSERT INTO message_tsv (id, doc) VALUES (?19, ?20::tsvector)";
	/* ... and its Message-ID for threading (thread_id_remember's) */
	static const char reserved_doc_thread[] = "WITH m AS (INSERT INTO"
	    " messages (" MESSAGE_COLUMNS ", id) VALUES (" MESSAGE_VALUES
	    ", ?19)), i AS (INSERT INTO message_ids (message_id, ticket_id)"
	    " VALUES (?4, ?1) ON CONFLICT DO NOTHING)"
	    " INSERT INTO message_tsv (id, doc) VALUES (?19, ?20::tsvector)";
#undef MESSAGE_COLUMNS
#undef MESSAGE_VALUES
	struct store_q *q;
	int64_t id = r->id;
	const char *sql;
	bool with_doc, threads = r->threads && r->message_id != NULL &&
	    *r->message_id != '\0';

	/*
	 * Nobody waiting for the id of a row the search leaves out (the
	 * copy of an acknowledgement or a notice), or an id known already:
	 * on PostgreSQL the insert goes with the transaction's other
	 * deferred writes.  Any other row's id keys its search document.
	 */
	if (id != 0 && !store_db_sqlite(st) &&
	    search_pg_searched(r->direction))
		sql = threads ? reserved_doc_thread : reserved_doc;
	else if (id != 0)
		sql = reserved;
	else if (id_out == NULL && !search_pg_searched(r->direction))
		sql = later;
	else
		sql = returning;
	with_doc = sql == reserved_doc || sql == reserved_doc_thread;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	if (id != 0)
		store_q_int(q, 19, id);
	if (with_doc && search_pg_message_bind(st, q, 20, r->subject, r->body,
	    r->from_name, r->from_addr, err) == -1)
		return -1;
	store_q_int(q, 1, r->ticket_id);
	store_q_text(q, 2, r->direction);
	store_q_text(q, 3, r->dedupe_key);
	store_q_text(q, 4, r->message_id);
	store_q_text(q, 5, r->from_addr);
	store_q_text(q, 6, r->from_name);
	store_q_text(q, 7, r->subject);
	store_q_text(q, 8, r->body);
	store_q_int(q, 9, r->body_from_html);
	store_q_text(q, 10, r->envelope_from);
	store_q_text(q, 11, r->envelope_rcpts);
	store_q_text(q, 12, r->source);
	store_q_text(q, 13, r->auto_reason);
	store_q_text(q, 14, r->parse_warning);
	store_q_text(q, 15, r->token_flag);
	store_q_int(q, 16, (int64_t)r->created_at);
	if (r->raw != NULL)
		store_q_blob(q, 17, r->raw, r->raw_len);
	store_q_text(q, 18, r->agent);
	if ((sql == later || id != 0 ? store_q_exec_later(q, err) :
	    store_q_returning(q, &id, err)) == -1)
		return -1;
	if (id_out != NULL)
		*id_out = id;
	if (threads && sql != reserved_doc_thread &&
	    thread_id_remember(st, r->message_id, r->ticket_id, err) == -1)
		return -1;
	if (sql == later || with_doc)	/* no document, or sent already */
		return 0;
	/*
	 * SQLite's trigger left a searched message's words for later
	 * (store_schema.c, version 24): indexed now unless the store's
	 * timer catches up in bulk (the daemon's writer).
	 */
	if (store_db_sqlite(st))
		return store_search_later(st) ||
		    !search_pg_searched(r->direction) ? 0 :
		    search_index_now(st, id, err);
	/* PostgreSQL's search index, in this transaction */
	return search_pg_message(st, id, r->direction, r->subject,
	    r->body, r->from_name, r->from_addr, err);
}

int
message_insert_attachments(struct store *st, int64_t id,
    const struct parsed_message *pm, struct error *err)
{
	static const char sql[] = "INSERT INTO attachments (message_id,"
	    " filename, content_type, size) VALUES (?1, ?2, ?3, ?4)"
	    " RETURNING id";
	struct store_q *q;
	int64_t file;
	size_t i;

	for (i = 0; i < pm->nattachments; i++) {
		const struct mime_attachment *a = &pm->attachments[i];

		if ((q = store_q(st, sql, err)) == NULL)
			return -1;
		store_q_int(q, 1, id);
		store_q_text(q, 2, a->filename);
		store_q_text(q, 3, a->content_type);
		store_q_int(q, 4, (int64_t)a->size);
		if (store_q_returning(q, &file, err) == -1 ||
		    search_pg_attachment(st, file, id, a->filename,
		    err) == -1)
			return -1;
	}
	return 0;
}

int
message_latest(struct store *st, int64_t ticket, const char *direction,
    struct message_stored *out, struct error *err)
{
	static const char sql[] = "SELECT " MESSAGE_STORED_COLUMNS
	    " FROM messages m WHERE m.ticket_id = ?1 AND m.direction = ?2"
	    " ORDER BY m.id DESC LIMIT 1";
	struct store_q *q;

	memset(out, 0, sizeof(*out));
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, ticket);
	store_q_text(q, 2, direction);
	return message_stored_read(q, out, err);
}

int
message_latest_from(struct store *st, int64_t ticket, int64_t customer,
    struct message_stored *out, struct error *err)
{
	static const char sql[] = "SELECT " MESSAGE_STORED_COLUMNS
	    " FROM messages m JOIN customer_addresses a"
	    " ON a.address = lower(m.from_addr) WHERE m.ticket_id = ?1"
	    " AND m.direction = 'in' AND a.customer_id = ?2"
	    " ORDER BY m.id DESC LIMIT 1";
	struct store_q *q;

	memset(out, 0, sizeof(*out));
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, ticket);
	store_q_int(q, 2, customer);
	return message_stored_read(q, out, err);
}

void
message_stored_clear(struct message_stored *m)
{
	free(m->message_id);
	free(m->from_addr);
	free(m->from_name);
	free(m->body);
	memset(m, 0, sizeof(*m));
}

int
message_conversation_ids(struct store *st, int64_t ticket, char ***ids_out,
    size_t *n_out, struct error *err)
{
	static const char sql[] = "SELECT message_id FROM messages"
	    " WHERE ticket_id = ?1 AND direction IN ('in', 'out')"
	    " AND message_id IS NOT NULL AND message_id <> '' ORDER BY id";
	struct store_q *q;
	enum store_step rc;
	char **ids = NULL;
	size_t n = 0;

	*ids_out = NULL;
	*n_out = 0;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, ticket);
	while ((rc = store_q_step(q, err)) == STORE_ROW) {
		ids = xreallocarray(ids, n + 1, sizeof(*ids));
		ids[n++] = store_q_col_strdup(q, 0);
	}
	if (rc == STORE_ERROR) {
		message_ids_free(ids, n);
		return -1;
	}
	*ids_out = ids;
	*n_out = n;
	return 0;
}

void
message_ids_free(char **ids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

int
message_agent_wrote(struct store *st, int64_t ticket, const char *agent,
    bool *yes_out, struct error *err)
{
	static const char sql[] = "SELECT id FROM messages"
	    " WHERE ticket_id = ?1 AND agent = ?2 LIMIT 1";
	struct store_q *q;
	int64_t id;

	*yes_out = false;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, ticket);
	store_q_text(q, 2, agent);
	if (message_id_of(q, &id, err) == -1)
		return -1;
	*yes_out = id != 0;
	return 0;
}

int
message_last_row(struct store *st, int64_t *id_out, struct error *err)
{
	static const char sql[] = "SELECT COALESCE(MAX(id), 0) FROM messages";
	struct store_q *q;

	*id_out = 0;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	return message_id_of(q, id_out, err);
}

int
message_find_unkept(struct store *st, int64_t after, const char *agent,
    int64_t *id_out, struct error *err)
{
	static const char sql[] = "SELECT id FROM messages WHERE id > ?1"
	    " AND agent = ?2 AND direction IN ('note', 'out')"
	    " AND dedupe_key IS NULL AND raw IS NULL ORDER BY id LIMIT 1";
	struct store_q *q;

	*id_out = 0;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, after);
	store_q_text(q, 2, agent);
	return message_id_of(q, id_out, err);
}

int
message_keep_raw(struct store *st, int64_t id, const char *dedupe_key,
    const char *raw, size_t len, const char *envelope_from,
    const char *source, struct error *err)
{
	static const char sql[] = "UPDATE messages SET dedupe_key = ?1,"
	    " raw = ?2, envelope_from = COALESCE(envelope_from, ?3),"
	    " source = COALESCE(source, ?4) WHERE id = ?5";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, dedupe_key);
	store_q_blob(q, 2, raw, len);
	store_q_text(q, 3, envelope_from);
	store_q_text(q, 4, source);
	store_q_int(q, 5, id);
	return store_q_exec(q, err);
}

int
message_move(struct store *st, int64_t from, int64_t into,
    struct error *err)
{
	static const char sql[] = "UPDATE messages SET ticket_id = ?2"
	    " WHERE ticket_id = ?1";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, from);
	store_q_int(q, 2, into);
	return store_q_exec(q, err);
}

/* The one row of q (if any) into *out, the statement let go. */
static int
message_stored_read(struct store_q *q, struct message_stored *out,
    struct error *err)
{
	switch (store_q_step(q, err)) {
	case STORE_ROW:
		out->id = store_q_col_int(q, 0);
		out->message_id = store_q_col_strdup(q, 1);
		out->from_addr = store_q_col_strdup(q, 2);
		out->from_name = store_q_col_strdup(q, 3);
		out->body = store_q_col_strdup(q, 4);
		store_q_reset(q);
		return 0;
	case STORE_DONE:
		return 0;
	default:
		return -1;
	}
}

int
message_attachments(struct store *st, int64_t ticket,
    struct message_attachment **out, size_t *n_out, struct error *err)
{
	static const char sql[] = "SELECT a.id, a.message_id, a.filename,"
	    " a.content_type, a.size, (SELECT COUNT(*) FROM attachments b"
	    " WHERE b.message_id = a.message_id AND b.id < a.id)"
	    " FROM attachments a JOIN messages m ON m.id = a.message_id"
	    " WHERE m.ticket_id = ?1 ORDER BY a.id";
	struct message_attachment *a;
	struct store_q *q;
	size_t cap = 0;
	enum store_step rc;

	*out = NULL;
	*n_out = 0;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, ticket);
	while ((rc = store_q_step(q, err)) == STORE_ROW) {
		if (*n_out == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			*out = xreallocarray(*out, cap, sizeof(**out));
		}
		a = &(*out)[(*n_out)++];
		a->id = store_q_col_int(q, 0);
		a->message = store_q_col_int(q, 1);
		a->filename = store_q_col_strdup(q, 2);
		a->content_type = store_q_col_strdup(q, 3);
		a->size = store_q_col_int(q, 4);
		a->index = (size_t)store_q_col_int(q, 5);
	}
	if (rc == STORE_DONE)
		return 0;
	message_attachments_free(*out, *n_out);
	*out = NULL;
	*n_out = 0;
	return -1;
}

void
message_attachments_free(struct message_attachment *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(a[i].filename);
		free(a[i].content_type);
	}
	free(a);
}

int
message_raw(struct store *st, int64_t id, char **raw_out, size_t *len_out,
    struct error *err)
{
	static const char sql[] = "SELECT raw FROM messages WHERE id = ?1";
	struct store_q *q;
	const void *p;
	size_t len;

	*raw_out = NULL;
	*len_out = 0;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, id);
	switch (store_q_step(q, err)) {
	case STORE_ROW:
		if ((p = store_q_col_blob(q, 0, &len)) != NULL) {
			*raw_out = xmalloc(len + 1);
			memcpy(*raw_out, p, len);
			(*raw_out)[len] = '\0';
			*len_out = len;
		}
		store_q_reset(q);
		return 0;
	case STORE_DONE:
		return 0;
	default:
		return -1;
	}
}

/* The integer in the first column of q's one row, else 0 in *out. */
static int
message_id_of(struct store_q *q, int64_t *out, struct error *err)
{
	*out = 0;
	return store_q_one_int(q, out, err) == -1 ? -1 : 0;
}

const char *
message_flag_text(const char *flag)
{
	if (flag == NULL)
		return NULL;
	if (strcmp(flag, MESSAGE_FLAG_NOT_ON_REQUEST) == 0)
		return "the sender is not on this request (neither its "
		    "customer nor in Cc): not the customer's word";
	if (strcmp(flag, MESSAGE_FLAG_FORGED_AGENT) == 0)
		return "the sender claimed to be an agent without proof "
		    "(no valid reply address nor trusted authentication): "
		    "kept as a customer's message, no command was run";
	return flag;
}
