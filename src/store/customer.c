/*
 * customer: customer records keyed by address.  Addresses are compared
 * lowercased: the local part is case-sensitive in theory (RFC 5321 2.4),
 * but no real mailbox relies on it, and one customer split in two by a
 * capital letter is the worse failure for a helpdesk.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "customer.h"
#include "error.h"
#include "store.h"
#include "store_db.h"
#include "ticket.h"
#include "xmalloc.h"

static int	customer_seen_read(struct store *, const char *,
		    struct customer_seen *, struct error *);
static void	customer_seen_of(struct store_q *, int,
		    struct customer_seen *);
static int	customer_lookup(struct store *, const char *addr,
		    int64_t *id_out, struct error *err);
static int	customer_load_addresses(struct store *, struct customer *,
		    struct error *err);
static int	customer_lookup_any(struct store *, const char *addr,
		    int64_t *id_out, struct error *err);

char *
customer_normalize_address(const char *addr)
{
	char *p, *s;

	if (addr == NULL)
		return NULL;
	s = xstrdup(addr);
	for (p = s; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

int
customer_find_or_create(struct store *st, const char *addr, const char *name,
    time_t now, const struct customer_seen *seen, int64_t *id_out,
    char **lang_out, struct error *err)
{
	static const char ins[] = "INSERT INTO customers (name, created_at)"
	    " VALUES (?1, ?2) RETURNING id";
	static const char fill[] = "UPDATE customers SET name = ?1"
	    " WHERE id = ?2 AND name = ''";
	static const char claim[] = "INSERT INTO customer_addresses"
	    " (address, customer_id, added_at) VALUES (?1, ?2, ?3)"
	    " ON CONFLICT (address) DO NOTHING";
	static const char drop[] = "DELETE FROM customers WHERE id = ?1";
	struct customer_seen own;
	struct store_q *q;
	char *norm = customer_normalize_address(addr);
	int ret = -1;

	memset(&own, 0, sizeof(own));
	if (lang_out != NULL)
		*lang_out = NULL;
	if (seen == NULL || !seen->read) {
		if (customer_seen_read(st, norm, &own, err) == -1)
			goto out;
		seen = &own;
	}
	if ((*id_out = seen->id) != 0) {
		if (lang_out != NULL)
			*lang_out = xstrdup_or_null(seen->language);
		/* a name only where there was none: mostly nothing to write */
		if (!seen->named && name != NULL && *name != '\0') {
			if ((q = store_q(st, fill, err)) == NULL)
				goto out;
			store_q_text(q, 1, name);
			store_q_int(q, 2, *id_out);
			if (store_q_exec_later(q, err) == -1)
				goto out;
		}
		ret = 0;
		goto out;
	}
	if ((q = store_q(st, ins, err)) == NULL)
		goto out;
	store_q_text(q, 1, name ? name : "");
	store_q_int(q, 2, (int64_t)now);
	if (store_q_returning(q, id_out, err) == -1)
		goto out;
	/*
	 * Several instances on one PostgreSQL database: another one may
	 * have made this customer between our look-up and here (two mails
	 * of a new customer at two MX hosts at once).  The conflicting
	 * insert waits for its transaction; once that committed, its
	 * customer is the one (a new statement sees it under READ
	 * COMMITTED) and ours goes, instead of a 451 and the peer's retry
	 * for a key that was never ours to take.  With SQLite's one writer
	 * nothing can come between.
	 */
	if ((q = store_q(st, claim, err)) == NULL)
		goto out;
	store_q_text(q, 1, norm);
	store_q_int(q, 2, *id_out);
	store_q_int(q, 3, (int64_t)now);
	if (store_q_exec(q, err) == -1)
		goto out;
	if (store_q_changes(st) == 1) {
		ret = 0;
		goto out;
	}
	if ((q = store_q(st, drop, err)) == NULL)
		goto out;
	store_q_int(q, 1, *id_out);
	if (store_q_exec(q, err) == -1)
		goto out;
	customer_seen_clear(&own);
	if (customer_seen_read(st, norm, &own, err) == -1)
		goto out;
	if ((*id_out = own.id) == 0) {
		error_set(err, ERR_TEMP, "customer %s: taken and gone again",
		    norm);
		goto out;
	}
	if (lang_out != NULL)
		*lang_out = xstrdup_or_null(own.language);
	ret = 0;
out:
	customer_seen_clear(&own);
	free(norm);
	return ret;
}

int
customer_add_address(struct store *st, int64_t id, const char *addr,
    time_t now, struct error *err)
{
	static const char sql[] = "INSERT INTO customer_addresses"
	    " (address, customer_id, added_at) VALUES (?1, ?2, ?3)";
	struct store_q *q;
	char *norm = customer_normalize_address(addr);
	int ret = -1;

	if ((q = store_q(st, sql, err)) != NULL) {
		store_q_text(q, 1, norm);
		store_q_int(q, 2, id);
		store_q_int(q, 3, (int64_t)now);
		ret = store_q_exec(q, err);
	}
	free(norm);
	return ret;
}

