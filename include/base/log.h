/*
 * log: the daemon's one log.  Three destinations: stderr (one line per
 * event with a timestamp and the level's name), the systemd journal
 * (stderr lines prefixed with "<N>", sd-daemon(3)'s priority prefix, so
 * the journal files each line at its real priority) and syslog (mail
 * facility, as Postfix and Dovecot).  Lines are key=value; anything that came from the
 * network or a message goes through log_escape() first so a peer cannot
 * forge log lines.  Safe to call from any thread (one write(2) per line).
 */
#ifndef TRIAGED_LOG_H
#define TRIAGED_LOG_H

#include <stddef.h>

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG
};

enum log_dest {
	LOG_DEST_STDERR = 0,
	LOG_DEST_JOURNAL,
	LOG_DEST_SYSLOG
};

void	log_init(int use_syslog, enum log_level level, const char *ident);
/*
 * Sends every following line to dest (ident as given to log_init).  Call
 * before any worker thread starts; not thread-safe.
 */
void	log_set_dest(enum log_dest dest);
/*
 * The destination "auto" stands for: the journal when $JOURNAL_STREAM
 * names the device and inode of our stderr (systemd sets it for a unit
 * whose stderr is the journal), else stderr.
 */
enum log_dest	log_dest_auto(void);
/* Parses "auto", "stderr", "journal", "syslog"; returns -1 if unknown. */
int	log_dest_parse(const char *, enum log_dest *out);
void	log_set_level(enum log_level);
/* Parses "error", "warn", "info", "debug"; returns -1 if unknown. */
int	log_level_parse(const char *, enum log_level *out);

/* An error the daemon acted on (it stops, or a setting is refused). */
void	log_errorx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Log and exit(1); for broken invariants only, never for bad input. */
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/*
 * Copies at most len bytes of untrusted text into out (size outsize),
 * escaping control characters, backslash and double quote as \n, \xNN ...,
 * and cutting with "..." when it does not fit.  Valid UTF-8 passes through.
 * Returns out, always NUL-terminated.
 */
char	*log_escape(char *out, size_t outsize, const char *in, size_t len);

#endif
