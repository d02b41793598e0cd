"""`sources.toml`: the sources are data, not code.

Each `[[source]]` names its adapter `kind`, the domain `table` it feeds, kind-specific
`options` (connection, field mapping) and its entry in the data centre's resource catalogue:
provider department, format, share type and update cycle. The update cycle sets the poll
interval and the freshness limit of every value from the source.

Secrets never sit in the file: any string option may say `${NAME}` (or `${NAME:-default}`) and
is filled from the environment when the adapter is built.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from data_adapters.contract import ConfigError
from data_adapters.cycles import UpdateCycle
from data_adapters.domain import ROW_MODELS, describe
from data_adapters.tomlfile import read_toml

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class SourcesConfigError(ValueError):
    """A sources file that cannot be used; the message names the file, source and field."""


class CatalogueEntry(BaseModel):
    """The source's entry in the data centre's resource directory (政务信息资源目录)."""

    model_config = ConfigDict(extra="forbid")

    resource_id: str
    name_zh: str
    name_en: str
    provider: str
    provider_en: str = ""
    format: Literal["db_table", "api", "file"]
    share_type: Literal["unconditional", "conditional", "not_shared"]
    update_cycle: UpdateCycle


class SourceSpec(BaseModel):
    """One source: which adapter reads it, what it feeds, and where it sits in the catalogue."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    kind: str
    table: str
    enabled: bool = True
    catalogue: CatalogueEntry
    options: dict[str, Any] = Field(default_factory=dict)

    @field_validator("table")
    @classmethod
    def _known_table(cls, value: str) -> str:
        if value not in ROW_MODELS:
            raise ValueError(f"must be one of {', '.join(sorted(ROW_MODELS))}")
        return value


def load_sources(path: Path, kinds: Mapping[str, object] | None = None) -> list[SourceSpec]:
    """Read and validate a sources file; `kinds` (the adapter registry) checks every kind."""
    data = read_toml(path, "sources file", SourcesConfigError)
    specs: list[SourceSpec] = []
    for position, entry in enumerate(data.get("source", []), start=1):
        label = entry.get("id", f"#{position}") if isinstance(entry, dict) else f"#{position}"
        try:
            spec = SourceSpec.model_validate(entry)
        except ValidationError as exc:
            raise SourcesConfigError(f"{path}: source {label}: {describe(exc)}") from None
        if kinds is not None and spec.kind not in kinds:
            raise SourcesConfigError(
                f"{path}: source {label}: unknown kind {spec.kind!r} "
                f"(known: {', '.join(sorted(kinds))})"
            )
        specs.append(spec)
    ids = [s.id for s in specs]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise SourcesConfigError(f"{path}: duplicate source ids: {', '.join(duplicates)}")
    return specs


def resolve(value: Any, environ: Mapping[str, str] | None = None) -> Any:
    """`value` with every `${NAME}` in its strings replaced from the environment.

    Raises `ConfigError` naming the variable when one is unset and has no default.
    """
    environ = os.environ if environ is None else environ
    if isinstance(value, str):

        def substitute(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(2)
            if name in environ:
                return environ[name]
            if default is not None:
                return default
            raise ConfigError(f"environment variable {name} is not set")

        return _VARIABLE.sub(substitute, value)
    if isinstance(value, dict):
        return {k: resolve(v, environ) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, environ) for v in value]
    return value
