#!/bin/sh
#
# intake_inject.sh (issue 2): `triaged inject -c FILE < message` (the pipe
# intake for MTAs and procmail).  Without a daemon: a message is accepted
# with exit 0 and becomes request #1 with its acknowledgement queued; empty
# input exits 65 (EX_DATAERR); the same message again exits 0 and changes
# nothing.  Then the daemon starts with the sink as smarthost and its sender
# delivers the acknowledgement inject queued; a message injected while the
# daemon runs becomes #2 and its acknowledgement is delivered too.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

start_sink
write_config sink

NINJECT=0
# inject FILE [inject options]: runs triaged inject; sets INJECT_RC.
inject() {
	NINJECT=$((NINJECT + 1))
	in_file=$1
	shift
	INJECT_RC=0
	"$TRIAGED" inject -c "$CONF" "$@" <"$in_file" \
	    2>"$WORK/inject.$NINJECT.log" || INJECT_RC=$?
	cat "$WORK/inject.$NINJECT.log"
}

make_msg m1.eml --from 'Fiona Green <fiona@customer.example.org>' \
    --subject 'Invoice missing' --message-id '<inject1@customer.example.org>'
inject m1.eml -f fiona@customer.example.org -r "$SUPPORT"
assert_eq "exit status of inject (new message)" 0 "$INJECT_RC"
assert_eq "requests after inject" 1 "$(requests_count)"
assert_eq "subject of #1" "Invoice missing" "$(ctl show 1 | json_get 'd["subject"]')"
assert_eq "customer of #1" fiona@customer.example.org \
    "$(ctl show 1 | json_get 'd["customer"]["address"]')"
assert_eq "acknowledgement queued by inject" '["queued"]' \
    "$(ctl show 1 | json_get '[o["status"] for o in d["outbox"]]')"

: >empty.eml
inject empty.eml
assert_eq "exit status of inject (empty input)" 65 "$INJECT_RC"

inject m1.eml
assert_eq "exit status of inject (duplicate)" 0 "$INJECT_RC"
assert_eq "requests after a duplicate" 1 "$(requests_count)"
assert_eq "incoming messages of #1 after a duplicate" 1 "$(in_messages 1)"
assert_eq "outbox rows after a duplicate" 1 \
    "$(ctl outbox | json_get 'len(d["outbox"])')"

# The daemon's sender delivers what inject queued.
start_triaged
wait_for 'outbox_idle && [ "$(sink_count)" -ge 1 ]' 30 ||
    fail "the acknowledgement queued by inject was not delivered"
assert_eq "mails in the sink" 1 "$(sink_count)"
assert_contains "recipient of the acknowledgement" \
    "$(sink_json | json_get 'd[0]["rcpt_to"]')" fiona@customer.example.org
assert_eq "outbox status of the acknowledgement" '["sent"]' \
    "$(ctl show 1 | json_get '[o["status"] for o in d["outbox"]]')"

# Inject while the daemon runs: same database, the daemon sends the ack.
make_msg m2.eml --from 'Gustav <gustav@customer.example.org>' \
    --subject 'Second via pipe' --message-id '<inject2@customer.example.org>'
inject m2.eml
assert_eq "exit status of inject with the daemon running" 0 "$INJECT_RC"
assert_eq "subject of #2" "Second via pipe" "$(ctl show 2 | json_get 'd["subject"]')"
wait_for '[ "$(sink_count)" -ge 2 ] && outbox_idle' 30 ||
    fail "the acknowledgement of #2 was not delivered by the daemon"
assert_eq "mails in the sink" 2 "$(sink_count)"
assert_contains "subject of the second acknowledgement" \
    "$(sink_json | json_get '[m["headers"]["subject"][0] for m in d
    if "gustav@" in m["rcpt_to"]][0]')" "[#2]"

stop_triaged
