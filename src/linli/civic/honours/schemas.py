"""Selection payloads (评选): what the API takes in and gives out.

No schema a reader sees while voting is open carries a count: a nominee is a name, a place and a reason
until the results are published (``ResultsOut``). The services check what the types cannot (the windows'
order, the category, the nominee's kind, the voter).
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from linli.registry.schemas import Page

CODE = "^[a-z][a-z0-9_]{0,23}$"


class CategoryIn(BaseModel):
    """A category: ``nominee_kind`` resident (a person), household (a family) or user (a staff account)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    code: str = Field(pattern=CODE)
    name: str = Field(min_length=1, max_length=40)
    nominee_kind: str = Field("resident", pattern="^(resident|household|user)$")
    winners: int = Field(1, ge=1, le=50)


class SelectionIn(BaseModel):
    """A new selection of ``area_id``; without ``categories`` it gets the 五好先锋 set."""

    model_config = ConfigDict(str_strip_whitespace=True)

    area_id: int
    title: str = Field(min_length=1, max_length=120)
    description: str = Field("", max_length=4000)
    rule: str = Field(
        "household", pattern="^(household|resident)$", description="One vote per household, or per resident"
    )
    nominate_from: date
    nominate_until: date
    vote_from: date
    vote_until: date
    recount_until: date = Field(description="Staff may correct paper votes until this day; results after it")
    categories: list[CategoryIn] | None = Field(None, min_length=1, max_length=12)


class SelectionUpdate(BaseModel):
    """Fields to change; ``version`` is the one read. The rule is fixed once voting opens; the categories
    once anyone is nominated."""

    model_config = ConfigDict(str_strip_whitespace=True)

    version: int
    title: str | None = Field(None, min_length=1, max_length=120)
    description: str | None = Field(None, max_length=4000)
    rule: str | None = Field(None, pattern="^(household|resident)$")
    nominate_from: date | None = None
    nominate_until: date | None = None
    vote_from: date | None = None
    vote_until: date | None = None
    recount_until: date | None = None
    categories: list[CategoryIn] | None = Field(None, min_length=1, max_length=12)


class CategoryOut(BaseModel):
    id: int
    code: str
    name: str
    nominee_kind: str
    winners: int


class NomineeOut(BaseModel):
    """A nominee as the ballot shows it. Staff (civic.read at the selection) also see the check and the links."""

    id: int
    category_id: int
    display_name: str
    place: str
    reason: str
    state: str = Field(description="pending, eligible, ineligible or withdrawn")
    mine: bool = Field(False, description="Nominated by the caller")
    check_note: str | None = None
    resident_id: int | None = None
    household_id: int | None = None
    user_id: int | None = None
    nominated_by: str | None = None
    created_at: datetime


class BallotCategory(CategoryOut):
    nominees: list[NomineeOut]
    my_vote: int | None = Field(None, description="The nominee the caller's household (or the caller) voted for")
    my_channel: str | None = Field(None, description="online or paper")


class SelectionOut(BaseModel):
    id: int
    area_id: int
    area: str
    title: str
    description: str
    rule: str
    nominate_from: date
    nominate_until: date
    vote_from: date
    vote_until: date
    recount_until: date
    state: str = Field(description="upcoming, nominating, checking, voting, counting or published")
    results_published_at: datetime | None
    stats_published_at: datetime | None
    version: int


SelectionPage = Page[SelectionOut]


class SelectionDetail(SelectionOut):
    """A selection with its categories and nominees: eligible ones (and one's own) for residents, all for staff."""

    categories: list[BallotCategory]
    can_nominate: bool
    can_vote: bool = Field(description="The caller holds a resident account of the area and voting is open")
    can_keep: bool = Field(description="The caller keeps this selection (civic.manage)")
    can_enter_paper: bool = Field(description="The caller may enter and correct paper votes now")
    can_publish: bool = Field(description="The recount window is over: results and statistics may be published")


class NominationIn(BaseModel):
    """A nomination: the category (code or id), who (name and where they live) and why.

    Staff may link the nominee to the registry at once (``resident_id``, ``household_id`` or ``user_id``).
    """

    model_config = ConfigDict(str_strip_whitespace=True)

    category: str = Field(min_length=1, max_length=24, description="A category's code or id")
    display_name: str = Field(min_length=1, max_length=60)
    place: str = Field("", max_length=100, description="Where they live: compound, building, room")
    reason: str = Field(min_length=1, max_length=1000)
    resident_id: int | None = None
    household_id: int | None = None
    user_id: int | None = None


class CheckIn(BaseModel):
    """Staff's check: eligible or ineligible (with a note), or back to pending; optionally a link."""

    model_config = ConfigDict(str_strip_whitespace=True)

    state: str = Field(pattern="^(pending|eligible|ineligible)$")
    note: str = Field("", max_length=200)
    display_name: str | None = Field(None, min_length=1, max_length=60)
    resident_id: int | None = None
    household_id: int | None = None
    user_id: int | None = None


class VoteIn(BaseModel):
    category: str = Field(min_length=1, max_length=24, description="A category's code or id")
    nominee_id: int


class PaperVoteIn(VoteIn):
    """A vote taken on paper by staff: for a household (rule household) or a resident (rule resident)."""

    household_id: int | None = None
    resident_id: int | None = None


class CorrectionIn(BaseModel):
    """A paper vote corrected in the recount: another nominee, or ``null`` to strike it; a note says why."""

    model_config = ConfigDict(str_strip_whitespace=True)

    nominee_id: int | None
    note: str = Field(min_length=1, max_length=200)


class VoteOut(BaseModel):
    id: int
    selection_id: int
    category: str
    nominee_id: int
    channel: str
    created_at: datetime


class PaperVoteOut(VoteOut):
    household_id: int | None
    resident_id: int | None
    voter: str = Field(description="The household's address, or the resident's name")
    nominee: str
    recorded_by: str
    struck: bool = Field(False, description="True in the answer to a correction that struck the vote")


class VoterOut(BaseModel):
    """A household (or resident) found for a paper vote, and the categories it has already voted in."""

    household_id: int | None
    resident_id: int | None
    address: str
    names: list[str]
    voted: list[str] = Field(description="Category codes already voted in (online or on paper)")


class PublishIn(BaseModel):
    published: bool = True


class ResultRow(BaseModel):
    id: int
    display_name: str
    place: str
    votes: int
    rank: int
    winner: bool


class CategoryResult(CategoryOut):
    nominees: list[ResultRow]


class CategoryStats(BaseModel):
    code: str
    name: str
    votes: int
    online: int
    paper: int


class StatsOut(BaseModel):
    """Turnout: voters (households or residents, by the rule) of the eligible ones of the area."""

    rule: str
    eligible: int
    voters: int
    turnout: float = Field(description="voters / eligible, 0 to 1")
    online: int = Field(description="Voters who voted online in at least one category")
    paper: int = Field(description="Voters with at least one paper vote")
    categories: list[CategoryStats]


class ResultsOut(BaseModel):
    selection: SelectionOut
    categories: list[CategoryResult]
    statistics: StatsOut | None = Field(None, description="Present once the statistics are published")
