"""Pluggable backends, each chosen by a URL: a Protocol, an in-process and a networked implementation."""
