"""Import forms: the upload, and the mapping of the file's columns to customer fields."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField

from app.forms import choices
from app.imports import fields

TARGET_CHOICES = choices(fields.TARGETS.items())


class UploadForm(FlaskForm):
    file = FileField(
        "CSV file",
        validators=[
            FileRequired("Choose a CSV file to upload."),
            FileAllowed(["csv", "txt", "tsv"], "Upload a .csv file (save the spreadsheet as CSV)."),
        ],
        description="Exported from a spreadsheet or another system; at most 10 MB.",
        render_kw={"accept": ".csv,.txt,.tsv,text/csv"},
    )


class MappingForm(FlaskForm):
    """One select per column of the file (`column_0`, `column_1`, …), added by `mapping_form`."""

    def mapping(self) -> list[str]:
        return [str(self[f"column_{i}"].data or "") for i in range(self.columns)]

    columns = 0


def mapping_form(headers: list[str], mapping: list[str]) -> MappingForm:
    """A form whose selects start at the stored (or guessed) mapping."""

    class Form(MappingForm):
        pass

    for index, header in enumerate(headers):
        default = mapping[index] if index < len(mapping) else fields.IGNORE
        label = header or f"Column {index + 1}"
        setattr(
            Form, f"column_{index}", SelectField(label, choices=TARGET_CHOICES, default=default)
        )
    Form.columns = len(headers)
    return Form()
