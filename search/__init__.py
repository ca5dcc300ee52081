"""Arshif: full-text search for Arabic news archives."""
