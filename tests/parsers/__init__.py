"""Tests of the pure parsers in data_adapters.parsers."""
