"""Source adapters, one short module per kind, and the explicit registry that builds them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from data_adapters.contract import Adapter, ConfigError
from data_adapters.sources import cap
from data_adapters.sources.config import SourceSpec, resolve
from data_adapters.sources.files import FilesAdapter
from data_adapters.sources.http import HttpAdapter
from data_adapters.sources.open311 import Open311Adapter
from data_adapters.sources.sensorthings import SensorThingsAdapter
from data_adapters.sources.sql import SqlAdapter

#: Adapter kinds by name: a plain dict, no registration by import side effects.
REGISTRY: dict[str, Callable[[Mapping[str, Any]], Adapter]] = {
    "sql": SqlAdapter.from_options,
    "http": HttpAdapter.from_options,
    "files": FilesAdapter.from_options,
    "cap": cap.from_options,
    "open311": Open311Adapter.from_options,
    "sensorthings": SensorThingsAdapter.from_options,
}


def build_adapter(spec: SourceSpec, environ: Mapping[str, str] | None = None) -> Adapter:
    """The adapter for `spec`, its `${VAR}` options filled from the environment.

    Raises `ConfigError` for an unknown kind, a missing variable or bad options.
    """
    try:
        factory = REGISTRY[spec.kind]
    except KeyError:
        raise ConfigError(f"source {spec.id}: unknown kind {spec.kind!r}") from None
    return factory(resolve(spec.options, environ))
