"""Relais, the applications built on the services: the ``relais`` command and what it runs, by job.

- :mod:`relais.cli`: the ``relais`` command (typer app and its command modules);
- :mod:`relais.replay`: rebuilding projections from the bus (``relais replay``), checksums, parallel jobs;
- :mod:`relais.export`: exports of events and projections, the provider directory (HSDS, data·inclusion), the observatory;
- :mod:`relais.history`: a request's history across the services' stores (:mod:`relais.stores` reads them);
- :mod:`relais.ops`: operations on a running federation (dead letters, restoring a wiped broker);
- :mod:`relais.devstack`: the whole platform on one machine (brokers, processes, the demo federation);
- :mod:`relais.services`: the registry of the services these applications reach.

``services/`` and ``shared/`` never import ``relais``; nothing here imports a service at import time.
"""
