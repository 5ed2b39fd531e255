/*
 * store_walbuf: a VFS that writes a COMMIT's WAL frames in a few large writes
 * (see src/store/store_walbuf.c).
 */
#ifndef TRIAGED_STORE_WALBUF_H
#define TRIAGED_STORE_WALBUF_H

/*
 * The VFS name to open a writing connection with (the open call's),
 * registered at the first call; NULL (the default VFS) if it could not
 * be.  Any thread.
 */
const char	*store_walbuf_vfs(void);

#endif
