"""The CAP adapter: early warnings (CAP 1.0 to 1.2) from a feed URL or a folder of files.

- `url`: a CAP document, a feed embedding alerts, or an Atom/RSS index of links to CAP
  documents. Links already read are remembered in the watermark (the newest 2,000), each
  new one is fetched once; at most `max_links` per poll (`more` says others are waiting).
- `folder`: a watched folder of CAP XML files, read by the files adapter (once per content,
  never half-written), with the same alert fields.

Every `<info>` block of an alert is a translation of it: the one in the first of `languages`
that exists supplies the headline and areas, and all are kept. Update and Cancel messages act
on the alerts they reference when they are stored (`data_adapters.alert_references`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from data_adapters.contract import Batch, Health, Record, Rejected, SourceError, Watermark
from data_adapters.parsers.cap import feed_links, parse_cap_documents
from data_adapters.sources.cap_fields import DEFAULT_LANGUAGES, FIELDS, alert_fields
from data_adapters.sources.files import FilesAdapter, FilesOptions
from data_adapters.sources.httpclient import HttpSettings, HttpSource, parse_options
from data_adapters.sources.mapping import FieldMap

REMEMBERED_LINKS = 2_000


def alert_map(timezone: str) -> FieldMap:
    """The identity mapping of alert fields (they are domain fields already)."""
    return FieldMap(key=["key"], fields={name: name for name in FIELDS}, timezone=timezone)


class CapOptions(BaseModel):
    """Options of a `kind = "cap"` source: exactly one of `url` and `folder`."""

    model_config = ConfigDict(extra="forbid")
    url: str | None = None
    folder: Path | None = None
    languages: list[str] = Field(default_factory=lambda: list(DEFAULT_LANGUAGES), min_length=1)
    timezone: str = "Asia/Shanghai"
    http: HttpSettings = Field(default_factory=HttpSettings)
    max_links: int = Field(default=50, ge=1)
    settle_seconds: float = Field(default=2, ge=0)
    max_files: int = Field(default=50, ge=1)
    after: Literal["keep", "move"] = "keep"

    @model_validator(mode="after")
    def _one_place(self) -> CapOptions:
        if (self.url is None) == (self.folder is None):
            raise ValueError("give exactly one of url and folder")
        return self


class CapFeedAdapter(HttpSource):
    """CAP over HTTP: one document, a feed of alerts, or an index of links to documents."""

    kind = "cap"
    options_model = CapOptions
    options: CapOptions

    def poll(self, since: Watermark | None) -> Batch:
        assert self.options.url is not None
        seen: list[str] = list((since or {}).get("seen", []))
        document = self.client.get_bytes(self.options.url)
        links = feed_links(document, source_name=self.options.url)
        if not links:
            records, rejected = self._alerts(document, self.options.url)
            return Batch(records=records, rejected=rejected, watermark={"seen": seen})
        known = set(seen)
        waiting = [link for link in links if link not in known]
        records: list[Record] = []
        rejected: list[Rejected] = []
        for link in waiting[: self.options.max_links]:
            try:
                found, refused = self._alerts(self.client.get_bytes(link), link)
            except SourceError as exc:
                found, refused = [], [Rejected(raw=link, reason=exc.operator_message)]
            records += found
            rejected += refused
            seen.append(link)
        return Batch(
            records=records,
            rejected=rejected,
            watermark={"seen": seen[-REMEMBERED_LINKS:]},
            more=len(waiting) > self.options.max_links,
        )

    def _alerts(self, document: bytes, where: str) -> tuple[list[Record], list[Rejected]]:
        alerts, rejected = parse_cap_documents(
            document, source_name=where, default_timezone=self.options.timezone
        )
        mapping = alert_map(self.options.timezone)
        records = [mapping.record(alert_fields(a, self.options.languages)) for a in alerts]
        return records, rejected

    def _probe(self) -> Health:
        assert self.options.url is not None
        document = self.client.get_bytes(self.options.url)
        links = feed_links(document, source_name=self.options.url)
        if links:
            return Health(ok=True, message=f"the feed lists {len(links)} CAP messages")
        alerts, _ = parse_cap_documents(document, source_name=self.options.url)
        return Health(ok=True, message=f"the feed holds {len(alerts)} CAP messages")


def from_options(options: Mapping[str, Any], **http: Any) -> FilesAdapter | CapFeedAdapter:
    """The CAP adapter for `options`: a feed reader, or a watched folder of CAP files."""
    parsed = parse_options(CapOptions, options, "cap")
    if parsed.url is not None:
        return CapFeedAdapter(parsed, **http)
    return FilesAdapter.from_options(
        FilesOptions(
            folder=parsed.folder,
            pattern="*.xml",
            format="cap",
            languages=parsed.languages,
            settle_seconds=parsed.settle_seconds,
            max_files=parsed.max_files,
            after=parsed.after,
            map=alert_map(parsed.timezone),
        ).model_dump()
    )
