"""Translations of every visible string, from Babel message catalogues.

Source strings in code are English and wrapped in `_()` (or marked with `N_()` where they
are defined and translated later); the `.po` files in `dashboard/translations/<lang>/
LC_MESSAGES/` hold the other languages (`messages.po` for the shell, one file per page, merged
when read). Simplified Chinese is the default; the
viewer's choice comes from the URL (`?lang=en`), then a cookie, then the settings.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

LANGUAGES: tuple[str, ...] = ("zh", "en")
LANGUAGE_COOKIE = "cityops_lang"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


@cache
def catalog(language: str) -> Catalog:
    """The message catalogue of `language` (all its `.po` files), parsed once per process."""
    merged = Catalog(locale=language)
    for path in sorted((TRANSLATIONS / language / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale=language):
                if message.id:
                    merged[message.id] = message
    return merged


def _(text: str, language: str) -> str:
    """`text` in `language`; English source strings are their own English translation."""
    if language == "en":
        return text
    message = catalog(language).get(text)
    return message.string if message is not None and message.string else text


def N_(text: str) -> str:
    """Mark a string for translation where it is defined; `_()` translates it where shown."""
    return text


def pick_language(requested: str | None, cookie: str | None, default: str) -> str:
    """The language to show: the URL's, else the browser's cookie, else the default."""
    for candidate in (requested, cookie, default):
        if candidate in LANGUAGES:
            return candidate
    return LANGUAGES[0]


def request_language(query_lang: str | None = None) -> str:
    """The viewer's language in the current Flask request (URL, cookie, then settings)."""
    import flask

    from dashboard.runtime import settings_of

    cookie = flask.request.cookies.get(LANGUAGE_COOKIE) if flask.has_request_context() else None
    default = settings_of(flask.current_app).language if flask.has_app_context() else "zh"
    return pick_language(query_lang, cookie, default)
