# triaged behind Dovecot: for sites that deliver the support address
# into a mailbox first (Dovecot LMTP or LDA, with Pigeonhole Sieve) and
# let triaged poll it over IMAP (an `mailboxes` entry with folder =
# "Helpdesk").  The support account's Sieve script files the support
# mail, whatever its +detail, into the folder triaged polls, and keeps
# spam out of it.  It never answers and never redirects: triaged sends
# the acknowledgement, and a second automatic answer (vacation) would be
# a loop risk.  Tested as it is by tests/integration/dovecot_sieve.sh.
#
# Dovecot: protocol lmtp { mail_plugins = $mail_plugins sieve }
#          plugin { sieve = file:~/sieve;active=~/.dovecot.sieve }
# (this file as the support account's active script).

require ["fileinto", "mailbox", "envelope", "subaddress"];

# Spam (as the spam filter in front marks it) stays out of the helpdesk.
if header :contains "X-Spam-Flag" "YES" {
	fileinto :create "Junk";
	stop;
}

# support@ and support+anything@ go to the helpdesk folder.
if envelope :user "to" "support" {
	fileinto :create "Helpdesk";
	stop;
}
