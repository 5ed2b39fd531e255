/*
 * maildir: mail into a Maildir, durably (the Maildir protocol of qmail,
 * plus the syncs that make it crash-safe): write a batch into tmp/, make
 * it durable with one flush, rename each into new/, fsync new/.  Only
 * after that is the mail "delivered" for the outbox (promise 1).  Lines are written with LF:
 * a Maildir is a local Unix file format and mail readers expect it.
 *
 * The name is the caller's (see maildir.h): the same mail always gets
 * the same name, so delivering it again after a crash finds it in new/
 * and writes nothing.  A reader may have moved it to cur/ (adding
 * ":2,FLAGS"); maildir_scan finds it there, and the sender checks that
 * at start, once for all the mail a crash may have left unrecorded.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "maildir.h"

/* qmail's maildir(5): a file in tmp/ untouched this long is garbage. */
#define MAILDIR_TMP_MAX_AGE	(36 * 3600)

static bool	maildir_name_ok(const char *);
static int	maildir_path(char *, size_t, const char *, const char *,
		    const char *, struct error *);
static int	maildir_mkdirs(const char *, struct error *);
static int	maildir_mkdir_p(const char *, struct error *);
static int	maildir_prepare(const char *, const char *, char *, char *,
		    struct error *);
static int	maildir_write_file(const char *, const char *, size_t,
		    struct error *);
static int	maildir_sync_staged(const char *, char *const *, size_t,
		    struct error *);
static int	maildir_write_all(int, const char *, size_t);
static int	maildir_fsync_dir(const char *, struct error *);
static int	maildir_scan_sub(const char *, const char *,
		    void (*)(const char *, void *), void *, struct error *);

int
maildir_stage(const char *dir, const char *name, const char *data,
    size_t len, struct error *err)
{
	char tmp[PATH_MAX], new[PATH_MAX];
	int rc;

	if ((rc = maildir_prepare(dir, name, tmp, new, err)) != 0)
		return rc;
	/*
	 * The folders are made when a file cannot be created for want of
	 * them, not before every mail: seven mkdir(2) calls a mail, each
	 * an EEXIST, were a tenth of the sender's system time.
	 */
	if (maildir_write_file(tmp, data, len, err) == 0)
		return 0;
	if (errno != ENOENT || maildir_mkdirs(dir, err) == -1)
		return -1;
	return maildir_write_file(tmp, data, len, err);
}

int
maildir_publish(const char *dir, char *const *names, size_t n,
    struct error *err)
{
	char tmp[PATH_MAX], new[PATH_MAX];
	size_t i;

	if (n == 0)
		return 0;
	if (maildir_sync_staged(dir, names, n, err) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (maildir_path(tmp, sizeof(tmp), dir, "tmp", names[i],
		    err) == -1 ||
		    maildir_path(new, sizeof(new), dir, "new", names[i],
		    err) == -1)
			return -1;
		if (rename(tmp, new) == 0)
			continue;
		if (errno == ENOENT) {	/* new/ gone since: made again */
			if (maildir_mkdirs(dir, err) == -1)
				return -1;
			if (rename(tmp, new) == 0)
				continue;
		}
		return error_set(err, ERR_TEMP, "maildir: rename %s: %s", tmp,
		    strerror(errno));
	}
	return maildir_sync_new(dir, err);
}

int
maildir_sync_new(const char *dir, struct error *err)
{
	char newdir[PATH_MAX];

	if (maildir_path(newdir, sizeof(newdir), dir, "new", NULL, err) == -1)
		return -1;
	return maildir_fsync_dir(newdir, err);
}

int
maildir_scan(const char *dir, void (*fn)(const char *, void *), void *arg,
    struct error *err)
{
	/* new/ first: a reader moves new -> cur, never back. */
	if (maildir_scan_sub(dir, "new", fn, arg, err) == -1 ||
	    maildir_scan_sub(dir, "cur", fn, arg, err) == -1)
		return -1;
	return 0;
}

