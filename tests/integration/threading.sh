#!/bin/sh
#
# threading.sh (issue 2): which request a message joins.  A new message
# opens #1.  Replies carrying the token in every prefixed and encoded form
# join #1: "Re: [#1] x", "RE: [#1]", "Ответ: [#1] ...", "Отв: [#1]",
# "Odp: [#1]", "AW: [#1]", "Fwd: [#1]", a chain of prefixes, RFC 2047
# encoded-words (koi8-r B, folded utf-8) holding the token, and a mangled
# token with its opening bracket missing ("Re: #1] ...").  Without a token,
# In-Reply-To = the first message's Message-ID joins, References only
# joins, and References = the Message-ID of our acknowledgement (read from
# the sink) joins.  An unrelated message opens #2.  Replies get no
# acknowledgement: the sink holds exactly two.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

start_sink
write_config sink
start_triaged

FROM='Anna Kowalska <anna@customer.example.org>'
N=0

# deliver EXPECTED_TICKET WHAT [make_msg options]: a message from $FROM
# over LMTP; a soft check that it landed in request EXPECTED_TICKET.
deliver() {
	dl_want=$1
	dl_what=$2
	shift 2
	N=$((N + 1))
	make_msg "t$N.eml" --from "$FROM" \
	    --message-id "<thread$N@customer.example.org>" "$@"
	dl_out=$(lmtp_send "t$N.eml")
	printf '%s\n' "$dl_out"
	check_eq "$dl_what: ticket" "$dl_want" "$(ticket_of "$dl_out")"
}

deliver 1 "new message" --subject 'Printer on fire' \
    --body 'Room 4, second floor.\n'
FIRST_ID='<thread1@customer.example.org>'

deliver 1 "Re: [#1] x" --subject 'Re: [#1] x'
deliver 1 "RE: [#1]" --subject 'RE: [#1]'
deliver 1 "Ответ: [#1] ..." --subject 'Ответ: [#1] Принтер горит'
deliver 1 "Отв: [#1]" --subject 'Отв: [#1]'
deliver 1 "Odp: [#1]" --subject 'Odp: [#1]'
deliver 1 "AW: [#1]" --subject 'AW: [#1]'
deliver 1 "Fwd: [#1]" --subject 'Fwd: [#1]'
deliver 1 "a chain of prefixes" --subject 'Re: AW: Ответ: Fwd: [#1] chain'
koi8=$("$PYTHON" -c 'import base64
print("=?koi8-r?B?%s?=" % base64.b64encode(
    "Ответ: [#1] Принтер".encode("koi8-r")).decode())')
deliver 1 "RFC 2047 koi8-r subject ($koi8)" --subject "$koi8"
deliver 1 "folded utf-8 encoded-words" --subject \
    'Ответ: Принтер всё ещё горит, помогите пожалуйста срочно [#1] спасибо'
deliver 1 "Re: #1] missing bracket" --subject 'Re: #1] missing bracket'

deliver 1 "In-Reply-To only" --subject 'Re: Printer on fire' \
    --in-reply-to "$FIRST_ID"
deliver 1 "References only" --subject 'More details' \
    --references "<elsewhere@other.example.org> $FIRST_ID"

# Our acknowledgement's Message-ID, as the customer's client would quote it.
wait_for '[ "$(sink_count)" -ge 1 ]' 30 || fail "no acknowledgement in the sink"
ack_id=$(sink_json | json_get 'd[0]["raw_headers"]["message-id"][0].strip()')
assert_contains "Message-ID of the acknowledgement" "$ack_id" "@"
deliver 1 "References = our acknowledgement" --subject 'Thanks' \
    --references "$ack_id"

deliver 2 "an unrelated message" --subject 'A different problem'

check_eq "incoming messages of #1" 15 "$(in_messages 1)"
check_eq "incoming messages of #2" 1 "$(in_messages 2)"
check_eq "requests, newest first" '[2, 1]' \
    "$(ctl list | json_get '[r["id"] for r in d["requests"]]')"

wait_for 'outbox_idle' 30 || fail "outbox not drained"
check_eq "acknowledgements in the sink (one per new request)" 2 \
    "$(sink_count)"

stop_triaged
