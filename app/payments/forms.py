"""Forms of online payments: the company's Stripe settings and a refund."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import UUID, DataRequired, Length, Optional, Regexp

from app.forms import AmountField, PercentField, strip_text

SECRET_KEY_FORMAT = re.compile(r"^(sk|rk)_(test|live)_[A-Za-z0-9]{8,240}$")
WEBHOOK_SECRET_FORMAT = re.compile(r"^whsec_[A-Za-z0-9+/=]{8,240}$")


class StripeSettingsForm(FlaskForm):
    """Keys are typed in and never shown back: an empty field keeps the saved key."""

    secret_key = PasswordField(
        "Secret key",
        filters=[strip_text],
        validators=[
            Optional(),
            Regexp(SECRET_KEY_FORMAT, message="Paste the secret key: sk_live_… or sk_test_…"),
        ],
    )
    webhook_secret = PasswordField(
        "Webhook signing secret",
        filters=[strip_text],
        validators=[
            Optional(),
            Regexp(WEBHOOK_SECRET_FORMAT, message="Paste the signing secret: whsec_…"),
        ],
    )
    remove_secret_key = BooleanField("Remove the saved secret key")
    remove_webhook_secret = BooleanField("Remove the saved webhook signing secret")
    deposit_percent = PercentField(
        "Deposit on approved estimates (%)",
        validators=[Optional()],
    )

    def removed(self) -> tuple[str, ...]:
        return tuple(
            name
            for name, field in (
                ("secret_key", self.remove_secret_key),
                ("webhook_secret", self.remove_webhook_secret),
            )
            if field.data
        )


class RefundForm(FlaskForm):
    """Give back some or all of an online payment."""

    attempt_id = HiddenField(validators=[DataRequired(), UUID()])
    request_key = HiddenField(validators=[DataRequired(), UUID()])
    amount = AmountField("Amount to give back", validators=[DataRequired("Enter an amount.")])
    reason = StringField(
        "Reason",
        filters=[strip_text],
        validators=[Optional(), Length(max=200, message="Keep it under 200 characters.")],
    )
