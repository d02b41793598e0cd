"""Documentation kept honest by tests (after Datasette): every source option is documented."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from data_adapters.sources.cap import CapOptions
from data_adapters.sources.files import CsvOptions, FilesOptions
from data_adapters.sources.http import HttpOptions
from data_adapters.sources.httpclient import HttpSettings
from data_adapters.sources.mapping import FieldMap
from data_adapters.sources.open311 import Open311Options
from data_adapters.sources.sensorthings import SensorThingsOptions
from data_adapters.sources.sql import Aggregate, Bucket, SqlOptions

SOURCES_DOC = Path(__file__).resolve().parent.parent / "docs" / "sources.md"
OPTION_MODELS = [
    SqlOptions,
    Aggregate,
    Bucket,
    HttpOptions,
    HttpSettings,
    FilesOptions,
    CsvOptions,
    Open311Options,
    CapOptions,
    SensorThingsOptions,
    FieldMap,
]


@pytest.mark.parametrize("model", OPTION_MODELS, ids=lambda m: m.__name__)
def test_every_option_is_in_docs_sources(model: type[BaseModel]) -> None:
    text = SOURCES_DOC.read_text(encoding="utf-8")
    missing = [
        field.alias or name
        for name, field in model.model_fields.items()
        if f"`{field.alias or name}`" not in text
    ]
    assert missing == [], f"document these {model.__name__} options in docs/sources.md"
