#!/bin/sh
#
# http_tls.sh (issue 18): the HTTP listener with http.tls.  /healthz and
# a JSON request answer over HTTPS (curl verifying our test certificate);
# plain HTTP on that port gets no HTTP answer; a client that connects and
# never starts the handshake is dropped at the request deadline.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$WORK/key.pem" \
    -out "$WORK/cert.pem" >/dev/null 2>&1 || fail "openssl req failed"
write_config
cat >>"$CONF" <<CONF
http = { address = "127.0.0.1"; port = 0; timeout = 2;
  tls = { certificate = "$WORK/cert.pem"; key = "$WORK/key.pem"; };
  sources = ( { name = "web"; token = "tls-token-0123456789abcdef"; } ); };
CONF
start_triaged
HTTP_PORT=$(grep '[ >]ready ' "$TRIAGED_LOG" | head -n 1 |
    sed -n 's/.* http=[^ ]*:\([0-9][0-9]*\).*/\1/p')
[ -n "$HTTP_PORT" ] || fail "no http port in the ready line"
URL=https://127.0.0.1:$HTTP_PORT

assert_eq "/healthz over TLS" ok \
    "$(curl -sS --max-time 20 --cacert "$WORK/cert.pem" "$URL/healthz")"
out=$(curl -sS --max-time 20 --cacert "$WORK/cert.pem" \
    -H 'Authorization: Bearer tls-token-0123456789abcdef' \
    --data-binary '{"from": "tia@customer.example.org", "text": "over TLS"}' \
    "$URL/api/v1/requests")
assert_eq "a request over TLS" '{"request": 1, "new": true}' "$out"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 \
    "http://127.0.0.1:$HTTP_PORT/healthz" || true)
assert_eq "plain HTTP on the TLS port" 000 "$code"
"$PYTHON" - "$HTTP_PORT" <<'PY' || fail "a silent client was not dropped"
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=15)
t = time.monotonic()
try:
    while s.recv(4096):
        pass
except OSError:
    pass
sys.exit(0 if time.monotonic() - t < 10 else 1)
PY
assert_eq "/healthz over TLS after it" ok \
    "$(curl -sS --max-time 20 --cacert "$WORK/cert.pem" "$URL/healthz")"
stop_triaged
