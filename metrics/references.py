"""What refers to an indicator code from outside the metrics app (a report template, …).

metrics must never import the apps built on it, so they register here instead: a finder is a
function `code -> list[str]` that names, in Chinese, each thing of theirs that refers to the
code (“讲话稿模板“年度汇报”第 3 版”). The reports app registers one in its AppConfig.ready().
The catalogue service asks before it changes a code (a referred code is fixed) and the
catalogue page names them in its warnings about retired indicators.
"""

from collections.abc import Callable
from dataclasses import dataclass

Finder = Callable[[str], list[str]]

_finders: list[Finder] = []


def register(finder: Finder) -> Finder:
    """Add a finder (once; registering the same function again is a no-op)."""
    if finder not in _finders:
        _finders.append(finder)
    return finder


def unregister(finder: Finder) -> None:
    if finder in _finders:
        _finders.remove(finder)


def referrers(code: str) -> list[str]:
    """Every registered finder's descriptions of what refers to `code`, in registration order."""
    found: list[str] = []
    for finder in _finders:
        found.extend(finder(code))
    return found


# The apps built on metrics add their own records to 修改历史 the same way: a kind, its label,
# a model with django-simple-history and the fields the page's search looks in (the reports
# app registers its documents' settings, e.g. their deadlines).
_histories: dict[str, tuple[str, type, list[str]]] = {}


def register_history(kind: str, label: str, model: type, searched: list[str]) -> None:
    _histories[kind] = (label, model, searched)


def histories() -> dict[str, tuple[str, type, list[str]]]:
    return dict(_histories)


# 修改历史 reads every app's records as one list (metrics.history). Beyond simple_history
# models (register_history above), an app registers a source of its own records: its kind and
# label, `keys(filters)` (its records matching the page's filters, as a queryset: who, what,
# when are its own fields, named below) and `rows(ids)` (those records as the page's rows,
# in a fixed number of queries). The accounts and reports apps register theirs in
# AppConfig.ready(); metrics never imports them.
@dataclass(frozen=True)
class HistorySource:
    kind: str
    label: str
    keys: Callable  # (metrics.history.Filters) -> QuerySet of the matching records
    rows: Callable  # (list of ids) -> {id: metrics.history.Row}
    id_field: str = "id"
    at_field: str = "at"
    # Records of one department's figures: a clerk reads those of their own department only.
    departmental: bool = False
    # Who may read this source beyond the page itself (None: whoever reads every department).
    visible: Callable | None = None


_sources: dict[str, HistorySource] = {}


def register_history_source(source: HistorySource) -> HistorySource:
    _sources[source.kind] = source
    return source


def history_sources() -> dict[str, HistorySource]:
    return dict(_sources)
