"""A loopback SendGrid: v3 `POST /v3/mail/send` for the `sendgrid` SDK, with the Bearer key
checked, the body's shape validated as SendGrid does (400 and its error list), 202 and an
X-Message-Id for an accepted email, each recorded once, and refusals on demand."""

from __future__ import annotations

import json
import re
import secrets
from collections import Counter
from dataclasses import dataclass
from typing import Any

from tests.messaging.loopback import LoopbackServer

EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


@dataclass(frozen=True)
class Mail:
    """An email the loopback SendGrid accepted."""

    message_id: str  # SendGrid's X-Message-Id
    api_key: str
    to: tuple[str, ...]
    from_: str
    from_name: str
    subject: str
    text: str
    html: str | None
    headers: dict[str, str]
    custom_args: dict[str, str]


def sendgrid_errors(*problems: tuple[str | None, str]) -> dict[str, Any]:
    return {"errors": [{"field": f, "message": m, "help": None} for f, m in problems]}


def mail_problems(body: Any) -> list[tuple[str | None, str]]:
    """What SendGrid's v3 mail/send says is wrong with `body` (nothing: it is accepted)."""
    if not isinstance(body, dict):
        return [(None, "Bad Request")]
    problems: list[tuple[str | None, str]] = []
    people = body.get("personalizations")
    if not isinstance(people, list) or not people:
        problems.append(("personalizations", "The personalizations field is required."))
    for i, person in enumerate(people if isinstance(people, list) else []):
        recipients = person.get("to") if isinstance(person, dict) else None
        if not isinstance(recipients, list) or not recipients:
            problems.append((f"personalizations.{i}.to", "The to array is required."))
        for j, to in enumerate(recipients if isinstance(recipients, list) else []):
            if not (isinstance(to, dict) and EMAIL.match(str(to.get("email", "")))):
                problems.append(
                    (f"personalizations.{i}.to.{j}.email", "Does not contain a valid address.")
                )
    sender = body.get("from")
    if not (isinstance(sender, dict) and EMAIL.match(str(sender.get("email", "")))):
        problems.append(("from.email", "The from email does not contain a valid address."))
    if not (isinstance(body.get("subject"), str) and body["subject"]):
        problems.append(("subject", "The subject is required."))
    content = body.get("content")
    if not isinstance(content, list) or not content:
        problems.append(("content", "Unless a valid template_id is provided, content is required."))
    for i, part in enumerate(content if isinstance(content, list) else []):
        if not (isinstance(part, dict) and isinstance(part.get("value"), str) and part["value"]):
            problems.append(
                (f"content.{i}.value", "The content value must be a string at least one character.")
            )
    for name in ("headers", "custom_args"):
        values = body.get(name, {})
        if not (isinstance(values, dict) and all(isinstance(v, str) for v in values.values())):
            problems.append((name, f"Invalid type. Expected: object of strings, given: {name}."))
    return problems


class SendGridServer(LoopbackServer):
    """SendGrid's v3 `POST /v3/mail/send` for the `sendgrid` SDK."""

    def __init__(self, latency: float = 0.0) -> None:
        super().__init__(latency)
        self.keys: set[str] = set()
        self.mails: list[Mail] = []
        self.counts: Counter[tuple[str, str]] = Counter()  # (to, subject) → times accepted

    def add_key(self, api_key: str) -> None:
        self.keys.add(api_key)

    def received(self, to: str | None = None) -> list[Mail]:
        """The emails accepted, oldest first (those to `to` only, when given)."""
        with self.lock:
            return [m for m in self.mails if to is None or to in m.to]

    def count(self, to: str, subject: str) -> int:
        return self.counts[(to, subject)]

    def handle(self, method: str, path: str, query: dict[str, str], request: Any) -> None:
        if (method, path) != ("POST", "/v3/mail/send"):
            request.answer(404, sendgrid_errors((None, "not found")))
            return
        key = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if key not in self.keys:
            problem = "The provided authorization grant is invalid, expired, or revoked"
            request.answer(401, sendgrid_errors((None, problem)))
            return
        failure = self._next_failure()
        if failure is not None:
            request.answer(failure[0], sendgrid_errors((None, "Service failure")))
            return
        try:
            body = json.loads(request.raw)
        except ValueError:
            body = None
        problems = mail_problems(body)
        if problems:
            request.answer(400, sendgrid_errors(*problems))
            return
        mail = self._record(key, body)
        request.answer(202, None, {"X-Message-Id": mail.message_id})

    def _record(self, api_key: str, body: dict[str, Any]) -> Mail:
        parts = {part["type"]: part["value"] for part in body["content"]}
        mail = Mail(
            message_id=secrets.token_urlsafe(16)[:22],
            api_key=api_key,
            to=tuple(to["email"] for p in body["personalizations"] for to in p["to"]),
            from_=body["from"]["email"],
            from_name=body["from"].get("name", ""),
            subject=body["subject"],
            text=parts.get("text/plain", ""),
            html=parts.get("text/html"),
            headers=dict(body.get("headers", {})),
            custom_args=dict(body.get("custom_args", {})),
        )
        with self.lock:
            self.mails.append(mail)
            for to in mail.to:
                self.counts[(to, mail.subject)] += 1
        return mail
