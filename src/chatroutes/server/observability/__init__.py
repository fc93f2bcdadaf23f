"""Operating the server: Prometheus metrics, request ids and JSON logs, traces, readiness.

``install.install_observability`` wires them into an app; the provider layer and
the reply store call the one-line hooks in ``metrics``. This package imports
nothing of the rest of the server at import time, so any layer may use ``metrics``.
"""
