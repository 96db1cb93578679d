"""What the SMS and email adapters answer: the provider's id and word for an accepted message,
or a refusal that says whether trying again later may help."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sent:
    """A message the provider accepted: its id there (Twilio's SM… SID, SendGrid's
    X-Message-Id) and the provider's word for its state (queued, accepted, sent…)."""

    provider_id: str
    status: str


class SendFailed(Exception):
    """The provider refused or could not be reached. `transient`: worth retrying later (5xx,
    429, timeouts, connection errors); otherwise permanent (an invalid number, an unsubscribed
    recipient, bad credentials). `reason` is short and safe to show office staff: no tokens,
    no message bodies. `code` is the provider's error code or HTTP status, when there is one."""

    def __init__(self, reason: str, *, transient: bool, code: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient
        self.code = code
