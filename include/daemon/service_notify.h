/*
 * service_notify: the service manager's readiness protocol (systemd's
 * sd_notify(3): one datagram of "KEY=VALUE\n" lines to the AF_UNIX
 * socket named by $NOTIFY_SOCKET).  Written here rather than linked from
 * libsystemd: the protocol is a documented, stable dozen lines, and
 * triaged then needs no new library, builds and runs the same where
 * systemd is absent (every call is a no-op without $NOTIFY_SOCKET), and
 * the test can play the service manager with a plain socket.
 */
#ifndef TRIAGED_SERVICE_NOTIFY_H
#define TRIAGED_SERVICE_NOTIFY_H

#include <stdbool.h>

/*
 * Sends state ("READY=1\nSTATUS=...") to $NOTIFY_SOCKET ("@name" is the
 * abstract namespace).  Returns 1 sent, 0 no manager listening (no
 * $NOTIFY_SOCKET), -1 the send failed (errno set; the caller logs).
 */
int		 service_notify(const char *state);
/*
 * Like service_notify, with "RELOADING=1" and the MONOTONIC_USEC systemd
 * wants beside it (systemd.service(5), Type=notify-reload).
 */
int		 service_notify_reloading(void);
/*
 * The watchdog period the manager asked for, in microseconds, from
 * $WATCHDOG_USEC (0 when unset, invalid, or meant for another process
 * by $WATCHDOG_PID).
 */
unsigned long long service_watchdog_usec(void);

#endif
