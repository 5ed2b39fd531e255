#!/usr/bin/python3
"""mta_send.py FROM RCPT PORT FILE: one SMTP transaction with the MTA in
front of triaged (postfix.sh, exim.sh), as an outside client: from
127.0.0.2, so that an MTA trusting its own networks cannot hide a relay
refusal.  SMTPUTF8 when an address is not ASCII.  Prints "CODE TEXT" of
the refusal, or "250 accepted" after the end of DATA."""
import smtplib, sys
frm, rcpt, port, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
data = open(path, "rb").read()
c = smtplib.SMTP("127.0.0.1", port, source_address=("127.0.0.2", 0))
c.ehlo("client.outside.example")
opts = ["SMTPUTF8"] if not (frm + rcpt).isascii() else []
try:
    c.sendmail(frm, [rcpt], data, mail_options=opts)
    code, text = c.noop()
    print("250 accepted")
except smtplib.SMTPRecipientsRefused as e:
    code, text = e.recipients[rcpt]
    print(code, text.decode("utf-8", "replace"))
except smtplib.SMTPResponseException as e:
    print(e.smtp_code, e.smtp_error.decode("utf-8", "replace"))
c.quit()
