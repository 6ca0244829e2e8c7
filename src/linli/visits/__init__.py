"""千户访: the visit rhythm, grid workers' worklists, grid logs, alerts and coverage figures."""

from linli.visits import hooks as _hooks  # noqa: F401  (keeps the rhythm projection in step with the registry)
