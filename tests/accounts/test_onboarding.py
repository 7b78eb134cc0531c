"""The first setup of a district from one sheet: 30 departments and their clerks created at
once after a preview, or nothing at all with every bad row named; hostile files refused;
the one-time passwords shown once and offered as a sheet made for that answer only."""

import base64
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from accounts import onboarding
from accounts.models import AccountEvent, Event, PasswordHistory
from metrics.models import Department, User

HEADER = ["部门代码", "部门名称", "部门简称", "用户名", "姓名", "角色", "邮箱"]


def sheet(rows, header=HEADER) -> bytes:
    book = Workbook()
    page = book.active
    page.append(header)
    for row in rows:
        page.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def district(departments=30, clerks_each=2):
    rows = []
    for d in range(1, departments + 1):
        for c in range(1, clerks_each + 1):
            rows.append(
                [
                    f"new{d:02d}",
                    f"新区第{d}部门",
                    f"新{d}",
                    f"new{d:02d}_c{c}",
                    f"填报员{d}-{c}",
                    "填报员",
                    "",
                ]
            )
    rows.append(["", "", "", "fzb_chen", "陈审核", "审核员", "chen@example.cn"])
    return rows


def upload(client, data, name="users.xlsx"):
    return client.post(reverse("accounts:import"), {"file": SimpleUploadedFile(name, data)})


@pytest.fixture
def manager(client, reviewer):
    client.force_login(reviewer)
    return client


def test_thirty_departments_and_sixty_clerks_are_created_after_a_preview(manager, reviewer):
    before_departments, before_users = Department.objects.count(), User.objects.count()
    preview = upload(manager, sheet(district()))
    page = preview.content.decode()
    assert preview.status_code == 200, page[:3000]
    assert "将创建 30 个部门、61 个用户" in page and "尚未创建任何内容" in page
    assert Department.objects.count() == before_departments  # nothing yet
    assert User.objects.count() == before_users

    done = manager.post(reverse("accounts:import_confirm"))
    assert done.status_code == 200 and done["Cache-Control"] == "no-store"
    page = done.content.decode()
    assert "已创建 30 个部门、61 个用户" in page
    assert Department.objects.count() == before_departments + 30
    clerk = User.objects.get(username="new07_c2")
    assert clerk.department.name == "新区第7部门" and clerk.must_change_password
    assert User.objects.get(username="fzb_chen").department is None
    assert Department.objects.get(code="new07").history.first().history_user == reviewer

    # Every one-time password is on the page once and in the sheet made for this answer.
    shown = dict(
        re.findall(r"<td>(new\d\d_c\d)</td>.*?<code class=\"one-time\">([^<]+)</code>", page)
    )
    assert len(shown) == 60 and clerk.check_password(shown["new07_c2"])
    link = re.search(r'href="data:[^;]+;base64,([^"]+)"', page).group(1)
    book = load_workbook(io.BytesIO(base64.b64decode(link)))
    rows = {row[0]: row[4] for row in book.active.iter_rows(min_row=2, values_only=True)}
    assert rows["new07_c2"] == shown["new07_c2"] and len(rows) == 61
    # Never stored in clear: only hashes in the database, nothing kept in the session.
    assert not PasswordHistory.objects.filter(password=shown["new07_c2"]).exists()
    assert shown["new07_c2"] not in str(dict(manager.session))

    assert (
        AccountEvent.objects.filter(event=Event.USER_IMPORTED, actor=reviewer.username).count()
        == 61
    )
    assert AccountEvent.objects.filter(event=Event.DEPARTMENT_CREATED).count() == 30
    audit = manager.get(reverse("accounts:audit"), {"target": "new07_c2"}).content.decode()
    assert "批量导入用户" in audit.split("<tbody>")[1] and "第 " in audit
    # The confirmation cannot be replayed.
    again = manager.post(reverse("accounts:import_confirm"), follow=True)
    assert "重新上传" in again.content.decode()


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        (["new01", "新区第1部门", "", "new01_c1", "重复", "填报员", ""], "与第 2 行重复"),
        (["new40", "第四十部门", "", "x40", "某人", "科员", ""], "角色“科员”无法识别"),
        (["new41", "", "", "x41", "某人", "填报员", ""], "须填写部门名称"),
        (["new42", "第四十二部门", "", "x42", "某\t人", "填报员", ""], "控制字符"),
        (
            ["sfj", "", "", "clerk_x", "某人", "填报员", "not-an-email"],
            "邮箱“not-an-email”格式不正确",
        ),
    ],
)
def test_one_bad_row_changes_nothing_and_is_named(manager, bad_row, message):
    rows = district(departments=30)
    rows.insert(5, bad_row)  # sheet row 7
    before = (Department.objects.count(), User.objects.count(), AccountEvent.objects.count())
    refused = upload(manager, sheet(rows))
    page = refused.content.decode()
    assert refused.status_code == 400
    assert "第 7 行：" in page and message in page, page[-3000:]
    assert (
        Department.objects.count(),
        User.objects.count(),
        AccountEvent.objects.count(),
    ) == before


