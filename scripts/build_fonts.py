"""Build the web fonts in assets/fonts/: Noto Sans CJK SC, Regular and Bold, subset to WOFF2.

The app must show Chinese on any wall-screen browser, offline and without relying on the
fonts installed on that machine, so it ships its own. Run from the repository root, in the
virtualenv, with the build-only tools ``fonttools`` and ``brotli``
(``pip install fonttools brotli``) and Debian's ``fonts-noto-cjk`` (the source fonts) and,
optionally, ``unicode-data`` (Unihan, for the 通用规范汉字表 level-1 list)::

    python scripts/build_fonts.py           # rebuild the fonts, LICENSE-OFL.txt and README.md
    python scripts/build_fonts.py --check   # only check the shipped fonts cover the repo's text

The face "Noto Sans CJK SC" is taken from each TrueType collection (found by family name,
not by index) and subset to the union of:

* ASCII printable, Latin-1 Supplement, General Punctuation, CJK Symbols and Punctuation
  (U+3000–303F) and Halfwidth and Fullwidth Forms (U+FF00–FFEF);
* the 6,763 hanzi of GB 2312 (every valid two-byte code in rows 0xB0–0xF7, cells 0xA1–0xFE,
  decoded with Python's ``gb2312`` codec);
* the 3,500 characters of level 1 of 通用规范汉字表 (2013), derived from the Unihan field
  ``kTGH`` (index 1–3500) in /usr/share/unicode; skipped with a warning when it is missing;
* every non-ASCII character in the repository's text: ``*.po`` under dashboard/translations/,
  ``*.py`` under dashboard/, simulator/ and data_adapters/, and ``*.geojson``, ``*.toml`` and
  ``*.json`` under assets/ and data_adapters/.

Hinting is dropped, as are the vertical-writing tables and features (the app writes
horizontally); the layout features for CJK punctuation and Latin (``ccmp``, ``locl``,
``kern``, ``liga``, ``calt``, ``palt``, ``halt``) are kept. Before subsetting, the OpenType
language systems other than the default and Simplified Chinese (``ZHS``) are removed: their
``locl`` maps thousands of hanzi to Japanese, Korean and Traditional Chinese forms, which would
nearly double the glyph count, while the app always wants the Simplified Chinese forms.
``ZHS``'s own ``locl`` is kept: with ``<html lang="zh-CN">`` it gives, for example, the
full-width em dash of the Chinese dash "——". The script also writes
assets/fonts/LICENSE-OFL.txt (the font's copyright notice and the SIL Open Font License 1.1,
taken from the Debian package's copyright file) and assets/fonts/README.md (what the files
are, the source package version, sizes, and how to rebuild). The output does not depend on
the time it is built: running it twice writes the same bytes.

When the app's text gains a character outside GB 2312 and level 1 (a rare place name, say),
rerun this script; ``--check`` exits 1 and lists such characters.

Only this script needs fontTools; the app serves the committed WOFF2 files and never imports it.
"""

from __future__ import annotations

import argparse
import bz2
import subprocess
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

REPO_ROOT = Path(__file__).resolve().parent.parent
FONTS_DIR = REPO_ROOT / "assets" / "fonts"
SOURCE_DIR = Path("/usr/share/fonts/opentype/noto")
SOURCE_PACKAGE = "fonts-noto-cjk"
COPYRIGHT_FILE = Path("/usr/share/doc/fonts-noto-cjk/copyright")
UNIHAN_OTHER_MAPPINGS = Path("/usr/share/unicode/Unihan_OtherMappings.txt.bz2")
FAMILY = "Noto Sans CJK SC"
CSS_FAMILY = "CityOps Sans"

# (weight, source collection, output file)
WEIGHTS: tuple[tuple[int, str, str], ...] = (
    (400, "NotoSansCJK-Regular.ttc", "NotoSansSC-Regular.subset.woff2"),
    (700, "NotoSansCJK-Bold.ttc", "NotoSansSC-Bold.subset.woff2"),
)

UNICODE_BLOCKS: tuple[tuple[str, int, int], ...] = (
    ("ASCII printable", 0x0020, 0x007E),
    ("Latin-1 Supplement", 0x00A0, 0x00FF),
    ("General Punctuation", 0x2000, 0x206F),
    ("CJK Symbols and Punctuation", 0x3000, 0x303F),
    ("Halfwidth and Fullwidth Forms", 0xFF00, 0xFFEF),
)

# (folders, glob patterns), relative to the repository root
REPO_SOURCES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("dashboard/translations",), ("*.po",)),
    (("dashboard", "simulator", "data_adapters"), ("*.py",)),
    (("assets", "data_adapters"), ("*.geojson", "*.toml", "*.json")),
)

