"""Reading `code,value[,remark]` sheets (CSV or XLSX) into import rows."""

import csv
import io
from pathlib import Path

from django.core.exceptions import ValidationError

from lawgov import spreadsheets
from lawgov.control_characters import safe_sheet_title

from .change import change_text, kind_of
from .computed import COMPUTED_MARK, ComputedValue
from .models import Indicator, ValueType
from .progress import STATE_LABELS, state_of
from .services import FigureRow

HEADER_CODES = {"code", "代码", "指标代码"}

# What a sheet of figures can hold. Rows: one per indicator of the catalogue, plus a margin for
# a header, blank lines and a clerk's notes. Columns: the format has three (code, value,
# remark) or the department sheet's nine; A–Z leaves room for a clerk's own columns. The
# readers refuse anything larger before parsing it (lawgov/spreadsheets.py for XLSX), so a
# small hostile file cannot make the server build millions of rows.
MAX_SHEET_BYTES = 5 * 1024 * 1024
ROW_MARGIN = 100
MAX_COLUMNS = 26
MAX_CSV_LINE_CHARS = 16 * 1024


def row_limit() -> int:
    """The most rows an uploaded sheet may have: the catalogue's indicators plus a margin."""

    return Indicator.objects.count() + ROW_MARGIN


def read_figure_rows(data: bytes, filename: str, *, max_rows: int | None = None) -> list[FigureRow]:
    suffix = Path(filename).suffix.lower()
    if suffix not in (".xlsx", ".csv", ".txt"):
        raise ValidationError(
            [f"不支持的文件类型“{suffix or filename}”，请上传 CSV 或 XLSX 文件。"]
        )
    _check_size(data)
    max_rows = row_limit() if max_rows is None else max_rows
    table = _xlsx_rows(data, max_rows) if suffix == ".xlsx" else _csv_rows(data, max_rows)
    rows = []
    for line, cells in table:
        cells = [("" if c is None else c) for c in cells]
        if not any(str(c).strip() for c in cells):
            continue
        code = str(cells[0]).strip() if cells else ""
        if not rows and code.lower() in HEADER_CODES:
            continue
        value = cells[1] if len(cells) > 1 else ""
        remark = str(cells[2]).strip() if len(cells) > 2 else ""
        rows.append(FigureRow(line=line, code=code, value=value, remark=remark))
    return rows


def _check_size(data: bytes) -> None:
    if len(data) > MAX_SHEET_BYTES:
        raise ValidationError([f"文件过大：填报表不能超过 {MAX_SHEET_BYTES // (1024 * 1024)} MB。"])


def _csv_rows(data: bytes, max_rows: int):
    if b"\x00" in data:
        raise ValidationError(
            ["文件中含有空字符（NUL），不是 CSV 文本文件，请另存为 CSV 后重新上传。"]
        )
    # Excel on Chinese Windows saves CSV as GBK; everything else is UTF-8 (maybe with a BOM).
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError(["无法识别文件编码，请另存为 UTF-8 编码的 CSV。"])

    def lines():
        for line in io.StringIO(text, newline=""):
            if len(line) > MAX_CSV_LINE_CHARS:
                raise ValidationError(
                    [f"CSV 文件中有过长的行（超过 {MAX_CSV_LINE_CHARS} 个字符），已拒绝。"]
                )
            yield line

    table = []
    try:
        for number, row in enumerate(csv.reader(lines()), start=1):
            if number > max_rows:
                raise ValidationError([spreadsheets.rows_message(max_rows)])
            if len(row) > MAX_COLUMNS:
                raise ValidationError([spreadsheets.columns_message(MAX_COLUMNS)])
            table.append((number, row))
    except csv.Error:
        raise ValidationError(["CSV 文件格式不正确，请用 Excel 另存为 CSV 后重新上传。"]) from None
    return table


def _open_xlsx(data: bytes, max_rows: int):
    """The workbook, read-only, after `check_xlsx` found nothing hostile in it."""
    from openpyxl import load_workbook

    _check_size(data)
    spreadsheets.check_xlsx(data, max_rows=max_rows, max_columns=MAX_COLUMNS)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ValidationError([spreadsheets.DAMAGED]) from exc


def _sheet_rows(sheet, max_rows: int, max_columns: int = MAX_COLUMNS):
    """The sheet's rows as value tuples, at most `max_rows` × `max_columns`: the declared
    `<dimension>` is ignored (openpyxl would pad every row to it)."""
    sheet.reset_dimensions()
    try:
        return list(sheet.iter_rows(max_row=max_rows, max_col=max_columns, values_only=True))
    except Exception as exc:  # a cell openpyxl cannot convert
        raise ValidationError([spreadsheets.DAMAGED]) from exc


