"""Settings for every CityOps process, read once from `CITYOPS_*` variables and passed down.

Sources, in order of precedence: keyword arguments, the environment, a `.env` file in the
working directory, an optional TOML config file (``CITYOPS_CONFIG`` or ``--config``), defaults.
Secrets are `SecretStr` and print as stars. Every setting is documented in `.env.example`;
a test fails when one is not.

The district outlines ship as `assets/geo/lianyungang-districts.geojson` at the top of a
checkout and as `dashboard/assets/geo/...` in a wheel (see `setup.py`); `shipped_districts_file`
finds either by path, without importing `dashboard`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from data_adapters.tomlfile import read_toml

Language = Literal["zh", "en"]
_INSTALL_ROOT = Path(__file__).resolve().parent.parent  # the checkout, or site-packages
_DISTRICTS = Path("geo") / "lianyungang-districts.geojson"


def shipped_districts_file(root: Path = _INSTALL_ROOT) -> Path:
    """The six districts and counties of Lianyungang (WGS-84 GeoJSON) shipped with the product:
    inside the `dashboard` package when installed from a wheel, else the checkout's `assets/`."""
    installed = root / "dashboard" / "assets" / _DISTRICTS
    return installed if installed.is_file() else root / "assets" / _DISTRICTS


class ConfigFileError(ValueError):
    """A config file that cannot be read or parsed; the message names the file and the problem."""


def _read_toml(path: Path) -> dict[str, Any]:
    data = read_toml(path, "config file", ConfigFileError)
    section = data.get("cityops", data)
    if not isinstance(section, dict):
        raise ConfigFileError(f"config file {path}: [cityops] must be a table")
    return section


class _TomlFileSource(PydanticBaseSettingsSource):
    """Reads settings from the TOML file named by `config_file`, lowest precedence but defaults."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path | None) -> None:
        super().__init__(settings_cls)
        self._values = _read_toml(path) if path else {}

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return {k: v for k, v in self._values.items() if k in self.settings_cls.model_fields}


class Settings(BaseSettings):
    """Every setting of the product. Field names map to `CITYOPS_<NAME>` variables."""

    model_config = SettingsConfigDict(
        env_prefix="CITYOPS_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    config: Path | None = Field(
        default=None, description="Optional TOML file with settings (keys as field names)."
    )
    var_dir: Path = Field(
        default=Path("var"), description="Folder for local state: SQLite files, file drops, logs."
    )
    database_url: SecretStr = Field(
        default=SecretStr(""),
        description="SQLAlchemy URL of the ops store; empty means SQLite at <var_dir>/cityops.db.",
    )
    datacentre_url: SecretStr = Field(
        default=SecretStr(""),
        description="SQLAlchemy URL of the simulated data centre; empty: <var_dir>/datacentre.db.",
    )
    sources_file: Path | None = Field(
        default=None,
        description="The sources.toml the clock polls; `cityops demo` uses its built-in one.",
    )
    districts_file: Path | None = Field(
        default=None,
        description="GeoJSON district outlines (with `adcode`) that give a district to ingested "
        "rows with a position and none; empty: the city's six districts shipped with the app.",
    )
    web_host: str = Field(default="127.0.0.1", description="Address the web process binds to.")
    web_port: int = Field(default=8050, ge=1, le=65535, description="Port of the web process.")
    language: Language = Field(default="zh", description="Default UI language: zh or en.")
    timezone: str = Field(default="Asia/Shanghai", description="Time zone times are shown in.")
    tile_url: str = Field(
        default="",
        description="Optional XYZ tile server URL for maps; empty uses the offline basemap.",
    )
    secret_key: SecretStr = Field(
        default=SecretStr(""),
        description="Key that signs session cookies; empty generates one per start (dev only).",
    )
    sim_seed: int = Field(default=20261128, description="Seed of the simulated data centre.")
    sim_speed: float = Field(
        default=1.0, gt=0, description="Simulated seconds per real second in the simulator."
    )
    sim_assets: int = Field(
        default=120_000, ge=100, description="Point assets the simulator creates."
    )
    sim_port: int = Field(
        default=8061, ge=1, le=65535, description="Port of the simulator's feed server."
    )
    sim_exchange_token: SecretStr = Field(
        default=SecretStr("demo-exchange-token"),
        description="Bearer token the simulator's exchange-platform API asks for.",
    )
    sim_history_days: int = Field(
        default=30, ge=0, description="Days of live-feed history the simulator backfills."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Logging level of every process."
    )

    @field_validator("database_url", "datacentre_url")
    @classmethod
    def _url_has_scheme(cls, value: SecretStr) -> SecretStr:
        text = value.get_secret_value()
        if text and "://" not in text:
            raise ValueError("must be a SQLAlchemy URL such as sqlite:///var/cityops.db")
        return value

    @field_validator("districts_file", mode="before")
    @classmethod
    def _empty_path_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        config_path = init_settings().get("config") or env_settings().get("config")
        if config_path is None:
            config_path = dotenv_settings().get("config")
        toml = _TomlFileSource(settings_cls, Path(config_path) if config_path else None)
        return (init_settings, env_settings, dotenv_settings, toml)

    @property
    def store_url(self) -> str:
        """The ops store's SQLAlchemy URL, defaulting to a SQLite file under `var_dir`."""
        url = self.database_url.get_secret_value()
        return url or f"sqlite:///{self.var_dir / 'cityops.db'}"

    @property
    def districts_path(self) -> Path:
        """The district outlines ingest places rows in: `districts_file`, else the shipped one."""
        return self.districts_file or shipped_districts_file()

    @property
    def datacentre_store_url(self) -> str:
        """The simulated data centre's SQLAlchemy URL, defaulting to SQLite under `var_dir`."""
        url = self.datacentre_url.get_secret_value()
        return url or f"sqlite:///{self.var_dir / 'datacentre.db'}"
