"""The configured sources (`CITYOPS_SOURCES_FILE`) as the web tier sees them: catalogue entries
(provider, format, share type, update cycle) to show beside every number.

The file is read again only when it changes (by modification time), so every worker sees an
edited file without a restart and no request parses it twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from data_adapters.settings import Settings
from data_adapters.sources import REGISTRY
from data_adapters.sources.config import SourcesConfigError, SourceSpec, load_sources


def configured_sources(settings: Settings) -> Mapping[str, SourceSpec]:
    """The sources of the settings' sources file by id (read-only: it is shared by every
    request); empty when none is configured."""
    path = settings.sources_file
    if path is None:
        return MappingProxyType({})
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return MappingProxyType({})
    return _load(path.resolve(), stamp)


@lru_cache(maxsize=4)
def _load(path: Path, _stamp: int) -> Mapping[str, SourceSpec]:
    try:
        return MappingProxyType({spec.id: spec for spec in load_sources(path, REGISTRY)})
    except SourcesConfigError:
        return MappingProxyType({})