int
customer_attach(struct store *st, const char *existing, const char *addr,
    time_t now, int64_t *id_out, struct error *err)
{
	char *norm = customer_normalize_address(addr);
	int64_t owner;
	int ret = -1;

	if (strchr(norm, '@') == NULL || strpbrk(norm, " \t\r\n<>,;\"") != NULL) {
		error_set(err, ERR_PERM, "not an address: %s", addr);
		goto out;
	}
	if (store_begin(st, err) == -1)
		goto out;
	if (customer_lookup_any(st, existing, id_out, err) == -1)
		goto fail;
	if (*id_out == 0) {
		error_set(err, ERR_PERM, "no customer %s", existing);
		goto fail;
	}
	if (customer_lookup(st, norm, &owner, err) == -1)
		goto fail;
	if (owner != 0 && owner != *id_out) {
		error_set(err, ERR_PERM, "%s belongs to customer #%lld", norm,
		    (long long)owner);
		goto fail;
	}
	if (owner == 0 &&
	    customer_add_address(st, *id_out, norm, now, err) == -1)
		goto fail;
	ret = store_commit(st, err);
	if (ret == -1)
		goto fail;
	goto out;
fail:
	store_rollback(st);
	ret = -1;
out:
	free(norm);
	return ret;
}

int
customer_load(struct store *st, int64_t id, struct customer *c,
    struct error *err)
{
	static const char sql[] = "SELECT name, company, created_at"
	    " FROM customers WHERE id = ?1";
	struct store_q *q;

	memset(c, 0, sizeof(*c));
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, id);
	switch (store_q_step(q, err)) {
	case STORE_ROW:
		c->id = id;
		c->name = store_q_col_strdup(q, 0);
		c->company = store_q_col_strdup(q, 1);
		c->created_at = (time_t)store_q_col_int(q, 2);
		store_q_reset(q);
		break;
	case STORE_DONE:
		return 0;
	default:
		return -1;
	}
	if (customer_load_addresses(st, c, err) == -1) {
		customer_clear(c);
		return -1;
	}
	return 0;
}

void
customer_clear(struct customer *c)
{
	size_t i;

	free(c->name);
	free(c->company);
	for (i = 0; i < c->naddresses; i++)
		free(c->addresses[i]);
	free(c->addresses);
	memset(c, 0, sizeof(*c));
}

static int
customer_load_addresses(struct store *st, struct customer *c,
    struct error *err)
{
	static const char sql[] = "SELECT address FROM customer_addresses"
	    " WHERE customer_id = ?1 ORDER BY added_at, address";
	struct store_q *q;
	enum store_step rc;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, c->id);
	while ((rc = store_q_step(q, err)) == STORE_ROW) {
		c->addresses = xreallocarray(c->addresses, c->naddresses + 1,
		    sizeof(*c->addresses));
		c->addresses[c->naddresses++] = store_q_col_strdup(q, 0);
	}
	return rc == STORE_ERROR ? -1 : 0;
}

static int
customer_lookup_any(struct store *st, const char *addr, int64_t *id_out,
    struct error *err)
{
	char *norm = customer_normalize_address(addr);
	int rc = customer_lookup(st, norm, id_out, err);

	free(norm);
	return rc;
}

static int
customer_lookup(struct store *st, const char *addr, int64_t *id_out,
    struct error *err)
{
	static const char sql[] = "SELECT customer_id FROM customer_addresses"
	    " WHERE address = ?1";
	struct store_q *q;

	*id_out = 0;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, addr);
	return store_q_one_int(q, id_out, err) == -1 ? -1 : 0;
}

/* The customer of addr (normalised), as customer_seen holds it. */
#define CUSTOMER_SEEN_COLUMNS "a.customer_id, c.language," \
	" CASE WHEN c.name = '' THEN 0 ELSE 1 END"
/* the customer of address ?2, as outer joins: one row whatever is found */
#define CUSTOMER_SEEN_JOINS " LEFT JOIN customer_addresses a" \
	" ON a.address = ?2 LEFT JOIN customers c ON c.id = a.customer_id"

/* The customer of addr (normalised): the intake's read without a key. */
static int
customer_seen_read(struct store *st, const char *addr,
    struct customer_seen *seen, struct error *err)
{
	int64_t dup;

	return customer_seen_with_duplicate(st, NULL, addr, &dup, seen, NULL,
	    err);
}

/* CUSTOMER_SEEN_COLUMNS from column col of q's row into seen. */
static void
customer_seen_of(struct store_q *q, int col, struct customer_seen *seen)
{
	seen->read = true;
	seen->id = store_q_col_null(q, col) ? 0 : store_q_col_int(q, col);
	seen->language = store_q_col_null(q, col + 1) ? NULL :
	    store_q_col_strdup(q, col + 1);
	seen->named = store_q_col_int(q, col + 2) != 0;
}

