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
#include "xmalloc.h"

static int	customer_lookup(struct store *, const char *addr,
		    int64_t *id_out, struct error *err);
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
    time_t now, int64_t *id_out, struct error *err)
{
	static const char ins[] = "INSERT INTO customers (name, created_at)"
	    " VALUES (?, ?)";
	static const char fill[] = "UPDATE customers SET name = ?"
	    " WHERE id = ? AND name = ''";
	sqlite3_stmt *stmt;
	char *norm = customer_normalize_address(addr);
	int ret = -1;

	if (customer_lookup(st, norm, id_out, err) == -1)
		goto out;
	if (*id_out != 0) {
		if (name != NULL && *name != '\0') {
			if ((stmt = store_stmt(st, fill, err)) == NULL)
				goto out;
			sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
			sqlite3_bind_int64(stmt, 2, *id_out);
			if (store_step_done(st, stmt, err) == -1)
				goto out;
		}
		ret = 0;
		goto out;
	}
	if ((stmt = store_stmt(st, ins, err)) == NULL)
		goto out;
	sqlite3_bind_text(stmt, 1, name ? name : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)now);
	if (store_step_done(st, stmt, err) == -1)
		goto out;
	*id_out = sqlite3_last_insert_rowid(store_db(st));
	ret = customer_add_address(st, *id_out, norm, now, err);
out:
	free(norm);
	return ret;
}

int
customer_add_address(struct store *st, int64_t id, const char *addr,
    time_t now, struct error *err)
{
	static const char sql[] = "INSERT INTO customer_addresses"
	    " (address, customer_id, added_at) VALUES (?, ?, ?)";
	sqlite3_stmt *stmt;
	char *norm = customer_normalize_address(addr);
	int ret;

	if ((stmt = store_stmt(st, sql, err)) == NULL) {
		free(norm);
		return -1;
	}
	sqlite3_bind_text(stmt, 1, norm, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, id);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)now);
	ret = store_step_done(st, stmt, err);
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
	    " WHERE address = ?";
	sqlite3_stmt *stmt;
	int rc;

	*id_out = 0;
	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, addr, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*id_out = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(st, "customer lookup", err);
	return 0;
}
