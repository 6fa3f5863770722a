"""Form messages in plain words: the one place a validation error becomes what a person reads.

A page shows a field's error next to the field and in the error summary, so each message names the
field and says what to do ("Enter your name.", "Enter your email address in the correct format,
like name@example.com."), never the validator's wording ("Field required", "String should have at
least 1 character"). The JSON API keeps its own problem+json details (``app.problems``).

A message is a ``FieldMessage``: a ``str`` holding the English text, which also carries its message
id and values, so the ``t`` filter (``app.i18n.translate``) shows it in the family's language.
Message ids and field names are marked with ``N_`` for ``pybabel extract``.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError


def N_(message: str) -> str:
    return message


class FieldMessage(str):
    """A message's English text; ``msgid`` and ``params`` let a page translate it (``noun`` too)."""

    msgid: str
    params: dict[str, str]

    def __new__(cls, msgid: str, **params: str) -> FieldMessage:
        message = super().__new__(cls, msgid.format(**params) if params else msgid)
        message.msgid = msgid
        message.params = params
        return message


# What each form field is called in a sentence ("Enter <noun>."). A field not listed here is named
# after its validator's label, or else its own name ("the start date" for start_date).
FIELD_NOUNS = {
    "email": N_("your email address"),
    "requester_name": N_("your name"),
    "requester_relation": N_("how you are related to the student"),
    "requester_email": N_("the requester email address"),
    "description": N_("the description of the concern"),
    "student_description": N_("the name and school of the student"),
    "student_id": N_("the child this is about"),
    "category": N_("what the concern is about"),
    "language": N_("the language for our answer"),
    "preferred_language": N_("the language of the emails"),
    "contact_language": N_("the language of the emails"),
    "attachment": N_("the document or photo"),
    "body": N_("the message"),
    "name": N_("the name"),
    "contact_email": N_("the contact email address"),
    "contact_name": N_("the contact name"),
    "privacy_policy_url": N_("the privacy policy address"),
    "website": N_("the website address"),
    "signatory_name": N_("the signatory name"),
    "signatory_title": N_("the signatory title"),
    "title": N_("the title"),
    "reason": N_("the reason"),
    "note": N_("the note"),
    "purpose": N_("the purpose"),
    "data_elements": N_("the data elements"),
    "roles": N_("at least one role"),
    "template": N_("the agreement template"),
    "effective_on": N_("the effective date"),
    "expires_on": N_("the expiry date"),
    "breach_notice_hours": N_("the hours the vendor has to tell us of a breach"),
}

# Fields answered by choosing (radios, selects, checkboxes): a missing answer is "Choose ...".
CHOICE_FIELDS = frozenset(
    {
        "category",
        "student_id",
        "requester_relation",
        "language",
        "preferred_language",
        "contact_language",
        "template",
        "roles",
        "kind",
        "scopes",
        "adoption",
        "answer",
        "route",
        "channel",
        "decision",
        "status",
        "entity_type",
    }
)

ENTER = N_("Enter {noun}.")
TOO_SHORT = N_("Enter at least {minimum} characters for {noun}.")
TOO_LONG = N_("Shorten {noun} to {maximum} characters or fewer.")
EMAIL = N_("Enter {noun} in the correct format, like name@example.com.")
CHOOSE = N_("Choose {noun}.")
CHOOSE_SOME = N_("Choose at least one option for {noun}.")
WHOLE_NUMBER = N_("Enter {noun} as a whole number, like 12.")
NUMBER = N_("Enter {noun} as a number.")
AT_LEAST = N_("Enter a number of at least {limit} for {noun}.")
AT_MOST = N_("Enter a number no more than {limit} for {noun}.")
DATE = N_("Enter {noun} as a real date, like 23 December 2026.")
DATE_TIME = N_("Enter {noun} as a real date and time.")
WEB_ADDRESS = N_("Enter {noun} as a web address starting with https://.")
YES_OR_NO = N_("Choose yes or no for {noun}.")
ONE_LINE = N_("Write {noun} on one line, without line breaks or control characters.")
CONTROLS = N_("Remove the control characters from {noun}.")
CHECK = N_("Check {noun}: it is not in a form we can use.")

