/*
 * ctl_migrate: `triagectl migrate [--from FILE] --to URI`, the move of an
 * SQLite store to PostgreSQL (issue 15; README "Moving from SQLite to
 * PostgreSQL").  The store does the copy (store_copy.h); this command
 * picks the two databases, refuses what must not be copied, and prints
 * the count of each table.
 *
 * Refused: a target that is not a libpq URI or holds data (looked at
 * read-only first, so a database that is not ours is not even given our
 * schema), and a source that another process has open: a daemon still
 * running would go on taking mail into the file after the copy, mail the
 * new database would never see.  The source is held exclusively for the
 * whole copy, so nothing starts writing to it meanwhile either.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "error.h"
#include "store.h"
#include "store_copy.h"
#include "triagectl.h"
#include "xmalloc.h"

static int	ctl_migrate_run(struct triagectl *, int, char **);
static void	ctl_migrate_table(void *, const char *, int64_t);

const struct triagectl_cmd ctl_migrate_cmd = {
	"migrate",
	"[--from FILE] --to postgresql://...",
	"copy the SQLite database (stopped daemon) into an empty PostgreSQL "
	"database",
	ctl_migrate_run
};

struct ctl_migrate_sum {
	struct buf	*out;
	int64_t		 tables, rows;
};

static int
ctl_migrate_run(struct triagectl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from",	required_argument,	NULL, 'f' },
		{ "to",		required_argument,	NULL, 't' },
		{ NULL,		0,			NULL, 0 }
	};
	struct ctl_migrate_sum sum;
	struct store *from = NULL, *to = NULL;
	const char *src = NULL, *uri = NULL;
	struct buf *errors;
	struct error err;
	struct stat sb;
	char *key;
	int ch, rc = TRIAGECTL_ERROR;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'f')
			src = optarg;
		else if (ch == 't')
			uri = optarg;
		else
			return triagectl_usage(&ctl_migrate_cmd);
	}
	if (optind != argc || uri == NULL)
		return triagectl_usage(&ctl_migrate_cmd);
	if (!store_is_remote(uri))
		return triagectl_bad_usage(&ctl_migrate_cmd, "--to: not a "
		    "PostgreSQL URI (postgresql://...)");
	if (src == NULL)
		src = ctl->database;
	if (src == NULL) {
		errors = buf_new();
		ctl->cfg = config_load(ctl->config_path, errors);
		if (ctl->cfg == NULL) {
			fputs(errors->data, stderr);
			buf_free(errors);
			return triagectl_failx("%s: cannot load the "
			    "configuration", ctl->config_path);
		}
		buf_free(errors);
		src = ctl->cfg->database;
	}
	if (store_is_remote(src))
		return triagectl_failx("migrate: the database is PostgreSQL "
		    "already; name the SQLite file with --from FILE");
	if (stat(src, &sb) == -1)	/* store_open would make a new one */
		return triagectl_failx("migrate: %s: %s", src,
		    strerror(errno));

	error_clear(&err);
	if ((to = store_open(uri, STORE_READONLY, &err)) == NULL ||
	    store_copy_check_empty(to, &err) == -1)
		goto fail;
	store_close(to);
	to = NULL;
	/* the source alone, migrated to this version; then the target's schema */
	if ((from = store_open(src, STORE_EXCLUSIVE, &err)) == NULL ||
	    (to = store_open(uri, 0, &err)) == NULL)
		goto fail;
	memset(&sum, 0, sizeof(sum));
	sum.out = ctl->out;
	if (store_copy(from, to, ctl_migrate_table, &sum, &err) == -1)
		goto fail;
	buf_printf(ctl->out, "migrated %s: %lld rows in %lld tables, "
	    "committed; set database to the PostgreSQL URI and start "
	    "triaged\n", src, (long long)sum.rows, (long long)sum.tables);
	/* the generated reply key has no place beside a URI */
	xasprintf(&key, "%s.reply-key", src);
	if (stat(key, &sb) == 0)
		buf_printf(ctl->out, "reply key: set agent_mail.secret_file "
		    "to %s (or a copy of it, the same on every instance)\n",
		    key);
	free(key);
	rc = TRIAGECTL_OK;
	goto out;
fail:
	rc = triagectl_fail(&err);
out:
	store_close(to);
	store_close(from);
	return rc;
}

static void
ctl_migrate_table(void *arg, const char *table, int64_t rows)
{
	struct ctl_migrate_sum *sum = arg;

	if (rows < 0) {
		buf_printf(sum->out, "%-24s skipped (an SQLite-only index, "
		    "made again from its sources)\n", table);
		return;
	}
	buf_printf(sum->out, "%-24s %lld\n", table, (long long)rows);
	sum->tables++;
	sum->rows += rows;
}
