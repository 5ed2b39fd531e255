/*
 * purge: removing personal data, request by request (purge.h).  The
 * statements are in the SQL subset both engines share; LIKE patterns
 * carry their own ESCAPE so an address's "_" or "%" matches itself.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "history.h"
#include "purge.h"
#include "store_db.h"
#include "xmalloc.h"

static int	purge_request(struct store *, int64_t id, time_t now,
		    const char *actor, struct purge_counts *, struct error *);
static int	purge_orphan(struct store *, int64_t customer,
		    struct purge_counts *, struct error *);
static int	purge_ids(struct store_q *, int64_t **ids_out, size_t *n_out,
		    struct error *);
static int	purge_exec1(struct store *, const char *sql, int64_t id,
		    int64_t *changes, struct error *);
static char	*purge_like(const char *address);

int
purge_raw_batch(struct store *st, time_t before, int limit,
    struct purge_counts *c, struct error *err)
{
	static const char sql[] = "UPDATE messages SET raw = NULL"
	    " WHERE id IN (SELECT m.id FROM messages m"
	    "  JOIN tickets t ON t.id = m.ticket_id"
	    "  WHERE m.raw IS NOT NULL AND m.created_at < ?1"
	    "  AND t.status IN ('resolved', 'closed') LIMIT ?2)";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, (int64_t)before);
	store_q_int(q, 2, limit);
	if (store_q_exec(q, err) == -1)
		return -1;
	c->raw += store_q_changes(st);
	return 0;
}

int
purge_closed_batch(struct store *st, time_t before, int limit, time_t now,
    struct purge_counts *c, struct error *err)
{
	static const char sql[] = "SELECT id FROM tickets"
	    " WHERE status IN ('resolved', 'closed') AND purged_at IS NULL"
	    " AND COALESCE(closed_at, resolved_at) < ?1"
	    " AND NOT EXISTS (SELECT 1 FROM outbox o"
	    "  WHERE o.ticket_id = tickets.id AND o.status = 'queued')"
	    " ORDER BY COALESCE(closed_at, resolved_at) LIMIT ?2";
	struct store_q *q;
	int64_t *ids = NULL;
	size_t i, n = 0;
	int rc = 0;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, (int64_t)before);
	store_q_int(q, 2, limit);
	if (purge_ids(q, &ids, &n, err) == -1)
		return -1;
	for (i = 0; rc == 0 && i < n; i++)
		rc = purge_request(st, ids[i], now, "retention", c, err);
	free(ids);
	return rc;
}

int
purge_forget(struct store *st, const char *address, const char *actor,
    time_t now, bool *found, struct purge_counts *c, struct error *err)
{
	static const char q_cust[] = "SELECT customer_id FROM"
	    " customer_addresses WHERE address = lower(?1)";
	static const char q_tickets[] = "SELECT id FROM tickets"
	    " WHERE customer_id = ?1 ORDER BY id";
	static const char q_raw[] = "SELECT count(*) FROM messages"
	    " WHERE raw IS NOT NULL AND (from_addr = lower(?1)"
	    " OR envelope_from = lower(?1))";
	static const char q_msgs[] = "UPDATE messages SET message_id = NULL,"
	    " dedupe_key = NULL, from_addr = NULL, from_name = NULL,"
	    " subject = NULL, body = NULL, envelope_from = NULL,"
	    " envelope_rcpts = NULL, parse_warning = NULL, raw = NULL"
	    " WHERE from_addr = lower(?1) OR envelope_from = lower(?1)";
	static const char q_cc[] = "DELETE FROM ticket_cc"
	    " WHERE address = lower(?1)";
	static const char q_outbox[] = "DELETE FROM outbox"
	    " WHERE ' ' || rcpts || ' ' LIKE ?1 ESCAPE '\\'";
	static const char q_actor[] = "UPDATE events SET actor = 'customer'"
	    " WHERE actor = lower(?1)";
	static const char q_detail[] = "UPDATE events SET detail = NULL"
	    " WHERE detail LIKE ?1 ESCAPE '\\'";
	static const char q_record[] = "INSERT INTO erasures (at, actor,"
	    " requests, messages, outbox) VALUES (?1, ?2, ?3, ?4, ?5)";
	struct purge_counts before = *c;
	struct store_q *q;
	int64_t cust = 0, raw = 0, *ids = NULL;
	size_t i, n = 0;
	char *pat, *spaced;
	int rc = 0;

	*found = false;
	if ((q = store_q(st, q_cust, err)) == NULL)
		return -1;
	store_q_text(q, 1, address);
	if (store_q_one_int(q, &cust, err) == -1)
		return -1;
	if (cust != 0) {
		if ((q = store_q(st, q_tickets, err)) == NULL)
			return -1;
		store_q_int(q, 1, cust);
		if (purge_ids(q, &ids, &n, err) == -1)
			return -1;
		for (i = 0; rc == 0 && i < n; i++)
			rc = purge_request(st, ids[i], now, actor, c, err);
		free(ids);
		/* no request (or all purged before): the record alone */
		if (rc == 0)
			rc = purge_orphan(st, cust, c, err);
		if (rc == -1)
			return -1;
	}
	/* their messages on other requests (a Cc who wrote, say) */
	if ((q = store_q(st, q_raw, err)) == NULL)
		return -1;
	store_q_text(q, 1, address);
	if (store_q_one_int(q, &raw, err) == -1)
		return -1;
	c->raw += raw;
	pat = purge_like(address);
	xasprintf(&spaced, "%% %s %%", pat);
	rc = -1;
	if ((q = store_q(st, q_msgs, err)) == NULL)
		goto out;
	store_q_text(q, 1, address);
	if (store_q_exec(q, err) == -1)
		goto out;
	c->messages += store_q_changes(st);
	if ((q = store_q(st, q_cc, err)) == NULL)
		goto out;
	store_q_text(q, 1, address);
	if (store_q_exec(q, err) == -1)
		goto out;
	c->addresses += store_q_changes(st);
	if ((q = store_q(st, q_outbox, err)) == NULL)
		goto out;
	store_q_text(q, 1, spaced);
	if (store_q_exec(q, err) == -1)
		goto out;
	c->outbox += store_q_changes(st);
	if ((q = store_q(st, q_actor, err)) == NULL)
		goto out;
	store_q_text(q, 1, address);
	if (store_q_exec(q, err) == -1)
		goto out;
	free(spaced);
	xasprintf(&spaced, "%%%s%%", pat);
	if ((q = store_q(st, q_detail, err)) == NULL)
		goto out;
	store_q_text(q, 1, spaced);
	if (store_q_exec(q, err) == -1)
		goto out;
	*found = cust != 0 || memcmp(&before, c, sizeof(before)) != 0;
	rc = 0;
	if (*found) {
		if ((q = store_q(st, q_record, err)) == NULL) {
			rc = -1;
			goto out;
		}
		store_q_int(q, 1, (int64_t)now);
		store_q_text(q, 2, actor);
		store_q_int(q, 3, c->requests - before.requests);
		store_q_int(q, 4, c->messages - before.messages);
		store_q_int(q, 5, c->outbox - before.outbox);
		rc = store_q_exec(q, err);
	}
