"""Request and response schemas shared by the JSON API and the pages, one module per domain (the
tables are the other modules of app/models)."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator, Field, ValidationError
from pydantic_core import PydanticCustomError

# Characters that end or break a line, or control a terminal: CR, LF, NEL, U+2028/2029 and every
# other C0/C1 control. None belongs in a name, a title or an address, and any of them in a value
# that reaches an email header or a log line could start a header or a line of its own.
_LINE_BREAKING = ("Cc", "Zl", "Zp")
TEXT_BLOCK_OK = frozenset("\n\r\t")  # what a paragraph may hold of the controls


def has_control_character(value: str, allowed: frozenset[str] = frozenset()) -> bool:
    return any(unicodedata.category(ch) in _LINE_BREAKING and ch not in allowed for ch in value)


def single_line(value: Any) -> Any:
    """The check behind ``SingleLine``, for types that are not plain ``str`` (``EmailStr``)."""
    if isinstance(value, str) and has_control_character(value):
        raise PydanticCustomError(
            "control_character", "Use one line of text, without line breaks or control characters."
        )
    return value


def text_block(value: Any) -> Any:
    """The check behind ``TextBlock``: line breaks and tabs kept, other control characters refused."""
    if isinstance(value, str) and has_control_character(value, TEXT_BLOCK_OK):
        raise PydanticCustomError("control_character", "Remove the control characters from this text.")
    return value


# The OpenAPI document states these rules as patterns (``api_contract`` turns the marker into one),
# so clients and the fuzzer see the characters the server refuses.
LINE_TEXT = Field(json_schema_extra={"x-text": "line"})
PARAGRAPH_TEXT = Field(json_schema_extra={"x-text": "paragraph"})
# Every single-line text field of every schema is built on this type (DESIGN §7).
SingleLine = Annotated[str, AfterValidator(single_line), LINE_TEXT]
# Text with paragraphs: line breaks and tabs are kept, other control characters refused.
TextBlock = Annotated[str, AfterValidator(text_block), PARAGRAPH_TEXT]

_CONTROLS = r"\x00-\x1f\x7f-\x9f\u2028\u2029"
_PARAGRAPH_CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029"
TEXT_PATTERNS = {
    # (any text, non-blank text) for each kind
    "line": (rf"^[^{_CONTROLS}]*$", rf"^[^{_CONTROLS}]*[^{_CONTROLS}\s][^{_CONTROLS}]*$"),
    "paragraph": (
        rf"^[^{_PARAGRAPH_CONTROLS}]*$",
        rf"^[^{_PARAGRAPH_CONTROLS}]*[^{_PARAGRAPH_CONTROLS}\s][^{_PARAGRAPH_CONTROLS}]*$",
    ),
}


# The deepest page any list serves: a bound in the schema, so a huge offset is a 422, never a 500.
MAX_OFFSET = 1_000_000
# A required text field: something other than spaces (the validators strip, then refuse blanks).
NON_BLANK = r"\S"


def documented(**rules: Any) -> Any:
    """Tell the OpenAPI document a rule a validator enforces (an enum, a non-blank pattern), so
    clients and generators see the same rule the server applies."""
    return Field(json_schema_extra=rules)


def required_text(maximum: int) -> Any:
    return documented(minLength=1, maxLength=maximum, pattern=NON_BLANK)


def field_errors(exc: ValidationError) -> dict[str, str]:
    """Pydantic errors as {field: first message in plain words}, for re-rendering a form beside its
    fields (the wording lives in ``messages``)."""
    from app.models.schemas.messages import field_errors as plain_field_errors

    return plain_field_errors(exc)
