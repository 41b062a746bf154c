"""Metrics of a service process: domain counters, sampled gauges and FastStream's broker metrics.

:class:`~shared.service.runtime.ServiceRuntime` wires them on its ``registry``; ``/metrics`` serves it
(:mod:`shared.service.app`). Dashboards and alert rules live in ``deploy/``.
"""

from shared.observability.broker import KafkaMetricsMiddleware
from shared.observability.metrics import RULES, DomainMetrics, observe, produced_by
from shared.observability.sampling import SampledGauges, projection_lag

__all__ = ["RULES", "DomainMetrics", "KafkaMetricsMiddleware", "SampledGauges", "observe", "produced_by", "projection_lag"]