LAYOUT_FEATURES = ["ccmp", "locl", "kern", "liga", "calt", "palt", "halt"]
# OpenType language systems kept besides each script's default; the others' "locl" would pull
# in Japanese, Korean and Traditional Chinese glyph variants (13,078 glyphs instead of ~7,300).
KEEP_LANGSYS = {"ZHS "}
DROP_TABLES = ["vhea", "vmtx", "VORG"]  # vertical writing is not used
NAME_IDS = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # names, copyright, licence and its URL


@dataclass(frozen=True)
class CharSource:
    """A named set of code points that the subset must cover."""

    name: str
    codepoints: frozenset[int]


def block_sources() -> list[CharSource]:
    return [
        CharSource(name, frozenset(range(first, last + 1))) for name, first, last in UNICODE_BLOCKS
    ]


def gb2312_hanzi() -> CharSource:
    """The 6,763 hanzi of GB 2312: rows 0xB0–0xF7 (levels 1 and 2), cells 0xA1–0xFE."""
    chars: set[int] = set()
    for row in range(0xB0, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                char = bytes((row, cell)).decode("gb2312")
            except UnicodeDecodeError:
                continue  # the five unassigned codes at the end of row 0xD7
            chars.add(ord(char))
    return CharSource("GB 2312 hanzi", frozenset(chars))


def tgh_level1() -> CharSource | None:
    """Level 1 of 通用规范汉字表 (2013): the characters whose Unihan kTGH index is 1–3500."""
    if not UNIHAN_OTHER_MAPPINGS.is_file():
        return None
    chars: set[int] = set()
    with bz2.open(UNIHAN_OTHER_MAPPINGS, "rt", encoding="utf-8") as lines:
        for line in lines:
            if "\tkTGH\t" not in line:
                continue
            codepoint, _, value = line.rstrip("\n").split("\t")
            for entry in value.split():  # e.g. "2013:1234"
                _, index = entry.split(":")
                if 1 <= int(index) <= 3500:
                    chars.add(int(codepoint[2:], 16))
    return CharSource("通用规范汉字表 level 1", frozenset(chars))


def repo_files() -> list[Path]:
    files: set[Path] = set()
    for folders, patterns in REPO_SOURCES:
        for folder in folders:
            root = REPO_ROOT / folder
            if not root.is_dir():
                continue
            for pattern in patterns:
                files.update(p for p in root.rglob(pattern) if p.is_file())
    return sorted(files)


def repo_text() -> CharSource:
    """Every non-ASCII, printable character in the repository's text sources."""
    chars: set[int] = set()
    for path in repo_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        chars.update(
            ord(c)
            for c in text
            if ord(c) > 0x7E and unicodedata.category(c) not in {"Cc", "Cs", "Co", "Cn"}
        )
    chars.discard(0xFFFD)  # the replacement character stands for undecodable bytes
    return CharSource("repository text", frozenset(chars))


def all_sources() -> list[CharSource]:
    sources = [*block_sources(), gb2312_hanzi()]
    level1 = tgh_level1()
    if level1 is None:
        print(
            f"warning: {UNIHAN_OTHER_MAPPINGS} not found (apt-get install unicode-data); "
            "skipping 通用规范汉字表 level 1",
            file=sys.stderr,
        )
    else:
        sources.append(level1)
    sources.append(repo_text())
    return sources


def find_face(collection_path: Path) -> TTFont:
    """The face of `collection_path` whose family name is FAMILY, fully loaded."""
    collection = TTCollection(collection_path, lazy=True)
    for index, face in enumerate(collection.fonts):
        if face["name"].getDebugName(1) == FAMILY:
            return TTFont(collection_path, fontNumber=index)
    raise SystemExit(f"{collection_path}: no face named {FAMILY!r}")


def keep_simplified_chinese_only(font: TTFont) -> None:
    """Drop GSUB and GPOS language systems other than each script's default and KEEP_LANGSYS,
    so the subsetter's closure does not follow their features (the lookups they alone used
    are pruned with them)."""
    for tag in ("GSUB", "GPOS"):
        if tag not in font:
            continue
        for record in font[tag].table.ScriptList.ScriptRecord:
            script = record.Script
            script.LangSysRecord = [r for r in script.LangSysRecord if r.LangSysTag in KEEP_LANGSYS]
            script.LangSysCount = len(script.LangSysRecord)


def package_version() -> str:
    try:
        out = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", SOURCE_PACKAGE],
            check=True,
            capture_output=True,
            text=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip() or "unknown"


def subset_options() -> subset.Options:
    options = subset.Options()
    options.flavor = "woff2"
    options.hinting = False
    options.desubroutinize = True  # smaller after WOFF2's Brotli than the subroutinized CFF
    options.layout_features = list(LAYOUT_FEATURES)
    options.drop_tables = [*options.drop_tables, *DROP_TABLES]
    options.name_IDs = list(NAME_IDS)
    options.notdef_outline = True
    return options


@dataclass(frozen=True)
class Built:
    """One written font file."""

    weight: int
    path: Path
    size: int
    glyphs: int
    mapped: int
    version: str


def build_weight(weight: int, collection: str, output: str, wanted: set[int]) -> Built:
    font = find_face(SOURCE_DIR / collection)
    version = font["name"].getDebugName(5) or "unknown"
    keep_simplified_chinese_only(font)
    subsetter = subset.Subsetter(subset_options())
    subsetter.populate(unicodes=sorted(wanted))
    subsetter.subset(font)
    path = FONTS_DIR / output
    font.flavor = "woff2"
    font.recalcTimestamp = False  # TTFont.save would otherwise stamp head.modified with now
    font.save(path)
    font.close()
    with TTFont(path) as done:
        glyphs = len(done.getGlyphOrder())
        mapped = len(done.getBestCmap())
    return Built(weight, path, path.stat().st_size, glyphs, mapped, version)


def source_cmap() -> set[int]:
    face = find_face(SOURCE_DIR / WEIGHTS[0][1])
    try:
        return set(face.getBestCmap())
    finally:
        face.close()


def licence_text(copyright_notice: str) -> str:
    """The SIL OFL 1.1 stanza of the Debian copyright file, as plain text."""
    lines = COPYRIGHT_FILE.read_text(encoding="utf-8").splitlines()
    # The stand-alone "License: SIL-1.1" paragraph (not the one inside "Files: *") holds the
    # text, as continuation lines indented by one space, with " ." for an empty line.
    for start, line in enumerate(lines):
        if line.strip() != "License: SIL-1.1":
            continue
        body: list[str] = []
        for text in lines[start + 1 :]:
            if not text.startswith(" "):
                break
            body.append("" if text.strip() == "." else text[1:])
        if any("SIL OPEN FONT LICENSE Version 1.1" in text for text in body):
            break
    else:
        raise SystemExit(f"{COPYRIGHT_FILE}: no SIL OFL 1.1 text found")
    return (
        f"Noto Sans CJK SC: {copyright_notice}\n"
        "This Font Software is licensed under the SIL Open Font License, Version 1.1.\n"
        "This license is copied below, and is also available with a FAQ at:\n"
        "https://openfontlicense.org\n\n" + "\n".join(body).strip("\n") + "\n"
    )


def human(size: int) -> str:
    return f"{size / 1024 / 1024:.2f} MiB ({size:,} bytes)"


def readme_text(
    built: list[Built],
    sources: list[CharSource],
    added: dict[str, int],
    wanted: set[int],
    covered: set[int],
    missing: list[int],
) -> str:
    rows = "\n".join(
        f"| `{b.path.name}` | {b.weight} | {human(b.size)} | {b.glyphs:,} | {b.mapped:,} |"
        for b in built
    )
    source_rows = "\n".join(
        f"| {s.name} | {len(s.codepoints):,} | {added[s.name]:,} |" for s in sources
    )
    missing_note = (
        "Characters wanted but absent from the source font (the browser falls back to a system "
        "font for them): " + " ".join(f"U+{cp:04X}" for cp in missing) + "."
        if missing
        else "Every character wanted that is in the source font's cmap is in the subset."
    )
    return f"""# Web fonts

Subsets of **{FAMILY}** (Regular 400 and Bold 700) as WOFF2, so the app renders
Chinese on any wall-screen browser offline, without relying on fonts installed on that
machine.
`assets/css/00-fonts.css` declares them as the CSS family "{CSS_FAMILY}".

| file | weight | size | glyphs | characters mapped |
| --- | --- | --- | --- | --- |
{rows}

- Source: Debian package `{SOURCE_PACKAGE}` version `{package_version()}`,
  `{SOURCE_DIR}/NotoSansCJK-{{Regular,Bold}}.ttc`,
  face "{FAMILY}" ({built[0].version}).
- Licence: SIL Open Font License 1.1, see `LICENSE-OFL.txt` (copied from
  `{COPYRIGHT_FILE}`). The files are a Modified Version under the OFL
  (subset, hinting removed, converted to WOFF2); their internal names are unchanged.
- Hinting, vertical metrics and vertical-writing features are dropped. Kept layout features:
  {", ".join(f"`{f}`" for f in LAYOUT_FEATURES)}. Only the default and Simplified Chinese
  (`ZHS`) language systems are kept, so `locl` never switches to Japanese, Korean or
  Traditional forms; under `lang="zh-CN"` it gives Chinese punctuation such as the full-width
  em dash of "——".

## Characters

{len(wanted):,} code points wanted, {len(covered):,} of them in the font and so in the subset
(the rest are code points of the ranges above that the font lacks: spaces of special widths,
invisible format characters, rare punctuation and unassigned code points).

| source | characters | new over the rows above |
| --- | --- | --- |
{source_rows}

{missing_note}

## Rebuild

When the app's text gains a character outside GB 2312 and 通用规范汉字表 level 1, rebuild
(as root on Debian; `python scripts/build_fonts.py --check` tells whether it is needed):

```sh
apt-get install fonts-noto-cjk unicode-data   # source fonts; Unihan for level 1
. .venv/bin/activate
pip install fonttools brotli                  # build-time only
python scripts/build_fonts.py
```

It rewrites the two `.woff2` files, `LICENSE-OFL.txt` and this README. The output is
reproducible for the same source package, fontTools version and repository text.
"""


def collect(sources: Iterable[CharSource]) -> tuple[set[int], dict[str, int]]:
    wanted: set[int] = set()
    added: dict[str, int] = {}
    for source in sources:
        added[source.name] = len(source.codepoints - wanted)
        wanted |= source.codepoints
    return wanted, added


def check() -> int:
    """Exit status 1 when a character of the repository's text that the source font has (or,
    without the source font, any such character) is missing from a shipped subset."""
    repo = set(repo_text().codepoints)
    try:
        repo &= source_cmap()
    except OSError:
        print(f"note: {SOURCE_DIR} not readable; checking every non-ASCII character")
    status = 0
    for _, _, output in WEIGHTS:
        path = FONTS_DIR / output
        if not path.is_file():
            print(f"{path.relative_to(REPO_ROOT)}: missing")
            status = 1
            continue
        with TTFont(path) as font:
            lacking = sorted(repo - set(font.getBestCmap()))
        if lacking:
            status = 1
            chars = " ".join(f"{chr(cp)}(U+{cp:04X})" for cp in lacking)
            print(f"{path.relative_to(REPO_ROOT)}: lacks {len(lacking)}: {chars}")
        else:
            print(f"{path.relative_to(REPO_ROOT)}: covers all {len(repo):,} repository characters")
    if status:
        print("rebuild with: python scripts/build_fonts.py")
    return status


def build() -> int:
    sources = all_sources()
    wanted, added = collect(sources)
    in_font = source_cmap()
    covered = wanted & in_font
    # Ranges are filled whole, so their unassigned code points do not count as missing.
    ranges = set().union(*(s.codepoints for s in block_sources()))
    missing = sorted(cp for cp in wanted - in_font if cp not in ranges)

    print("characters by source (new over the sources above it):")
    for source in sources:
        print(f"  {len(source.codepoints):6,} (+{added[source.name]:5,})  {source.name}")
    print(f"  {len(wanted):6,}           union; in {FAMILY}: {len(covered):,}")
    if missing:
        print("  not in the source font: " + " ".join(f"U+{cp:04X}" for cp in missing))

    FONTS_DIR.mkdir(parents=True, exist_ok=True)
    built = [build_weight(w, coll, out, covered) for w, coll, out in WEIGHTS]
    for b in built:
        print(
            f"{b.path.relative_to(REPO_ROOT)}: {human(b.size)}, {b.glyphs:,} glyphs, "
            f"{b.mapped:,} characters mapped"
        )

    with TTFont(built[0].path) as font:
        notice = font["name"].getDebugName(0) or "© 2014-2021 Adobe (http://www.adobe.com/)."
    (FONTS_DIR / "LICENSE-OFL.txt").write_text(licence_text(notice), encoding="utf-8")
    (FONTS_DIR / "README.md").write_text(
        readme_text(built, sources, added, wanted, covered, missing), encoding="utf-8"
    )
    print(f"wrote {FONTS_DIR.relative_to(REPO_ROOT)}/LICENSE-OFL.txt and README.md")
    print(f"{SOURCE_PACKAGE} {package_version()}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="only check that the shipped fonts cover the repository's text; exit 1 if not",
    )
    args = parser.parse_args(argv)
    return check() if args.check else build()


if __name__ == "__main__":
    sys.exit(main())
