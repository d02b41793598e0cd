"""Derived data the clock prepares after ingest, so that pages only read: indicator snapshots."""