int
maildir_clean_tmp(const char *dir, bool (*ours)(const char *, void *),
    void *arg, time_t now, int *removed_out, struct error *err)
{
	char tmpdir[PATH_MAX], path[PATH_MAX];
	struct dirent *de;
	struct stat sb;
	DIR *d;
	int saved;

	*removed_out = 0;
	if (maildir_path(tmpdir, sizeof(tmpdir), dir, "tmp", NULL, err) == -1)
		return -1;
	if ((d = opendir(tmpdir)) == NULL) {
		if (errno == ENOENT)
			return 0;
		return error_set(err, ERR_TEMP, "maildir: open %s: %s", tmpdir,
		    strerror(errno));
	}
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", tmpdir,
		    de->d_name) >= sizeof(path))
			continue;
		if (!ours(de->d_name, arg) && (lstat(path, &sb) == -1 ||
		    !S_ISREG(sb.st_mode) ||
		    sb.st_mtime > now - MAILDIR_TMP_MAX_AGE))
			continue;
		if (unlink(path) == 0)
			(*removed_out)++;
		else if (errno != ENOENT) {
			saved = errno;
			(void)closedir(d);
			return error_set(err, ERR_TEMP,
			    "maildir: remove %s: %s", path, strerror(saved));
		}
		errno = 0;
	}
	saved = errno;
	(void)closedir(d);
	if (saved != 0)
		return error_set(err, ERR_TEMP, "maildir: read %s: %s", tmpdir,
		    strerror(saved));
	return 0;
}

static bool
maildir_name_ok(const char *name)
{
	size_t len;

	if (name == NULL || (len = strlen(name)) == 0 ||
	    len > MAILDIR_NAME_MAX || name[0] == '.')
		return false;
	return strchr(name, '/') == NULL && strchr(name, ':') == NULL;
}

/* dir/sub/name, or dir/sub with name NULL. */
static int
maildir_path(char *out, size_t size, const char *dir, const char *sub,
    const char *name, struct error *err)
{
	int n;

	if (name != NULL)
		n = snprintf(out, size, "%s/%s/%s", dir, sub, name);
	else
		n = snprintf(out, size, "%s/%s", dir, sub);
	if (n < 0 || (size_t)n >= size)
		return error_set(err, ERR_INTERNAL, "maildir %s: path too long",
		    dir);
	return 0;
}

static int
maildir_scan_sub(const char *dir, const char *sub,
    void (*fn)(const char *, void *), void *arg, struct error *err)
{
	char path[PATH_MAX], name[MAILDIR_NAME_MAX + 1];
	struct dirent *de;
	size_t len;
	DIR *d;
	int saved;

	if (maildir_path(path, sizeof(path), dir, sub, NULL, err) == -1)
		return -1;
	if ((d = opendir(path)) == NULL) {
		if (errno == ENOENT)
			return 0;
		return error_set(err, ERR_TEMP, "maildir: open %s: %s", path,
		    strerror(errno));
	}
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		len = strcspn(de->d_name, ":");
		if (len > MAILDIR_NAME_MAX)
			continue;	/* not a name we would have made */
		memcpy(name, de->d_name, len);
		name[len] = '\0';
		fn(name, arg);
		errno = 0;
	}
	saved = errno;
	(void)closedir(d);
	if (saved != 0)
		return error_set(err, ERR_TEMP, "maildir: read %s: %s", path,
		    strerror(saved));
	return 0;
}

/* dir itself (like mkdir -p) and its tmp/, new/ and cur/. */
static int
maildir_mkdirs(const char *dir, struct error *err)
{
	static const char *subs[] = { "tmp", "new", "cur" };
	char path[PATH_MAX];
	size_t i;

	if (maildir_mkdir_p(dir, err) == -1)
		return -1;
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		    subs[i]) >= sizeof(path))
			return error_set(err, ERR_INTERNAL,
			    "maildir %s: path too long", dir);
		if (mkdir(path, 0700) == -1 && errno != EEXIST)
			return error_set(err, ERR_TEMP, "maildir: mkdir %s: %s",
			    path, strerror(errno));
	}
	return 0;
}

static int
maildir_mkdir_p(const char *dir, struct error *err)
{
	char path[PATH_MAX], *p;

	if (strlen(dir) >= sizeof(path))
		return error_set(err, ERR_INTERNAL, "maildir %s: path too long",
		    dir);
	(void)strlcpy(path, dir, sizeof(path));	/* length checked above */
	for (p = path + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		{
			char saved = *p;

			*p = '\0';
			if (mkdir(path, 0700) == -1 && errno != EEXIST)
				return error_set(err, ERR_TEMP,
				    "maildir: mkdir %s: %s", path,
				    strerror(errno));
			*p = saved;
		}
		if (*p == '\0')
			break;
	}
	return 0;
}

/*
 * The paths of tmp/name and new/name (PATH_MAX each): 0, 1 when new/name
 * exists already, -1 + err.  The folders may not exist yet.
 */
static int
maildir_prepare(const char *dir, const char *name, char *tmp, char *new,
    struct error *err)
{
	struct stat sb;

