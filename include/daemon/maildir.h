/*
 * maildir: deliver mail into a Maildir (written into tmp/, made durable,
 * renamed into new/, the directory synced), creating the folders as
 * needed; find what is already there; clean tmp/.  Used for outgoing mail when no smarthost is
 * configured, so a newcomer can read it.
 *
 * Names are the caller's: a name derived from something stable (the
 * outbox row) makes delivery idempotent, since a second delivery of the
 * same mail finds the first (sender.c).
 */
#ifndef TRIAGED_MAILDIR_H
#define TRIAGED_MAILDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct error;

/* Longest name maildir_stage takes (without the ":2,..." of cur/). */
#define MAILDIR_NAME_MAX	200

/* fsync of dir/new: the entries of the mails delivered are on disk. */
int	maildir_sync_new(const char *dir, struct error *err);

/*
 * Several mails with one flush of the disk instead of one per mail (the
 * sender's batches): maildir_stage writes each into dir/tmp without
 * syncing it, maildir_publish then makes all of them durable at once and
 * moves them into new/, syncing the folder once.  A mail is delivered
 * only when maildir_publish returned 0; a crash before leaves files in
 * tmp/ that maildir_clean_tmp removes, and never a partial file in new/.
 *
 * maildir_stage: writes len bytes (CRLF or LF line ends; written with
 * LF) as dir/tmp/name, overwriting what a crash left there.  name is a
 * Maildir unique name: no '/', no ':', not starting with '.', at most
 * MAILDIR_NAME_MAX bytes.  0 when written, 1 when dir/new/name exists
 * already (nothing written: delivered before), -1 + err (ERR_TEMP with
 * strerror text, ERR_INTERNAL for a bad name).  Only one thread may
 * deliver a given name at a time.
 * maildir_publish: the n names staged (each 0 from maildir_stage) are on
 * disk and in new/: 0; -1 + err when any step failed, and then which of
 * them reached new/ is unknown (the caller looks with maildir_scan).
 */
int	maildir_stage(const char *dir, const char *name, const char *data,
	    size_t len, struct error *err);
int	maildir_publish(const char *dir, char *const *names, size_t n,
	    struct error *err);

/*
 * Calls fn(name, arg) for every message in dir/new, then dir/cur, with
 * the name as delivered (a reader's ":2,FLAGS" suffix in cur/ cut off),
 * so a message moved from new/ to cur/ meanwhile is still seen.  A
 * missing dir or sub-folder has no messages.  0, or -1 + err.
 */
int	maildir_scan(const char *dir, void (*fn)(const char *name, void *arg),
	    void *arg, struct error *err);

/*
 * Removes the files in dir/tmp that are ours (ours(name, arg) true: a
 * delivery cut short by a crash, since only one process delivers for
 * us) or untouched since 36 hours before now (the Maildir convention: any
 * writer may remove such leftovers of others).  *removed_out gets the
 * count.  A missing dir/tmp is fine.  0, or -1 + err.
 */
int	maildir_clean_tmp(const char *dir, bool (*ours)(const char *name,
	    void *arg), void *arg, time_t now, int *removed_out,
	    struct error *err);

#endif
