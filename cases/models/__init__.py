"""Models of the cases app. Each domain lives in its own module; this package only re-exports
them so Django finds them."""

from .case import (  # noqa: F401
    COUNTED_SOURCES,
    DISPATCH_OPEN,
    MAY_BE_OVERDUE,
    WAITING_FOR_STAFF,
    Case,
    CaseAttachment,
    CaseDispatch,
    CaseEvent,
    CaseReminder,
    Category,
    Channel,
    DeadlineExtension,
    DispatchStatus,
    MeetingAssignment,
    ReplyResult,
    Satisfaction,
    SatisfactionSource,
    Status,
    TeamMeeting,
    new_tracking_code,
)
from .export import CaseExportJob  # noqa: F401,E402
from .privacy import PrivacyRequest  # noqa: F401,E402
from .proposals import (  # noqa: F401
    Evaluation,
    Inquiry,
    Proposal,
    ProposalCosigner,
    ProposalDispatch,
    ProposalEvent,
    ProposalKind,
    ProposalReminder,
    ProposalReplyResult,
    ProposalStatus,
)
from .public import PublicSubmission  # noqa: F401,E402
from .resident import CaseRating, ResidentMessage  # noqa: F401,E402
from .review import CITY_SCOPE, ReviewBulletin  # noqa: F401,E402
from .unit_figures import UnitOpenShares, UnitOpenTotal, UnitYearFigures  # noqa: F401,E402
