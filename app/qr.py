"""QR codes drawn on the server as inline SVG (segno): no script, no image request, nothing
sent elsewhere. The authenticator's key at enrolment and a document's link on the technician's
phone are both drawn here."""

from __future__ import annotations

import segno


def svg(text: str, scale: int = 5, sized: bool = True) -> str:
    """`text` as a QR code in inline SVG markup (error correction M, a quiet zone of two
    modules). Unsized (`sized=False`) it has only a viewBox and fills the width CSS gives it."""
    return segno.make(text, error="m").svg_inline(
        scale=scale, border=2, dark="#111", light="#fff", omitsize=not sized
    )
