"""Exports: events and projections (Parquet, CSV), the provider directory (HSDS, data·inclusion), the observatory."""
