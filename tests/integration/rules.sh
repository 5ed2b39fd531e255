#!/bin/sh
#
# rules.sh (issue 5): the admin's rules through the daemon.  A mail from a
# VIP company's domain gets the company, its priority floor and its SLA
# policy; a Cyrillic "СРОЧНО" subject matches a rule written as "срочно"
# (urgent priority, a tag); an invoice rule sets a category whose default
# priority and SLA policy apply, and its stop keeps a later rule from
# running; a follow-up only adds tags and raises the priority; a spam rule
# stores the request hidden and unacknowledged; the support address (or
# "+" sub-address) a request came in on picks its category (a category's
# addresses, or a rule on mailbox), and a rule still overrides it; the
# priority inputs combine (rules, category default, company floor: the
# highest wins).  `triagectl explain`
# shows the rules that matched, as text and JSON.  `triaged -t` rejects a
# bad rules config with file, line and reason.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

rules_settings() {
	cat >>"$CONF" <<'EOF'
priorities = { levels = [ "low", "normal", "high", "urgent" ];
               default = "normal"; };
categories = (
  { path = "Billing/Invoices"; strategy = "pool"; priority = "high";
    sla_policy = "gold"; },
  { path = "Support/Hardware"; strategy = "pool";
    addresses = [ "help@example.test" ]; }
);
companies = (
  { name = "ACME"; domains = [ "acme.example" ];
    addresses = [ "ceo@gmail.example" ]; priority_floor = "high";
    sla_policy = "vip"; }
);
rules = (
  { name = "spam-flag";
    if = { header = { name = "X-Spam-Flag"; equals = "yes"; }; };
    then = { spam = true; tag = "spam"; }; stop = true; },
  { name = "urgent-words";
    if = { any = ( { subject = { contains = "срочно"; }; },
                   { body = { regex = "\\burgent\\b"; caseless = true; }; } ); };
    then = { priority = "urgent"; tag = [ "urgent" ]; }; },
  { name = "invoices";
    if = { all = ( { subject = { contains = "invoice"; }; },
                   { new_request = true; } ); };
    then = { category = "Billing/Invoices"; tag = "billing"; }; stop = true; },
  { name = "after-stop";
    if = { subject = { contains = "invoice"; }; };
    then = { tag = "never"; }; },
  { name = "newsletter";
    if = { subject = { contains = "newsletter"; }; };
    then = { priority = "low"; }; },
  { name = "billing-subaddress";
    if = { mailbox = { contains = "+billing@"; }; new_request = true; };
    then = { category = "Billing/Invoices"; }; }
);
calendars = ( { name = "always"; timezone = "UTC";
  hours = { sun = [ "0:00-24:00" ]; mon = [ "0:00-24:00" ];
    tue = [ "0:00-24:00" ]; wed = [ "0:00-24:00" ]; thu = [ "0:00-24:00" ];
    fri = [ "0:00-24:00" ]; sat = [ "0:00-24:00" ]; }; } );
sla_policies = (
  { name = "vip"; calendar = "always"; first_response = 30; },
  { name = "gold"; calendar = "always"; first_response = 240; }
);
EOF
}

# explain_get N EXPR: EXPR on `triagectl --json explain N`.
explain_get() {
	ctl explain "$1" | json_get "$2"
}

write_config
rules_settings
"$TRIAGED" -t -c "$CONF" || fail "triaged -t rejects the rules config"
start_triaged

# 1. VIP by domain: company, priority floor, SLA policy; no rule matched.
make_msg v.eml --from 'Wile <wile@mail.acme.example>' --subject 'Hello' \
    --body 'Nothing special.\n'
out=$(lmtp_send v.eml)
t_vip=$(ticket_of "$out")
[ -n "$t_vip" ] || fail "VIP mail not stored: $out"
check_eq "VIP company" ACME "$(explain_get "$t_vip" 'd["company"]')"
check_eq "VIP priority (company floor)" high \
    "$(explain_get "$t_vip" 'd["priority"]')"
