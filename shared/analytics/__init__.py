"""Tools for analysts: replay projections, a request's history, exports (events, projections, HSDS).

Nothing here imports a service at import time: the services' read models are found through
:mod:`shared.analytics.catalogue`, by dotted path, when a command runs.
"""
