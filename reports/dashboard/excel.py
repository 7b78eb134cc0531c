"""The dashboard's tables as an Excel workbook: the same rows as the page, worded the same."""

from django.utils import timezone

from lawgov.control_characters import safe_sheet_title
from lawgov.spreadsheets import append_row, shows_places

from .rows import Dashboard


def workbook(board: Dashboard):
    """One sheet per table of the page, the same rows and the same words. Every value goes
    through `append_row`, so a department's, indicator's or explanation's text beginning with
    "=" stays text rather than becoming a formula."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    _progress(workbook, board)
    _readiness(workbook, board)
    _indicators(workbook, board)
    _anomalies(workbook, board)
    _blockers(workbook, board)
    if board.children is not None:
        _children(workbook, board.children)
    return workbook


def _sheet(workbook, title, headers, rows, widths):
    from openpyxl.styles import Alignment, Font, PatternFill

    ws = workbook.create_sheet(safe_sheet_title(title))
    append_row(ws, headers)
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="B3131B")
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        append_row(ws, row)
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(row=1, column=index).column_letter].width = width
    ws.freeze_panes = "A2"
    return ws


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _progress(workbook, board: Dashboard) -> None:
    """部门填报进度: each department's counts and its last activity."""
    _sheet(
        workbook,
        "部门填报进度",
        ["部门", "应填", "已填", "已报送", "已审核", "已退回", "未填", "时效", "最近更新"],
        [
            (
                r.name,
                r.expected,
                r.filled,
                r.submitted,
                r.approved,
                r.returned,
                r.empty,
                r.timeliness,
                _local(r.last_activity),
            )
            for r in board.rows
        ],
        [22, 8, 8, 8, 8, 8, 8, 12, 20],
    )
    for cell in workbook["部门填报进度"]["I"][1:]:
        cell.number_format = "yyyy-mm-dd hh:mm"


def _readiness(workbook, board: Dashboard) -> None:
    """讲话稿就绪度: approved placeholders by section, and the total."""
    _sheet(
        workbook,
        "讲话稿就绪度",
        ["讲话部分", "已审核", "占位数", "就绪率(%)"],
        [(s.name, s.ready, s.total, s.percent) for s in board.sections]
        + [("合计", board.readiness.approved, board.readiness.total, board.readiness.percent)],
        [24, 10, 10, 12],
    )


def _indicators(workbook, board: Dashboard) -> None:
    """核心数据同比: the headline indicators against the previous period."""
    from openpyxl.comments import Comment

    indicators = _sheet(
        workbook,
        "核心数据同比",
        ["指标", "单位", "本期", "状态", "上期", "同比（%或百分点）", "说明"],
        [
            (h.name, h.unit, h.value, h.status_label, h.previous, h.change, h.change_text)
            for h in board.indicator_rows
        ],
        [30, 8, 14, 10, 14, 10, 18],
    )
    # A computed indicator's 状态 reads 计算; its note says what it is computed from, or why
    # there is no value (a cell comment: comments are never formulas).
    for line, h in enumerate(board.indicator_rows, start=2):
        if h.computed:
            shows_places(
                [indicators.cell(row=line, column=3), indicators.cell(row=line, column=5)], h.places
            )
            note = "；".join(filter(None, (h.note, h.reason)))
            indicators.cell(row=line, column=4).comment = Comment(note, "驾驶舱")


def _anomalies(workbook, board: Dashboard) -> None:
    """异常提示: big changes, repeated returns and failed rules."""
    _sheet(
        workbook,
        "异常提示",
        ["类型", "部门", "指标/规则", "说明"],
        [
            (
                "同比变动超过50%",
                c.department,
                c.name,
                f"{c.change_text}（{c.previous_display} → {c.value_display}）",
            )
            for c in board.big_changes
        ]
        + [("多次退回", r.department, r.name, f"退回{r.times}次") for r in board.repeated_returns]
        + [
            (
                f"校验{f.severity_label}",
                "",
                f.name,
                f.message + (f" 说明：{f.explanation}" if f.explanation else ""),
            )
            for f in board.rule_failures
        ],
        [16, 20, 34, 60],
    )


def _blockers(workbook, board: Dashboard) -> None:
    """阻碍正式稿: the departments whose figures keep the final version waiting."""
    _sheet(
        workbook,
        "阻碍正式稿",
        ["部门", "未审核合计", "未填", "待审核", "草稿/退回"],
        [
            (r.name, r.unapproved, r.empty, r.submitted, r.in_progress)
            for r in board.readiness.blockers
        ],
        [22, 12, 8, 8, 10],
    )


def _children(workbook, areas) -> None:
    """下级区域: the child areas side by side as the page shows them (completeness, timeliness,
    each headline indicator's approved value and 同比), the area's totals last; then the
    ranking on the indicator the page ranks."""
    headers = ["区域", "已填", "应填", "已审核", "报送时效"]
    for column in areas.columns:
        unit = f"（{column.unit}）" if column.unit else ""
        headers += [f"{column.name}{unit}", f"{column.name}同比"]
    rows = [*areas.children, areas.total]
    sheet = _sheet(
        workbook,
        "下级区域",
        headers,
        [
            (
                r.name if r is not areas.total else f"{r.name}合计",
                r.filled,
                r.expected,
                r.approved,
                r.timeliness.text,
                *[item for cell in r.cells for item in (cell.value, _change(cell))],
            )
            for r in rows
        ],
        [18, 8, 8, 8, 28] + [14, 18] * len(areas.columns),
    )
    for index, column in enumerate(areas.columns):
        if column.places is not None:
            letter = sheet.cell(row=1, column=6 + 2 * index).column_letter
            shows_places(sheet[letter][1:], column.places)
    if areas.ranking_column is not None:
        unit = f"（{areas.ranking_column.unit}）" if areas.ranking_column.unit else ""
        _sheet(
            workbook,
            "下级区域排名",
            ["名次", "区域", f"{areas.ranking_column.name}{unit}"],
            [
                (item.position if item.position is not None else "未报", item.name, item.value)
                for item in areas.ranking
            ],
            [8, 18, 20],
        )


def _change(cell) -> str:
    return "" if cell.value is None else cell.change_text