check_eq "VIP sla_policy" vip "$(explain_get "$t_vip" 'd["sla_policy"]')"
check_eq "VIP: no rule" 0 "$(explain_get "$t_vip" 'len(d["rules"])')"
# the VIP policy's 30 minutes, on its 24/7 calendar, from the arrival
vip_due=$(ctl show "$t_vip" | json_get 'd["sla"]["first_response_due"]')
vip_at=$(ctl show "$t_vip" | json_get 'd["created_at"]')
check_eq "VIP first-response deadline" 1800 \
    "$(($(date -u -d "$vip_due" +%s) - $(date -u -d "$vip_at" +%s)))"

# 2. Cyrillic caseless contains: "СРОЧНО" matches "срочно".
make_msg u.eml --from 'Ivan <ivan@other.example>' \
    --subject 'СРОЧНО: принтер не печатает' --body 'Помогите.\n'
t_urg=$(ticket_of "$(lmtp_send u.eml)")
check_eq "urgent priority" urgent "$(explain_get "$t_urg" 'd["priority"]')"
check_eq "urgent tag" urgent "$(explain_get "$t_urg" '" ".join(d["tags"])')"
check_eq "urgent rule" urgent-words \
    "$(explain_get "$t_urg" 'd["rules"][0]["rule"]')"
check_eq "urgent: no company" null "$(explain_get "$t_urg" 'd["company"]')"

# 3. A category from a rule: its default priority and SLA policy; stop.
make_msg i.eml --from 'Ann <ann@other.example>' --subject 'Invoice 2024-17' \
    --body 'Please resend it.\n'
t_inv=$(ticket_of "$(lmtp_send i.eml)")
check_eq "invoice category" Billing/Invoices \
    "$(explain_get "$t_inv" 'd["category"]')"
check_eq "invoice priority (category default)" high \
    "$(explain_get "$t_inv" 'd["priority"]')"
check_eq "invoice sla_policy (category)" gold \
    "$(explain_get "$t_inv" 'd["sla_policy"]')"
check_eq "invoice rules (stop before after-stop)" "invoices" \
    "$(explain_get "$t_inv" '" ".join(r["rule"] for r in d["rules"])')"
check_eq "invoice tags" "billing" \
    "$(explain_get "$t_inv" '" ".join(d["tags"])')"

# 4. A follow-up: the rules run again, tags and priority only.
make_msg f.eml --from 'Wile <wile@mail.acme.example>' \
    --subject "Re: [#$t_vip] Hello" --body 'This is URGENT now.\n'
out=$(lmtp_send f.eml)
check_eq "follow-up ticket" "$t_vip" "$(ticket_of "$out")"
check_eq "follow-up raised priority" urgent \
    "$(explain_get "$t_vip" 'd["priority"]')"
check_eq "follow-up tag" urgent "$(explain_get "$t_vip" '" ".join(d["tags"])')"
check_eq "follow-up kept the category" null \
    "$(explain_get "$t_vip" 'd["category"]')"
assert_contains "follow-up hit" \
    "$(explain_get "$t_vip" 'd["rules"][0]["actions"]')" "follow-up"

# 5. Spam: stored, hidden, never acknowledged; stop before urgent-words.
make_msg s.eml --from 'Spam <win@spam.example>' --subject 'URGENT срочно prize' \
    --header 'X-Spam-Flag: YES' --body 'Click.\n'
out=$(lmtp_send s.eml)
t_spam=$(ticket_of "$out")
[ -n "$t_spam" ] || fail "spam not stored: $out"
check_eq "spam hidden" true "$(explain_get "$t_spam" 'd["hidden"]')"
check_eq "spam rules" spam-flag \
    "$(explain_get "$t_spam" '" ".join(r["rule"] for r in d["rules"])')"
