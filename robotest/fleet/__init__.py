"""The fleet: runs submitted to the script server, dealt out over a Celery broker (Redis)
to station workers, each running its share of the cases and sending results back.

- :mod:`robotest.fleet.labels`: worker labels and the broker queue of each label set.
- :mod:`robotest.fleet.engine`: the Celery application both sides share.
- :mod:`robotest.fleet.dealing`: a run's cases grouped into tasks.
- :mod:`robotest.fleet.store`, :mod:`robotest.fleet.service`, :mod:`robotest.fleet.api`,
  :mod:`robotest.fleet.web`: the server side (runs, cases, progress, cancel).
- :mod:`robotest.fleet.tasks`, :mod:`robotest.fleet.execution`,
  :mod:`robotest.fleet.reporting`: the worker side.
- :mod:`robotest.fleet.cli`: `rtest worker` and `rtest submit`.
"""
