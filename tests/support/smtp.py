"""A real SMTP server (aiosmtpd) that keeps every message it receives.

    with Mailbox() as mailbox:            # listens on 127.0.0.1:<free port>
        ... LIMEN_EMAIL_URL=mailbox.url ...
        mail = mailbox.wait_for("ada@example.org", subject="password")
        mail.link                         # the first http(s) link in the body

``wait_for`` returns the oldest message to that address that no earlier call
returned, so a test reads its mails one after the other, in order.
"""

from __future__ import annotations

import email
import email.policy
import re
import threading
import time
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller

from .ports import free_port

LINK = re.compile(r"https?://[^\s<>\"']+")


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    subject: str
    body: str
    headers: dict = field(default_factory=dict)
    taken: bool = False

    @property
    def links(self) -> list[str]:
        return LINK.findall(self.body)

    @property
    def link(self) -> str:
        links = self.links
        assert links, f"no link in the mail {self.subject!r}:\n{self.body}"
        return links[0]

    def link_to(self, path_part: str) -> str:
        """The first link whose address contains ``path_part`` (e.g. "/verify/")."""
        for link in self.links:
            if path_part in link:
                return link
        raise AssertionError(f"no link containing {path_part!r} in the mail {self.subject!r}:\n{self.body}")

    def __str__(self) -> str:
        return f"To: {', '.join(self.recipients)}\nSubject: {self.subject}\n\n{self.body}"


class _Handler:
    def __init__(self, box: "Mailbox"):
        self.box = box

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        part = message.get_body(preferencelist=("plain", "html"))
        body = part.get_content() if part is not None else ""
        self.box._add(Mail(
            sender=envelope.mail_from,
            recipients=[r.lower() for r in envelope.rcpt_tos],
            subject=str(message.get("Subject", "")),
            body=body,
            headers={k: str(v) for k, v in message.items()},
        ))
        return "250 Message accepted for delivery"


class Mailbox:
    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.host = host
        self.port = port or free_port()
        self.messages: list[Mail] = []
        self._changed = threading.Condition()
        self._controller = Controller(_Handler(self), hostname=host, port=self.port,
                                      server_hostname="limen-test-smtp", ready_timeout=10)

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def start(self) -> "Mailbox":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> "Mailbox":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _add(self, mail: Mail) -> None:
        with self._changed:
            self.messages.append(mail)
            self._changed.notify_all()

    def to(self, address: str) -> list[Mail]:
        address = address.lower()
        with self._changed:
            return [m for m in self.messages if address in m.recipients]

    def wait_for(self, address: str, *, subject: str | None = None, timeout: float = 15.0) -> Mail:
        """The next message to ``address`` (optionally whose subject contains ``subject``), waiting for it."""
        address = address.lower()
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for mail in self.messages:
                    if (not mail.taken and address in mail.recipients
                            and (subject is None or subject.lower() in mail.subject.lower())):
                        mail.taken = True
                        return mail
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = "\n".join(f"  to {', '.join(m.recipients)}: {m.subject}" for m in self.messages) or "  (none)"
                    raise AssertionError(
                        f"no mail to {address}{f' about {subject!r}' if subject else ''} within {timeout:.0f}s; "
                        f"the SMTP server received:\n{seen}")
                self._changed.wait(remaining)

    def assert_nothing_new_for(self, address: str, *, within: float = 1.5) -> None:
        """Wait ``within`` seconds and check that no unread message arrived for ``address``."""
        time.sleep(within)
        unread = [m for m in self.to(address) if not m.taken]
        assert not unread, "unexpected mail:\n" + "\n---\n".join(str(m) for m in unread)