check_eq "spam priority untouched" normal \
    "$(explain_get "$t_spam" 'd["priority"]')"
check_eq "spam outbox" 0 "$(ctl show "$t_spam" | json_get 'len(d["outbox"])')"

# The others were acknowledged (one each), the spam never.
wait_for '[ "$(sink_count "$OUT_MAILDIR")" -ge 3 ] && outbox_idle' 30 ||
    fail "acknowledgements missing in $OUT_MAILDIR"
check_eq "acknowledgements" 3 "$(sink_count "$OUT_MAILDIR")"
assert_not_contains "no ack to the spammer" \
    "$(sink_json "$OUT_MAILDIR" | json_get '" ".join(m["headers"]["to"][0] for m in d)')" \
    "win@spam.example"

# 5b. The address a request came in on sets its category: a second
# support address, and a "+" sub-address of the first.
make_msg h.eml --from 'Olek <olek@other.example>' --subject 'Drukarka' \
    --body 'Nie drukuje.\n'
t_help=$(ticket_of "$(lmtp_send --rcpt help@example.test h.eml)")
check_eq "category by support address" Support/Hardware \
    "$(explain_get "$t_help" 'd["category"]')"
make_msg b.eml --from 'Olek <olek@other.example>' --subject 'Rachunek' \
    --body 'Gdzie jest?\n'
t_sub=$(ticket_of "$(lmtp_send --rcpt support+billing@example.test b.eml)")
check_eq "category by sub-address" Billing/Invoices \
    "$(explain_get "$t_sub" 'd["category"]')"

# 5c. A rule overrides the address's default; SMTP recipients count too.
make_msg hi.eml --from 'Olek <olek@other.example>' --subject 'Invoice 9' \
    --body 'Drugi raz.\n'
t_hi=$(ticket_of "$(smtp_send --rcpt help@example.test hi.eml)")
check_eq "a rule beats the address's category" Billing/Invoices \
    "$(explain_get "$t_hi" 'd["category"]')"
make_msg hs.eml --from 'Olek <olek@other.example>' --subject 'Skaner' \
    --body 'Nie skanuje.\n'
t_hs=$(ticket_of "$(smtp_send --rcpt help@example.test hs.eml)")
check_eq "category by support address (SMTP)" Support/Hardware \
    "$(explain_get "$t_hs" 'd["category"]')"

# 5d. Priority inputs: the highest of the rules' level, the category's
# default and the company's floor.  A rule lowering to "low" loses to
# ACME's floor (high) and to Billing/Invoices' default (high), wins
# alone; a keyword raising to urgent beats the category's high.
make_msg n1.eml --from 'Wile <wile@acme.example>' \
    --subject 'Our newsletter' --body 'x\n'
check_eq "rule low < company floor" high "$(explain_get "$(ticket_of \
    "$(lmtp_send n1.eml)")" 'd["priority"]')"
make_msg n2.eml --from 'Ann <ann@other.example>' \
    --subject 'Newsletter' --body 'x\n'
check_eq "rule low alone" low "$(explain_get "$(ticket_of \
    "$(lmtp_send n2.eml)")" 'd["priority"]')"
make_msg n3.eml --from 'Ann <ann@other.example>' \
    --subject 'newsletter' --body 'x\n'
t_n3=$(ticket_of "$(lmtp_send --rcpt support+billing@example.test n3.eml)")
check_eq "rule low < category default" high \
    "$(explain_get "$t_n3" 'd["priority"]')"
check_eq "category default, category by sub-address" Billing/Invoices \
    "$(explain_get "$t_n3" 'd["category"]')"
make_msg n4.eml --from 'Ann <ann@other.example>' \
    --subject 'СРОЧНО invoice' --body 'x\n'
check_eq "keyword urgent > category default" urgent "$(explain_get \
    "$(ticket_of "$(lmtp_send n4.eml)")" 'd["priority"]')"

