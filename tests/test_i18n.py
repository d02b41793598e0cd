"""Every visible string has a Simplified Chinese translation, and the catalogue has no strays."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from dashboard.i18n import LANGUAGES, N_, _, catalog, pick_language

DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard"


def _source_strings() -> set[str]:
    found = extract_from_dir(
        str(DASHBOARD), method_map=[("**.py", "python")], keywords={"_": (1,), "N_": None}
    )
    return {message for _file, _line, message, _comments, _context in found if message}


def test_strings_are_found() -> None:
    assert {"Overview", "City Operations Centre"} <= _source_strings()


def test_every_string_has_a_chinese_translation() -> None:
    zh = catalog("zh")
    missing = sorted(s for s in _source_strings() if not (zh.get(s) and zh.get(s).string))
    assert missing == [], (
        f"add these to dashboard/translations/zh/LC_MESSAGES/messages.po: {missing}"
    )


def test_catalogue_has_no_unused_entries() -> None:
    used = _source_strings()
    stale = sorted(m.id for m in catalog("zh") if m.id and m.id not in used)
    assert stale == []


def test_translation_and_fallback() -> None:
    assert _("Overview", "zh") == "城市总览"
    assert _("Overview", "en") == "Overview"
    assert _("A string nobody translated", "zh") == "A string nobody translated"
    assert N_("x") == "x"


@pytest.mark.parametrize(
    ("requested", "cookie", "default", "expected"),
    [
        ("en", "zh", "zh", "en"),
        (None, "en", "zh", "en"),
        (None, None, "zh", "zh"),
        ("fr", "xx", "en", "en"),
        (None, None, "de", "zh"),
    ],
)
def test_pick_language(requested, cookie, default, expected) -> None:
    assert pick_language(requested, cookie, default) == expected
    assert expected in LANGUAGES


def test_each_string_is_translated_in_one_file_only() -> None:
    from babel.messages.pofile import read_po

    from dashboard.i18n import TRANSLATIONS

    seen: dict[str, str] = {}
    for path in sorted((TRANSLATIONS / "zh" / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle):
                if message.id:
                    assert message.id not in seen, (
                        f"{message.id!r} in {seen.get(message.id)} and {path.name}"
                    )
                    seen[message.id] = path.name
