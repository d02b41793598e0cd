"""Tests of the simulated data centre's HTTP feed server, polled by the product's adapters."""