_BY_TYPE = {
    "missing": ENTER,
    "missing_text": ENTER,
    "string_type": ENTER,
    "too_long": TOO_LONG,
    "string_too_long": TOO_LONG,
    "enum": CHOOSE,
    "literal_error": CHOOSE,
    "uuid_parsing": CHOOSE,
    "uuid_type": CHOOSE,
    "too_short": CHOOSE_SOME,
    "int_parsing": WHOLE_NUMBER,
    "int_type": WHOLE_NUMBER,
    "int_from_float": WHOLE_NUMBER,
    "float_parsing": NUMBER,
    "float_type": NUMBER,
    "decimal_parsing": NUMBER,
    "decimal_type": NUMBER,
    "greater_than_equal": AT_LEAST,
    "greater_than": AT_LEAST,
    "less_than_equal": AT_MOST,
    "less_than": AT_MOST,
    "date_parsing": DATE,
    "date_type": DATE,
    "date_from_datetime_parsing": DATE,
    "date_from_datetime_inexact": DATE,
    "datetime_parsing": DATE_TIME,
    "datetime_type": DATE_TIME,
    "datetime_from_date_parsing": DATE_TIME,
    "url_parsing": WEB_ADDRESS,
    "url_scheme": WEB_ADDRESS,
    "url_type": WEB_ADDRESS,
    "bool_parsing": YES_OR_NO,
    "bool_type": YES_OR_NO,
}


def noun_of(field: str, ctx: dict[str, Any] | None = None) -> str:
    """How a field is named in a sentence: listed, else its validator's label, else its name."""
    if field in FIELD_NOUNS:
        return FIELD_NOUNS[field]
    label = str((ctx or {}).get("label") or "")
    if label:
        return label[0].lower() + label[1:]
    words = field.replace("_", " ")
    for ending, instead in ((" on", " date"), (" at", " date and time"), (" id", "")):
        if words.endswith(ending):
            words = words.removesuffix(ending) + instead
    return "the " + words


def message_for(field: str, err: Any) -> FieldMessage:
    """One pydantic error (``ValidationError.errors()`` item) as a plain-words message for ``field``."""
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    noun = noun_of(field, ctx)
    text = str(err.get("msg", "")).removeprefix("Value error, ")
    if kind == "string_too_short":
        minimum = int(ctx.get("min_length", 1))
        return (
            FieldMessage(ENTER, noun=noun)
            if minimum <= 1
            else FieldMessage(TOO_SHORT, noun=noun, minimum=str(minimum))
        )
    if kind == "string_pattern_mismatch":
        return FieldMessage(ENTER if "\\S" in str(ctx.get("pattern", "")) else CHECK, noun=noun)
    if kind in ("too_long", "string_too_long"):
        maximum = ctx.get("maximum") or ctx.get("max_length") or ""
        return FieldMessage(
            TOO_LONG, noun=noun, maximum=f"{maximum:,}" if isinstance(maximum, int) else str(maximum)
        )
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        limit = next((ctx[k] for k in ("ge", "gt", "le", "lt") if k in ctx), "")
        return FieldMessage(_BY_TYPE[kind], noun=noun, limit=str(limit))
    if kind == "value_error" and "email" in text.lower():
        return FieldMessage(EMAIL, noun=noun)
    if kind == "control_character":
        return FieldMessage(ONE_LINE if "one line" in text else CONTROLS, noun=noun)
    if kind in ("missing", "missing_text") and field in CHOICE_FIELDS:
        return FieldMessage(CHOOSE, noun=noun)
    if kind == "too_short" and field in FIELD_NOUNS:
        return FieldMessage(CHOOSE, noun=noun)
    if kind in _BY_TYPE:
        return FieldMessage(_BY_TYPE[kind], noun=noun)
    # A rule of our own (a model validator, a custom error): its message is already in plain words.
    return FieldMessage(text) if text else FieldMessage(CHECK, noun=noun)


def field_errors(exc: ValidationError) -> dict[str, str]:
    """Pydantic errors as {field: first message in plain words}, for re-rendering a form."""
    errors: dict[str, str] = {}
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else "form"
        if field not in errors:
            errors[field] = message_for(field, err)
    return errors
