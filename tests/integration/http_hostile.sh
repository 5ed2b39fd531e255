#!/bin/sh
#
# http_hostile.sh (issue 18): hostile HTTP clients, each refused cleanly
# while mail is still served: slow clients trickling a request (408 at
# the timeout), headers over max_header_size (431) and far over it (400
# from the parser), a body announced over max_body_size (413, before it
# is sent), more connections than max_connections (503), path traversal
# (404: no file is served from disk), unknown and unallowed methods
# (501, 405), binary junk (400).  Meanwhile an LMTP delivery gets its
# 250 and /healthz its 200; at the end the daemon still answers both.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

write_config
printf '%s\n' 'http = { address = "127.0.0.1"; port = 0; timeout = 3;
  max_header_size = 1024; max_body_size = 4096; max_connections = 6; };' \
    >>"$CONF"
start_triaged
HTTP_PORT=$(grep '[ >]ready ' "$TRIAGED_LOG" | head -n 1 |
    sed -n 's/.* http=[^ ]*:\([0-9][0-9]*\).*/\1/p')
[ -n "$HTTP_PORT" ] || fail "no http port in the ready line"

make_msg during.eml --from 'Dora <dora@customer.example.org>' \
    --subject 'Sent during the attack' --message-id '<during@example.org>'

"$PYTHON" - "$HTTP_PORT" "$LMTP_PORT" "$WORK/during.eml" <<'PY' ||
import smtplib, socket, sys, threading, time

port, lmtp_port, eml = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
failures = []

def check(what, ok, detail=""):
    print("%s %s %s" % ("ok  " if ok else "FAIL", what, detail))
    if not ok:
        failures.append(what)

def conn():
    s = socket.create_connection(("127.0.0.1", port), timeout=15)
    return s

def exchange(data, what, read_timeout=15):
    """Sends data, returns the whole answer (until close or a pause)."""
    s = conn()
    s.settimeout(read_timeout)
    try:
        s.sendall(data)
    except OSError:
        pass
    out = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            out += b
            if b"\r\n\r\n" in out and b"Connection: close" not in out \
                    and len(out) > 0:
                # a kept-alive answer: stop at its end
                head, _, rest = out.partition(b"\r\n\r\n")
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        if len(rest) >= int(line.split(b":")[1]):
                            s.close()
                            return out
    except socket.timeout:
        pass
    except OSError:
        pass
    s.close()
    return out

def status(answer):
    try:
        return int(answer.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return 0

def healthz():
    return status(exchange(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
                           "healthz"))

# slow clients: a byte of the request line every half second, in threads
slow_results = []
def slowloris():
    s = conn()
    start = time.monotonic()
    out = b""
    try:
        for c in b"GET /healthz HTTP/1.1\r\nX-Slow: " + b"a" * 100:
            s.send(bytes([c]))
            time.sleep(0.5)
    except OSError:
        pass
    s.settimeout(10)
    try:
        while True:
            b = s.recv(4096)
            if not b:
                break
            out += b
    except OSError:
        pass
    slow_results.append((status(out), time.monotonic() - start))
threads = [threading.Thread(target=slowloris) for _ in range(3)]
for t in threads:
    t.start()
time.sleep(0.5)

# mail and health meanwhile
with smtplib.LMTP("127.0.0.1", lmtp_port, timeout=30) as l:
    l.ehlo("hostile.example")
    refused = l.sendmail("dora@customer.example.org",
                         ["support@example.test"], open(eml, "rb").read())
    check("LMTP delivery during the slow clients", refused == {})
check("/healthz during the slow clients", healthz() == 200)

for t in threads:
    t.join()
for code, secs in slow_results:
    check("slow client cut off with 408", code == 408,
          "(got %d after %.1fs)" % (code, secs))
    check("slow client cut off by the deadline", secs < 12, "%.1fs" % secs)

# headers
big = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 2000 + b"\r\n\r\n"
check("headers over max_header_size: 431", status(exchange(big, "431")) == 431)
huge = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n"
check("headers far over it: 400", status(exchange(huge, "400")) == 400)
many = b"GET /healthz HTTP/1.1\r\n" + b"".join(
    b"X-H%d: v\r\n" % i for i in range(300)) + b"\r\n"
check("many small headers: 431 or 400",
      status(exchange(many, "many")) in (431, 400))

# body announced too big: refused before it is sent
ans = exchange(b"POST /api/v1/requests HTTP/1.1\r\nHost: x\r\n"
               b"Content-Length: 1000000000\r\n\r\n", "413")
check("body over max_body_size: 413", status(ans) == 413)

# paths and methods
for path in (b"/../../etc/passwd", b"/%2e%2e/%2e%2e/etc/passwd",
             b"/healthz/../../etc/passwd", b"//etc/passwd",
             b"/form/../../etc/passwd"):
    ans = exchange(b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n\r\n", "path")
    # the dashboard takes every other path: without a session, /login
    check("traversal %s: 404, 405 or 303 to /login" % path.decode(),
          (status(ans) in (404, 405) or (status(ans) == 303 and
           b"\r\nLocation: /login\r\n" in ans)) and b"root:" not in ans,
          "(%d)" % status(ans))
ans = exchange(b"BREW /healthz HTTP/1.1\r\nHost: x\r\n\r\n", "brew")
check("unknown method: 501", status(ans) == 501, "(%d)" % status(ans))
ans = exchange(b"DELETE /healthz HTTP/1.1\r\nHost: x\r\n\r\n", "delete")
check("DELETE /healthz: 405 with Allow",
      status(ans) == 405 and b"Allow: GET, HEAD" in ans)
ans = exchange(b"GET /api/v1/requests HTTP/1.1\r\nHost: x\r\n\r\n", "get")
check("GET on the API: 405", status(ans) == 405)
ans = exchange(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64 +
               b"\r\n\r\n", "junk")
check("binary junk: 400 or closed", status(ans) in (0, 400))

# connections: fill max_connections, then one more gets 503
idle = [conn() for _ in range(6)]
time.sleep(0.3)
ans = exchange(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", "503")
check("connection over max_connections: 503", status(ans) == 503,
      "(%d)" % status(ans))
for s in idle:
    s.close()
time.sleep(1.5)      # the sweep lets the closed ones go
check("/healthz after the attacks", healthz() == 200)
sys.exit(1 if failures else 0)
PY
	fail "hostile clients were not refused cleanly (see above)"

# mail still served after it all
make_msg after.eml --from 'Al <al@customer.example.org>' \
    --subject 'After the attack' --message-id '<after@example.org>'
out=$(lmtp_send after.eml)
assert_contains "LMTP after the attack" "$out" "250"
assert_eq "requests stored" 2 "$(requests_count)"
stop_triaged
