"""Fixtures: one small simulated data centre for the package, its feed server on a free port,
the exchange token in the environment, and adapters built from the documented sources.toml."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from data_adapters.contract import Adapter
from data_adapters.sources import REGISTRY
from data_adapters.sources.config import SourceSpec, load_sources, resolve
from simulator import DataCentre, SimulatorConfig
from simulator.server import FeedServer
from tests.simulator_server.support import DISTRICTS, ROOT, START, TOKEN, TOKEN_ENV, Site


@pytest.fixture(scope="package")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("datacentre")
    config = SimulatorConfig(
        database_url=f"sqlite:///{folder / 'dc.db'}",
        drop_dir=folder / "drop",
        districts_geojson=DISTRICTS,
        history_days=2,
        assets=2000,
        enterprises=2000,
        start=START,
    )
    centre = DataCentre(config)
    centre.build()
    server = FeedServer(config.database_url, port=0, exchange_token=TOKEN)
    server.start()
    try:
        yield Site(centre, server)
    finally:
        server.stop()
        centre.close()


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch) -> str:
    """The exchange token in the environment variable the adapters are configured with."""
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    return TOKEN


# --- the sources of docs/simulator-server.md ---------------------------------------------------

DOC = ROOT / "docs" / "simulator-server.md"
_BLOCK = re.compile(
    r"<!-- sources.toml: begin -->\s*```toml\n(.*?)```\s*<!-- sources.toml: end -->", re.S
)


@pytest.fixture(scope="package")
def doc_sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, SourceSpec]:
    """The `[[source]]` entries documented for the feed server, validated as a sources file."""
    match = _BLOCK.search(DOC.read_text(encoding="utf-8"))
    assert match, f"{DOC} has no sources.toml block between its markers"
    path = tmp_path_factory.mktemp("sources") / "sources.toml"
    path.write_text(match.group(1), encoding="utf-8")
    return {spec.id: spec for spec in load_sources(path, REGISTRY)}


@pytest.fixture
def adapter_for(site: Site, doc_sources: dict[str, SourceSpec]) -> Iterator[Callable[..., Adapter]]:
    """Builds the documented source's adapter against the test server, with `overrides`
    merged into its options and `replace` replacing whole options; every adapter built is
    closed after the test."""
    built: list[Adapter] = []
    port = site.url.rsplit(":", 1)[1]

    def build(source_id: str, replace: dict[str, Any] | None = None, **overrides: Any) -> Adapter:
        options = _merged(doc_sources[source_id].options, overrides) | (replace or {})
        factory = REGISTRY[doc_sources[source_id].kind]
        adapter = factory(resolve(options, {"CITYOPS_SIM_PORT": port}))
        built.append(adapter)
        return adapter

    yield build
    for adapter in built:
        adapter.close()


def _merged(options: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    merged = dict(options)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merged(merged[key], value)
        else:
            merged[key] = value
    return merged
