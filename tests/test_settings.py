"""Settings: defaults, environment, config files, secrets, and that every one is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from data_adapters.settings import ConfigFileError, Settings, shipped_districts_file

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_use_sqlite_under_var() -> None:
    settings = Settings()
    assert settings.store_url == "sqlite:///var/cityops.db"
    assert settings.datacentre_store_url == "sqlite:///var/datacentre.db"
    assert settings.language == "zh" and settings.timezone == "Asia/Shanghai"


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITYOPS_WEB_PORT", "9000")
    monkeypatch.setenv("CITYOPS_DATABASE_URL", "postgresql://u:hunter2@db/cityops")
    settings = Settings()
    assert settings.web_port == 9000
    assert settings.store_url == "postgresql://u:hunter2@db/cityops"


def test_secrets_never_print(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITYOPS_DATABASE_URL", "postgresql://u:hunter2@db/cityops")
    monkeypatch.setenv("CITYOPS_SECRET_KEY", "topsecret")
    settings = Settings()
    assert "hunter2" not in repr(settings) and "topsecret" not in str(settings)


def test_config_file_is_read_below_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "cityops.toml"
    config.write_text('[cityops]\nweb_port = 8123\nlanguage = "en"\n', encoding="utf-8")
    monkeypatch.setenv("CITYOPS_LANGUAGE", "zh")
    settings = Settings(config=config)
    assert settings.web_port == 8123
    assert settings.language == "zh"


def test_config_file_named_by_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "c.toml"
    config.write_text("web_port = 8124\n", encoding="utf-8")
    monkeypatch.setenv("CITYOPS_CONFIG", str(config))
    assert Settings().web_port == 8124


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read config file"), ("web_port = [", "is not valid TOML")],
)
def test_bad_config_files(tmp_path: Path, content: str | None, message: str) -> None:
    config = tmp_path / "c.toml"
    if content is not None:
        config.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigFileError, match=message):
        Settings(config=config)


@pytest.mark.parametrize(
    ("name", "value"),
    [("CITYOPS_WEB_PORT", "0"), ("CITYOPS_LANGUAGE", "fr"), ("CITYOPS_DATABASE_URL", "x")],
)
def test_invalid_values_are_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings()


def test_districts_file_defaults_to_the_shipped_outlines(monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = ROOT / "assets" / "geo" / "lianyungang-districts.geojson"
    assert Settings().districts_path == shipped_districts_file() == shipped
    monkeypatch.setenv("CITYOPS_DISTRICTS_FILE", "")
    assert Settings().districts_path == shipped
    monkeypatch.setenv("CITYOPS_DISTRICTS_FILE", "/srv/city/districts.geojson")
    assert Settings().districts_path == Path("/srv/city/districts.geojson")


def test_an_installed_wheel_finds_the_outlines_inside_the_dashboard_package(
    tmp_path: Path,
) -> None:
    relative = Path("geo") / "lianyungang-districts.geojson"
    assert shipped_districts_file(tmp_path) == tmp_path / "assets" / relative  # a checkout
    installed = tmp_path / "dashboard" / "assets" / relative
    installed.parent.mkdir(parents=True)
    installed.write_text("{}", encoding="utf-8")
    assert shipped_districts_file(tmp_path) == installed


def test_every_setting_is_documented_in_env_example() -> None:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^#?\s*CITYOPS_([A-Z0-9_]+)=", text, flags=re.MULTILINE))
    expected = {name.upper() for name in Settings.model_fields}
    assert documented == expected, (
        f"undocumented: {sorted(expected - documented)}, stale: {sorted(documented - expected)}"
    )
