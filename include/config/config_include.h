/*
 * config_include: checks the @include lines of a config file before
 * libconfig reads it.
 *
 * libconfig 1.5 (Debian 12) opens an include with fopen() and hands the
 * stream to its flex scanner; when the name is empty, "." or any other
 * directory, the first read fails and flex's fatal-error handler calls
 * exit(2) with "input in flex scanner failed" -- from inside
 * config_read_file(), so a typo in an @include would end a running daemon
 * on SIGHUP.  A FIFO or a device would block or never end.  So every
 * include is resolved exactly as libconfig will resolve it and must be a
 * regular file (or absent: libconfig then reports "cannot open include
 * file" itself, at the right line).  Included files are checked in turn,
 * to libconfig's depth limit.
 */
#ifndef TRIAGED_CONFIG_INCLUDE_H
#define TRIAGED_CONFIG_INCLUDE_H

/*
 * file: the config file as given; include_dir: the directory libconfig
 * was told (config_set_include_dir), NULL for none.  Returns NULL when
 * every include is safe to read, else "FILE:LINE: @include \"NAME\":
 * problem", allocated, owned by the caller.
 */
char	*config_include_check(const char *file, const char *include_dir);

#endif
