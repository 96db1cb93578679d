"""Import forms: the upload, and the mapping of the file's columns to the kind's fields."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import Optional, Regexp

from app.forms import choices, strip_text
from app.imports.kinds import KINDS
from app.imports.plan import Kind

IGNORE = ""


class UploadForm(FlaskForm):
    kind = SelectField(
        "What the file holds",
        default="customers",
        description="Import customers first: the other kinds find their customers by name, "
        "email, phone or the old system's id.",
    )
    file = FileField(
        "File",
        validators=[
            FileRequired("Choose a file to upload."),
            FileAllowed(
                ["csv", "txt", "tsv", "xlsx"],
                "Upload a .csv or .xlsx file (save other spreadsheets as one of them).",
            ),
        ],
        description="A CSV or Excel (.xlsx) file exported from a spreadsheet or another system;"
        " at most 40 MB.",
        render_kw={
            "accept": ".csv,.txt,.tsv,.xlsx,text/csv,"
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        },
    )

    def __init__(self) -> None:
        super().__init__()
        self.kind.choices = [(key, kind.label) for key, kind in KINDS.items()]


class MappingForm(FlaskForm):
    """One select per column of the file (`column_0`, `column_1`, …), added by `mapping_form`."""

    area_code = StringField(
        "Area code for 7-digit numbers",
        filters=[strip_text],
        validators=[Optional(), Regexp(r"^[2-9][0-9]{2}$", message="Enter 3 digits, like 217.")],
        description="Leave blank to leave 7-digit numbers out (each is flagged in the preview);"
        " fill in to complete them with this area code.",
        render_kw={"inputmode": "numeric", "maxlength": 3, "autocomplete": "off"},
    )
    columns = 0

    def mapping(self) -> list[str]:
        return [str(self[f"column_{i}"].data or "") for i in range(self.columns)]


def mapping_form(
    kind: Kind, headers: list[str], mapping: list[str], area_code: str = ""
) -> MappingForm:
    """A form whose selects start at the stored (preset or guessed) mapping."""
    target_choices = choices((key, target.label) for key, target in kind.targets.items())

    class Form(MappingForm):
        pass

    for index, header in enumerate(headers):
        default = mapping[index] if index < len(mapping) else IGNORE
        label = header or f"Column {index + 1}"
        setattr(
            Form, f"column_{index}", SelectField(label, choices=target_choices, default=default)
        )
    Form.columns = len(headers)
    form = Form()
    if not form.is_submitted():
        form.area_code.data = area_code
    return form


def mapping_problem(kind: Kind, mapping: list[str]) -> str | None:
    """Why a mapping cannot be used, or None."""
    chosen = [target for target in mapping if target != IGNORE]
    repeated = sorted(
        {kind.targets[t].label for t in chosen if chosen.count(t) > 1 and not kind.targets[t].many}
    )
    if repeated:
        return f"Each of these fields can come from one column only: {', '.join(repeated)}."
    if not any(target in kind.naming for target in chosen):
        names = ", ".join(kind.targets[t].label for t in kind.naming)
        return f"Choose the column (or columns) that name each record: {names}."
    return None
