# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A local SMTP server for tests: the subset of RFC 5321 Odoo's ``ir.mail_server`` speaks.

``EHLO``/``HELO``, ``MAIL FROM``, ``RCPT TO``, ``DATA``, ``RSET``, ``NOOP`` and
``QUIT`` on 127.0.0.1, no TLS, no authentication. A recipient in ``refuse``
is answered ``550 5.1.1`` (the address does not exist), as a real server
refuses an unknown mailbox; everything else is accepted and kept in
``messages`` as ``(sender, recipients, raw bytes)``.
"""

import socketserver
import threading


class _Handler(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        server = self.server.fake
        self.reply("220 localhost ESMTP fake")
        sender, recipients = None, []
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip()
            verb = command[:4].upper()
            if verb == "EHLO":
                self.wfile.write(b"250-localhost\r\n250 8BITMIME\r\n")
            elif verb == "HELO":
                self.reply("250 localhost")
            elif verb == "MAIL":
                sender, recipients = command.split(":", 1)[1].strip().strip("<>"), []
                self.reply("250 2.1.0 OK")
            elif verb == "RCPT":
                address = command.split(":", 1)[1].strip().split()[0].strip("<>")
                if address.lower() in server.refuse:
                    self.reply("550 5.1.1 <%s>: Recipient address rejected" % address)
                else:
                    recipients.append(address)
                    self.reply("250 2.1.5 OK")
            elif verb == "DATA":
                if not recipients:
                    self.reply("554 5.5.1 No valid recipients")
                    continue
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                    data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                server.messages.append((sender, recipients, b"".join(data)))
                self.reply("250 2.0.0 Queued")
            elif verb == "RSET":
                sender, recipients = None, []
                self.reply("250 2.0.0 OK")
            elif verb == "NOOP":
                self.reply("250 2.0.0 OK")
            elif verb == "QUIT":
                self.reply("221 2.0.0 Bye")
                return
            else:
                self.reply("502 5.5.2 Command not recognized")


class FakeSmtp:
    """Run with ``with FakeSmtp(refuse={"gone@example.in"}) as smtp:``; ``smtp.port``."""

    def __init__(self, refuse=()):
        self.refuse = {address.lower() for address in refuse}
        self.messages = []
        self._server = None

    def __enter__(self):
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.fake = self
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
