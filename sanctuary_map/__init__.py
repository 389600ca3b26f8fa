"""Sanctuary Map: US sanctuary policies joined to Census boundaries, as data and maps."""

__version__ = "0.1.0"
