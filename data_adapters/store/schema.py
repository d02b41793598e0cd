"""The ops store's tables, by domain, as SQLAlchemy Core metadata.

Rows that come from a source carry `(source_id, source_key)`, unique together, so that
re-polling a window upserts instead of duplicating. Composite indexes that serve time-window
queries lead with the time column (SQLite's planner picks the wrong index otherwise).
Coordinates are WGS-84 longitude/latitude; geometries other than points are GeoJSON.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from data_adapters.store.types import JSONDoc, UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = BigInteger().with_variant(Integer(), "sqlite")  # SQLite only autoincrements INTEGER keys


def _sourced() -> list[Column]:
    """The columns every row ingested from a source has."""
    return [
        Column("source_id", String(64), nullable=False),
        Column("source_key", String(255), nullable=False),
        Column("ingested_at", UTCDateTime, nullable=False),
    ]


observations = Table(
    "observations",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    *_sourced(),
    Column("indicator", String(64), nullable=False),
    Column("district", String(12)),  # adcode; NULL is the whole city
    Column("observed_at", UTCDateTime, nullable=False),
    Column("value", Float, nullable=False),
    UniqueConstraint("source_id", "source_key"),
    Index(None, "observed_at", "indicator", "district"),
    Index(None, "indicator", "observed_at"),
)

assets = Table(
    "assets",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    *_sourced(),
    Column("kind", String(32), nullable=False),
    Column("name", String(255), nullable=False, default=""),
    Column("status", String(16), nullable=False),
    Column("district", String(12)),
    Column("lon", Float),
    Column("lat", Float),
    Column("geometry", Text),  # GeoJSON for lines and polygons; points use lon/lat
    Column("install_date", Date),
    Column("owner", String(128)),
    Column("attributes", JSONDoc),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("source_id", "source_key"),
    Index(None, "source_key"),  # one asset by its key, whichever source it came from
    Index(None, "kind", "status"),
    # counts and fault rates by district (and kind), read from the index alone
    Index(None, "district", "kind", "status"),
    Index(None, "updated_at"),
)

asset_changes = Table(
    "asset_changes",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    *_sourced(),  # source_key is the data centre's change id
    Column("asset_key", String(64), nullable=False),  # the asset's source_key in `assets`
    Column("kind", String(32)),
    Column("from_status", String(16)),
    Column("to_status", String(16), nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("changed_at", UTCDateTime, nullable=False),
    UniqueConstraint("source_id", "source_key"),
    Index(None, "asset_key", "changed_at"),
    Index(None, "changed_at"),
)

posts = Table(
    "posts",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    *_sourced(),
    Column("channel", String(32), nullable=False),
    Column("text", Text, nullable=False),
    Column("posted_at", UTCDateTime, nullable=False),
    Column("place", String(255)),
    Column("lon", Float),
    Column("lat", Float),
    Column("district", String(12)),
    Column("category", String(64)),
    Column("department", String(64)),
    Column("status", String(16)),
    Column("due_at", UTCDateTime),
    Column("closed_at", UTCDateTime),
    Column("sentiment", String(8)),
    Column("negativity", Float),
    Column("keywords", JSONDoc),
    Column("text_masked", Text),  # the text with personal data masked: the only text shown
    Column("topic", String(64)),
    Column("processed_at", UTCDateTime),  # NULL until processed, and again when edited
    UniqueConstraint("source_id", "source_key"),
    Index(None, "posted_at", "district"),
    Index(None, "posted_at", "channel"),
    Index(None, "posted_at", "topic"),
    # the posts waiting for processing, oldest first; only they are in the index
    Index(
        "ix_posts_unprocessed",
        "posted_at",
        sqlite_where=text("processed_at IS NULL"),
        postgresql_where=text("processed_at IS NULL"),
    ),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    *_sourced(),  # source_key is the CAP identifier, or a rule's alert key
    Column("origin", String(16), nullable=False),  # cap | rule | spike
    Column("sender", String(255)),
    Column("sent", UTCDateTime, nullable=False),
    Column("msg_type", String(16), nullable=False),
    Column("cap_status", String(16)),
    Column("references", JSONDoc),
    Column("language", String(16)),
    Column("event", String(255)),
    Column("severity", String(16)),
    Column("urgency", String(16)),
    Column("certainty", String(16)),
    Column("headline", Text),
    Column("description", Text),
    Column("areas", JSONDoc),  # [{desc, geometry (GeoJSON or null), geocodes}]
    Column("district", String(12)),
    Column("onset", UTCDateTime),
    Column("expires", UTCDateTime),
    Column("state", String(16), nullable=False),  # active | updated | cancelled | expired
    Column("infos", JSONDoc),  # every <info> block, translations included
    Column("acknowledged_by", String(64)),
    Column("acknowledged_at", UTCDateTime),
    UniqueConstraint("source_id", "source_key"),
    Index(None, "sent", "state"),
    Index(None, "state", "severity"),
)

incidents = Table(
    "incidents",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("ref", String(32), nullable=False, unique=True),
    Column("type", String(32), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("title", String(255), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("lon", Float),
    Column("lat", Float),
    Column("area", JSONDoc),
    Column("district", String(12)),
    Column("state", String(16), nullable=False),
    Column("origin", String(16), nullable=False),  # cap | spike | rule | manual | feed
    Column("origin_ref", String(255)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False, default=1),
    Index(None, "state", "severity"),
    Index(None, "origin", "origin_ref"),
    Index(None, "updated_at"),
)

incident_events = Table(
    "incident_events",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("incident_id", ID, ForeignKey("incidents.id"), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("kind", String(32), nullable=False),  # state | dispatch | checklist | note | link
    Column("source", String(32), nullable=False),
    Column("message", Text, nullable=False, default=""),
    Column("payload", JSONDoc),
    Index(None, "incident_id", "at"),
)

resources = Table(
    "resources",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    *_sourced(),
    Column("kind", String(32), nullable=False),
    Column("name", String(255), nullable=False),
    Column("agency", String(128)),
    Column("status", String(16), nullable=False),
    Column("lon", Float),
    Column("lat", Float),
    Column("district", String(12)),
    Column("capabilities", JSONDoc),
    Column("capacity", Integer),
    Column("available", Integer),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False, default=1),
    UniqueConstraint("source_id", "source_key"),
    Index(None, "status", "kind"),
)

dispatches = Table(
    "dispatches",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("incident_id", ID, ForeignKey("incidents.id"), nullable=False),
    Column("resource_id", ID, ForeignKey("resources.id"), nullable=False),
    Column("dispatched_at", UTCDateTime, nullable=False),
    Column("dispatched_by", String(64), nullable=False),
    Column("eta_minutes", Float),
    Column("status", String(16), nullable=False),
    Column("arrived_at", UTCDateTime),
    Column("released_at", UTCDateTime),
    Index(None, "incident_id"),
    Index(None, "resource_id", "status"),
)

sop_steps = Table(
    "sop_steps",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("incident_id", ID, ForeignKey("incidents.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("step_key", String(64), nullable=False),
    Column("done_at", UTCDateTime),
    Column("done_by", String(64)),
    UniqueConstraint("incident_id", "step_key"),
)

snapshots = Table(
    "snapshots",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),  # indicator | sentiment | topic | ...
    Column("key", String(128), nullable=False),
    Column("computed_at", UTCDateTime, nullable=False),
    Column("source_freshness", UTCDateTime),  # newest source data the snapshot reflects
    Column("runtime_ms", Float, nullable=False, default=0.0),
    Column("payload", JSONDoc, nullable=False),
    Index(None, "kind", "key", "computed_at"),
    Index(None, "computed_at"),
)

source_status = Table(
    "source_status",
    metadata,
    Column("source_id", String(64), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("last_attempt_at", UTCDateTime),
    Column("last_success_at", UTCDateTime),
    Column("last_error", Text),
    Column("error_kind", String(16)),  # config | transient | source
    Column("consecutive_failures", Integer, nullable=False, default=0),
    Column("rows_in", BigInteger, nullable=False, default=0),
    Column("rows_quarantined", BigInteger, nullable=False, default=0),
    Column("watermark", JSONDoc),
    Column("next_due_at", UTCDateTime),
    Column("updated_at", UTCDateTime, nullable=False),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("source_id", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("raw", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Index(None, "source_id", "at"),
)

users = Table(
    "users",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(128), nullable=False, default=""),
    Column("role", String(16), nullable=False),  # viewer | leader | operator | admin
    Column("password_hash", String(255)),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_login_at", UTCDateTime),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("action", String(64), nullable=False),
    Column("target", String(255), nullable=False, default=""),
    Column("details", JSONDoc),
    Column("remote_addr", String(64)),
    Index(None, "at"),
)

catalogue_entries = Table(
    "catalogue_entries",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    *_sourced(),  # source_key is the resource id of the data centre's resource directory
    Column("resource_id", String(32), nullable=False),
    Column("name_zh", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("provider", String(64), nullable=False),
    Column("provider_en", String(128)),
    Column("format", String(16), nullable=False),
    Column("share_type", String(16), nullable=False),
    Column("update_cycle", String(16), nullable=False),
    Column("base_database", String(32)),
    Column("description", Text),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("source_id", "source_key"),
    Index(None, "provider"),
)

clock_lease = Table(
    "clock_lease",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(128), nullable=False),
    Column("acquired_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)
