"""The onboarding sheet: a district's departments and users in one .xlsx, read safely
(lawgov.spreadsheets.check_xlsx before openpyxl), checked as a whole and named by row
(第 3 行：…), and the two sheets the portal hands out: the blank template and, on the
import's result only, the one-time passwords (generated for that answer, never stored).

`plan_import` writes nothing: the preview shows its plan, and people_import.import_users runs it
again inside its transaction before creating anything."""

import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models.functions import Lower

from accounts.roles import Role
from lawgov.control_characters import CONTROL_CHARACTERS
from lawgov.spreadsheets import append_row, check_xlsx
from metrics.models import Department
from metrics.services.catalogue import code_format_problem

from . import people, people_checks

COLUMNS = ["部门代码", "部门名称", "部门简称", "用户名", "姓名", "角色", "邮箱"]
KEYS = [
    "department_code",
    "department_name",
    "department_short",
    "username",
    "name",
    "role",
    "email",
]
ROLES = {label: role for role, label in people.ROLE_SHORT.items()}
# A district's first setup is a few hundred people; the sheet may have a few spare columns.
MAX_ROWS = 2000
MAX_COLUMNS = 20
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed as a number (101) reads back as 101.0
    return str(value).strip()


def read_sheet(data: bytes) -> list[dict]:
    """The sheet's rows as dicts of text (KEYS, plus `line`, the row's number in Excel);
    blank rows are left out. Refuses a hostile or unreadable file, or one whose first row
    lacks a column."""
    check_xlsx(data, max_rows=MAX_ROWS, max_columns=MAX_COLUMNS)
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise ValidationError("无法读取该 Excel 文件，请确认是 .xlsx 格式且未损坏。") from None
    sheet = book.worksheets[0]
    lines = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
    header = [_text(v) for v in next(lines, ())]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise ValidationError(
            f"第 1 行应为列名，缺少：{'、'.join(missing)}。请使用门户提供的模板填写。"
        )
    where = {key: header.index(name) for key, name in zip(KEYS, COLUMNS, strict=True)}
    rows = []
    for number, values in enumerate(lines, start=2):
        values = list(values) + [None] * len(header)
        row = {key: _text(values[index]) for key, index in where.items()}
        if any(row.values()):
            rows.append({"line": number, **row})
    book.close()
    return rows


@dataclass
class NewDepartment:
    code: str
    name: str
    short_name: str
    line: int


@dataclass
class NewUser:
    line: int
    username: str
    name: str
    role: Role
    department_code: str
    department_name: str
    email: str


@dataclass
class Plan:
    new_departments: list = field(default_factory=list)
    users: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    department_codes: set = field(default_factory=set)


def plan_import(rows: list[dict]) -> Plan:
    """What the sheet would create, or the reasons it cannot, one message per problem."""
    plan = Plan()
    if not rows:
        plan.errors.append("表格中没有用户数据：请从第 2 行起每行填写一个用户。")
        return plan
    codes = {row["department_code"] for row in rows if row["department_code"]}
    existing, named, taken = _stored(rows, codes)
    seen_users, new_by_code, new_by_name = {}, {}, {}
    for row in rows:
        line = row["line"]

        def refuse(message, line=line):
            plan.errors.append(f"第 {line} 行：{message}")

        bad = [
            COLUMNS[KEYS.index(key)] for key in KEYS if CONTROL_CHARACTERS.search(row[key] or "")
        ]
        if bad:
            refuse(f"“{'、'.join(bad)}”中含有不可见的控制字符，请删除后重新上传。")
            continue
        try:
            username = people_checks.clean_username(row["username"])
            name = people_checks.clean_name(row["name"])
            email = people_checks.clean_email(row["email"])
        except ValidationError as exc:
            refuse("；".join(exc.messages))
            continue
        key = username.casefold()
        if key in seen_users:
            refuse(f"用户名“{username}”与第 {seen_users[key]} 行重复。")
            continue
        seen_users[key] = line
        if key in taken:
            refuse(f"用户名“{username}”已存在。")
            continue
        role = ROLES.get(row["role"])
        if role is None:
            refuse(f"角色“{row['role']}”无法识别，应为 填报员、审核员 或 区领导。")
            continue
        code = row["department_code"]
        if role != Role.CLERK:
            if code or row["department_name"]:
                refuse("审核员和区领导不属于任何部门，请清空部门代码和部门名称。")
                continue
        elif not _department_ok(row, existing, named, new_by_code, new_by_name, refuse, plan):
            continue
        plan.users.append(
            NewUser(
                line=line,
                username=username,
                name=name,
                role=role,
                department_code=code if role == Role.CLERK else "",
                department_name=_department_label(code, existing, new_by_code),
                email=email,
            )
        )
    plan.department_codes = codes
    return plan


