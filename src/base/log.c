/*
 * log: stderr (with timestamps), the journal (stderr with "<N>" priority
 * prefixes) or syslog.  The only global mutable state besides the config:
 * level and destination, set once at start (and the level again on
 * reload).
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static enum log_dest	log_dest;
static enum log_level	log_level = LOG_LEVEL_INFO;
static const char	*log_ident = "triaged";

static void	log_vwrite(enum log_level, const char *, va_list, const char *)
		    __attribute__((format(printf, 2, 0)));
static int	log_stamp(char *, size_t, const char *, const char *,
		    const char *);

void
log_init(int use_syslog, enum log_level level, const char *ident)
{
	log_level = level;
	log_ident = ident;
	log_set_dest(use_syslog ? LOG_DEST_SYSLOG : LOG_DEST_STDERR);
}

void
log_set_dest(enum log_dest dest)
{
	if (dest == LOG_DEST_SYSLOG && log_dest != LOG_DEST_SYSLOG)
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
	else if (dest != LOG_DEST_SYSLOG && log_dest == LOG_DEST_SYSLOG)
		closelog();
	log_dest = dest;
}

enum log_dest
log_dest_auto(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2 ||
	    fstat(STDERR_FILENO, &st) == -1)
		return LOG_DEST_STDERR;
	/* Our stderr may have been redirected since systemd set it. */
	if ((unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino)
		return LOG_DEST_JOURNAL;
	return LOG_DEST_STDERR;
}

int
log_dest_parse(const char *s, enum log_dest *out)
{
	if (strcmp(s, "auto") == 0)
		*out = log_dest_auto();
	else if (strcmp(s, "stderr") == 0)
		*out = LOG_DEST_STDERR;
	else if (strcmp(s, "journal") == 0)
		*out = LOG_DEST_JOURNAL;
	else if (strcmp(s, "syslog") == 0)
		*out = LOG_DEST_SYSLOG;
	else
		return -1;
	return 0;
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
	char msg[4096], line[4200];
	int n;

	if (level > log_level)
		return;
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);	/* long lines are cut */
	if (log_dest == LOG_DEST_SYSLOG) {
		syslog(prios[level], "%s%s", msg, suffix ? suffix : "");
		return;
	}
	if (log_dest == LOG_DEST_JOURNAL)	/* the journal stamps it */
		n = snprintf(line, sizeof(line), "<%d>%s%s\n", prios[level],
		    msg, suffix ? suffix : "");
	else
		n = log_stamp(line, sizeof(line), tags[level], msg, suffix);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	/* One write per line, so lines from worker threads never interleave. */
	(void)!write(STDERR_FILENO, line, (size_t)n);
}

static int
log_stamp(char *line, size_t size, const char *tag, const char *msg,
    const char *suffix)
{
	char stamp[40];
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	return snprintf(line, size, "%s.%03ldZ %s: %s%s\n", stamp,
	    ts.tv_nsec / 1000000, tag, msg, suffix ? suffix : "");
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

LOG_FN(log_errorx, LOG_LEVEL_ERROR)
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
