/*
 * store_walbuf: the frames a COMMIT appends to the WAL go to the kernel
 * in a few large writes instead of two a page.
 *
 * SQLite writes each WAL frame as two pwrite(2)s, its 24-byte header and
 * its page, and a frame straddles two pages of the file, so a group
 * commit of a few messages (some 140 frames with every intake stage
 * configured) made about 40 system calls a message and three times as
 * many page lookups in ext4: a sixth of the writer's time (README,
 * Benchmarks).  This VFS sits over the default one and, for WAL files
 * only, gathers writes that follow each other in memory (up to
 * WALBUF_SIZE) and hands them on together before anything can look at
 * them: before a sync, a read, a truncate, a size or file-control
 * question, a lock change and the close.  A COMMIT syncs the WAL
 * (synchronous=FULL) before it publishes the frames in the WAL index,
 * so no reader, in this process or another, can be pointed at a frame
 * still in the buffer, and a crash loses only frames no COMMIT had
 * returned for, which recovery ignores as it would a torn write.  A
 * write over frames still buffered (the pager rewriting a page it
 * spilled earlier in the same transaction) lands in the buffer; any
 * other write first empties it.  Database, journal and temporary files
 * are the default VFS's own objects, untouched.
 *
 * On a database without power-safe overwrite (the URI's psow=0, or an
 * SQLite built without it) SQLite pads a COMMIT to a sector and syncs in
 * the middle of a frame's write, then publishes frames written after
 * that sync: there every write goes straight through.  That is the
 * database file's property (the WAL file itself reports the default),
 * read from the name SQLite passes, which carries the database's URI
 * parameters.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store_walbuf.h"

#define WALBUF_NAME	"triaged-walbuf"
/*
 * The unix VFS writes at most 128 KiB - 1 bytes a call (it masks the
 * count with 0x1ffff and takes a write of 0 for a full disk), so half
 * of that: a group commit's frames in a handful of writes.
 */
#define WALBUF_SIZE	(64 * 1024)

struct walbuf_file {
	sqlite3_file	 base;		/* first: what SQLite holds */
	sqlite3_file	*real;		/* the default VFS's, after us */
	unsigned char	*buf;		/* WALBUF_SIZE, made at first write */
	sqlite3_int64	 off;		/* the file offset of buf[0] */
	size_t		 len;
	int		 direct;	/* no power-safe overwrite: no buffer */
};

/*
 * Process-wide, as SQLite's VFS list is: filled and registered once
 * (pthread_once), read-only afterwards.
 */
static sqlite3_vfs	 walbuf_vfs;
static pthread_once_t	 walbuf_once = PTHREAD_ONCE_INIT;
static int		 walbuf_ok;

static void	walbuf_init(void);
static int	walbuf_open(sqlite3_vfs *, const char *, sqlite3_file *, int,
		    int *);
static int	walbuf_flush(struct walbuf_file *);
static int	walbuf_close(sqlite3_file *);
static int	walbuf_read(sqlite3_file *, void *, int, sqlite3_int64);
static int	walbuf_write(sqlite3_file *, const void *, int, sqlite3_int64);
static int	walbuf_truncate(sqlite3_file *, sqlite3_int64);
static int	walbuf_sync(sqlite3_file *, int);
static int	walbuf_size(sqlite3_file *, sqlite3_int64 *);
static int	walbuf_lock(sqlite3_file *, int);
static int	walbuf_unlock(sqlite3_file *, int);
static int	walbuf_reserved(sqlite3_file *, int *);
static int	walbuf_control(sqlite3_file *, int, void *);
static int	walbuf_sector(sqlite3_file *);
static int	walbuf_device(sqlite3_file *);

static const sqlite3_io_methods walbuf_io = {
	.iVersion = 1,		/* a WAL file is never mapped nor shared */
	.xClose = walbuf_close,
	.xRead = walbuf_read,
	.xWrite = walbuf_write,
	.xTruncate = walbuf_truncate,
	.xSync = walbuf_sync,
	.xFileSize = walbuf_size,
	.xLock = walbuf_lock,
	.xUnlock = walbuf_unlock,
	.xCheckReservedLock = walbuf_reserved,
	.xFileControl = walbuf_control,
	.xSectorSize = walbuf_sector,
	.xDeviceCharacteristics = walbuf_device,
};

const char *
store_walbuf_vfs(void)
{
	(void)pthread_once(&walbuf_once, walbuf_init);
	return walbuf_ok ? WALBUF_NAME : NULL;
}

/* The default VFS with our xOpen; everything else is its own. */
static void
walbuf_init(void)
{
	sqlite3_vfs *real = sqlite3_vfs_find(NULL);

	if (real == NULL)
		return;
	walbuf_vfs = *real;
	walbuf_vfs.szOsFile = (int)sizeof(struct walbuf_file) + real->szOsFile;
	walbuf_vfs.zName = WALBUF_NAME;
	walbuf_vfs.pAppData = real;
	walbuf_vfs.pNext = NULL;
	walbuf_vfs.xOpen = walbuf_open;
	walbuf_ok = sqlite3_vfs_register(&walbuf_vfs, 0) == SQLITE_OK;
}

