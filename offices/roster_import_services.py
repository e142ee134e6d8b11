"""Roster import from Excel (SPEC §6): the offices list and the deputy roster with fixed
communities and teams, in one workbook of two sheets.

This module reads and checks; it writes nothing. `read_roster` turns an uploaded file into rows
(or one file-level problem: not xlsx, empty, wrong headers, too many rows); `plan_roster` checks
every row against the organization chart the importing staff member may see and returns either
the list of problems by sheet, row and column, or a plan that `services.roster_import` carries
out in one transaction. The rules of SPEC §1 are checked here with the services' own validators
so that the preview names every bad row at once, and again by the services at write time.
"""

import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from liaison.lib.exporters import neutralize
from liaison.lib.pinyin import pinyin_initials
from liaison.lib.validators import validate_cn_mobile
from liaison.models import Role, User

from . import selectors
from .models import Deputy, FixedCommunity, Jurisdiction, Office, Team, TeamMembership
from .roster_version import roster_changed
from .services import fixed_communities_validate, team_set_members

LANGUAGES = ("zh-hans", "en")
# Several fixed communities in one cell: 葵新社区、三溪社区 (or ; , ，；).
LIST_SEPARATORS = ("、", "；", ";", "，", ",")
TRUE_WORDS = {"是", "y", "yes", "true", "1", "√", "✓"}
FALSE_WORDS = {"", "否", "n", "no", "false", "0"}


class RosterFileError(Exception):
    """A problem with the file as a whole; nothing in it can be checked row by row."""


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # lazy translation; matched in every language
    required: bool = False
    help: object = ""

    def labels(self):
        out = set()
        for lang in LANGUAGES:
            with translation.override(lang):
                out.add(_normal(str(self.label)))
        return out


@dataclass(frozen=True)
class Sheet:
    key: str
    title: object
    columns: tuple

    def titles(self):
        out = set()
        for lang in LANGUAGES:
            with translation.override(lang):
                out.add(_normal(str(self.title)))
        return out

    def column(self, key):
        return next(c for c in self.columns if c.key == key)


OFFICE_SHEET = Sheet(
    "offices",
    pgettext_lazy("roster", "Offices"),
    (
        Column("name", pgettext_lazy("roster", "Office name"), True),
        Column("kind", pgettext_lazy("roster", "Office kind"), False, pgettext_lazy("roster", "Community if empty")),
        Column("district", pgettext_lazy("roster", "District"), True),
        Column("street", pgettext_lazy("roster", "Street"), False),
        Column("community", pgettext_lazy("roster", "Community"), False, pgettext_lazy("roster", "Needed for a community office with a team")),
        Column("address", pgettext_lazy("roster", "Address")),
        Column("area_m2", pgettext_lazy("roster", "Area (m²)")),
        Column("open_hours", pgettext_lazy("roster", "Open hours")),
        Column("open_half_days_per_week", pgettext_lazy("roster", "Open half-days a week")),
        Column("public_phone", pgettext_lazy("roster", "Public contact phone")),
        Column("team", pgettext_lazy("roster", "Team name"), False, pgettext_lazy("roster", "Creates the office's deputy team")),
    ),
)

DEPUTY_SHEET = Sheet(
    "deputies",
    pgettext_lazy("roster", "Deputies"),
    (
        Column("name", pgettext_lazy("roster", "Name"), True),
        Column("gender", pgettext_lazy("roster", "Gender"), True),
        Column("mobile", pgettext_lazy("roster", "Mobile phone"), True),
        Column("id_number", pgettext_lazy("roster", "ID number")),
        Column("level", pgettext_lazy("roster", "Deputy level"), True),
        Column("term", pgettext_lazy("roster", "Congress term"), True),
        Column("work_unit", pgettext_lazy("roster", "Work unit"), True),
        Column("position", pgettext_lazy("roster", "Position")),
        Column("district", pgettext_lazy("roster", "District"), True),
        Column("communities", pgettext_lazy("roster", "Fixed community"), True, pgettext_lazy("roster", "Several separated by 、")),
        Column("is_leadership_member", pgettext_lazy("roster", "Leadership-team member")),
        Column("team", pgettext_lazy("roster", "Team")),
        Column("is_leader", pgettext_lazy("roster", "Team leader")),
        Column("username", pgettext_lazy("roster", "Login name"), False, pgettext_lazy("roster", "Creates a login; the password is shown once")),
    ),
)

