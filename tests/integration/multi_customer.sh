#!/bin/sh
# multi_customer.sh (issue 15): a new customer writing to two instances
# of triaged on one PostgreSQL database at the same instant (two MX hosts,
# several mails in one go) becomes one customer, and every one of those
# mails is taken at once (250), none deferred with a 451 because the
# other instance created the customer's address between our look-up and
# our insert (bench/ingest's two instances found that: one sender, many
# connections).  Twelve customers, eight mails each, half to each
# instance, all released together per customer.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/multi_lib.sh"

CUSTOMERS=12
EACH=8
multi_setup
cat >>"$CONF" <<EOF
acknowledgement = { rate_limit = 0; };
EOF
multi_start A
multi_start B

"$PYTHON" - "$A_LMTP" "$B_LMTP" "$CUSTOMERS" "$EACH" >"$WORK/replies.out" \
    <<'EOF' || fail "the client failed (replies.out)"
import smtplib, sys, threading
ports = [int(sys.argv[1]), int(sys.argv[2])]
customers, each = int(sys.argv[3]), int(sys.argv[4])
out, lock = [], threading.Lock()

def send(c, i, barrier):
    frm = "new-%d@customers.example" % c
    msg = ("From: New %d <%s>\r\nTo: support@example.test\r\n"
           "Subject: question %d of customer %d\r\n"
           "Message-ID: <mc-%d-%d@customers.example>\r\n\r\n"
           "Hello, %d.\r\n" % (c, frm, i, c, c, i, i))
    try:
        s = smtplib.LMTP("127.0.0.1", ports[i % 2], timeout=60)
        s.ehlo_or_helo_if_needed()
        barrier.wait(timeout=60)	# every mail of c at the same instant
        s.mail(frm)
        s.rcpt("support@example.test")
        code, text = s.data(msg.encode())
        s.quit()
    except smtplib.SMTPDataError as e:
        code, text = e.smtp_code, e.smtp_error
    except Exception as e:  # noqa: BLE001 (reported as a failed reply)
        code, text = 0, str(e).encode()
    with lock:
        out.append("%d %d %d %s" % (c, i, code,
                                    text.decode(errors="replace")))

for c in range(customers):
    barrier = threading.Barrier(each)
    ts = [threading.Thread(target=send, args=(c, i, barrier))
          for i in range(each)]
    [t.start() for t in ts]
    [t.join() for t in ts]
print("\n".join(sorted(out)))
EOF
total=$((CUSTOMERS * EACH))
assert_eq "replies" "$total" "$(wc -l <"$WORK/replies.out" | tr -d ' ')"
check_eq "every mail taken at once (250), none deferred" 0 \
    "$(grep -cv '^[0-9]* [0-9]* 250 ' "$WORK/replies.out" || true)"
grep -v '^[0-9]* [0-9]* 250 ' "$WORK/replies.out" | head -5 >&2 || true
check_eq "incoming messages, each stored once" "$total|$total" \
    "$(db_sql "SELECT count(*), count(DISTINCT message_id) FROM messages
    WHERE direction = 'in'")"
check_eq "one customer per address" "$CUSTOMERS|$CUSTOMERS" \
    "$(db_sql "SELECT count(*), count(DISTINCT customer_id)
    FROM customer_addresses WHERE address LIKE 'new-%'")"
check_eq "no customer left without an address" "$CUSTOMERS" \
    "$(db_value "SELECT count(*) FROM customers")"
stop_pid "$A_PID"
stop_pid "$B_PID"
