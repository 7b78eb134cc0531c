"""Reading `code,value[,remark]` sheets (CSV or XLSX) into import rows."""

import csv
import io
from pathlib import Path

from django.core.exceptions import ValidationError

from .services import FigureRow

HEADER_CODES = {"code", "代码", "指标代码"}


def read_figure_rows(data: bytes, filename: str) -> list[FigureRow]:
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        table = _xlsx_rows(data)
    elif suffix in (".csv", ".txt"):
        table = _csv_rows(data)
    else:
        raise ValidationError(
            [f"不支持的文件类型“{suffix or filename}”，请上传 CSV 或 XLSX 文件。"]
        )
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


def _csv_rows(data: bytes):
    # Excel on Chinese Windows saves CSV as GBK; everything else is UTF-8 (maybe with a BOM).
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError(["无法识别文件编码，请另存为 UTF-8 编码的 CSV。"])
    return list(enumerate(csv.reader(io.StringIO(text)), start=1))


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ValidationError(["无法读取该 Excel 文件，请确认是 .xlsx 格式且未损坏。"]) from exc
    sheet = workbook.worksheets[0]
    return [(n, list(row)) for n, row in enumerate(sheet.iter_rows(values_only=True), start=1)]
