"""The organization chart (organization.py) and the SPEC §5 office records (office_work.py)."""

from .office_work import Budget, Expense, OfficeEvaluation, TrainingAttendance, TrainingCourse
from .organization import (
    Contact,
    ContactVisit,
    Deputy,
    FixedCommunity,
    Jurisdiction,
    LeaderChange,
    Office,
    OfficeLiaison,
    Team,
    TeamMembership,
    Unit,
    calendar_token_field,
    new_calendar_token,
)
from .roster_import import RosterImportJob

__all__ = [
    "Budget",
    "Contact",
    "ContactVisit",
    "Deputy",
    "Expense",
    "FixedCommunity",
    "Jurisdiction",
    "LeaderChange",
    "Office",
    "OfficeEvaluation",
    "OfficeLiaison",
    "RosterImportJob",
    "Team",
    "TeamMembership",
    "TrainingAttendance",
    "TrainingCourse",
    "Unit",
    "calendar_token_field",
    "new_calendar_token",
]
