"""Rebuilding projections from the bus: ``relais replay``, checksums, parallel jobs, stand-in connections."""
