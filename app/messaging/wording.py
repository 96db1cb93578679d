"""Message templates: what each kind of message says and whether the company sends it. Office
staff read them (with a preview); owners and admins reword them, turn kinds on and off, and go
back to the built-in wording. Rows in public.message_templates; a kind without one uses the
built-in wording (app/messaging/templates.py)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from app import db, roles, sql
from app.auth import identity
from app.forms import strip_text
from app.messaging import bp, templates
from app.views import confirmed

queries = sql.load(__file__, "wording.sql")
EDIT_PAGE = "messaging/template.html"
View = Response | str | tuple[str, int]


def _text(label: str, most: int, rows: int, **attributes: Any) -> TextAreaField:
    return TextAreaField(
        label,
        filters=[strip_text],
        validators=[
            DataRequired("Write the text."),
            Length(max=most, message=f"At most {most:,} characters."),
        ],
        render_kw={"rows": rows, **attributes},
    )


class TemplateForm(FlaskForm):
    sms_body = _text("Text message", 1600, 4, **{"data-segments": "sms-typed"})
    email_subject = _text("Email subject", 200, 1)
    email_body = _text("Email", 10000, 8)

    @property
    def texts(self) -> tuple[str, str, str]:
        """The typed text message, email subject and email body."""
        return (self.sms_body.data or "", self.email_subject.data or "", self.email_body.data or "")

    def check(self, kind: templates.Kind) -> bool:
        """The fields' own checks, then each text's variables against the kind's."""
        valid = self.validate_on_submit()
        for field in (self.sms_body, self.email_subject, self.email_body):
            if field.data and (found := templates.problems(kind, field.data)):
                field.errors = [*field.errors, *found]
                valid = False
        return valid


def _kind(name: str) -> templates.Kind:
    known = templates.KINDS.get(name)
    if known is None:
        abort(404)
    return known


def preview(kind: templates.Kind, sms: str, subject: str, body: str) -> dict[str, Any]:
    """The texts filled with the kind's sample values, and the text message's length."""
    text = templates.render(sms, kind.samples)
    return {
        "sms": text,
        "length": templates.sms_length(text),
        "subject": templates.render(subject, kind.samples),
        "body": templates.render(body, kind.samples),
    }


def _page(kind: templates.Kind, form: TemplateForm, enabled: bool, shown: bool) -> str:
    can_edit = bool(current_user.is_manager)
    if not can_edit:  # office staff read the wording and its preview
        for field in (form.sms_body, form.email_subject, form.email_body):
            field.render_kw = {**(field.render_kw or {}), "readonly": True}
    texts = form.texts
    return render_template(
        EDIT_PAGE,
        kind=kind,
        form=form,
        enabled=enabled,
        preview=preview(kind, *texts) if shown else None,
        built_in=texts == (kind.sms, kind.email_subject, kind.email_body),
        can_edit=can_edit,
    )


@bp.get("/company/messaging/templates")
@identity.company_required(*roles.OFFICE_STAFF)
def templates_list() -> str:
    own = {row["kind"]: row for row in db.query(queries.company_templates, _company())}
    rows = [
        {
            "kind": kind,
            "enabled": own[name]["enabled"] if name in own else True,
            "reworded": name in own
            and (own[name]["sms_body"], own[name]["email_subject"], own[name]["email_body"])
            != (kind.sms, kind.email_subject, kind.email_body),
        }
        for name, kind in templates.KINDS.items()
    ]
    return render_template(
        "messaging/templates.html",
        rows=rows,
        can_edit=bool(current_user.is_manager),
    )


def _company() -> dict[str, UUID]:
    return {"tenant_id": current_user.tenant_id}


@bp.get("/company/messaging/templates/<kind>")
@identity.company_required(*roles.OFFICE_STAFF)
def template(kind: str) -> str:
    known = _kind(kind)
    wording = templates.for_company(db.connection(), current_user.tenant_id, kind)
    form = TemplateForm(
        formdata=None,
        data={
            "sms_body": wording.sms,
            "email_subject": wording.email_subject,
            "email_body": wording.email_body,
        },
    )
    return _page(known, form, wording.enabled, shown=True)


@bp.post("/company/messaging/templates/<kind>")
@identity.company_required(*roles.MANAGERS)
def save_template(kind: str) -> View:
    """Save (or, with the Preview button, only show) the typed wording."""
    known = _kind(kind)
    enabled = templates.for_company(db.connection(), current_user.tenant_id, kind).enabled
    form = TemplateForm()
    if not form.check(known):
        return _page(known, form, enabled, shown=False), 422
    if request.form.get("action") == "preview":
        return _page(known, form, enabled, shown=True)
    _save(kind, *form.texts)
    flash(f"{known.label}: saved.", "success")
    return redirect(url_for("messaging.template", kind=kind), code=303)


def _save(kind: str, sms: str, email_subject: str, email_body: str) -> None:
    """The company's wording of `kind` (whether the kind is sent is kept)."""
    db.write(
        queries.save_template,
        _company()
        | {"kind": kind, "sms_body": sms, "email_subject": email_subject, "email_body": email_body},
    )


@bp.post("/company/messaging/templates/<kind>/reset")
@identity.company_required(*roles.MANAGERS)
def reset_template(kind: str) -> Response:
    """Back to the built-in wording (whether the kind is sent is kept)."""
    known = _kind(kind)
    confirmed()
    _save(kind, known.sms, known.email_subject, known.email_body)
    flash(f"{known.label}: back to the built-in wording.", "success")
    return redirect(url_for("messaging.template", kind=kind), code=303)


@bp.post("/company/messaging/templates/<kind>/enabled")
@identity.company_required(*roles.MANAGERS)
def switch_template(kind: str) -> Response:
    """Turn a kind of message on or off (`enabled` = "1" or "0")."""
    known = _kind(kind)
    confirmed()
    enabled = request.form.get("enabled") == "1"
    wording = templates.for_company(db.connection(), current_user.tenant_id, kind)
    db.write(
        queries.set_enabled,
        _company()
        | {
            "kind": kind,
            "enabled": enabled,
            "sms_body": wording.sms,
            "email_subject": wording.email_subject,
            "email_body": wording.email_body,
        },
    )
    flash(f"{known.label}: {'sent' if enabled else 'not sent'} from now on.", "success")
    if request.form.get("back") == "list":
        return redirect(url_for("messaging.templates_list"), code=303)
    return redirect(url_for("messaging.template", kind=kind), code=303)
