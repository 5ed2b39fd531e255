/*
 * log: stderr (foreground, with timestamps) or syslog (detached).  The only
 * global mutable state besides the config: level and destination, set once
 * at start (and the level again on reload).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static int		log_syslog;
static enum log_level	log_level = LOG_LEVEL_INFO;

static void	log_vwrite(enum log_level, const char *, va_list, const char *)
		    __attribute__((format(printf, 2, 0)));

void
log_init(int use_syslog, enum log_level level, const char *ident)
{
	log_syslog = use_syslog;
	log_level = level;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

int
log_level_parse(const char *s, enum log_level *out)
{
	static const char *names[] = { "error", "warn", "info", "debug" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

static void
log_vwrite(enum log_level level, const char *fmt, va_list ap,
    const char *suffix)
{
	static const char *tags[] = { "error", "warn", "info", "debug" };
	static const int prios[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char msg[4096], line[4200], stamp[40];
	struct timespec ts;
	struct tm tm;
	int n;

	if (level > log_level)
		return;
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);	/* long lines are cut */
	if (log_syslog) {
		syslog(prios[level], "%s%s", msg, suffix ? suffix : "");
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "%s.%03ldZ %s: %s%s\n", stamp,
	    ts.tv_nsec / 1000000, tags[level], msg, suffix ? suffix : "");
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	/* One write per line, so lines from worker threads never interleave. */
	(void)!write(STDERR_FILENO, line, (size_t)n);
}

#define LOG_FN(name, level)					\
void								\
name(const char *fmt, ...)					\
{								\
	va_list ap;						\
								\
	va_start(ap, fmt);					\
	log_vwrite(level, fmt, ap, NULL);			\
	va_end(ap);						\
}

LOG_FN(log_warnx, LOG_LEVEL_WARN)
LOG_FN(log_info, LOG_LEVEL_INFO)
LOG_FN(log_debug, LOG_LEVEL_DEBUG)

void
log_warn(const char *fmt, ...)
{
	char suffix[300];
	va_list ap;

	snprintf(suffix, sizeof(suffix), ": %s", strerror(errno));
	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_WARN, fmt, ap, suffix);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	char suffix[300];
	va_list ap;

	snprintf(suffix, sizeof(suffix), ": %s", strerror(errno));
	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERROR, fmt, ap, suffix);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERROR, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}

char *
log_escape(char *out, size_t outsize, const char *in, size_t len)
{
	size_t o = 0, i;
	unsigned char c;

	if (outsize == 0)
		return out;
	for (i = 0; i < len; i++) {
		char tmp[5];
		size_t tlen;

		c = (unsigned char)in[i];
		if (c == '\n')
			tlen = (size_t)snprintf(tmp, sizeof(tmp), "\\n");
		else if (c == '\r')
			tlen = (size_t)snprintf(tmp, sizeof(tmp), "\\r");
		else if (c == '\\' || c == '"')
			tlen = (size_t)snprintf(tmp, sizeof(tmp), "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			tlen = (size_t)snprintf(tmp, sizeof(tmp), "\\x%02x", c);
		else {
			tmp[0] = (char)c;
			tlen = 1;
		}
		if (o + tlen + 4 > outsize) {
			if (outsize >= 4) {
				o = o + 3 < outsize ? o : outsize - 4;
				memcpy(out + o, "...", 3);
				o += 3;
			}
			break;
		}
		memcpy(out + o, tmp, tlen);
		o += tlen;
	}
	out[o < outsize ? o : outsize - 1] = '\0';
	return out;
}
