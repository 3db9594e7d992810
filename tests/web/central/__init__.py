"""Tests of the central system's HTTP API."""