def _stored(rows: list[dict], codes: set) -> tuple[dict, dict, set]:
    """What the database holds already: the departments by the sheet's codes, those by its
    department names (a new department's name must not be another's), and the user names
    taken, compared without case (Zhang and zhang would be two look-alikes)."""
    existing = {d.code: d for d in Department.objects.filter(code__in=codes)}
    names = {row["department_name"] for row in rows if row["department_name"]}
    named = {d.name: d for d in Department.objects.filter(name__in=names)}
    wanted = {row["username"].casefold() for row in rows if row["username"]}
    taken = set(
        people.User.objects.annotate(folded=Lower("username"))
        .filter(folded__in=wanted)
        .values_list("folded", flat=True)
    )
    return existing, named, taken


def _department_label(code, existing, new_by_code) -> str:
    if code in existing:
        return existing[code].name
    if code in new_by_code:
        return new_by_code[code].name
    return ""


def _department_ok(row, existing, named, new_by_code, new_by_name, refuse, plan) -> bool:
    """A clerk's department: an existing one (not retired) or one the sheet creates."""
    code, name = row["department_code"], row["department_name"]
    short = row["department_short"]
    if not code:
        refuse("填报员须填写部门代码。")
        return False
    if code in existing:
        department = existing[code]
        if department.is_retired:
            refuse(f"部门“{department.name}”已停用，不能再加入填报员。")
            return False
        if name and name != department.name:
            refuse(f"部门代码“{code}”已存在，名称为“{department.name}”，与表中“{name}”不一致。")
            return False
        return True
    if code in new_by_code:
        first = new_by_code[code]
        if name and name != first.name:
            refuse(f"部门代码“{code}”在第 {first.line} 行的名称为“{first.name}”，与此行不一致。")
            return False
        return True

    # The catalogue's own rule, so that what the preview accepts the confirm creates.
    if problem := code_format_problem(code, kind="部门"):
        refuse(problem)
        return False
    if len(code) > 40:
        refuse("部门代码不能超过 40 个字符。")
        return False
    if not name:
        refuse(f"部门代码“{code}”是新部门，须填写部门名称。")
        return False
    if len(name) > 100 or len(short) > 40:
        refuse("部门名称不能超过 100 个字符，简称不能超过 40 个字符。")
        return False
    if name in named:
        refuse(f"部门名称“{name}”已被部门代码“{named[name].code}”使用。")
        return False
    if name in new_by_name:
        refuse(f"部门名称“{name}”与第 {new_by_name[name].line} 行的另一部门代码重复。")
        return False
    department = NewDepartment(code=code, name=name, short_name=short, line=row["line"])
    new_by_code[code] = new_by_name[name] = department
    plan.new_departments.append(department)
    return True


# ---------------------------------------------------------------------------------------
# Sheets handed out


def _workbook(title, header, rows, notes=()) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title
    for cell in append_row(sheet, header):
        cell.font = Font(bold=True)
    for row in rows:
        append_row(sheet, row)
    for letter, width in zip("ABCDEFGH", (14, 22, 12, 16, 12, 10, 26, 20), strict=False):
        sheet.column_dimensions[letter].width = width
    if notes:
        help_sheet = book.create_sheet("填写说明")
        for line in notes:
            append_row(help_sheet, [line])
        help_sheet.column_dimensions["A"].width = 90
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


NOTES = [
    "在第一个工作表“用户导入”中，从第 2 行起每行填写一个用户；第 1 行列名请勿修改。",
    "角色填写：填报员、审核员 或 区领导。",
    "填报员须填写部门代码（字母、数字、- 或 _，如 sfj）；部门不存在时同时填写部门名称（简称可选），"
    "门户将创建该部门。",
    "审核员和区领导不属于任何部门，部门各列留空。",
    "用户名只能包含字母、数字和 @ . + - _，不能与已有用户重复；邮箱可不填。",
    "整张表要么全部导入，要么一个也不导入：有任何一行有误时，门户会列出出错的行号，什么也不创建。",
    "导入后每个用户获得一个一次性密码，只在导入结果页面显示一次，首次登录时须修改。",
]


def template_workbook() -> bytes:
    """The blank sheet to fill in, with a second sheet explaining each column."""
    return _workbook("用户导入", COLUMNS, [], notes=NOTES)


def passwords_workbook(created) -> bytes:
    """The import's one-time passwords, for the 法制办 to hand out: built for the result's
    answer only, never written to disk or the database."""
    rows = [
        [
            target.username,
            str(target),
            people.role_label(target),
            target.department.name if target.department_id else "",
            password,
        ]
        for target, password in created
    ]
    return _workbook("一次性密码", ["用户名", "姓名", "角色", "部门", "一次性密码"], rows)
