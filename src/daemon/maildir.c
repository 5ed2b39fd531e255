/*
 * maildir: one message into a Maildir, durably (the Maildir protocol of
 * qmail, plus the fsyncs that make it crash-safe): write tmp/NAME, fsync
 * it, rename it into new/, fsync new/.  Only after that is the mail
 * "delivered" for the outbox (promise 1).  Lines are written with LF:
 * a Maildir is a local Unix file format and mail readers expect it.
 *
 * Unique names follow the Maildir convention "time.pid_counter.host".
 * The counter is the one piece of process state here: it is atomic and
 * only ever increases, so two workers never pick the same name.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "maildir.h"

static _Atomic unsigned long maildir_counter;

static int	maildir_mkdirs(const char *, struct error *);
static int	maildir_mkdir_p(const char *, struct error *);
static void	maildir_unique(char *, size_t);
static int	maildir_write_file(const char *, const char *, size_t,
		    struct error *);
static int	maildir_write_all(int, const char *, size_t);
static int	maildir_fsync_dir(const char *, struct error *);

int
maildir_deliver(const char *dir, const char *data, size_t len,
    struct error *err)
{
	char name[256], tmp[PATH_MAX], new[PATH_MAX], newdir[PATH_MAX];

	if (dir == NULL || *dir == '\0')
		return error_set(err, ERR_INTERNAL, "maildir: no directory");
	if (maildir_mkdirs(dir, err) == -1)
		return -1;
	maildir_unique(name, sizeof(name));
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/tmp/%s", dir, name) >=
	    sizeof(tmp) ||
	    (size_t)snprintf(new, sizeof(new), "%s/new/%s", dir, name) >=
	    sizeof(new) ||
	    (size_t)snprintf(newdir, sizeof(newdir), "%s/new", dir) >=
	    sizeof(newdir))
		return error_set(err, ERR_INTERNAL, "maildir %s: path too long",
		    dir);
	if (maildir_write_file(tmp, data, len, err) == -1)
		return -1;
	if (rename(tmp, new) == -1) {
		error_set(err, ERR_TEMP, "maildir: rename %s: %s", tmp,
		    strerror(errno));
		(void)unlink(tmp);
		return -1;
	}
	/* The rename is durable only once the directory entry is on disk. */
	return maildir_fsync_dir(newdir, err);
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

/* "time.pid_counter.host", with '/' and ':' kept out of the host part. */
static void
maildir_unique(char *name, size_t size)
{
	char host[128], *p;
	unsigned long n = atomic_fetch_add(&maildir_counter, 1);

	if (gethostname(host, sizeof(host)) == -1)
		(void)strlcpy(host, "localhost", sizeof(host));
	host[sizeof(host) - 1] = '\0';
	for (p = host; *p != '\0'; p++)
		if (*p == '/' || *p == ':')
			*p = '_';
	/* A cut host part still leaves the name unique. */
	(void)snprintf(name, size, "%lld.%ld_%lu.%s", (long long)time(NULL),
	    (long)getpid(), n, host);
}

static int
maildir_write_file(const char *path, const char *data, size_t len,
    struct error *err)
{
	int fd, saved;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1)
		return error_set(err, ERR_TEMP, "maildir: open %s: %s", path,
		    strerror(errno));
	if (maildir_write_all(fd, data, len) == -1 || fsync(fd) == -1) {
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
