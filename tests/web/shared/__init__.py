"""Tests of the shared web layer: logins, sessions, CSRF, headers, the base pages."""