SHEETS = (OFFICE_SHEET, DEPUTY_SHEET)
INSTRUCTIONS_TITLE = pgettext_lazy("roster", "Instructions")


def _normal(text):
    return " ".join(str(text).split()).casefold()


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def max_rows():
    return settings.ROSTER_IMPORT_MAX_ROWS


# --- Reading ---------------------------------------------------------------------------------------


@dataclass
class SheetRows:
    sheet: Sheet
    rows: list = field(default_factory=list)  # [(row number, {column key: text})]


PROGRESS_ROWS = 1000


def read_roster(fileobj, progress=None):
    """Read an uploaded roster. Returns {sheet key: SheetRows}; raises RosterFileError.

    The workbook is streamed (openpyxl read-only) and reading stops as soon as the row limit is
    passed, so a huge file costs no more than the limit. `progress(rows read, rows expected)` is
    called every PROGRESS_ROWS rows; the rows expected are what the sheets' dimensions announce
    (0 when they announce nothing), for a progress bar only."""
    fileobj.seek(0)
    if fileobj.read(4) != b"PK\x03\x04":
        raise RosterFileError(
            _("This is not an Excel .xlsx file. Save the roster as an Excel workbook (.xlsx) and upload it again.")
        )
    fileobj.seek(0)
    try:
        wb = load_workbook(fileobj, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise RosterFileError(
            _("This file cannot be read as an Excel .xlsx workbook. Save it again as .xlsx and upload it again.")
        ) from None
    try:
        return _read_workbook(wb, progress)
    finally:
        wb.close()


def _announced_rows(worksheets):
    total = 0
    for ws in worksheets:
        try:
            total += max((ws.max_row or 1) - 1, 0)
        except (TypeError, ValueError, KeyError):
            return 0
    return total


def _read_workbook(wb, progress=None):
    by_title = {}
    for sheet in SHEETS:
        for title in sheet.titles():
            by_title[title] = sheet
    skip = set()
    for lang in LANGUAGES:
        with translation.override(lang):
            skip.add(_normal(str(INSTRUCTIONS_TITLE)))
    result = {}
    total = 0
    limit = max_rows()
    expected = "、".join(f"“{s.title}”" for s in SHEETS)
    announced = _announced_rows(wb.worksheets) if progress else 0
    for ws in wb.worksheets:
        title = _normal(ws.title)
        if title in skip:
            continue
        sheet = by_title.get(title)
        if sheet is None:
            raise RosterFileError(
                _("The sheet “%(sheet)s” is not part of the roster template; the sheets are named %(expected)s. Download the template and copy the rows into it.")
                % {"sheet": ws.title, "expected": expected}
            )
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        mapping = _header_mapping(sheet, ws.title, header)
        if mapping is None:
            continue  # an empty sheet
        out = SheetRows(sheet)
        for number, values in enumerate(rows, start=2):
            texts = {key: _cell_text(values[i]) if i < len(values) else "" for i, key in mapping.items()}
            if not any(texts.values()):
                continue
            total += 1
            if total > limit:
                raise RosterFileError(
                    _("The file has more than %(limit)s rows; at most %(limit)s rows are imported at a time. Split the roster into several files.")
                    % {"limit": limit}
                )
            out.rows.append((number, texts))
            if progress and total % PROGRESS_ROWS == 0:
                progress(total, announced)
        result[sheet.key] = out
    if total == 0:
        raise RosterFileError(_("The file has no rows to import. Fill in the template's sheets under their header rows."))
    return result


def _header_mapping(sheet, title, header):
    """{column index: column key} from the header row, or None for an empty sheet."""
    if header is None or not any(_cell_text(v) for v in header):
        return None
    known = {}
    for column in sheet.columns:
        for label in column.labels():
            known[label] = column
    mapping, seen, unknown = {}, set(), []
    for i, value in enumerate(header):
        text = _cell_text(value)
        if not text:
            continue
        column = known.get(_normal(text))
        if column is None:
            unknown.append(text)
            continue
        if column.key in seen:
            raise RosterFileError(
                _("Sheet “%(sheet)s”: the column “%(column)s” appears twice.") % {"sheet": title, "column": text}
            )
        seen.add(column.key)
        mapping[i] = column.key
    missing = [str(c.label) for c in sheet.columns if c.required and c.key not in seen]
    if unknown or missing:
        parts = []
        if missing:
            parts.append(_("missing columns: %(columns)s") % {"columns": "、".join(missing)})
        if unknown:
            parts.append(_("unknown columns: %(columns)s") % {"columns": "、".join(unknown)})
        raise RosterFileError(
            _("Sheet “%(sheet)s” does not have the template's header row (%(problems)s). Download the template and copy the rows into it.")
            % {"sheet": title, "problems": "; ".join(parts)}
        )
    return mapping


# --- Checking --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int
    column: str
    message: str


@dataclass
class OfficePlan:
    row: int
    name: str
    kind: str
    jurisdiction: Jurisdiction
    address: str
    area_m2: Decimal | None
    open_hours: str
    open_half_days_per_week: int
    public_phone: str
    team_name: str


@dataclass
class DeputyPlan:
    row: int
    name: str
    gender: str
    mobile: str
    id_number: str
    level: str
    term: str
    work_unit: str
    position: str
    district: Jurisdiction
    communities: list
    is_leadership_member: bool
    team: object  # a Team, an OfficePlan (a team created by this import) or None
    is_leader: bool
    username: str


@dataclass
class RosterPlan:
    offices: list = field(default_factory=list)
    deputies: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    @property
    def new_teams(self):
        return [o for o in self.offices if o.team_name]


class _Checker:
    def __init__(self, sheet, errors):
        self.sheet = sheet
        self.errors = errors

    def error(self, row, key, message):
        self.errors.append(RowError(str(self.sheet.title), row, str(self.sheet.column(key).label), str(message)))

    def required(self, row, values, key):
        text = values.get(key, "")
        if not text:
            self.error(row, key, _("This column is required."))
        return text

    def max_length(self, row, values, key, model, field_name):
        text = values.get(key, "")
        limit = model._meta.get_field(field_name).max_length
        if len(text) > limit:
            self.error(row, key, _("At most %(n)d characters.") % {"n": limit})
        return text[:limit]

    def choice(self, row, values, key, choices, default=None):
        text = values.get(key, "")
        if not text:
            if default is None:
                return None
            return default
        wanted = _normal(text)
        for value, label in choices:
            names = {_normal(value)}
            for lang in LANGUAGES:
                with translation.override(lang):
                    names.add(_normal(str(label)))
            if wanted in names:
                return value
        options = "、".join(str(label) for _v, label in choices)
        self.error(row, key, _("“%(value)s” is not one of: %(options)s.") % {"value": text, "options": options})
        return None

    def boolean(self, row, values, key):
        text = _normal(values.get(key, ""))
        if text in TRUE_WORDS:
            return True
        if text not in FALSE_WORDS:
            self.error(row, key, _("Write 是 (yes) or 否 (no)."))
        return False


class _Chart:
    """The part of the organization chart the importing staff member may see, loaded once."""

    def __init__(self, user):
        visible = list(selectors.jurisdictions_visible_to(user=user))
        self.visible_ids = {j.pk for j in visible}
        self.districts = {}
        self.streets = {}
        self.communities = {}
        for j in visible:
            if j.level in (Jurisdiction.Level.DISTRICT, Jurisdiction.Level.NEW_DISTRICT):
                self.districts[j.name] = j
        by_id = {j.pk: j for j in visible}
        for j in visible:
            if j.level == Jurisdiction.Level.STREET:
                self.streets.setdefault((j.district_id, j.name), j)
            elif j.level == Jurisdiction.Level.COMMUNITY:
                parent = by_id.get(j.parent_id)
                self.communities.setdefault((j.district_id, j.name), []).append((parent.name if parent else "", j))
        self.teams = {(t.district_id, t.name): t for t in selectors.teams_visible_to(user=user)}

    def district_outside_scope(self, name):
        return Jurisdiction.objects.filter(
            name=name, level__in=[Jurisdiction.Level.DISTRICT, Jurisdiction.Level.NEW_DISTRICT]
        ).exists()

    def community(self, district, text):
        """A community by name in the district, or by "street/community" when names repeat.
        Returns (community, problem)."""
        street = None
        name = text
        if "/" in text:
            street, name = (part.strip() for part in text.split("/", 1))
        found = self.communities.get((district.pk, name), [])
        if street is not None:
            found = [f for f in found if f[0] == street]
        if not found:
            return None, _("No community named “%(name)s” in %(district)s.") % {"name": text, "district": district.name}
        if len(found) > 1:
            return None, _("Several communities in %(district)s are named “%(name)s”; write street/community.") % {
                "district": district.name,
                "name": name,
            }
        return found[0][1], None


def _district(checker, chart, row, values):
    name = checker.required(row, values, "district")
    if not name:
        return None
    district = chart.districts.get(name)
    if district is None:
        if chart.district_outside_scope(name):
            checker.error(row, "district", _("%(name)s is outside the districts you manage.") % {"name": name})
        else:
            checker.error(row, "district", _("No district named “%(name)s”.") % {"name": name})
    return district


def plan_roster(sheets, *, user, progress=None):
    """Check every row; returns a RosterPlan whose `errors` list is empty when the file may be
    imported. `progress(rows checked)` is called every PROGRESS_ROWS rows."""
    plan = RosterPlan()
    chart = _Chart(user)
    checked = [0]

    def ticking(rows):
        for item in rows:
            yield item
            checked[0] += 1
            if progress and checked[0] % PROGRESS_ROWS == 0:
                progress(checked[0])

    if "offices" in sheets:
        _plan_offices(plan, sheets["offices"].rows, chart, ticking)
    if "deputies" in sheets:
        _plan_deputies(plan, sheets["deputies"].rows, chart, ticking)
        _check_teams(plan)
    plan.errors.sort(key=lambda e: (0 if e.sheet == str(OFFICE_SHEET.title) else 1, e.row))
    return plan


def _plan_offices(plan, rows, chart, ticking=iter):
    c = _Checker(OFFICE_SHEET, plan.errors)
    seen_offices, seen_teams = {}, {}
    existing = set(
        Office.objects.filter(jurisdiction_id__in=chart.visible_ids).values_list("jurisdiction_id", "name")
    )
    for row, values in ticking(rows):
        before = len(plan.errors)
        name = c.max_length(row, values, "name", Office, "name")
        c.required(row, values, "name")
        kind = c.choice(row, values, "kind", Office.Kind.choices, default=Office.Kind.COMMUNITY)
        district = _district(c, chart, row, values)
        jurisdiction = district
        street_name = values.get("street", "")
        community_name = values.get("community", "")
        if district is not None:
            if community_name:
                text = f"{street_name}/{community_name}" if street_name else community_name
                jurisdiction, problem = chart.community(district, text)
                if problem:
                    c.error(row, "community", problem)
            elif street_name:
                jurisdiction = chart.streets.get((district.pk, street_name))
                if jurisdiction is None:
                    c.error(row, "street", _("No street named “%(name)s” in %(district)s.") % {"name": street_name, "district": district.name})
        area = None
        if values.get("area_m2"):
            try:
                area = Decimal(values["area_m2"])
                if area < 0 or area >= 1000000:
                    raise InvalidOperation
            except InvalidOperation:
                c.error(row, "area_m2", _("Write the area as a number of square metres."))
                area = None
        half_days = 1
        if values.get("open_half_days_per_week"):
            try:
                half_days = int(values["open_half_days_per_week"])
                if not 0 <= half_days <= 14:
                    raise ValueError
            except ValueError:
                c.error(row, "open_half_days_per_week", _("Write a whole number from 0 to 14."))
        team_name = c.max_length(row, values, "team", Team, "name")
        if team_name and jurisdiction is not None and jurisdiction.level != Jurisdiction.Level.COMMUNITY:
            c.error(row, "team", _("A deputy team serves a community office: fill in the office's community."))
        if jurisdiction is not None and name:
            key = (jurisdiction.pk, name)
            if key in existing:
                c.error(row, "name", _("%(name)s already exists in %(place)s.") % {"name": name, "place": jurisdiction.name})
            elif key in seen_offices:
                c.error(row, "name", _("Same office as row %(row)d.") % {"row": seen_offices[key]})
            seen_offices.setdefault(key, row)
        if team_name and district is not None:
            key = (district.pk, team_name)
            if key in chart.teams:
                c.error(row, "team", _("A team named “%(name)s” already exists in %(district)s.") % {"name": team_name, "district": district.name})
            elif key in seen_teams:
                c.error(row, "team", _("Same team name as row %(row)d.") % {"row": seen_teams[key]})
            seen_teams.setdefault(key, row)
        if len(plan.errors) == before:
            plan.offices.append(
                OfficePlan(
                    row=row,
                    name=name,
                    kind=kind,
                    jurisdiction=jurisdiction,
                    address=c.max_length(row, values, "address", Office, "address"),
                    area_m2=area,
                    open_hours=c.max_length(row, values, "open_hours", Office, "open_hours"),
                    open_half_days_per_week=half_days,
                    public_phone=c.max_length(row, values, "public_phone", Office, "public_phone"),
                    team_name=team_name,
                )
            )


def _plan_deputies(plan, rows, chart, ticking=iter):
    c = _Checker(DEPUTY_SHEET, plan.errors)
    new_teams = {(o.jurisdiction.district_id, o.team_name): o for o in plan.new_teams}
    seen_people, seen_usernames = {}, {}
    rows = list(rows)
    usernames = {v.get("username") for _r, v in rows if v.get("username")}
    taken = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    mobiles = {v.get("mobile") for _r, v in rows if v.get("mobile")}
    existing_people = set(Deputy.objects.filter(mobile__in=mobiles).values_list("name", "mobile"))
    for row, values in ticking(rows):
        before = len(plan.errors)
        name = c.required(row, values, "name")
        name = c.max_length(row, values, "name", Deputy, "name")
        gender = c.choice(row, values, "gender", Deputy.Gender.choices)
        if gender is None and not values.get("gender"):
            c.error(row, "gender", _("This column is required."))
        mobile = c.required(row, values, "mobile")
        if mobile:
            try:
                validate_cn_mobile(mobile)
            except ValidationError as e:
                c.error(row, "mobile", " ".join(e.messages))
        level = c.choice(row, values, "level", Deputy.Level.choices)
        if level is None and not values.get("level"):
            c.error(row, "level", _("This column is required."))
        c.required(row, values, "term")
        c.required(row, values, "work_unit")
        id_number = c.max_length(row, values, "id_number", Deputy, "id_number")
        is_leadership = c.boolean(row, values, "is_leadership_member")
        is_leader = c.boolean(row, values, "is_leader")
        district = _district(c, chart, row, values)
        communities = []
        text = c.required(row, values, "communities")
        if district is not None and text:
            for part in _split(text):
                community, problem = chart.community(district, part)
                if problem:
                    c.error(row, "communities", problem)
                elif community not in communities:
                    communities.append(community)
            if communities and len(plan.errors) == before:
                try:
                    fixed_communities_validate(
                        level=level, district=district, is_leadership_member=is_leadership, communities=communities
                    )
                except ValidationError as e:
                    c.error(row, "communities", " ".join(e.messages))
        team = None
        team_name = values.get("team", "")
        if team_name and district is not None:
            team = new_teams.get((district.pk, team_name)) or chart.teams.get((district.pk, team_name))
            if team is None:
                c.error(row, "team", _("No team named “%(name)s” in %(district)s.") % {"name": team_name, "district": district.name})
        elif is_leader and not team_name:
            c.error(row, "is_leader", _("A team leader needs a team."))
        if name and mobile:
            if (name, mobile) in existing_people:
                c.error(row, "name", _("%(name)s with this mobile phone is already on the roster.") % {"name": name})
            elif (name, mobile) in seen_people:
                c.error(row, "name", _("Same deputy as row %(row)d.") % {"row": seen_people[(name, mobile)]})
            seen_people.setdefault((name, mobile), row)
        username = c.max_length(row, values, "username", User, "username")
        if username:
            if username in taken:
                c.error(row, "username", _("The login name “%(name)s” is taken.") % {"name": username})
            elif username in seen_usernames:
                c.error(row, "username", _("Same login name as row %(row)d.") % {"row": seen_usernames[username]})
            seen_usernames.setdefault(username, row)
        if len(plan.errors) == before:
            plan.deputies.append(
                DeputyPlan(
                    row=row,
                    name=name,
                    gender=gender,
                    mobile=mobile,
                    id_number=id_number,
                    level=level,
                    term=c.max_length(row, values, "term", Deputy, "term"),
                    work_unit=c.max_length(row, values, "work_unit", Deputy, "work_unit"),
                    position=c.max_length(row, values, "position", Deputy, "position"),
                    district=district,
                    communities=communities,
                    is_leadership_member=is_leadership,
                    team=team,
                    is_leader=is_leader,
                    username=username,
                )
            )


def _split(text):
    for sep in LIST_SEPARATORS[1:]:
        text = text.replace(sep, LIST_SEPARATORS[0])
    return [part.strip() for part in text.split(LIST_SEPARATORS[0]) if part.strip()]


def team_community(team):
    return team.jurisdiction if isinstance(team, OfficePlan) else team.office.jurisdiction


def team_name(team):
    return team.team_name if isinstance(team, OfficePlan) else team.name


def _check_teams(plan):
    """One leader per team [000 二] and members fixed to the team's community, counting the
    members a team already has."""
    c = _Checker(DEPUTY_SHEET, plan.errors)
    by_team = {}
    for d in plan.deputies:
        if d.team is not None:
            by_team.setdefault(id(d.team), (d.team, []))[1].append(d)
    existing = {}
    saved = [t.pk for t, _m in by_team.values() if isinstance(t, Team)]
    for m in TeamMembership.objects.filter(team_id__in=saved, is_leader=True).select_related("deputy"):
        existing[m.team_id] = m.deputy
    for team, members in by_team.values():
        community = team_community(team)
        for d in members:
            if community not in d.communities:
                c.error(
                    d.row,
                    "team",
                    _("%(name)s is not fixed to %(community)s, the team's community.")
                    % {"name": d.name, "community": community.name},
                )
        leaders = [d for d in members if d.is_leader]
        current = existing.get(team.pk) if isinstance(team, Team) else None
        if current is not None:
            for d in leaders:
                c.error(
                    d.row,
                    "is_leader",
                    _("%(team)s is led by %(leader)s; change the leader with the leader-change form, which records the members' agreement.")
                    % {"team": team.name, "leader": current.name},
                )
        elif not leaders:
            c.error(
                members[0].row,
                "is_leader",
                _("A team has exactly one leader: mark one member of %(team)s as leader.") % {"team": team_name(team)},
            )
        elif len(leaders) > 1:
            rows = "、".join(str(d.row) for d in leaders)
            for d in leaders:
                c.error(
                    d.row,
                    "is_leader",
                    _("A team has exactly one leader; rows %(rows)s all lead %(team)s.") % {"rows": rows, "team": team_name(team)},
                )
    # Rows with an error in this pass are not importable either.
    bad = {e.row for e in plan.errors if e.sheet == str(DEPUTY_SHEET.title)}
    plan.deputies = [d for d in plan.deputies if d.row not in bad]


# --- Template ----------------------------------------------------------------------------------------


def template_xlsx(fileobj):
    """The roster template: one sheet per kind with its header row, and an instructions sheet."""
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    for sheet in SHEETS:
        ws = wb.create_sheet(title=str(sheet.title)[:31])
        header = []
        for column in sheet.columns:
            cell = WriteOnlyCell(ws, value=str(column.label))
            cell.font = bold
            header.append(cell)
        ws.append(header)
    ws = wb.create_sheet(title=str(INSTRUCTIONS_TITLE)[:31])
    ws.append([_("Sheet"), _("Column"), _("Required"), _("Notes")])
    for sheet in SHEETS:
        for column in sheet.columns:
            ws.append(
                [
                    neutralize(str(sheet.title)),
                    neutralize(str(column.label)),
                    _("yes") if column.required else "",
                    neutralize(str(column.help)),
                ]
            )
    for line in (
        _("Fill in the rows under the header of each sheet; an empty sheet is skipped."),
        _("Districts, streets and communities must already exist; write their names as in the portal."),
        _("A file with any bad row imports nothing: the preview lists every problem by row and column."),
        _("At most %(limit)s rows are imported at a time.") % {"limit": max_rows()},
    ):
        ws.append([neutralize(line)])
    wb.save(fileobj)


IMPORT_BATCH = 1000


class RosterImportRefused(Exception):
    """A rule refused one row at write time; the whole import is rolled back. `errors` is a list
    of RowError."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


def roster_import_steps(plan):
    """The steps `roster_import` reports through its `progress` callback: one per office, new
    login, deputy and team."""
    teams = {id(d.team) for d in plan.deputies if d.team is not None}
    return len(plan.offices) + sum(1 for d in plan.deputies if d.username) + len(plan.deputies) + len(teams)


PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_credential():
    """(a new initial password, its hash). Argon2 by design: the slow part of an import with many
    logins, and 100 MiB of working memory a hash (Django's memory_cost), freed after each."""
    password = get_random_string(14, PASSWORD_ALPHABET)
    return password, make_password(password)


@transaction.atomic
def roster_import(*, plan, actor, progress=None, credentials=None):
    """Carry out a checked roster plan (plan_roster) in one transaction: offices
    and their teams, deputies with their fixed communities, team members, and login accounts for
    the rows that ask for one. The fixed-community and one-leader rules are enforced again by the
    same services the admin uses; a refusal names the row and rolls everything back.

    `progress(done)`, when given, is called now and then with the steps done so far (out of
    roster_import_steps(plan)). `credentials`, a list of new_credential() made beforehand (the
    background job hashes them before it loads the roster, so that Argon2's working memory never
    adds to the rows'), is used up first; more are made when it runs short. Deputies are written a batch at a time and only their ids are
    kept, so that memory stays flat for a city's roster.

    Returns {"offices": n, "teams": n, "deputies": n, "accounts": [(deputy name, username, password)]}.
    """
    def refuse(row, column, error):
        messages = error.messages if isinstance(error, ValidationError) else [str(error)]
        raise RosterImportRefused(
            [RowError(str(DEPUTY_SHEET.title), row, str(DEPUTY_SHEET.column(column).label), " ".join(messages))]
        )

    credentials = list(credentials or ())
    done = 0

    def step(n=1, *, every=1):
        nonlocal done
        done += n
        if progress is not None and done % every == 0:
            progress(done)

    teams = {}
    for o in plan.offices:
        office = Office.objects.create(
            name=o.name,
            kind=o.kind,
            jurisdiction=o.jurisdiction,
            address=o.address,
            area_m2=o.area_m2,
            open_hours=o.open_hours,
            open_half_days_per_week=o.open_half_days_per_week,
            public_phone=o.public_phone,
        )
        if o.team_name:
            teams[id(o)] = Team.objects.create(name=o.team_name, office=office)
        step(every=50)
    # Deputies, their logins and fixed communities are written in bulk (a 20,000-row roster takes
    # seconds, not minutes); the fixed-community rules are checked per row by the same validator
    # deputy_set_fixed_communities uses, before anything of the row is written.
    for d in plan.deputies:
        try:
            fixed_communities_validate(
                level=d.level, district=d.district, is_leadership_member=d.is_leadership_member,
                communities=d.communities,
            )
        except ValidationError as e:
            refuse(d.row, "communities", e)
    accounts = []
    user_ids = {}
    for batch in _batches([d for d in plan.deputies if d.username], IMPORT_BATCH):
        users = []
        for d in batch:
            password, encoded = credentials.pop() if credentials else new_credential()
            user = User(username=d.username, name=d.name, role=Role.DEPUTY, mobile=d.mobile, must_change_password=True,
                        password=encoded)
            users.append(user)
            accounts.append((d.name, d.username, password))
            step(every=5)
        User.objects.bulk_create(users)
        user_ids.update((d.row, u.pk) for d, u in zip(batch, users, strict=True))
    deputy_ids = []
    for batch in _batches(plan.deputies, IMPORT_BATCH):
        created = Deputy.objects.bulk_create([
            Deputy(
                name=d.name,
                name_initials=pinyin_initials(d.name),  # what Deputy.save() sets; bulk_create skips save()
                gender=d.gender,
                mobile=d.mobile,
                id_number=d.id_number,
                level=d.level,
                term=d.term,
                work_unit=d.work_unit,
                position=d.position,
                district=d.district,
                is_leadership_member=d.is_leadership_member,
                user_id=user_ids.get(d.row),
            )
            for d in batch
        ])
        FixedCommunity.objects.bulk_create([
            FixedCommunity(deputy_id=deputy.pk, community=c)
            for d, deputy in zip(batch, created, strict=True) for c in dict.fromkeys(d.communities)
        ])
        deputy_ids.extend(deputy.pk for deputy in created)
        step(len(batch))
    roster_changed()  # bulk_create sends no signal
    members = {}
    for d, deputy_id in zip(plan.deputies, deputy_ids, strict=True):
        if d.team is not None:
            team = teams.get(id(d.team)) or d.team
            members.setdefault(team.pk, (team, []))[1].append((d.row, Deputy(pk=deputy_id, name=d.name), d.is_leader))
    for team, rows in members.values():
        current = [(m.deputy, m.is_leader) for m in TeamMembership.objects.filter(team=team).select_related("deputy")]
        try:
            team_set_members(team=team, members=current + [(deputy, is_leader) for _row, deputy, is_leader in rows])
        except ValidationError as e:
            leader_rows = [row for row, _d, is_leader in rows if is_leader] or [rows[0][0]]
            refuse(leader_rows[0], "team", f"{team.name}: " + " ".join(e.messages))
        step(every=10)
    if progress is not None:
        progress(done)
    return {
        "offices": len(plan.offices),
        "teams": len(teams),
        "deputies": len(plan.deputies),
        "accounts": accounts,
    }


def _batches(items, size):
    for i in range(0, len(items), size):
        yield items[i:i + size]
