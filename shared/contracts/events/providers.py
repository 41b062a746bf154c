"""Placeholder: filled by the catalogue work."""
