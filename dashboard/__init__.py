"""Conflict map: a dated, sourced map of who holds which town, built from news reports."""

__version__ = "0.1.0"
