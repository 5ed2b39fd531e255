/*
 * ctl_backup: `triagectl backup FILE`, a consistent copy of the database
 * while the daemon runs (issue 13), taken by the store (SQLite's online
 * backup).  The generated reply key beside the database is copied too,
 * to FILE.reply-key: a database restored without it makes the daemon
 * refuse to start (README "Backup and restore"), and a new key would
 * void every signed Reply-To already sent.  Nothing is overwritten.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "error.h"
#include "store.h"
#include "triagectl.h"
#include "xmalloc.h"

static int	ctl_backup_run(struct triagectl *, int, char **);
static int	ctl_backup_key(const char *from, const char *to,
		    struct error *);

const struct triagectl_cmd ctl_backup_cmd = {
	"backup",
	"FILE",
	"copy the database (and its reply key) to FILE, a new file, "
	"while the daemon runs",
	ctl_backup_run
};

static int
ctl_backup_run(struct triagectl *ctl, int argc, char **argv)
{
	struct store *st;
	struct error err;
	struct stat sb;
	char *key, *dkey;
	long long pages = 0;
	int rc = TRIAGECTL_OK;

	if (argc != 2 || argv[1][0] == '\0' || argv[1][0] == '-')
		return triagectl_usage(&ctl_backup_cmd);
	if ((st = triagectl_store(ctl)) == NULL)
		return TRIAGECTL_ERROR;
	xasprintf(&key, "%s.reply-key", ctl->cfg->database);
	xasprintf(&dkey, "%s.reply-key", argv[1]);
	error_clear(&err);
	/* both names checked first: nothing is left half-made by a refusal */
	if (lstat(dkey, &sb) == 0)
		rc = triagectl_failx("backup %s: exists already (a backup "
		    "never overwrites: choose a new name)", dkey);
	else if (store_backup(st, argv[1], &pages, &err) == -1)
		rc = triagectl_fail(&err);
	else if (stat(key, &sb) == 0 &&
	    ctl_backup_key(key, dkey, &err) == -1) {
		(void)unlink(argv[1]);
		rc = triagectl_fail(&err);
	} else {
		buf_printf(ctl->out, "backup %s: %lld pages", argv[1], pages);
		if (stat(dkey, &sb) == 0)
			buf_printf(ctl->out, ", reply key %s", dkey);
		buf_append_str(ctl->out, "\n");
	}
	free(dkey);
	free(key);
	return rc;
}

/* Copies the key file to a new file, 0600, synced. */
static int
ctl_backup_key(const char *from, const char *to, struct error *err)
{
	char data[4096];
	ssize_t n = 0;
	int in, out = -1, saved;

	if ((in = open(from, O_RDONLY | O_CLOEXEC)) == -1 ||
	    (out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1)
		goto fail;
	while ((n = read(in, data, sizeof(data))) > 0)
		if (write(out, data, (size_t)n) != n) {
			n = -1;
			break;
		}
	if (n == -1 || fsync(out) == -1 || close(out) == -1) {
		out = -1;
		(void)unlink(to);
		goto fail;
	}
	close(in);
	return 0;
fail:
	saved = errno;
	if (in != -1)
		close(in);
	if (out != -1)
		close(out);
	return error_set(err, ERR_TEMP, "backup of the reply key %s to %s: %s",
	    from, to, strerror(saved));
}