out:
	free(spaced);
	free(pat);
	return rc;
}

/*
 * One request anonymised (purge.h says what stays); its customer goes
 * once no request names them.
 */
static int
purge_request(struct store *st, int64_t id, time_t now, const char *actor,
    struct purge_counts *c, struct error *err)
{
	static const char q_cust[] = "SELECT customer_id FROM tickets"
	    " WHERE id = ?1";
	static const char q_raw[] = "SELECT count(*) FROM messages"
	    " WHERE ticket_id = ?1 AND raw IS NOT NULL";
	static const char q_att[] = "UPDATE attachments SET filename = NULL"
	    " WHERE filename IS NOT NULL AND message_id IN"
	    " (SELECT id FROM messages WHERE ticket_id = ?1)";
	static const char q_msgs[] = "UPDATE messages SET message_id = NULL,"
	    " dedupe_key = NULL, from_addr = NULL, from_name = NULL,"
	    " subject = NULL, body = NULL, envelope_from = NULL,"
	    " envelope_rcpts = NULL, parse_warning = NULL, token_flag = NULL,"
	    " raw = NULL WHERE ticket_id = ?1";
	static const char q_ids[] = "DELETE FROM message_ids"
	    " WHERE ticket_id = ?1";
	static const char q_cc[] = "DELETE FROM ticket_cc WHERE ticket_id = ?1";
	static const char q_events[] = "UPDATE events SET"
	    " actor = CASE WHEN actor LIKE '%@%' THEN 'customer' ELSE actor END,"
	    " detail = CASE WHEN detail LIKE '%@%'"
	    "  OR kind IN ('message', 'note', 'reply', 'cc') THEN NULL"
	    "  ELSE detail END"
	    " WHERE ticket_id = ?1";
	static const char q_outbox[] = "DELETE FROM outbox"
	    " WHERE ticket_id = ?1 AND status <> 'queued'";
	static const char q_ticket[] = "UPDATE tickets SET subject = '',"
	    " customer_id = NULL, thread_root = NULL, purged_at = ?2"
	    " WHERE id = ?1";
	struct store_q *q;
	int64_t cust = 0, raw = 0;

