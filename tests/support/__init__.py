"""Test helpers: services the tests start themselves (PostgreSQL, the demo) and ports."""
