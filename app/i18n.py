"""Which language a page is shown in, and the gettext catalogues behind it (Babel + Jinja2 i18n).

The one place the language of a page is chosen. For anyone who is not staff, in order:

1. the language selector in the header (remembered in the ``steward_lang`` cookie);
2. the signed-in guardian's preferred language from the roster, or the signed-in vendor
   contact's own (chosen at sign-in or on the portal's profile page);
3. the browser's ``Accept-Language``;
4. English.

Staff pages (``/staff``, ``/dev``) stay English. A template that has not been translated yet is
shown in English with ``lang="en"`` whatever was chosen, so ``<html lang>`` never claims a
language the page is not written in.

The catalogues live in ``app/translations/<lang>/LC_MESSAGES/messages.po`` and are compiled to
``.mo`` by ``make translations`` (part of ``make install``). The active translations are held in
a context variable set around each render (``use``), so concurrent requests in the threadpool
never see each other's language.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.core import UnknownLocaleError, negotiate_locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations
from fastapi import Request

from app import formatting
from app.config import get_settings
from app.models.schemas.messages import FieldMessage

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
DEFAULT = "en"
LANGUAGES = {"en": "English", "es": "Español", "pt": "Português"}  # each in its own language
COOKIE = "steward_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

STAFF_PREFIXES = ("/staff", "/dev")
# Templates that are fully translated (prefixes of template names). Others are shown in English.
TRANSLATED = (
    "platform/public/home.html",
    "roster/family/",
    "disputes/about.html",
    "disputes/new.html",
    "disputes/filed.html",
    "disputes/check.html",
    "disputes/mine.html",
    "disputes/detail.html",
    "consent/family_",
    "vendors/registry/",
    "vendors/portal/",
    "incidents/new.html",  # a vendor contact reports from the portal (staff pages stay English)
    "incidents/mine.html",
    "errors/",
)

_active: ContextVar[str] = ContextVar("steward_language", default=DEFAULT)


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The compiled catalogue for ``lang`` (English is the source language: no catalogue).

    ``make translations`` compiles the ``.mo`` files; when one is missing or older than its
    ``.po`` (a checkout without ``make install``), the ``.po`` is compiled in memory instead.
    """
    if lang == DEFAULT:
        return _gettext.NullTranslations()
    folder = TRANSLATIONS_DIR / lang / "LC_MESSAGES"
    po, mo = folder / "messages.po", folder / "messages.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        return Translations.load(str(TRANSLATIONS_DIR), [lang], domain="messages")
    if not po.exists():
        return _gettext.NullTranslations()
    with po.open("rb") as source:
        catalog = read_po(source, locale=lang)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain="messages")


def N_(message: str) -> str:
    """Mark a message made in code for extraction; it is translated where it is shown (``| t``)."""
    return message


# A message's parts that are catalogue entries themselves: the field's name, an upload's refusal.
TRANSLATED_PARAMS = frozenset({"noun", "reason"})


def translate(message: object) -> str:
    """The ``t`` filter: a label made in code, translated, still escaped on output (never Markup).
    A form message (``FieldMessage``) is translated with the field's name inside it."""
    if isinstance(message, FieldMessage):
        if not message.params:
            return gettext(message.msgid)
        params = {k: gettext(v) if k in TRANSLATED_PARAMS else v for k, v in message.params.items()}
        return gettext(message.msgid).format(**params)
    return gettext(str(message)) if message else ""


def is_staff_path(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in STAFF_PREFIXES)


def _supported(value: str | None) -> str | None:
    if not value:
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else None


def from_accept_language(header: str | None) -> str | None:
    """The best supported language in an ``Accept-Language`` header, by its q-values."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, index, tag.strip().replace("-", "_")))
    preferred = [tag for _, _, tag in sorted(ranked)]
    found = negotiate_locale(preferred, [*LANGUAGES], sep="_")
    if found is None:  # "es_MX" is not "es" to negotiate_locale; try the bare language
        found = next((code for tag in preferred if (code := _supported(tag))), None)
    return found


def chosen(request: Request) -> str | None:
    """The language picked with the selector in the header, if any (an explicit choice)."""
    return _supported(request.cookies.get(COOKIE))


def negotiate(request: Request) -> str:
    """The language for this request's page (see the module note for the order)."""
    if is_staff_path(request.url.path):
        return DEFAULT
    if picked := chosen(request):
        return picked
    viewer = getattr(request.state, "viewer", None)
    for person in (getattr(viewer, "guardian", None), getattr(viewer, "vendor_contact", None)):
        if person is not None and (preferred := _supported(person.preferred_language)):
            return preferred
    return from_accept_language(request.headers.get("accept-language")) or DEFAULT


def follows_visitor(request: Request, template: str) -> bool:
    """Whether this page is shown in the visitor's language: a translated page, not for staff.

    Others are English, so that ``<html lang>`` never claims a language the page is not in."""
    return template.startswith(TRANSLATED) and not is_staff_path(request.url.path)


@contextmanager
def use(lang: str) -> Iterator[None]:
    """Make ``lang`` the active language for the renders inside the block."""
    token = _active.set(lang)
    try:
        yield
    finally:
        _active.reset(token)


def active() -> str:
    return _active.get()


def gettext(message: str) -> str:
    return translations(_active.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_active.get()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return translations(_active.get()).pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return translations(_active.get()).npgettext(context, singular, plural, n)


def _locale() -> Locale:
    try:
        return Locale.parse(_active.get())
    except (UnknownLocaleError, ValueError):
        return Locale.parse(DEFAULT)


def local_time(value: datetime | None, fmt: str | None = None) -> str:
    """A date and time in the district's zone, worded for the active language (Babel).

    English keeps the strftime format (``fmt`` when a template gives one)."""
    if value is None or _active.get() == DEFAULT:
        return formatting.local_time(value, fmt) if fmt else formatting.local_time(value)
    zone = get_settings().zone
    return format_datetime(value.astimezone(zone), "d MMM y, HH:mm", tzinfo=zone, locale=_locale())


def local_date(value: datetime | None) -> str:
    if value is None or _active.get() == DEFAULT:
        return formatting.local_date(value)
    zone = get_settings().zone
    return format_datetime(value.astimezone(zone), "d MMM y", tzinfo=zone, locale=_locale())


def long_date(value: date | datetime | None) -> str:
    """A calendar date in full, the way people say it ("23 December 2026", "23 de diciembre de
    2026"); a moment (a deadline) is first taken to its day in the district's time zone."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(get_settings().zone).date()
    return format_date(value, "d MMMM y" if _active.get() == DEFAULT else "long", locale=_locale())


def number(value: int | float) -> str:
    """A number written the active language's way ("10,000"; "10.000" in Spanish and Portuguese)."""
    return format_decimal(value, locale=_locale())


def month_year(value: date | datetime) -> str:
    """A month as people say it: "December 2026", "diciembre de 2026"."""
    return format_date(value, "LLLL y" if _active.get() == DEFAULT else "MMMM 'de' y", locale=_locale())