# explain as text
text=$("$TRIAGECTL" -c "$CONF" explain "$t_urg")
printf '%s\n' "$text"
assert_contains "explain text: request" "$text" "Request #$t_urg"
assert_contains "explain text: rule" "$text" \
    "urgent-words: tag=urgent priority=urgent"
assert_contains "explain text: priority" "$text" "urgent"
text=$("$TRIAGECTL" -c "$CONF" explain "$t_spam")
assert_contains "explain text: hidden" "$text" "yes (spam)"
if "$TRIAGECTL" -c "$CONF" explain 999 2>err.txt; then
	fail "explain of a missing request succeeded"
fi
assert_contains "explain 999" "$(cat err.txt)" "no request #999"
stop_triaged

# 6. A bad config: file, line and reason; the daemon does not start.
cat >bad.conf <<EOF
database = "$STATE/bad.db";
categories = ( { path = "Support"; addresses = [ "sales@elsewhere.example" ]; },
  { path = "Support/Printers"; addresses = [ "support@example.test" ]; },
  { path = "Support/Scanners"; addresses = [ "Support@example.test" ]; } );
tags = [ "billing" ];
rules = (
  { name = "broken";
    if = { subject = { regex = "(unclosed"; }; };
    then = { category = "Sales"; priority = "mega"; tag = "x"; }; },
  { name = "bad-op"; if = { subject = { like = "x"; }; };
    then = { tag = "billing"; }; }
);
EOF
if "$TRIAGED" -t -c bad.conf 2>bad.txt; then
	fail "triaged -t accepted a bad rules config"
fi
cat bad.txt
assert_contains "bad regex" "$(cat bad.txt)" \
    "bad.conf:8: rules[0].if.subject: regex \"(unclosed\" does not compile"
assert_contains "unknown category" "$(cat bad.txt)" \
    "bad.conf:9: rules[0].then: unknown category Sales"
assert_contains "unknown priority" "$(cat bad.txt)" \
    "bad.conf:9: rules[0].then: unknown priority mega"
assert_contains "unknown tag" "$(cat bad.txt)" \
    "bad.conf:9: rules[0].then: unknown tag x (not in tags)"
assert_contains "unknown operator" "$(cat bad.txt)" \
    "bad.conf:10: rules[1].if.subject.like: unknown setting"
assert_contains "category address not ours" "$(cat bad.txt)" \
    "bad.conf:2: categories[0]: sales@elsewhere.example is not one of support.addresses"
assert_contains "category address twice" "$(cat bad.txt)" \
    "bad.conf:4: categories[2]: address support@example.test is already the default of category Support/Printers"

# 7. With SLA policies defined, a rule or a company naming another one is
# an error (it would silently get no deadlines).
cat >bad2.conf <<EOF2
database = "$STATE/bad2.db";
agents = ( { name = "anna"; addresses = [ "anna@example.test" ]; } );
sla_policies = ( { name = "standard"; first_response = 60; } );
companies = ( { name = "ACME"; domains = [ "acme.example" ];
                sla_policy = "platinum"; } );
rules = (
  { name = "vip"; if = { from_domain = { equals = "vip.example"; }; };
    then = { sla_policy = "gold"; assign = "zed"; }; }
);
EOF2
if "$TRIAGED" -t -c bad2.conf 2>bad2.txt; then
	fail "triaged -t accepted unknown SLA policies"
fi
cat bad2.txt
assert_contains "company: unknown SLA policy" "$(cat bad2.txt)" \
    "bad2.conf:4: companies[0]: no SLA policy platinum in sla_policies"
assert_contains "rule: unknown SLA policy" "$(cat bad2.txt)" \
    "bad2.conf:8: rules[0].then: no SLA policy gold in sla_policies"
assert_contains "rule: unknown agent" "$(cat bad2.txt)" \
    "bad2.conf:8: rules[0].then: unknown agent zed"
