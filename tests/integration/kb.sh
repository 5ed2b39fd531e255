#!/bin/sh
#
# kb.sh (issue 19, "Knowledge base"): the daemon reads the articles of
# knowledge_base.directory at start; with acknowledgement.suggest = 2 the
# acknowledgement of a Polish question (LMTP) names the article that
# answers it, title and URL, through {{suggestions}}, and the agent's
# notice lists it with the canned answer that fits; a "thank you" mail
# and spam get an acknowledgement without suggestions; `triagectl kb
# search` shows what a text finds and its score; an article added to the
# directory is found after SIGHUP, and one removed is gone.  The answer
# quality over 62 questions is test_kb's (tests/unit/test_kb.c).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

# Search and the knowledge base on PostgreSQL are being built (branch
# pgsearch); until they land this test is SQLite's (FTS5).
skip_on_pg "search on PostgreSQL is not built yet (branch pgsearch)"

mkdir -p "$WORK/kb"
cp "$top_srcdir"/tests/fixtures/kb/articles/*.md "$WORK/kb/"
write_config
cat >>"$CONF" <<EOF
agents = ( { name = "anna"; addresses = [ "anna@example.com" ]; } );
canned = { reset_password = "To reset your password, open the sign-in page and click Forgot password."; };
knowledge_base = { directory = "$WORK/kb"; };
acknowledgement = { suggest = 2; };
EOF
start_triaged
wait_for 'grep -q "knowledge base: 24 articles, 1 canned answers" "$TRIAGED_LOG"' 30 ||
    fail "the knowledge base was not loaded: $(grep -i knowledge "$TRIAGED_LOG")"

send() {	# FILE: delivered over LMTP, else fail
	out=$(lmtp_send --from "$2" "$1")
	case $(reply_of "$out") in
	250*) ;;
	*) fail "$1 not stored: $out" ;;
	esac
}
# ack_to ADDR: the body of the acknowledgement sent to ADDR
ack_to() {
	sink_json "$OUT_MAILDIR" | json_get "[m['body'] for m in d
	    if m['headers']['to'][0].endswith('<$1>') or m['headers']['to'][0] == '$1'][0]"
}

make_msg q1.eml --from "ola@klient.example.pl" --subject "Nie pamiętam hasła" \
    --body "Dzień dobry, zapomniałam hasła i nie mogę się zalogować do konta."
make_msg q2.eml --from "tom@customer.example.org" --subject "Thank you!" \
    --body "Thank you so much, it works now! Best regards, Tom"
make_msg q3.eml --from "spam@win.example.biz" --subject "You have won" \
    --body "Congratulations! You have won a free iPhone. Click here to claim your prize."
make_msg q4.eml --from "bob@customer.example.org" --subject "Forgot my password" \
    --body "I forgot my password, the login page rejects me."
send q1.eml ola@klient.example.pl
send q2.eml tom@customer.example.org
send q3.eml spam@win.example.biz
send q4.eml bob@customer.example.org
wait_for outbox_idle 30 || fail "the outbox did not drain"

ack=$(ack_to ola@klient.example.pl)
assert_contains "the Polish ack names the article" "$ack" "- Jak zresetować hasło"
assert_contains "with its URL" "$ack" "https://help.example.test/pl/haslo"
assert_contains "and the usual text" "$ack" "Your message:"
ack=$(ack_to tom@customer.example.org)
assert_not_contains "no suggestion for thanks" "$ack" "may already answer"
assert_contains "the thanks ack is there" "$ack" "Your message:"
ack=$(ack_to spam@win.example.biz)
assert_not_contains "no suggestion for spam" "$ack" "may already answer"

notice=$(sink_json "$OUT_MAILDIR" | json_get "[m['body'] for m in d
    if m['headers']['to'][0].endswith('<anna@example.com>')
    and 'Forgot my password' in m['headers']['subject'][0]][0]")
assert_contains "the notice lists the canned answer" "$notice" \
    "Canned answers that may fit"
assert_contains "by name" "$notice" "- reset_password"
assert_contains "and the article" "$notice" \
    "- How to reset your password <https://help.example.test/en/password-reset>"

assert_eq "kb search: the best one" "en-password-reset.md" \
    "$(ctl kb search forgot my password | json_get \
    '[f["name"] for f in d["found"] if f["kind"] == "article"][0]')"
assert_eq "kb search: suggested" "true" \
    "$(ctl kb search forgot my password | json_get 'd["found"][0]["suggested"]')"
text=$("$TRIAGECTL" -c "$CONF" kb search zamówienie paczka kurier)
assert_contains "kb search text output" "$text" "pl-dostawa.md"
assert_eq "kb search: nothing" "nothing found" \
    "$("$TRIAGECTL" -c "$CONF" kb search zyxwvut)"

# SIGHUP: the directory is read again, the index replaced whole.
printf '# Opening hours\nURL: https://help.example.test/hours\n\nWe answer on weekdays from 9 to 17, on Saturdays from 10 to 14.\n' \
    >"$WORK/kb/hours.md"
rm "$WORK/kb/en-printer.md"
n=$(grep -c "knowledge base:" "$TRIAGED_LOG")
kill -HUP "$TRIAGED_PID"
wait_for '[ "$(grep -c "knowledge base:" "$TRIAGED_LOG")" -gt "$n" ]' 30 ||
    fail "no reload of the knowledge base logged"
assert_contains "reload logged" "$(tail -n 5 "$TRIAGED_LOG")" \
    "knowledge base: 24 articles, 1 canned answers"
assert_eq "the new article is found" "hours.md" \
    "$(ctl kb search opening hours saturday | json_get 'd["found"][0]["name"]')"
assert_eq "the removed one is gone" "" \
    "$(ctl kb search printer offline wifi | json_get \
    '" ".join(f["name"] for f in d["found"] if f["name"] == "en-printer.md")')"

stop_triaged
exit 0
