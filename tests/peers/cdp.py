#!/usr/bin/python3
# cdp.py: drives a running headless Chromium through its DevTools protocol
# (a WebSocket; python3's standard library only, so the client is here)
# for the dashboard tests.  The browser is started by the test, with
# --remote-debugging-port=0 --user-data-dir=DIR, and this finds its
# address in DIR/DevToolsActivePort.  Each run opens one tab, does its
# command and closes the tab; cookies stay in the browser between runs.
#
#   cdp.py DIR login URL AGENT PASSWORD
#       opens URL/login, fills the form, submits it as a user would (the
#       browser posts the CSRF token it was given) and prints the address
#       the browser ends on
#   cdp.py DIR page URL PREFIX
#       opens URL and writes PREFIX.png (a screenshot), PREFIX.html (the
#       DOM as the browser parsed it) and PREFIX.txt (the text a reader
#       sees, innerText); prints the address it ended on
#   cdp.py DIR logout URL
#       opens URL/queue and presses its Log out button; prints the
#       address the browser ends on
#   cdp.py DIR cookies URL
#       prints the browser's cookies for URL as JSON
import base64, json, os, socket, struct, sys, time, urllib.parse

DEADLINE = 60


class WebSocket:
    """A minimal RFC 6455 client: text frames, masked, fragments joined."""

    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        self.sock = socket.create_connection((u.hostname, u.port), timeout=DEADLINE)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(("GET %s HTTP/1.1\r\nHost: %s:%d\r\n"
                           "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Key: %s\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n"
                           % (u.path, u.hostname, u.port, key)).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise SystemExit("cdp: websocket handshake cut")
            head += chunk
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise SystemExit("cdp: websocket refused: %r" % head)

    def send(self, text):
        data = text.encode()
        n = len(data)
        if n < 126:
            hdr = struct.pack("!BB", 0x81, 0x80 | n)
        elif n < 65536:
            hdr = struct.pack("!BBH", 0x81, 0x80 | 126, n)
        else:
            hdr = struct.pack("!BBQ", 0x81, 0x80 | 127, n)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(hdr + mask + masked)

    def _read(self, n):
        buf = bytearray()
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise SystemExit("cdp: websocket closed")
            buf += chunk
        return bytes(buf)

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._read(8))[0]
            payload = self._read(n)
            opcode = b0 & 0x0F
            if opcode == 8:
                raise SystemExit("cdp: websocket closed by the browser")
            if opcode in (9, 10):
                continue            # ping/pong: nothing to do
            message += payload
            if b0 & 0x80:
                return message.decode()


class Browser:
    def __init__(self, profile):
        port, path = open(os.path.join(profile, "DevToolsActivePort")).read().split()[:2]
        self.ws = WebSocket("ws://127.0.0.1:%s%s" % (port, path))
        self.next_id = 0
        self.events = []
        self.session = None

    def call(self, method, session=True, **params):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if session and self.session:
            msg["sessionId"] = self.session
        self.ws.send(json.dumps(msg))
        while True:
            r = json.loads(self.ws.recv())
            if r.get("id") == self.next_id:
                if "error" in r:
                    raise SystemExit("cdp: %s: %s" % (method, r["error"]))
                return r["result"]
            self.events.append(r)

    def wait_event(self, name):
        end = time.time() + DEADLINE
        while time.time() < end:
            for i, e in enumerate(self.events):
                if e.get("method") == name:
                    del self.events[i]
                    return e
            self.events.append(json.loads(self.ws.recv()))
        raise SystemExit("cdp: no %s within %d s" % (name, DEADLINE))

    def open_tab(self):
        self.target = self.call("Target.createTarget", False,
                                url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", False,
                                 targetId=self.target, flatten=True)["sessionId"]
        self.call("Page.enable")
        self.call("Emulation.setDeviceMetricsOverride", width=1100,
                  height=900, deviceScaleFactor=1, mobile=False)

    def close_tab(self):
        self.call("Target.closeTarget", False, targetId=self.target)

    def navigate(self, url):
        self.events.clear()
        self.call("Page.navigate", url=url)
        self.wait_event("Page.loadEventFired")

    def js(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True)
        return r["result"].get("value")


def main():
    profile, cmd, url = sys.argv[1], sys.argv[2], sys.argv[3]
    b = Browser(profile)
    b.open_tab()
    if cmd == "login":
        agent, password = sys.argv[4], sys.argv[5]
        b.navigate(url + "/login")
        # What a browser does on its own after showing the form: ask for
        # its icon, which, without a session, ends on /login too.  Done
        # here in another tab, every time, so the post below proves the
        # form's token survives it (it did not: a new token came back).
        icon = Browser(profile)
        icon.open_tab()
        icon.navigate(url + "/favicon.ico")
        icon.close_tab()
        b.events.clear()
        b.js("document.querySelector('input[name=agent]').value = %s;"
             "document.querySelector('input[name=password]').value = %s;"
             "document.querySelector('form').submit();"
             % (json.dumps(agent), json.dumps(password)))
        b.wait_event("Page.loadEventFired")
        print(b.js("location.href"))
    elif cmd == "page":
        prefix = sys.argv[4]
        b.navigate(url)
        shot = b.call("Page.captureScreenshot", format="png")["data"]
        with open(prefix + ".png", "wb") as f:
            f.write(base64.b64decode(shot))
        with open(prefix + ".html", "w") as f:
            f.write(b.js("document.documentElement.outerHTML") or "")
        with open(prefix + ".txt", "w") as f:
            f.write(b.js("document.body ? document.body.innerText : ''") or "")
        print(b.js("location.href"))
    elif cmd == "logout":
        b.navigate(url + "/queue")
        b.events.clear()
        b.js("document.querySelector('form[action=\"/logout\"]').submit();")
        b.wait_event("Page.loadEventFired")
        print(b.js("location.href"))
    elif cmd == "cookies":
        print(json.dumps(b.call("Network.getCookies", urls=[url])["cookies"]))
    else:
        raise SystemExit("cdp: unknown command " + cmd)
    b.close_tab()


if __name__ == "__main__":
    main()
