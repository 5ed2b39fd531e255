/*
 * fixture: what most unit tests start from: a private directory under
 * /tmp, a config loaded from text written there, and a store beside it.
 * Failures abort the running test (Check), so callers need no checks.
 */
#ifndef TRIAGED_TEST_FIXTURE_H
#define TRIAGED_TEST_FIXTURE_H

struct config;
struct store;

struct fixture {
	char		 dir[64];
	struct config	*cfg;
	struct store	*st;
};

/*
 * Makes /tmp/NAME.XXXXXX, writes conf there (NULL: an empty file, the
 * defaults) after a `database = "DIR/t.db";` line, so that anything kept
 * beside the database (the generated reply key) stays in DIR, loads it
 * and opens the store.
 */
void		fixture_open(struct fixture *, const char *name,
		    const char *conf);
/* Closes the store, drops the config and removes the directory. */
void		fixture_close(struct fixture *);

/* Runs sql (several statements allowed); fails the test on error. */
void		fixture_exec(struct store *, const char *sql);
/* The first column of sql's first row, as an integer. */
long long	fixture_count(struct store *, const char *sql);

#endif