def test_the_import_checks_again_when_confirmed(manager, reviewer):
    assert upload(manager, sheet(district(departments=2))).status_code == 200
    User.objects.create_user(username="new02_c1", password="Some-pass-2026!")
    refused = manager.post(reverse("accounts:import_confirm"))
    page = refused.content.decode()
    assert refused.status_code == 400 and "第 4 行：用户名“new02_c1”已存在" in page
    assert not Department.objects.filter(code__startswith="new").exists()


def test_existing_and_retired_departments(manager, db):
    from django.utils import timezone

    Department.objects.filter(code="gaj").update(retired_at=timezone.now())
    refused = upload(manager, sheet([["gaj", "", "", "gaj_x", "某人", "填报员", ""]]))
    assert "第 2 行：部门“" in refused.content.decode() and "已停用" in refused.content.decode()
    fine = upload(manager, sheet([["sfj", "", "", "sfj_x", "某人", "填报员", ""]]))
    assert fine.status_code == 200 and "将创建 0 个部门、1 个用户" in fine.content.decode()


def test_a_sheet_without_the_columns_or_rows_is_refused(manager):
    missing = upload(manager, sheet([["a", "b"]], header=["用户名", "姓名"]))
    assert "缺少：部门代码" in missing.content.decode()
    empty = upload(manager, sheet([]))
    assert "表格中没有用户数据" in empty.content.decode()


def bomb() -> bytes:
    """A well-formed .xlsx whose sheet declares an entity (billion laughs)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(sheet(district(departments=1)))) as source:
        with zipfile.ZipFile(out, "w") as target:
            for item in source.infolist():
                data = source.read(item)
                if item.filename == "xl/worksheets/sheet1.xml":
                    data = data.replace(
                        b"<worksheet",
                        b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><worksheet',
                        1,
                    )
                target.writestr(item, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (bomb, "DTD 或实体"),
        (lambda: b"PK\x03\x04 not really a zip", "无法读取该 Excel 文件"),
        (lambda: b"just text", "无法读取该 Excel 文件"),
    ],
)
def test_a_hostile_or_broken_file_is_refused(manager, data, message):
    before = User.objects.count()
    refused = upload(manager, data())
    assert refused.status_code == 400 and message in refused.content.decode()
    assert User.objects.count() == before


def test_the_blank_template_reads_back_as_an_empty_sheet(manager):
    answer = manager.get(reverse("accounts:import_template"))
    assert answer["Content-Type"] == onboarding.CONTENT_TYPE
    data = b"".join(answer.streaming_content) if answer.streaming else answer.content
    book = load_workbook(io.BytesIO(data))
    assert [c.value for c in book.worksheets[0][1]] == HEADER
    assert "填写说明" in book.sheetnames
    assert onboarding.read_sheet(data) == []


def test_formula_like_text_stays_text_in_the_passwords_sheet(db, sfj):
    user = User.objects.create_user(username="eq", first_name="=HYPERLINK(1)", department=sfj)
    book = load_workbook(io.BytesIO(onboarding.passwords_workbook([(user, "=pw")])))
    cells = [c for c in book.active[2]]
    assert cells[1].value == "=HYPERLINK(1)" and cells[1].data_type == "s"