static int
walbuf_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file,
    int flags, int *out_flags)
{
	sqlite3_vfs *real = vfs->pAppData;
	struct walbuf_file *w = (struct walbuf_file *)file;
	int rc;

	/* Any other file is the default VFS's object in our space. */
	if ((flags & SQLITE_OPEN_WAL) == 0)
		return real->xOpen(real, name, file, flags, out_flags);
	memset(w, 0, sizeof(*w));
	w->real = (sqlite3_file *)(w + 1);
	rc = real->xOpen(real, name, w->real, flags, out_flags);
	if (rc != SQLITE_OK) {
		/* SQLite closes a file only if it has methods */
		if (w->real->pMethods != NULL)
			w->real->pMethods->xClose(w->real);
		w->base.pMethods = NULL;
		return rc;
	}
	w->direct = !sqlite3_uri_boolean(name, "psow",
	    !sqlite3_compileoption_used("POWERSAFE_OVERWRITE=0")) ||
	    (w->real->pMethods->xDeviceCharacteristics(w->real) &
	    SQLITE_IOCAP_POWERSAFE_OVERWRITE) == 0;
	w->base.pMethods = &walbuf_io;
	return SQLITE_OK;
}

/* What is buffered, to the file: one write. */
static int
walbuf_flush(struct walbuf_file *w)
{
	int rc;

	if (w->len == 0)
		return SQLITE_OK;
	rc = w->real->pMethods->xWrite(w->real, w->buf, (int)w->len, w->off);
	w->len = 0;
	return rc;
}

static int
walbuf_close(sqlite3_file *f)
{
	struct walbuf_file *w = (struct walbuf_file *)f;
	int rc = walbuf_flush(w), rc2;

	rc2 = w->real->pMethods->xClose(w->real);
	free(w->buf);
	w->buf = NULL;
	return rc != SQLITE_OK ? rc : rc2;
}

static int
walbuf_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	struct walbuf_file *w = (struct walbuf_file *)f;
	int rc;

	if ((rc = walbuf_flush(w)) != SQLITE_OK)
		return rc;
	return w->real->pMethods->xRead(w->real, p, n, off);
}

static int
walbuf_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	struct walbuf_file *w = (struct walbuf_file *)f;
	sqlite3_int64 end = w->off + (sqlite3_int64)w->len;
	int rc;

	if (w->direct)
		return w->real->pMethods->xWrite(w->real, p, n, off);
	/* over what is buffered: the pager rewriting a spilled page */
	if (w->len > 0 && off >= w->off && off + n <= end) {
		memcpy(w->buf + (off - w->off), p, (size_t)n);
		return SQLITE_OK;
	}
	/* right after it, with room: gathered */
	if (w->len > 0 && off == end && w->len + (size_t)n <= WALBUF_SIZE) {
		memcpy(w->buf + w->len, p, (size_t)n);
		w->len += (size_t)n;
		return SQLITE_OK;
	}
	if ((rc = walbuf_flush(w)) != SQLITE_OK)
		return rc;
	if ((size_t)n >= WALBUF_SIZE)
		return w->real->pMethods->xWrite(w->real, p, n, off);
	if (w->buf == NULL && (w->buf = malloc(WALBUF_SIZE)) == NULL)
		return w->real->pMethods->xWrite(w->real, p, n, off);
	memcpy(w->buf, p, (size_t)n);
	w->off = off;
	w->len = (size_t)n;
	return SQLITE_OK;
}

static int
walbuf_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	struct walbuf_file *w = (struct walbuf_file *)f;
	int rc;

	if ((rc = walbuf_flush(w)) != SQLITE_OK)
		return rc;
	return w->real->pMethods->xTruncate(w->real, size);
}

static int
walbuf_sync(sqlite3_file *f, int flags)
{
	struct walbuf_file *w = (struct walbuf_file *)f;
	int rc;

	if ((rc = walbuf_flush(w)) != SQLITE_OK)
		return rc;
	return w->real->pMethods->xSync(w->real, flags);
}

static int
walbuf_size(sqlite3_file *f, sqlite3_int64 *size)
{
	struct walbuf_file *w = (struct walbuf_file *)f;
	int rc;

	if ((rc = walbuf_flush(w)) != SQLITE_OK)
		return rc;
	return w->real->pMethods->xFileSize(w->real, size);
}

static int
walbuf_lock(sqlite3_file *f, int level)
{
	struct walbuf_file *w = (struct walbuf_file *)f;
	int rc;

	if ((rc = walbuf_flush(w)) != SQLITE_OK)
		return rc;
	return w->real->pMethods->xLock(w->real, level);
}

static int
walbuf_unlock(sqlite3_file *f, int level)
{
	struct walbuf_file *w = (struct walbuf_file *)f;
	int rc;

	if ((rc = walbuf_flush(w)) != SQLITE_OK)
		return rc;
	return w->real->pMethods->xUnlock(w->real, level);
}

static int
walbuf_reserved(sqlite3_file *f, int *out)
{
	struct walbuf_file *w = (struct walbuf_file *)f;

	return w->real->pMethods->xCheckReservedLock(w->real, out);
}

static int
walbuf_control(sqlite3_file *f, int op, void *arg)
{
	struct walbuf_file *w = (struct walbuf_file *)f;
	int rc;

	if ((rc = walbuf_flush(w)) != SQLITE_OK)
		return rc;
	return w->real->pMethods->xFileControl(w->real, op, arg);
}

static int
walbuf_sector(sqlite3_file *f)
{
	struct walbuf_file *w = (struct walbuf_file *)f;

	return w->real->pMethods->xSectorSize(w->real);
}

static int
walbuf_device(sqlite3_file *f)
{
	struct walbuf_file *w = (struct walbuf_file *)f;

	return w->real->pMethods->xDeviceCharacteristics(w->real);
}
