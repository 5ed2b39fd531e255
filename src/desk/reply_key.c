/*
 * reply_key: reading and making the reply-address key files (reply_key.h).
 * A key that changed on every restart would void the Reply-To of every
 * notification already sent, hence the file beside the database.
 */
#include <sys/random.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "config_agents.h"
#include "error.h"
#include "reply_key.h"
#include "xmalloc.h"

#define REPLY_KEY_BYTES	32

static int	reply_key_secret_file(struct config *, const char *,
		    const char *, struct error *);
static int	reply_key_file_read(const char *, unsigned char *,
		    struct error *);
static int	reply_key_file_make(const char *, unsigned char *,
		    struct error *);
static bool	reply_key_db_exists(const char *);

int
reply_key_load(struct config *cfg, bool create, struct error *err)
{
	unsigned char	 key[REPLY_KEY_BYTES];
	struct error	 e;
	const char	*file, *where = NULL, *path;
	size_t		 len;
	int		 rc;

	if (config_agents_count(cfg) == 0 ||
	    config_agents_reply_key(cfg, &len) != NULL)
		return 0;
	if ((file = config_agents_secret_file(cfg, &where)) != NULL)
		return reply_key_secret_file(cfg, file, where, err);
	if ((path = config_agents_keyfile(cfg)) == NULL)
		return 0;
	error_clear(&e);
	rc = reply_key_file_read(path, key, &e);
	if (rc == 0 && reply_key_db_exists(path))
		return error_set(err, ERR_PERM, "agent_mail.secret: none set "
		    "and the reply key %s is missing while the database "
		    "exists: restore it from a backup, or make a new one with "
		    "`triagectl reply-key --new` (which voids the reply "
		    "addresses sent so far)", path);
	if (rc == 0 && create)
		rc = reply_key_file_make(path, key, &e);
	if (rc == 0 && create)	/* someone else made it meanwhile */
		rc = reply_key_file_read(path, key, &e);
	if (rc == 1)
		config_agents_set_reply_key(cfg, key, sizeof(key));
	explicit_bzero(key, sizeof(key));
	if (rc == -1)
		return error_set(err, e.kind, "agent_mail.secret: none set "
		    "and the generated key %s: %s", path, e.msg);
	return 0;
}

int
reply_key_new(const char *database, struct error *err)
{
	unsigned char	 key[REPLY_KEY_BYTES];
	char		*path;
	int		 rc;

	xasprintf(&path, "%s.reply-key", database);
	rc = reply_key_file_make(path, key, err);
	explicit_bzero(key, sizeof(key));
	if (rc == 0)
		error_set(err, ERR_PERM, "%s exists already; remove it first "
		    "(that voids the reply addresses sent so far)", path);
	free(path);
	return rc == 1 ? 0 : -1;
}

/*
 * Whether the database the key file path belongs to ("<db>.reply-key")
 * exists: the key is made only with a new database (issue 13).
 */
static bool
reply_key_db_exists(const char *path)
{
	struct stat	 st;
	char		*db;
	size_t		 n = strlen(path);
	bool		 yes;

	db = xstrdup(path);
	if (n > sizeof(".reply-key") - 1 &&
	    strcmp(db + n - (sizeof(".reply-key") - 1), ".reply-key") == 0)
		db[n - (sizeof(".reply-key") - 1)] = '\0';
	yes = stat(db, &st) == 0;
	free(db);
	return yes;
}

/* The first line of file, trimmed, is the key. */
static int
reply_key_secret_file(struct config *cfg, const char *path,
    const char *where, struct error *err)
{
	char	 line[1024], *start, *end;
	FILE	*f;
	size_t	 n;

	if ((f = fopen(path, "r")) == NULL)
		return error_set(err, ERR_PERM, "%s: agent_mail.secret_file: "
		    "cannot open %s: %s", where, path, strerror(errno));
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	fclose(f);
	end = line + strlen(line);
	while (end > line && isspace((unsigned char)end[-1]))
		*--end = '\0';
	start = line + strspn(line, " \t");
	if ((n = strlen(start)) < CONFIG_KEY_MIN) {
		explicit_bzero(line, sizeof(line));
		return error_set(err, ERR_PERM, "%s: agent_mail.secret_file: "
		    "the key must be at least %d characters", where,
		    CONFIG_KEY_MIN);
	}
	config_agents_set_reply_key(cfg, start, n);
	explicit_bzero(line, sizeof(line));
	return 0;
}

/* 1 read, 0 absent, -1 + err unreadable or damaged. */
static int
reply_key_file_read(const char *path, unsigned char *key,
    struct error *err)
{
	char	 hex[REPLY_KEY_BYTES * 2 + 2];
	struct stat st;
	FILE	*f;
	size_t	 i;
	unsigned int v;

	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return 0;
		return error_set(err, ERR_PERM, "cannot open: %s",
		    strerror(errno));
	}
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & S_IRWXO) != 0) {
		fclose(f);
		return error_set(err, ERR_PERM, "is readable by others "
		    "(chmod 600 it)");
	}
	memset(hex, 0, sizeof(hex));
	if (fgets(hex, sizeof(hex), f) == NULL)
		hex[0] = '\0';
	fclose(f);
	if (strspn(hex, "0123456789abcdef") != REPLY_KEY_BYTES * 2)
		return error_set(err, ERR_PERM, "is damaged (expected %d hex "
		    "digits); remove it to make a new one, which voids the "
		    "reply addresses sent so far", REPLY_KEY_BYTES * 2);
	for (i = 0; i < REPLY_KEY_BYTES; i++) {
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return error_set(err, ERR_PERM, "is damaged");
		key[i] = (unsigned char)v;
	}
	explicit_bzero(hex, sizeof(hex));
	return 1;
}

/* 1 made, 0 it exists already, -1 + err. */
static int
reply_key_file_make(const char *path, unsigned char *key,
    struct error *err)
{
	char	 hex[REPLY_KEY_BYTES * 2 + 2], *dir, *slash;
	size_t	 i;
	ssize_t	 w;
	int	 fd;

	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		(void)mkdir(dir, 0750);	/* store_open would make it too */
	}
	free(dir);
	if (getrandom(key, REPLY_KEY_BYTES, 0) != REPLY_KEY_BYTES)
		return error_set(err, ERR_TEMP, "no random bytes: %s",
		    strerror(errno));
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1) {
		if (errno == EEXIST)
			return 0;
		return error_set(err, ERR_PERM, "cannot create: %s",
		    strerror(errno));
	}
	for (i = 0; i < REPLY_KEY_BYTES; i++)
		(void)snprintf(hex + 2 * i, 3, "%02x", key[i]);
	hex[REPLY_KEY_BYTES * 2] = '\n';
	w = write(fd, hex, REPLY_KEY_BYTES * 2 + 1);
	explicit_bzero(hex, sizeof(hex));
	if (w != REPLY_KEY_BYTES * 2 + 1 || fsync(fd) == -1) {
		(void)close(fd);
		(void)unlink(path);
		return error_set(err, ERR_PERM, "cannot write: %s",
		    strerror(errno));
	}
	(void)close(fd);
	return 1;
}
