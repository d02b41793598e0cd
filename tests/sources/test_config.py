"""`sources.toml`: validation with errors naming the file, source and field; `${VAR}`s."""

from __future__ import annotations

from pathlib import Path

import pytest

from data_adapters.contract import ConfigError
from data_adapters.indicators import IndicatorsFileError, load_indicators
from data_adapters.sources import REGISTRY, build_adapter
from data_adapters.sources.config import SourcesConfigError, load_sources, resolve

CATALOGUE = """[source.catalogue]
resource_id = "320700-T"
name_zh = "测试"
name_en = "Test"
provider = "市数据局"
format = "api"
share_type = "conditional"
update_cycle = "{cycle}"
"""


def _write(tmp_path: Path, *sources: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text("\n".join(sources), encoding="utf-8")
    return path


def _source(
    id_: str = "a", kind: str = "sql", table: str = "observations", cycle: str = "daily"
) -> str:
    return f'[[source]]\nid = "{id_}"\nkind = "{kind}"\ntable = "{table}"\n' + CATALOGUE.format(
        cycle=cycle
    )


def test_the_demo_sources_are_valid() -> None:
    demo = Path(__file__).resolve().parents[2] / "data_adapters" / "demo_sources.toml"
    specs = load_sources(demo, REGISTRY)
    assert len(specs) >= 30 and {s.kind for s in specs} == set(REGISTRY)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_source(kind="ftp"), "unknown kind 'ftp'"),
        (_source(table="nonsense"), "table: Value error, must be one of"),
        (_source(cycle="fortnightly"), "catalogue.update_cycle"),
        (_source() + _source(), "duplicate source ids: a"),
        (_source(id_="Bad Id"), "source Bad Id: id"),
        ("[[source]\n", "is not valid TOML"),
    ],
)
def test_bad_files_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SourcesConfigError, match="sources") as error:
        load_sources(_write(tmp_path, text), REGISTRY)
    assert message in str(error.value)


def test_an_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(SourcesConfigError, match="cannot read sources file"):
        load_sources(tmp_path / "missing.toml", REGISTRY)


def test_variables_fill_options_and_a_missing_one_is_a_config_error() -> None:
    options = {"url": "postgresql://u:${DB_PASSWORD}@db/x", "n": ["${MISSING:-7}"], "k": 3}
    assert resolve(options, {"DB_PASSWORD": "s3cret"}) == {
        "url": "postgresql://u:s3cret@db/x",
        "n": ["7"],
        "k": 3,
    }
    with pytest.raises(ConfigError, match="DB_PASSWORD is not set"):
        resolve(options, {})


def test_bad_options_of_a_kind_are_a_config_error(tmp_path: Path) -> None:
    [spec] = load_sources(_write(tmp_path, _source() + '[source.options]\ntable = "x"\n'))
    with pytest.raises(ConfigError, match="sql source options"):
        build_adapter(spec, {})


def test_bad_indicators_file(tmp_path: Path) -> None:
    path = tmp_path / "indicators.toml"
    path.write_text('[[indicator]]\nid = "x"\n', encoding="utf-8")
    with pytest.raises(IndicatorsFileError, match="indicator x: name_zh"):
        load_indicators(path)