int
customer_seen_with_duplicate(struct store *st, const char *key,
    const char *addr, int64_t *dup_out, struct customer_seen *seen,
    struct ticket_reserve *reserve, struct error *err)
{
	/* one row whatever is found: the look-ups as outer joins */
	static const char sql[] = "SELECT (SELECT m.ticket_id FROM messages m"
	    " WHERE m.dedupe_key = ?1), " CUSTOMER_SEEN_COLUMNS
	    " FROM (SELECT 1) AS one" CUSTOMER_SEEN_JOINS;
	/*
	 * PostgreSQL only (sequences): the numbers drawn unless a duplicate
	 * was found (CASE evaluates nextval only then), and what the
	 * request's INSERT reads otherwise (ticket.c, ticket_create): its
	 * customer's newest request's customer_seq, the company.
	 */
	static const char reserving[] = "SELECT d.dup, " CUSTOMER_SEEN_COLUMNS
	    ", CASE WHEN d.dup IS NULL THEN nextval('tickets_id_seq') END,"
	    " CASE WHEN d.dup IS NULL THEN nextval('messages_id_seq') END,"
	    " c.company, (SELECT t.customer_seq FROM tickets t"
	    " WHERE t.customer_id = a.customer_id"
	    " ORDER BY t.customer_id DESC, t.id DESC LIMIT 1)"
	    " FROM (SELECT (SELECT m.ticket_id FROM messages m"
	    " WHERE m.dedupe_key = ?1) AS dup) AS d" CUSTOMER_SEEN_JOINS;
	struct store_q *q;

	*dup_out = 0;
	memset(seen, 0, sizeof(*seen));
	if (reserve != NULL)
		memset(reserve, 0, sizeof(*reserve));
	if (store_db_sqlite(st))
		reserve = NULL;
	if ((q = store_q(st, reserve != NULL ? reserving : sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, key);
	store_q_text(q, 2, addr);
	switch (store_q_step(q, err)) {
	case STORE_ROW:
		*dup_out = store_q_col_null(q, 0) ? 0 : store_q_col_int(q, 0);
		if (addr != NULL)
			customer_seen_of(q, 1, seen);
		if (reserve != NULL && !store_q_col_null(q, 4)) {
			reserve->id = store_q_col_int(q, 4);
			reserve->message_id = store_q_col_int(q, 5);
			reserve->company = store_q_col_null(q, 6) ? NULL :
			    store_q_col_strdup(q, 6);
			reserve->customer_seq = (store_q_col_null(q, 7) ? 0 :
			    store_q_col_int(q, 7)) + 1;
		}
		store_q_reset(q);
		return 0;
	case STORE_DONE:
		return error_set(err, ERR_TEMP, "database: no row for the "
		    "intake's look-up");
	default:
		return -1;
	}
}

void
customer_seen_clear(struct customer_seen *seen)
{
	free(seen->language);
	memset(seen, 0, sizeof(*seen));
}

int
customer_language(struct store *st, int64_t id, char **lang_out,
    struct error *err)
{
	static const char sql[] = "SELECT language FROM customers"
	    " WHERE id = ?1";
	struct store_q *q;

	*lang_out = NULL;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, id);
	switch (store_q_step(q, err)) {
	case STORE_ROW:
		if (!store_q_col_null(q, 0))
			*lang_out = store_q_col_strdup(q, 0);
		store_q_reset(q);
		return 0;
	case STORE_DONE:
		return 0;
	default:
		return -1;
	}
}

int
customer_set_language(struct store *st, int64_t id, const char *lang,
    bool only_if_unknown, struct error *err)
{
	static const char sql[] = "UPDATE customers SET language = ?2"
	    " WHERE id = ?1 AND (?3 = 0 OR language IS NULL)";
	struct store_q *q;

	if (lang != NULL && !customer_language_valid(lang))
		return error_set(err, ERR_PERM, "not a language code: %s",
		    lang);
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, id);
	store_q_text(q, 2, lang);
	store_q_int(q, 3, only_if_unknown ? 1 : 0);
	return store_q_exec(q, err);
}

int
customer_set_language_of(struct store *st, const char *addr,
    const char *lang, int64_t *id_out, struct error *err)
{
	if (lang != NULL && strcmp(lang, "-") == 0)
		lang = NULL;
	if (lang != NULL && !customer_language_valid(lang))
		return error_set(err, ERR_PERM, "not a language code "
		    "(two or three lowercase letters, ISO 639): %s", lang);
	if (store_begin(st, err) == -1)
		return -1;
	if (customer_lookup_any(st, addr, id_out, err) == -1)
		goto fail;
	if (*id_out == 0) {
		error_set(err, ERR_PERM, "no customer %s", addr);
		goto fail;
	}
	if (customer_set_language(st, *id_out, lang, false, err) == -1)
		goto fail;
	if (store_commit(st, err) == 0)
		return 0;
fail:
	store_rollback(st);
	return -1;
}

bool
customer_language_valid(const char *s)
{
	size_t i;

	if (s == NULL)
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if (s[i] < 'a' || s[i] > 'z' || i >= 3)
			return false;
	return i >= 2;
}
