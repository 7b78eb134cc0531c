"""Where a figure stands, who may still change it, and how a department's figures add up:
one rule for the clerk's home and entry sheet, the review queue and page, the reminders, the
dashboard and its charts, and the API.

Every indicator of a period is in exactly one state:

- 未填 (``empty``): no figure, or a draft without a value;
- 草稿 (``draft``): a value saved but not sent;
- 已退回 (``returned``): sent back by a reviewer, with the department again;
- 已报送 (``submitted``): with the reviewers;
- 已审核 (``approved``).

so the five counts of a department always add up to its indicators. From them:
未报送 (``unsent``) = empty + draft — not yet sent, the returned ones counted apart;
未报齐 (``outstanding``) = unsent + returned — still with the department, what a reminder
is about; a department is complete (已报齐) when nothing is outstanding.

A clerk may change a figure that is empty, a draft or returned, while the period is open; a
reviewer may approve a submitted figure and return or reopen a submitted or approved one.

Pure functions; nothing here touches the database (``metrics.selectors`` counts the same
states in SQL, and a test holds the two to the same answers).
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .models import FigureStatus


class State:
    EMPTY = "empty"
    DRAFT = FigureStatus.DRAFT.value
    RETURNED = FigureStatus.RETURNED.value
    SUBMITTED = FigureStatus.SUBMITTED.value
    APPROVED = FigureStatus.APPROVED.value


STATE_LABELS = {
    State.EMPTY: "未填",
    State.DRAFT: "草稿",
    State.RETURNED: "已退回",
    State.SUBMITTED: "已报送",
    State.APPROVED: "已审核",
}
CLERK_EDITABLE = frozenset({State.EMPTY, State.DRAFT, State.RETURNED})
SENT = frozenset({State.SUBMITTED, State.APPROVED})


def state_of(status: str | None, value) -> str:
    """The state of an indicator's figure (`status` None: there is no figure yet)."""
    if status in (State.APPROVED, State.SUBMITTED, State.RETURNED):
        return status
    return State.EMPTY if value is None else State.DRAFT


def clerk_may_edit(*, status: str | None, period_locked: bool) -> bool:
    """A clerk of the department may save, upload evidence for and submit the figure."""
    return not period_locked and (status is None or status in CLERK_EDITABLE)


def clerk_closed_reason(*, status: str | None, period_locked: bool) -> str:
    """Why the department's clerk can no longer change the figure or add evidence, and who can
    open it again ("" while they can). A locked period is said with who locked it and when
    (metrics.selectors.period_lock), by the page itself."""
    if clerk_may_edit(status=status, period_locked=period_locked):
        return ""
    if period_locked:
        return "报告期已锁定，不能再上传或删除佐证材料；如需修改请联系法制办。"
    if status == State.SUBMITTED:
        return "已报送，退回后可补充佐证材料；如需退回，请联系法制办审核员。"
    return "已审核通过；如需补充，请联系法制办重新开放。"


def reviewer_may_approve(*, status: str | None, period_locked: bool) -> bool:
    return not period_locked and status == State.SUBMITTED


def reviewer_may_return(*, status: str | None, period_locked: bool) -> bool:
    return not period_locked and status in SENT


def percent(part: int, whole: int) -> Decimal | None:
    """`part` as a percentage of `whole`, one decimal, half up; None when `whole` is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Progress:
    """How a department's (or everyone's) figures stand in a period."""

    empty: int = 0
    draft: int = 0
    returned: int = 0
    submitted: int = 0
    approved: int = 0

    @classmethod
    def of_states(cls, states) -> "Progress":
        counts = {state: 0 for state in STATE_LABELS}
        for state in states:
            counts[state] += 1
        return cls(**counts)

    def __add__(self, other: "Progress") -> "Progress":
        return Progress(
            empty=self.empty + other.empty,
            draft=self.draft + other.draft,
            returned=self.returned + other.returned,
            submitted=self.submitted + other.submitted,
            approved=self.approved + other.approved,
        )

    @property
    def expected(self) -> int:
        return self.empty + self.draft + self.returned + self.submitted + self.approved

    @property
    def filled(self) -> int:
        return self.expected - self.empty

    @property
    def unsent(self) -> int:
        return self.empty + self.draft

    @property
    def outstanding(self) -> int:
        return self.unsent + self.returned

    @property
    def in_progress(self) -> int:
        """With the department and begun: drafts and returned figures."""
        return self.draft + self.returned

    @property
    def unapproved(self) -> int:
        return self.expected - self.approved

    @property
    def complete(self) -> bool:
        return self.outstanding == 0

    @property
    def approved_percent(self) -> Decimal | None:
        return percent(self.approved, self.expected)

    @property
    def sent_percent(self) -> Decimal | None:
        return percent(self.submitted + self.approved, self.expected)


# Which indicators are entered at all (the query side is models.entered_condition).
COMPUTED_INDICATOR = "computed_indicator"
RETIRED_INDICATOR = "retired_indicator"
NOT_STARTED_INDICATOR = "indicator_not_started"


def not_entered(indicator, period) -> tuple[str, str] | None:
    """Why nobody enters `indicator` in `period`, as (stable code, Chinese message): a computed
    indicator (计算指标) is computed from its formula; a retired one is not entered in periods
    that start after its retirement, a new one not in periods before its first period. None
    when it is entered."""
    if indicator.formula:
        return (
            COMPUTED_INDICATOR,
            f"{indicator.name}是计算指标，由公式（{indicator.formula}）自动计算，不能填报。",
        )
    if indicator.is_retired_for(period):
        return (
            RETIRED_INDICATOR,
            f"{indicator.name}已于{indicator.retired_on:%Y-%m-%d}停用，{period.label}不再填报。",
        )
    if indicator.starts_after(period):
        return (
            NOT_STARTED_INDICATOR,
            f"{indicator.name}从{indicator.first_period.label}起填报，{period.label}不填报。",
        )
    return None
