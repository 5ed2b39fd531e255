/*
 * log: the daemon's one log.  Foreground (the default, systemd style) logs
 * to stderr, one line per event with a timestamp; detached mode logs to
 * syslog (mail facility).  Lines are key=value; anything that came from the
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

void	log_init(int use_syslog, enum log_level level, const char *ident);
void	log_set_level(enum log_level);
/* Parses "error", "warn", "info", "debug"; returns -1 if unknown. */
int	log_level_parse(const char *, enum log_level *out);

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
