/*
 * store_walbuf: a VFS that writes a COMMIT's WAL frames in one write
 * (see src/store/store_walbuf.c).
 */
#ifndef TRIAGED_STORE_WALBUF_H
#define TRIAGED_STORE_WALBUF_H

/*
 * The name to open a writing connection with (sqlite3_open_v2's zVfs),
 * registered at the first call; NULL (the default VFS) if it could not
 * be.  Any thread.
 */
const char	*store_walbuf_vfs(void);

#endif
