"""Admin of the offices models: the scoping every app's admin shares (scoping.py), jurisdictions,
units, offices, deputies, teams, leader changes and contacts (roster.py) with the roster import
pages (roster_import.py), evaluations, training and budgets (office_work.py)."""

from . import office_work, roster, roster_import, scoping  # noqa: F401
