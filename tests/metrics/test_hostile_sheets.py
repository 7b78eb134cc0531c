"""Hostile sheets are refused quickly, with little memory, and with a message in Chinese; a
normal sheet still imports."""

import io
import time
import tracemalloc

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from metrics.models import Figure, Indicator
from metrics.tabular import read_department_workbook, read_figure_rows, row_limit
from tests.metrics import hostile_files

LIMIT_SECONDS = 1.0
LIMIT_BYTES = 50 * 1024 * 1024

EXPECTED = {
    "huge dimension claim": "表格列数超过上限",
    "many sparse rows": "表格行数超过上限",
    "500,000 empty rows": "表格行数超过上限",
    "wide rows (20 × 16,384 cells)": "表格列数超过上限",
    "zip bomb (50 MB inside)": "疑似压缩炸弹",
    "billion laughs": "不允许的 XML 声明",
    "external entity (XXE)": "不允许的 XML 声明",
    "500,000 shared strings": "文字条目过多",
    "csv: a million blank lines": "表格行数超过上限",
    "csv: one 4 MB line": "过长的行",
    "csv: 5,000 columns": "表格列数超过上限",
    "csv: NUL bytes": "空字符",
}


def _refusal(read):
    """The refusal's messages, the seconds it took and the peak of memory allocated."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(ValidationError) as refused:
            read()
    finally:
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return " ".join(refused.value.messages), elapsed, peak


BOMB = "疑似压缩炸弹"


@pytest.mark.parametrize("name", list(hostile_files.HOSTILE_XLSX))
@pytest.mark.parametrize("dilute", [False, True], ids=["compressed", "diluted"])
def test_a_hostile_xlsx_is_refused_in_under_a_second(db, name, dilute, period):
    """Packed tight, most of them are refused by their compression ratio alone; diluted with
    an incompressible image to slip under it, by the scan of their XML."""
    data = hostile_files.HOSTILE_XLSX[name](dilute=dilute)
    message, elapsed, peak = _refusal(lambda: read_figure_rows(data, "figures.xlsx"))
    if dilute:
        assert EXPECTED[name] in message, message
    else:
        assert EXPECTED[name] in message or BOMB in message, message
    assert elapsed < LIMIT_SECONDS, f"{name}: {elapsed:.2f} s"
    assert peak < LIMIT_BYTES, f"{name}: {peak / 2**20:.1f} MB"


@pytest.mark.parametrize("name", list(hostile_files.HOSTILE_CSV))
def test_a_hostile_csv_is_refused_in_under_a_second(db, name, period):
    data = hostile_files.HOSTILE_CSV[name]()
    message, elapsed, peak = _refusal(lambda: read_figure_rows(data, "figures.csv"))
    assert EXPECTED[name] in message, message
    assert elapsed < LIMIT_SECONDS, f"{name}: {elapsed:.2f} s"
    assert peak < LIMIT_BYTES, f"{name}: {peak / 2**20:.1f} MB"


@pytest.mark.parametrize("name", list(hostile_files.HOSTILE_XLSX))
def test_the_department_sheet_upload_refuses_them_too(db, name, period, sfj):
    data = hostile_files.HOSTILE_XLSX[name](dilute=True)
    message, elapsed, peak = _refusal(
        lambda: read_department_workbook(data, department=sfj, period=period)
    )
    assert EXPECTED[name] in message, message
    assert elapsed < LIMIT_SECONDS and peak < LIMIT_BYTES


def test_the_upload_page_says_why(client, clerk, period):
    client.force_login(clerk)
    upload = io.BytesIO(hostile_files.sparse_rows(dilute=True))
    upload.name = "sfj.xlsx"
    started = time.perf_counter()
    response = client.post("/entry/2026/upload/", {"file": upload}, follow=True)
    assert time.perf_counter() - started < 2 * LIMIT_SECONDS
    messages = [str(m) for m in response.context["messages"]]
    assert messages[0].startswith("导入失败") and "表格行数超过上限" in messages[1]
    assert not Figure.objects.exists()


def test_load_figures_refuses_a_zip_bomb(db, period, tmp_path):
    path = tmp_path / "figures.xlsx"
    path.write_bytes(hostile_files.zip_bomb())
    with pytest.raises(CommandError, match="疑似压缩炸弹"):
        call_command("load_figures", str(path), "--period", "2026")


def test_no_file_on_the_server_is_read_into_a_cell(db, period):
    """Even with the DTD check out of the way, openpyxl (defusedxml installed) refuses it."""
    from defusedxml import DefusedXmlException
    from openpyxl import load_workbook

    with pytest.raises(Exception) as refused:  # noqa: B017 - openpyxl wraps the cause
        load_workbook(io.BytesIO(hostile_files.billion_laughs()), read_only=True)
    assert isinstance(refused.value.__context__, DefusedXmlException)


def test_a_sheet_claiming_a_huge_size_but_holding_figures_imports_quickly(db, period):
    started = time.perf_counter()
    rows = read_figure_rows(hostile_files.dimension_claim_only(), "figures.xlsx")
    assert time.perf_counter() - started < LIMIT_SECONDS
    assert [(r.code, r.value) for r in rows] == [("biz_inhouse_counsel", 3)]


def test_a_full_catalogue_sheet_still_imports(db, period):
    codes = list(Indicator.objects.entered().values_list("code", flat=True))
    rows = read_figure_rows(hostile_files.normal_sheet(codes), "figures.xlsx")
    assert [r.code for r in rows] == codes
    assert rows[0].remark == "含撤回 2 起"


def test_the_row_limit_follows_the_catalogue(db):
    before = row_limit()
    from tests import factories

    factories.IndicatorFactory()
    assert row_limit() == before + 1
    filler = [f"code_{n}" for n in range(row_limit())]  # one more row than allowed, with the header
    with pytest.raises(ValidationError, match="表格行数超过上限"):
        read_figure_rows(hostile_files.normal_sheet(filler), "figures.xlsx")
    csv = "code,value\n" + "".join(f"{c},1\n" for c in filler)
    with pytest.raises(ValidationError, match="表格行数超过上限"):
        read_figure_rows(csv.encode(), "figures.csv")
    assert len(read_figure_rows(hostile_files.normal_sheet(filler[:-1]), "f.xlsx")) == before
