"""Where the files the web tier serves live, in a source checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def assets_dir() -> Path:
    """The folder Dash serves as `/assets/`: inside the package when installed from a wheel,
    else the repository's top-level `assets/`."""
    installed = _PACKAGE / "assets"
    return installed if installed.is_dir() else _PACKAGE.parent / "assets"


def districts_geojson() -> Path:
    """The six districts and counties of Lianyungang, WGS-84 GeoJSON shipped with the app."""
    return assets_dir() / "geo" / "lianyungang-districts.geojson"
