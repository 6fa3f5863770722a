"""Email bodies from templates in the recipient's language (``templates/email/<name>.<lang>.txt``).

The first line of a template is ``Subject: ...``; the rest is the plain-text body. A language
without its own template falls back to English.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound, select_autoescape

from app.config import get_settings

TEMPLATES_DIR = Path(__file__).parent / "templates"

LANGUAGES = ("en", "es", "pt")
_env = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR / "email"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


def render_email(template_name: str, language: str, /, **context: Any) -> tuple[str, str, str]:
    """Returns (subject, body, language actually used)."""
    settings = get_settings()
    ctx = {"district_name": settings.district_name, "base_url": settings.base_url.rstrip("/"), **context}
    # A BCP 47 tag from the roster (es-MX, pt-BR) is served in its language; any other in English.
    primary = (language or "en").split("-", 1)[0].lower()
    lang = primary if primary in LANGUAGES else "en"
    try:
        template = _env.get_template(f"{template_name}.{lang}.txt")
    except TemplateNotFound:
        lang = "en"
        template = _env.get_template(f"{template_name}.en.txt")
    first, _, body = template.render(ctx).partition("\n")
    if not first.startswith("Subject: "):
        raise ValueError(f"email template {template_name}.{lang}.txt must start with 'Subject: '")
    return first.removeprefix("Subject: ").strip(), body.lstrip("\n"), lang


def email_date(value: date | None, language: str) -> str:
    """A calendar date as the reader's language writes it in full: "23 December 2026",
    "23 de diciembre de 2026", "23 de dezembro de 2026" (English for any other language)."""
    if value is None:
        return ""
    primary = (language or "en").split("-", 1)[0].lower()
    if primary not in LANGUAGES or primary == "en":
        return f"{value.day} {format_date(value, 'MMMM y', locale='en')}"
    return format_date(value, "long", locale=primary)
