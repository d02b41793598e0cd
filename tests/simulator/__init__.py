"""Tests of the simulated city data centre (package `simulator`)."""
