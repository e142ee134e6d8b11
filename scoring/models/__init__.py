"""Performance points 履职积分 (SPEC §4, seed [002 附件1 附件2], [000 十二 十三 十四]).

A rule set is a versioned table of items; each district and year is bound to one set, otherwise
the default set applies. Points live in an append-only ledger: every entry links to its source (a
record of another app, a verified claim or an accepted review) and to the rule item it was scored
under, and freezes the points of that item at the time, so editing a rule set never changes points
already awarded. Corrections are reversing entries. Standings are aggregated from the ledger and
published quarterly as frozen snapshots.

Each part lives in its own module; this package re-exports them so Django finds them and
`from scoring.models import X` keeps working.
"""

from .claims import Claim, ClaimEvent  # noqa: F401
from .exports import ExportJob  # noqa: F401
from .ledger import DeputyYearTotal, Entry  # noqa: F401
from .reviews import Review  # noqa: F401
from .rules import Category, RecordEvent, RuleItem, RuleSet, RuleSetBinding  # noqa: F401
from .snapshots import AnnualReport, Snapshot, SnapshotRow  # noqa: F401