	if ((q = store_q(st, q_cust, err)) == NULL)
		return -1;
	store_q_int(q, 1, id);
	if (store_q_one_int(q, &cust, err) == -1)
		return -1;
	if ((q = store_q(st, q_raw, err)) == NULL)
		return -1;
	store_q_int(q, 1, id);
	if (store_q_one_int(q, &raw, err) == -1)
		return -1;
	c->raw += raw;
	if (purge_exec1(st, q_att, id, &c->attachments, err) == -1 ||
	    purge_exec1(st, q_msgs, id, &c->messages, err) == -1 ||
	    purge_exec1(st, q_ids, id, NULL, err) == -1 ||
	    purge_exec1(st, q_cc, id, &c->addresses, err) == -1 ||
	    purge_exec1(st, q_events, id, NULL, err) == -1 ||
	    purge_exec1(st, q_outbox, id, &c->outbox, err) == -1)
		return -1;
	if ((q = store_q(st, q_ticket, err)) == NULL)
		return -1;
	store_q_int(q, 1, id);
	store_q_int(q, 2, (int64_t)now);
	if (store_q_exec(q, err) == -1 ||
	    history_add(st, id, now, "purged", actor, NULL, err) == -1)
		return -1;
	c->requests++;
	return cust != 0 ? purge_orphan(st, cust, c, err) : 0;
}

/* The customer and their addresses, once no request names them. */
static int
purge_orphan(struct store *st, int64_t cust, struct purge_counts *c,
    struct error *err)
{
	static const char q_left[] = "SELECT count(*) FROM tickets"
	    " WHERE customer_id = ?1";
	static const char q_addr[] = "DELETE FROM customer_addresses"
	    " WHERE customer_id = ?1";
	static const char q_cust[] = "DELETE FROM customers WHERE id = ?1";
	struct store_q *q;
	int64_t left = 0;

	if ((q = store_q(st, q_left, err)) == NULL)
		return -1;
	store_q_int(q, 1, cust);
	if (store_q_one_int(q, &left, err) == -1)
		return -1;
	if (left > 0)
		return 0;
	if (purge_exec1(st, q_addr, cust, &c->addresses, err) == -1 ||
	    purge_exec1(st, q_cust, cust, &c->customers, err) == -1)
		return -1;
	return 0;
}

/* The ids the query returns, read to its end before anything changes. */
static int
purge_ids(struct store_q *q, int64_t **ids_out, size_t *n_out,
    struct error *err)
{
	enum store_step rc;
	int64_t *ids = NULL;
	size_t n = 0;

	while ((rc = store_q_step(q, err)) == STORE_ROW) {
		ids = xreallocarray(ids, n + 1, sizeof(*ids));
		ids[n++] = store_q_col_int(q, 0);
	}
	if (rc == STORE_ERROR) {
		free(ids);
		return -1;
	}
	*ids_out = ids;
	*n_out = n;
	return 0;
}

static int
purge_exec1(struct store *st, const char *sql, int64_t id, int64_t *changes,
    struct error *err)
{
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, id);
	if (store_q_exec(q, err) == -1)
		return -1;
	if (changes != NULL)
		*changes += store_q_changes(st);
	return 0;
}

/* address, lowercased (as stored) and with LIKE's wildcards escaped */
static char *
purge_like(const char *address)
{
	struct buf b;
	const char *p;

	buf_init(&b);
	for (p = address; *p != '\0'; p++) {
		char ch = *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p;

		if (ch == '%' || ch == '_' || ch == '\\')
			buf_append(&b, "\\", 1);
		buf_append(&b, &ch, 1);
	}
	return buf_steal(&b, NULL);
}
