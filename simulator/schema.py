"""Tables of the simulated data centre (SQLAlchemy Core metadata).

Table names carry the base database or feed they belong to: ``pop_`` population, ``ent_``
legal entities, ``macro_`` macro-economy, ``credit_`` social credit, ``cert_`` e-certificates,
``geo_`` spatial, ``catalogue_`` resource directory, then the live feeds (``sensor_``,
``hotline_``, ``public_``, ``cap_``, ``emergency_``, ``port_``) and the simulator's own
bookkeeping (``sim_``). Every table has a primary key and an ``updated_at`` cursor
(aware UTC, only increasing) indexed as ``ix_<table>_cursor (updated_at, <pk>)``.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Float,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from .sqltypes import UtcDateTime

SCHEMA_VERSION = "1"

metadata = MetaData()

DISTRICT = 6  # length of an administrative division code


def _id():
    # INTEGER PRIMARY KEY is SQLite's rowid alias (fast, compact); BIGINT elsewhere.
    return BigInteger().with_variant(Integer(), "sqlite")


def _table(name: str, *items, indexes: tuple[tuple[str, ...], ...] = ()) -> Table:
    table = Table(name, metadata, *items, Column("updated_at", UtcDateTime(), nullable=False))
    pk = [c for c in table.primary_key.columns]
    if not pk:
        raise ValueError(f"table {name} needs a primary key")
    Index(f"ix_{name}_cursor", table.c.updated_at, *pk)
    for cols in indexes:
        Index(f"ix_{name}_{'_'.join(cols)}", *(table.c[c] for c in cols))
    return table


# --- simulator bookkeeping ---------------------------------------------------------------
sim_state = _table(
    "sim_state",
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
sim_pending = _table(
    "sim_pending",
    Column("pending_id", String(96), primary_key=True),
    Column("table_name", String(64), nullable=False),
    Column("row_key", String(64), nullable=False),
    Column("due_at", UtcDateTime(), nullable=False),
    Column("payload", Text, nullable=False),
    indexes=(("due_at",),),
)

# --- catalogue ---------------------------------------------------------------------------
catalogue_resources = _table(
    "catalogue_resources",
    Column("resource_id", String(16), primary_key=True),
    Column("name_zh", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("provider", String(64), nullable=False),
    Column("provider_en", Text, nullable=False),
    Column("format", String(16), nullable=False),
    Column("share_type", String(16), nullable=False),
    Column("share_type_zh", String(16), nullable=False),
    Column("update_cycle", String(16), nullable=False),
    Column("base_database", String(32)),
    Column("fields", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("served_kind", String(16)),
    Column("served_target", Text),
    Column("served_filter", Text),
    Column("registered_at", UtcDateTime(), nullable=False),
    indexes=(("provider",),),
)

# --- population base database -------------------------------------------------------------
pop_population = _table(
    "pop_population",
    Column("as_of", Date, nullable=False),
    Column("district_code", String(DISTRICT), nullable=False),
    Column("age_band", String(8), nullable=False),
    Column("sex", String(1), nullable=False),
    Column("persons", Integer, nullable=False),
    PrimaryKeyConstraint("as_of", "district_code", "age_band", "sex"),
)
pop_migration = _table(
    "pop_migration",
    Column("as_of", Date, nullable=False),
    Column("district_code", String(DISTRICT), nullable=False),
    Column("births", Integer, nullable=False),
    Column("deaths", Integer, nullable=False),
    Column("migration_in", Integer, nullable=False),
    Column("migration_out", Integer, nullable=False),
    PrimaryKeyConstraint("as_of", "district_code"),
)

# --- legal entities base database ---------------------------------------------------------
ent_enterprises = _table(
    "ent_enterprises",
    Column("uscc", String(18), primary_key=True),
    Column("name", Text, nullable=False),
    Column("entity_type", String(32), nullable=False),
    Column("industry_code", String(1), nullable=False),
    Column("industry", String(64), nullable=False),
    Column("district_code", String(DISTRICT), nullable=False),
    Column("address", Text, nullable=False),
    Column("legal_representative", String(32), nullable=False),
    Column("registered_capital", Float),
    Column("registered_at", UtcDateTime(), nullable=False),
    Column("status", String(16), nullable=False),
    Column("cancelled_at", UtcDateTime()),
    indexes=(("registered_at",), ("district_code", "status")),
)

# --- macro-economy base database ----------------------------------------------------------
macro_indicators = _table(
    "macro_indicators",
    Column("indicator_code", String(32), primary_key=True),
    Column("name_zh", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("unit_zh", String(32), nullable=False),
    Column("unit_en", String(32), nullable=False),
    Column("frequency", String(16), nullable=False),
    Column("levels", String(32), nullable=False),
    Column("provider", String(64), nullable=False),
)
macro_values = _table(
    "macro_values",
    Column("indicator_code", String(32), nullable=False),
    Column("district_code", String(DISTRICT), nullable=False),
    Column("period", String(8), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("value", Float, nullable=False),
    Column("ytd_value", Float),
    Column("yoy_pct", Float),
    Column("released_at", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("indicator_code", "district_code", "period"),
    indexes=(("period_start",),),
)

# --- social credit base database ----------------------------------------------------------
credit_records = _table(
    "credit_records",
    Column("record_id", String(32), primary_key=True),
    Column("record_type", String(16), nullable=False),
    Column("record_type_zh", String(16), nullable=False),
    Column("subject_uscc", String(18), nullable=False),
    Column("subject_name", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("content", Text, nullable=False),
    Column("decision_no", String(64), nullable=False),
    Column("authority", String(64), nullable=False),
    Column("district_code", String(DISTRICT), nullable=False),
    Column("decided_at", UtcDateTime(), nullable=False),
    Column("valid_until", Date),
    Column("penalty_amount", Float),
    Column("published_at", UtcDateTime(), nullable=False),
    indexes=(("published_at",),),
)

# --- e-certificates base database ---------------------------------------------------------
cert_daily_issuance = _table(
    "cert_daily_issuance",
    Column("issue_date", Date, nullable=False),
    Column("district_code", String(DISTRICT), nullable=False),
    Column("cert_type", String(32), nullable=False),
    Column("cert_name_zh", String(32), nullable=False),
    Column("issued", Integer, nullable=False),
    PrimaryKeyConstraint("issue_date", "district_code", "cert_type"),
)

# --- spatial base database ----------------------------------------------------------------
geo_assets = _table(
    "geo_assets",
    Column("asset_id", String(16), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("name", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("district_code", String(DISTRICT), nullable=False),
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Column("geometry", Text),
    Column("install_date", Date, nullable=False),
    Column("owner_department", String(64), nullable=False),
    Column("attributes", Text, nullable=False),
    indexes=(("kind", "status"), ("district_code",)),
)
geo_asset_status_changes = _table(
    "geo_asset_status_changes",
    Column("change_id", String(32), primary_key=True),
    Column("asset_id", String(16), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("from_status", String(16), nullable=False),
    Column("to_status", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("changed_at", UtcDateTime(), nullable=False),
    indexes=(("asset_id",),),
)
geo_resources = _table(
    "geo_resources",
    Column("resource_id", String(16), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("name", Text, nullable=False),
    Column("agency", String(64), nullable=False),
    Column("district_code", String(DISTRICT), nullable=False),
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Column("base_lon", Float, nullable=False),
    Column("base_lat", Float, nullable=False),
    Column("status", String(16), nullable=False),
    Column("capacity", Integer),
    Column("available", Integer),
    Column("capabilities", Text, nullable=False),
    Column("phone", String(16)),
    Column("status_since", UtcDateTime(), nullable=False),
    indexes=(("kind", "status"),),
)

# --- sensors (SensorThings-shaped) --------------------------------------------------------
sensor_things = _table(
    "sensor_things",
    Column("thing_id", Integer, primary_key=True, autoincrement=False),
    Column("code", String(32), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("district_code", String(DISTRICT), nullable=False),
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Column("properties", Text, nullable=False),
)
sensor_datastreams = _table(
    "sensor_datastreams",
    Column("datastream_id", Integer, primary_key=True, autoincrement=False),
    Column("thing_id", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("observed_property", String(64), nullable=False),
    Column("property_name_zh", String(64), nullable=False),
    Column("property_definition", Text, nullable=False),
    Column("unit_name", String(64), nullable=False),
    Column("unit_symbol", String(16), nullable=False),
    Column("unit_definition", Text, nullable=False),
    Column("observation_type", Text, nullable=False),
    Column("interval_seconds", Integer, nullable=False),
    indexes=(("thing_id",),),
)
sensor_observations = _table(
    "sensor_observations",
    Column("observation_id", _id(), primary_key=True, autoincrement=False),
    Column("datastream_id", Integer, nullable=False),
    Column("phenomenon_time", UtcDateTime(), nullable=False),
    Column("result", Float),
    indexes=(("datastream_id", "phenomenon_time"),),
)

# --- 12345 hotline (Open311 GeoReport v2 shaped) ------------------------------------------
hotline_tickets = _table(
    "hotline_tickets",
    Column("service_request_id", String(24), primary_key=True),
    Column("channel", String(16), nullable=False),
    Column("service_code", String(16), nullable=False),
    Column("service_name", String(64), nullable=False),
    Column("agency_responsible", String(64), nullable=False),
    Column("district_code", String(DISTRICT), nullable=False),
    Column("address", Text, nullable=False),
    Column("lat", Float),
    Column("lon", Float),
    Column("description", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("requested_at", UtcDateTime(), nullable=False),
    Column("accepted_at", UtcDateTime()),
    Column("closed_at", UtcDateTime()),
    Column("expected_at", UtcDateTime(), nullable=False),
    Column("satisfaction", String(16)),
    Column("status_notes", Text),
    indexes=(("requested_at",),),
)

# --- public posts (scraped social media) --------------------------------------------------
public_posts = _table(
    "public_posts",
    Column("post_id", String(32), primary_key=True),
    Column("platform", String(16), nullable=False),
    Column("author", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("posted_at", UtcDateTime(), nullable=False),
    Column("district_code", String(DISTRICT)),
    Column("lat", Float),
    Column("lon", Float),
    Column("likes", Integer, nullable=False),
    Column("reposts", Integer, nullable=False),
    Column("comments", Integer, nullable=False),
    Column("url", Text, nullable=False),
    indexes=(("posted_at",),),
)

# --- CAP early warnings -------------------------------------------------------------------
cap_messages = _table(
    "cap_messages",
    Column("identifier", String(96), primary_key=True),
    Column("sender", String(64), nullable=False),
    Column("sender_name", String(64), nullable=False),
    Column("sent", UtcDateTime(), nullable=False),
    Column("msg_type", String(16), nullable=False),
    Column("event", String(32), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("area_desc", Text, nullable=False),
    Column("reference_ids", Text),
    Column("expires", UtcDateTime()),
    Column("file_name", String(128), nullable=False),
    Column("xml", Text, nullable=False),
    indexes=(("sent",),),
)

# --- 110/119/120 integrated command incidents ---------------------------------------------
emergency_incidents = _table(
    "emergency_incidents",
    Column("incident_id", String(24), primary_key=True),
    Column("source_system", String(8), nullable=False),
    Column("incident_type", String(32), nullable=False),
    Column("type_zh", String(32), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("level_zh", String(16), nullable=False),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("address", Text, nullable=False),
    Column("district_code", String(DISTRICT), nullable=False),
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Column("status", String(16), nullable=False),
    Column("reported_at", UtcDateTime(), nullable=False),
    Column("dispatched_at", UtcDateTime()),
    Column("arrived_at", UtcDateTime()),
    Column("closed_at", UtcDateTime()),
    Column("injured", Integer, nullable=False),
    Column("deaths", Integer, nullable=False),
    Column("units_dispatched", Integer, nullable=False),
    indexes=(("reported_at",),),
)

# --- port ---------------------------------------------------------------------------------
port_berth_snapshots = _table(
    "port_berth_snapshots",
    Column("snapshot_id", String(32), primary_key=True),
    Column("snapshot_at", UtcDateTime(), nullable=False),
    Column("port_area", String(32), nullable=False),
    Column("terminal", String(64), nullable=False),
    Column("berth_code", String(16), nullable=False),
    Column("ship_name", String(64), nullable=False),
    Column("ship_type", String(32), nullable=False),
    Column("flag", String(32), nullable=False),
    Column("length_m", Float, nullable=False),
    Column("cargo", String(32), nullable=False),
    Column("operation", String(16), nullable=False),
    Column("arrived_at", UtcDateTime(), nullable=False),
    Column("expected_departure", UtcDateTime(), nullable=False),
    indexes=(("snapshot_at",),),
)
port_daily = _table(
    "port_daily",
    Column("stat_date", Date, primary_key=True),
    Column("cargo_tonnes", Float, nullable=False),
    Column("containers_teu", Float, nullable=False),
    Column("vessel_calls", Integer, nullable=False),
)

SIM_TABLES = ("sim_state", "sim_pending")
"""The simulator's own bookkeeping; not part of the simulated data centre."""


def data_tables() -> list[Table]:
    """The tables an adapter may read (everything but ``sim_*``)."""
    return [t for t in metadata.sorted_tables if t.name not in SIM_TABLES]
