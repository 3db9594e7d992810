"""Tests of the web front doors."""
