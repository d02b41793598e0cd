"""Tests of the source adapters, each against real servers, files or databases."""
