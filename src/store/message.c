/*
 * message: inserting and finding rows of the messages table.  The
 * UNIQUE dedupe_key makes "stored once" a property of the database, not
 * of our code paths (promise 2).
 */
#include <stddef.h>

#include "error.h"
#include "message.h"
#include "mime.h"
#include "store_db.h"

int
message_insert(struct store *st, const struct message_row *r, int64_t *id_out,
    struct error *err)
{
	static const char sql[] = "INSERT INTO messages (ticket_id, direction,"
	    " dedupe_key, message_id, from_addr, from_name, subject, body,"
	    " body_from_html, envelope_from, envelope_rcpts, source,"
	    " auto_reason, parse_warning, token_flag, created_at, raw, agent)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	    " ?14, ?15, ?16, ?17, ?18) RETURNING id";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
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
	return store_q_returning(q, id_out, err);
}

int
message_insert_attachments(struct store *st, int64_t id,
    const struct parsed_message *pm, struct error *err)
{
	static const char sql[] = "INSERT INTO attachments (message_id,"
	    " filename, content_type, size) VALUES (?1, ?2, ?3, ?4)";
	struct store_q *q;
	size_t i;

	for (i = 0; i < pm->nattachments; i++) {
		const struct mime_attachment *a = &pm->attachments[i];

		if ((q = store_q(st, sql, err)) == NULL)
			return -1;
		store_q_int(q, 1, id);
		store_q_text(q, 2, a->filename);
		store_q_text(q, 3, a->content_type);
		store_q_int(q, 4, (int64_t)a->size);
		if (store_q_exec(q, err) == -1)
			return -1;
	}
	return 0;
}

int
message_find_duplicate(struct store *st, const char *dedupe_key,
    int64_t *ticket_out, struct error *err)
{
	static const char sql[] = "SELECT ticket_id FROM messages"
	    " WHERE dedupe_key = ?1";
	struct store_q *q;

	*ticket_out = 0;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, dedupe_key);
	switch (store_q_step(q, err)) {
	case STORE_ROW:
		*ticket_out = store_q_col_int(q, 0);
		store_q_reset(q);
		return 0;
	case STORE_DONE:
		return 0;
	default:
		return -1;
	}
}