def _xlsx_rows(data: bytes, max_rows: int):
    workbook = _open_xlsx(data, max_rows)
    try:
        rows = _sheet_rows(workbook.worksheets[0], max_rows)
    finally:
        workbook.close()
    return [(n, list(row)) for n, row in enumerate(rows, start=1)]


# ---------------------------------------------------------------------------------------
# A department's sheet for a period (clerk) and the whole period (reviewer), as XLSX

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_HEADER = [
    "代码",
    "指标",
    "单位",
    "上期数值",
    "本期数值",
    "备注",
    "门户中的当前值",
    "当前状态",
    "版本",
]
# The hidden 版本 column carries each figure's version at download, so that an upload cannot
# silently overwrite a change made in the portal after the sheet was taken.
VERSION_HEADER = SHEET_HEADER[-1]
INFO_SHEET = "填报说明"


def _styled_header(sheet, header):
    from openpyxl.styles import Alignment, Font, PatternFill

    spreadsheets.append_row(sheet, header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F3EDE4")
        cell.alignment = Alignment(horizontal="center")
    sheet.freeze_panes = "A2"


def department_workbook(sheet_data) -> bytes:
    """The clerk's sheet: code, name, unit, previous value, then empty value and remark
    columns, with data validation on the value column by value type."""
    from openpyxl import Workbook
    from openpyxl.styles import Protection

    department, period = sheet_data.department, sheet_data.period
    workbook = Workbook()
    sheet = workbook.active
    # A short name may hold "/" (which Excel forbids in a sheet title): the one rule.
    sheet.title = safe_sheet_title(f"{department.short_name or department.name}{period.code}")
    _styled_header(sheet, SHEET_HEADER)
    rules = _value_rules(sheet)
    for row in sheet_data.rows:
        indicator = row.indicator
        # 本期数值 and 备注 start empty (an empty row is not imported); what the portal holds
        # now is shown beside them for reference.
        spreadsheets.append_row(
            sheet,
            [
                indicator.code,
                indicator.name,
                indicator.unit,
                _number(row.previous),
                None,
                None,
                _number(row.value),
                row.state_label,
                row.version,
            ],
        )
        line = sheet.max_row
        rules[indicator.value_type].add(f"E{line}")
        for column in "EF":
            sheet[f"{column}{line}"].protection = Protection(locked=False)
    for column, width in zip("ABCDEFGH", (34, 44, 8, 12, 14, 30, 16, 10), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.column_dimensions["I"].hidden = True
    _info_sheet(workbook.create_sheet(INFO_SHEET), sheet_data)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _value_rules(sheet) -> dict:
    """The value column's data validation by value type, each with its message in Chinese."""
    from openpyxl.worksheet.datavalidation import DataValidation

    rules = {
        ValueType.COUNT: DataValidation(
            type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True
        ),
        ValueType.PERCENTAGE: DataValidation(
            type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True
        ),
        ValueType.DECIMAL: DataValidation(type="decimal", allow_blank=True),
    }
    messages = {
        ValueType.COUNT: "请填写不小于 0 的整数。",
        ValueType.PERCENTAGE: "请填写 0 到 100 之间的数（百分比）。",
        ValueType.DECIMAL: "请填写数字。",
    }
    for value_type, rule in rules.items():
        rule.error = messages[value_type]
        rule.errorTitle = "数值不正确"
        rule.prompt = messages[value_type]
        rule.showErrorMessage = True
        rule.showInputMessage = True
        sheet.add_data_validation(rule)
    return rules


def _info_sheet(info, sheet_data) -> None:
    """The period, the department and the deadline the sheet belongs to, and how to fill it."""
    department, period = sheet_data.department, sheet_data.period
    spreadsheets.append_row(info, ["报告期", period.code, period.label])
    spreadsheets.append_row(info, ["部门", department.code, department.name])
    deadline = sheet_data.deadline or period.deadline
    spreadsheets.append_row(info, ["截止日期", deadline.isoformat()])
    spreadsheets.append_row(
        info,
        [
            "说明",
            "请只在“本期数值”“备注”两列填写；留空的行不导入。"
            "“门户中的当前值”供核对，已报送或已审核的数据不能再修改。",
        ],
    )
    info.column_dimensions["D"].width = 40


def read_department_workbook(
    data: bytes, *, department, period, max_rows: int | None = None
) -> list[FigureRow]:
    """Rows of a filled-in department sheet, checked to belong to this department and
    period; the columns are found by their header."""
    max_rows = row_limit() if max_rows is None else max_rows
    workbook = _open_xlsx(data, max_rows)
    try:
        info_rows = (
            _sheet_rows(workbook[INFO_SHEET], 3, 2) if INFO_SHEET in workbook.sheetnames else None
        )
        table = _sheet_rows(workbook.worksheets[0], max_rows)
    finally:
        workbook.close()
    if info_rows is not None:
        info = {
            str(r[0]).strip(): str(r[1]).strip()
            for r in info_rows
            if r and r[0] is not None and r[1] is not None
        }
        if info.get("报告期") and info["报告期"] != period.code:
            raise ValidationError(
                [f"该表格是报告期“{info['报告期']}”的，不是{period.label}（{period.code}）的。"]
            )
        if info.get("部门") and info["部门"] != department.code:
            raise ValidationError([f"该表格不是{department.name}的填报表。"])
    if not table:
        raise ValidationError(["文件中没有数据行。"])
    header = [str(c).strip() if c is not None else "" for c in table[0]]
    try:
        code_col, value_col = header.index("代码"), header.index("本期数值")
    except ValueError:
        raise ValidationError(
            ["表头不正确：第一行应包含“代码”和“本期数值”列，请使用门户下载的填报表。"]
        ) from None
    remark_col = header.index("备注") if "备注" in header else None
    version_col = header.index(VERSION_HEADER) if VERSION_HEADER in header else None
    rows = []
    for line, cells in enumerate(table[1:], start=2):
        cells = list(cells)

        def cell(index, cells=cells):
            return cells[index] if index is not None and index < len(cells) else None

        code = cell(code_col)
        if code is None or str(code).strip() == "":
            if any(c not in (None, "") for c in cells):
                rows.append(FigureRow(line=line, code="", value=cell(value_col)))
            continue
        remark = cell(remark_col)
        rows.append(
            FigureRow(
                line=line,
                code=str(code).strip(),
                value=cell(value_col),
                remark="" if remark is None else str(remark).strip(),
                version=_version(cell(version_col)),
            )
        )
    return rows


def _version(raw) -> int | None:
    """The version a row was downloaded at; anything unreadable counts as unknown (None),
    which the import treats like a sheet without the column."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float) and raw >= 0 and int(raw) == raw:
        return int(raw)
    if isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit():
        return int(raw.strip())
    return None


def period_workbook(period, rows) -> bytes:
    """All departments' figures of a period in one sheet, for the reviewers."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{period.code}全部数据"
    _styled_header(
        sheet,
        [
            "部门",
            "讲话部分",
            "代码",
            "指标",
            "单位",
            "上期数值",
            "本期数值",
            "同比",
            "状态",
            "备注",
            "上报说明",
            "退回原因",
            "最后修改人",
        ],
    )
    for indicator, figure, previous in rows:
        if isinstance(figure, ComputedValue):
            cells = spreadsheets.append_row(sheet, _computed_row(indicator, figure, previous))
            spreadsheets.shows_places(cells[5:7], figure.places)
            continue
        value = figure.value if figure else None
        spreadsheets.append_row(
            sheet,
            _indicator_columns(indicator, value, previous)
            + [
                STATE_LABELS[state_of(figure.status if figure else None, value)],
                figure.remark if figure else "",
                figure.explanation if figure else "",
                figure.return_reason if figure else "",
                str(figure.updated_by) if figure and figure.updated_by else "",
            ],
        )
    for column, width in zip(
        "ABCDEFGHIJKLM", (16, 18, 34, 40, 7, 11, 11, 16, 9, 24, 24, 24, 12), strict=True
    ):
        sheet.column_dimensions[column].width = width
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _computed_row(indicator, computed, previous) -> list:
    """A computed indicator in the reviewers' workbook: its value as a number, its state the
    mark 计算 (never entered), its 备注 what it is computed from or why there is no value."""
    return _indicator_columns(indicator, computed.value, previous) + [
        COMPUTED_MARK,
        computed.description + (f"；{computed.reason}" if computed.reason else ""),
        "",
        "",
        "",
    ]


def _indicator_columns(indicator, value, previous) -> list:
    """The columns every row of the reviewers' workbook starts with, entered or computed:
    who, where, what, last year's value, this one's and the change."""
    return [
        indicator.department.name,
        indicator.section.name,
        indicator.code,
        indicator.name,
        indicator.unit,
        _number(previous),
        _number(value),
        change_text(value, previous, kind_of(indicator.value_type)),
    ]


def _number(value):
    """A Decimal for the sheet (openpyxl writes Decimals as numbers): an int when whole."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return value.normalize()
