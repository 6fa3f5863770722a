"""The language a page is shown in, and the catalogues behind it (app/i18n.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from starlette.requests import Request

from app import i18n

ROOT = Path(__file__).resolve().parent.parent
METHOD_MAP = [("**.py", "python"), ("templates/**.html", "jinja2")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}


@dataclass
class _Guardian:
    preferred_language: str


@dataclass
class _Viewer:
    guardian: _Guardian | None


def _request(
    path: str = "/", *, cookie: str | None = None, accept: str | None = None, viewer=None
) -> Request:
    headers = []
    if cookie is not None:
        headers.append((b"cookie", f"{i18n.COOKIE}={cookie}".encode()))
    if accept is not None:
        headers.append((b"accept-language", accept.encode()))
    request = Request(
        {"type": "http", "method": "GET", "path": path, "headers": headers, "query_string": b""}
    )
    if viewer is not None:
        request.state.viewer = viewer
    return request


def test_the_selector_cookie_wins_over_everything() -> None:
    request = _request(cookie="pt", accept="es", viewer=_Viewer(_Guardian("es")))
    assert i18n.negotiate(request) == "pt"


def test_then_the_guardians_preferred_language_then_the_browser() -> None:
    assert i18n.negotiate(_request(accept="pt", viewer=_Viewer(_Guardian("es")))) == "es"
    # A guardian whose roster language is not offered falls through to the browser's.
    assert i18n.negotiate(_request(accept="pt-BR,pt;q=0.9", viewer=_Viewer(_Guardian("vi")))) == "pt"
    # A requester (no guardian row) has the browser's language.
    assert i18n.negotiate(_request(accept="es-MX", viewer=_Viewer(None))) == "es"


def test_then_english() -> None:
    assert i18n.negotiate(_request()) == "en"
    assert i18n.negotiate(_request(accept="fr-FR, de;q=0.8")) == "en"
    assert i18n.negotiate(_request(cookie="xx")) == "en"  # an unknown cookie value is ignored


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("es", "es"),
        ("es-419,es;q=0.9", "es"),
        ("fr, pt;q=0.5, es;q=0.4", "pt"),  # by quality, not by order alone
        ("es;q=0.2, pt;q=0.9", "pt"),
        ("es;q=0, en", "en"),  # q=0 means "not this one"
        ("en-US,en;q=0.9,es;q=0.8", "en"),
        ("*", None),
        ("es;q=abc, pt", "pt"),  # a broken q-value counts as not wanted
    ],
)
def test_accept_language(header: str, expected: str | None) -> None:
    assert i18n.from_accept_language(header) == expected


def test_staff_pages_stay_english() -> None:
    request = _request("/staff/disputes", cookie="es", accept="pt", viewer=_Viewer(_Guardian("es")))
    assert i18n.negotiate(request) == "en"
    assert i18n.negotiate(_request("/staffing", cookie="es")) == "es"  # a prefix, not a substring


def test_the_active_language_is_per_context() -> None:
    with i18n.use("es"):
        assert i18n.gettext("My concerns") == "Mis inquietudes"
        with i18n.use("pt"):
            assert i18n.gettext("My concerns") == "Minhas reclamações"
        assert i18n.gettext("My concerns") == "Mis inquietudes"
    assert i18n.gettext("My concerns") == "My concerns"


def _catalog(lang: str):
    with (i18n.TRANSLATIONS_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=lang)


@pytest.mark.parametrize("lang", ["es", "pt"])
def test_every_message_is_translated_and_none_is_fuzzy(lang: str) -> None:
    catalog = _catalog(lang)
    assert not catalog.fuzzy, f"{lang}: the catalogue header is marked fuzzy"
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        elif not all(strings):
            problems.append(f"untranslated: {message.id!r}")
        elif "%(" in str(message.id):  # every placeholder kept, none invented
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            wanted = {p for i in ids for p in _placeholders(i)}
            if any(_placeholders(s) != wanted for s in strings):
                problems.append(f"placeholders differ: {message.id!r}")
    assert problems == []


def _placeholders(text: str) -> set[str]:
    import re

    return set(re.findall(r"%\((\w+)\)s", text))


@pytest.mark.parametrize("lang", ["es", "pt"])
def test_the_catalogues_hold_every_message_of_the_pages(lang: str) -> None:
    """A new or changed {% trans %} without `make messages-update` fails here."""
    extracted = {
        message if isinstance(message, str) else message[0]
        for _filename, _line, message, _comments, _context in extract_from_dir(
            str(ROOT / "app"), METHOD_MAP, options_map=OPTIONS
        )
    }
    catalog = _catalog(lang)
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    assert sorted(extracted - known) == []


@pytest.mark.parametrize("lang", ["es", "pt"])
def test_the_compiled_catalogue_translates(lang: str) -> None:
    i18n.translations.cache_clear()
    with i18n.use(lang):
        assert i18n.gettext("Raise a concern") != "Raise a concern"
        assert "3" in i18n.ngettext("Overdue by %(count)s day", "Overdue by %(count)s days", 3) % {"count": 3}
