"""Admin of the reception models: periods and their rules (periods.py), activities and what hangs
on them (activities.py), yearly work plans (work_plans.py)."""

from . import activities, periods, work_plans  # noqa: F401