	if (dir == NULL || *dir == '\0')
		return error_set(err, ERR_INTERNAL, "maildir: no directory");
	if (!maildir_name_ok(name))
		return error_set(err, ERR_INTERNAL, "maildir: bad name %.64s",
		    name);
	if (maildir_path(tmp, PATH_MAX, dir, "tmp", name, err) == -1 ||
	    maildir_path(new, PATH_MAX, dir, "new", name, err) == -1)
		return -1;
	if (stat(new, &sb) == 0)
		return 1;
	if (errno != ENOENT)
		return error_set(err, ERR_TEMP, "maildir: stat %s: %s", new,
		    strerror(errno));
	return 0;
}

/* Writes path, unsynced (maildir_publish syncs); nothing left on failure. */
static int
maildir_write_file(const char *path, const char *data, size_t len,
    struct error *err)
{
	int fd, saved;

	/* O_TRUNC: a file of this name in tmp/ is ours, cut short. */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1) {
		saved = errno;	/* ENOENT: maildir_stage makes the folders */
		(void)error_set(err, ERR_TEMP, "maildir: open %s: %s", path,
		    strerror(saved));
		errno = saved;
		return -1;
	}
	if (maildir_write_all(fd, data, len) == -1) {
		saved = errno;
		(void)close(fd);
		(void)unlink(path);
		return error_set(err, ERR_TEMP, "maildir: write %s: %s", path,
		    strerror(saved));
	}
	if (close(fd) == -1) {
		saved = errno;
		(void)unlink(path);
		return error_set(err, ERR_TEMP, "maildir: close %s: %s", path,
		    strerror(saved));
	}
	return 0;
}

/* Writes data with CRLF turned into LF (see the file comment). */
static int
maildir_write_all(int fd, const char *data, size_t len)
{
	char chunk[8192];
	size_t i, n = 0, off;
	ssize_t w;

	for (i = 0; i <= len; i++) {
		bool flush = (i == len || n == sizeof(chunk));

		if (flush) {
			for (off = 0; off < n; off += (size_t)w) {
				w = write(fd, chunk + off, n - off);
				if (w == -1 && errno == EINTR) {
					w = 0;
					continue;
				}
				if (w == -1)
					return -1;
			}
			n = 0;
		}
		if (i == len)
			break;
		if (data[i] == '\r' && i + 1 < len && data[i + 1] == '\n')
			continue;
		chunk[n++] = data[i];
	}
	return 0;
}

/*
 * The data and inodes of the staged files on disk.  Linux's syncfs(2)
 * writes back the whole file system and flushes the disk's cache once
 * for all of them, where an fsync per file costs a cache flush each: at
 * two outgoing mails a request those flushes were the sender's largest
 * cost (README, Benchmarks).  It also writes back whatever else is dirty
 * on that file system, which would reach the disk soon anyway; an
 * outgoing Maildir on a file system busy with other writers is better
 * replaced by a smarthost.  Its errors are reported since Linux 5.8.
 * Without syncfs: an fsync per file.
 */
static int
maildir_sync_staged(const char *dir, char *const *names, size_t n,
    struct error *err)
{
	char path[PATH_MAX];
	int fd, rc;
#ifdef HAVE_SYNCFS

	(void)names;
	(void)n;
	if (maildir_path(path, sizeof(path), dir, "tmp", NULL, err) == -1)
		return -1;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		return error_set(err, ERR_TEMP, "maildir: open %s: %s", path,
		    strerror(errno));
	rc = syncfs(fd);
	if (rc == -1)
		error_set(err, ERR_TEMP, "maildir: syncfs %s: %s", path,
		    strerror(errno));
	(void)close(fd);
	return rc == -1 ? -1 : 0;
#else
	size_t i;

	for (i = 0; i < n; i++) {
		if (maildir_path(path, sizeof(path), dir, "tmp", names[i],
		    err) == -1)
			return -1;
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			return error_set(err, ERR_TEMP,
			    "maildir: open %s: %s", path, strerror(errno));
		rc = fsync(fd);
		(void)close(fd);
		if (rc == -1)
			return error_set(err, ERR_TEMP,
			    "maildir: fsync %s: %s", path, strerror(errno));
	}
	return 0;
#endif
}

static int
maildir_fsync_dir(const char *dir, struct error *err)
{
	int fd, rc;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		return error_set(err, ERR_TEMP, "maildir: open %s: %s", dir,
		    strerror(errno));
	rc = fsync(fd);
	if (rc == -1)
		error_set(err, ERR_TEMP, "maildir: fsync %s: %s", dir,
		    strerror(errno));
	(void)close(fd);
	return rc == -1 ? -1 : 0;
}
