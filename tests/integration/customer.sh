#!/bin/sh
#
# customer.sh (issue 2): customers and their addresses.  Each sender
# becomes a customer; `triagectl customer ADDR --add OTHER` attaches a
# second address (any case), after which mail from it belongs to the same
# customer and the card lists every request; an address that belongs to
# another customer cannot be taken (exit 1), and an unknown customer is an
# error.  Cc'd addresses are kept on the request.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

write_config
start_triaged

make_msg a.eml --from 'Jan Nowak <jan@firma.example.pl>' \
    --header 'Cc: Szef <szef@firma.example.pl>' \
    --subject 'Drukarka nie działa' --message-id '<a@firma.example.pl>'
assert_contains "first request" "$(reply_of "$(lmtp_send a.eml)")" "ticket #1"
make_msg b.eml --from 'Other <other@else.example>' \
    --subject 'Unrelated' --message-id '<b@else.example>'
assert_contains "second request" "$(reply_of "$(lmtp_send b.eml)")" "ticket #2"

assert_eq "Cc kept on the request" '["szef@firma.example.pl"]' \
    "$(ctl show 1 | json_get '[c["address"] for c in d["cc"]]')"

ctl customer jan@firma.example.pl --add 'Jan.Nowak@Home.Example' >/dev/null
assert_eq "addresses after --add" \
    '["jan.nowak@home.example", "jan@firma.example.pl"]' \
    "$(ctl customer JAN@firma.example.pl | json_get 'sorted(d["addresses"])')"
# Attaching twice changes nothing.
ctl customer jan@firma.example.pl --add jan.nowak@home.example >/dev/null

make_msg c.eml --from 'Jan <jan.nowak@home.example>' \
    --subject 'Z domu' --message-id '<c@home.example>'
assert_contains "third request" "$(reply_of "$(lmtp_send c.eml)")" "ticket #3"
assert_eq "the card lists both addresses' requests" '[1, 3]' \
    "$(ctl customer jan.nowak@home.example |
    json_get 'sorted(r["id"] for r in d["requests"])')"

if out=$(ctl customer jan@firma.example.pl --add other@else.example 2>&1); then
	fail "an address of another customer was taken: $out"
fi
assert_contains "refusal names the owner" "$out" "belongs to customer"
if out=$(ctl customer nobody@nowhere.example --add x@y.example 2>&1); then
	fail "an unknown customer got an address: $out"
fi
assert_contains "unknown customer" "$out" "no customer"
assert_eq "the other customer keeps its address" '["other@else.example"]' \
    "$(ctl customer other@else.example | json_get 'd["addresses"]')"
