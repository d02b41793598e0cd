"""Loading the configured sources and their adapters, shared by `clock` and `sources`."""

from __future__ import annotations

from pathlib import Path

from dashboard.commands.base import UserError
from data_adapters.contract import Adapter, ConfigError
from data_adapters.settings import Settings
from data_adapters.sources import REGISTRY, build_adapter
from data_adapters.sources.config import SourcesConfigError, SourceSpec, load_sources

DEMO_SOURCES = Path(__file__).resolve().parents[2] / "data_adapters" / "demo_sources.toml"


def configured_sources(settings: Settings) -> list[SourceSpec]:
    """The sources of `CITYOPS_SOURCES_FILE`, validated; a one-line error when unusable."""
    if settings.sources_file is None:
        raise UserError("no sources file: set CITYOPS_SOURCES_FILE (see docs/sources.md)")
    try:
        return load_sources(settings.sources_file, REGISTRY)
    except SourcesConfigError as exc:
        raise UserError(str(exc)) from None


def build_adapters(specs: list[SourceSpec]) -> dict[str, Adapter]:
    """One adapter per enabled source; a configuration error names the source."""
    adapters: dict[str, Adapter] = {}
    for spec in specs:
        if not spec.enabled:
            continue
        try:
            adapters[spec.id] = build_adapter(spec)
        except ConfigError as exc:
            raise UserError(f"source {spec.id}: {exc.operator_message}") from None
    return adapters
