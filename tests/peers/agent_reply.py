#!/usr/bin/python3
"""agent_reply.py: an agent answering a notification, as mail clients do.

Run with Debian's /usr/bin/python3.

  agent_reply.py NOTIFICATION OUT --style thunderbird|outlook|gmail|plain
                 [--from ADDR] [--to ADDR] [--text TEXT] [--header H]...
                 [--message-id ID] [--attach NAME] [--attach-pdf NAME]

Reads NOTIFICATION (one message file, e.g. from the sink's Maildir) and
writes OUT: a reply To its Reply-To (else --to), Subject "Re: " + its
subject, In-Reply-To/References to its Message-ID, whose body is TEXT
("\\n" for line breaks) followed by the notification quoted the way the
client does it:

  thunderbird  "On 22.11.2026 10:00, Example Support wrote:" + "> " lines
  apple        "On 23 Nov 2026, at 10:00, Name <addr> wrote:" + "> " lines
  outlook-html an HTML-only body: the text, a rule, a bold From/Sent/To/
               Subject block and the notification (Outlook on the web)
  outlook      "-----Original Message-----" / "From: ... Sent: ..." block,
               the notification unquoted below it (and CRLF, HTML-ish
               blank lines), the reply in a multipart/alternative with
               an HTML part
  gmail        "On Mon, 23 Nov 2026 at 10:00, Example Support
               <support@...> wrote:" wrapped at the address, "> " lines
  plain        TEXT only

--attach NAME adds a binary attachment called NAME (any charset: it is
encoded as RFC 2231 asks), holding ATTACHMENT: every byte value, so a relay
that damages it shows.  --attach-pdf NAME adds PDF_ATTACHMENT as
application/pdf the way Outlook names files: an RFC 2047 encoded-word
in quotes, in both Content-Type name and Content-Disposition filename.
"""

import argparse
import base64
import email
import email.header
import email.policy
import email.utils
import html
import re
import sys
from email.mime.application import MIMEApplication

ATTACHMENT = bytes(range(256)) * 8
PDF_ATTACHMENT = (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nstream\n" +
                  bytes(range(255, -1, -1)) * 4 + b"\nendstream\n%%EOF\n")


def decode(value):
    return str(email.header.make_header(email.header.decode_header(value)))


def body_of(msg):
    part = msg
    if msg.is_multipart():
        part = next((p for p in msg.walk()
                     if p.get_content_type() == "text/plain"), None)
        if part is None:
            return ""
    payload = part.get_payload(decode=True) or b""
    return payload.decode(part.get_content_charset() or "utf-8", "replace")


def quote(text, style):
    sender = "Example Support"
    addr = "support@example.test"
    lines = text.replace("\r\n", "\n").rstrip("\n").split("\n")
    if style == "thunderbird":
        head = "On 22.11.2026 10:00, %s wrote:" % sender
        return head + "\n" + "\n".join(("> " + l) if l else ">"
                                       for l in lines)
    if style == "gmail":
        head = ("On Mon, 23 Nov 2026 at 10:00, %s <%s>\nwrote:"
                % (sender, addr))
        return head + "\n\n" + "\n".join(("> " + l) if l else ">"
                                         for l in lines)
    if style == "apple":
        head = ("On 23 Nov 2026, at 10:00, %s <%s> wrote:" % (sender, addr))
        return head + "\n\n" + "\n".join(("> " + l) if l else ">"
                                         for l in lines)
    if style == "outlook":
        head = ("-----Original Message-----\n"
                "From: %s <%s>\n"
                "Sent: Monday, November 23, 2026 10:00 AM\n"
                "To: Anna Agent <anna@agents.example.test>\n"
                "Subject: notification\n" % (sender, addr))
        return head + "\n" + "\n".join(lines)
    return ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("notification")
    ap.add_argument("out")
    ap.add_argument("--style", default="thunderbird",
                    choices=("thunderbird", "outlook", "outlook-html",
                             "gmail", "apple", "plain"))
    ap.add_argument("--from", dest="from_",
                    default="Anna Agent <anna@agents.example.test>")
    ap.add_argument("--to")
    ap.add_argument("--text", default="")
    ap.add_argument("--header", action="append", default=[])
    ap.add_argument("--message-id")
    ap.add_argument("--attach")
    ap.add_argument("--attach-pdf")
    args = ap.parse_args()

    with open(args.notification, "rb") as f:
        note = email.message_from_bytes(f.read(),
                                        policy=email.policy.compat32)
    reply_to = note.get("Reply-To")
    to = args.to or (decode(str(reply_to)) if reply_to else
                     "support@example.test")
    subject = decode(str(note.get("Subject", "")))
    msgid = str(note.get("Message-ID", "")).strip()
    text = args.text.replace("\\n", "\n")
    quoted = quote(body_of(note), args.style)
    body = text + ("\n\n" + quoted if quoted else "") + "\n"

    out = email.message.EmailMessage(policy=email.policy.SMTP)
    out["From"] = args.from_
    out["To"] = to
    out["Subject"] = "Re: " + subject if subject else "Re:"
    out["Date"] = email.utils.formatdate()
    out["Message-ID"] = args.message_id or email.utils.make_msgid(
        domain="agents.example.test")
    if msgid:
        out["In-Reply-To"] = msgid
        out["References"] = msgid
    for h in args.header:
        name, value = h.split(":", 1)
        out[name.strip()] = value.strip()
    if args.style == "outlook-html":
        # Outlook on the web: HTML only, the quote after a rule and a
        # bold From/Sent/To/Subject block
        out.set_content(
            "<html><body><div>%s</div><hr style=\"display:inline-block\">"
            "<div id=\"divRplyFwdMsg\"><b>From:</b> Example Support "
            "&lt;support@example.test&gt;<br><b>Sent:</b> Monday, November "
            "23, 2026 10:00 AM<br><b>To:</b> Anna Agent<br><b>Subject:</b> "
            "%s</div><div>%s</div></body></html>" % (
                "<br>".join(html.escape(l) for l in text.split("\n")),
                html.escape(subject),
                "<br>".join(html.escape(l) for l in
                            body_of(note).split("\n"))),
            subtype="html")
    elif args.style == "outlook":
        out.set_content(body.replace("\n", "\r\n"))
        out.add_alternative("<html><body>%s</body></html>" %
                            "<br>".join(html.escape(l)
                                        for l in body.split("\n")),
                            subtype="html")
    else:
        out.set_content(body)
    if args.attach:
        out.add_attachment(ATTACHMENT, maintype="application",
                           subtype="octet-stream", filename=args.attach)
    word = None
    if args.attach_pdf:
        word = "=?utf-8?B?%s?=" % base64.b64encode(
            args.attach_pdf.encode()).decode()
        part = MIMEApplication(PDF_ATTACHMENT, "pdf")
        part.add_header("Content-Disposition", "attachment")
        out.make_mixed()
        out.attach(part)
    data = out.as_bytes()
    if word is not None:
        # the policy would write the parameters as RFC 2231
        data = re.sub(rb"Content-Type: application/pdf(\r?\n)",
                      b'Content-Type: application/pdf; name="' +
                      word.encode() + b'"\\1', data, count=1)
        data = re.sub(rb"Content-Disposition: attachment(\r?\n)",
                      b'Content-Disposition: attachment; filename="' +
                      word.encode() + b'"\\1', data, count=1)
    with open(args.out, "wb") as f:
        f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
