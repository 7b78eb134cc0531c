import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from metrics.models import Department, ReportingPeriod
from metrics.system import SystemAccount, system_account
from reports.importing.accept import accept_import
from reports.importing.proposal import propose
from reports.importing.reader import read_docx, read_text
from reports.importing.store import catalogue, known_values, site_values
from reports.models import ReportTemplate

PERMISSIONS = ("metrics.manage_catalogue", "reports.edit_template")


class Command(BaseCommand):
    help = "从文档（.docx 或 .txt）导入文稿模板（与网页相同的流程）；不加 --accept 时只列出建议。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="讲话稿或报告：.docx 或 .txt（UTF-8）")
        parser.add_argument("--name", required=True, help="新文稿的名称（已有同名文稿则更新它）")
        parser.add_argument("--period", required=True, help="文档所述的报告期，如 2025")
        parser.add_argument("--department", help="新指标的填报部门代码（未猜出部门时使用）")
        parser.add_argument(
            "--from-period",
            help="新指标从哪一期起填报（默认：文档所述的报告期；其后已有报告期开始填报时须指定）",
        )
        parser.add_argument("--accept", action="store_true", help="接受建议：建立指标、文稿和数据")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出建议")

    def handle(
        self, *args, file, name, period, department=None, accept=False, from_period=None, **options
    ):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}")
        period_obj = _period(period)
        owner = None
        if department:
            owner = Department.objects.filter(code=department).first()
            if owner is None:
                raise CommandError(f"部门“{department}”不存在。")
        proposal = propose(
            _paragraphs(path),
            catalogue(),
            site_values=site_values(period_obj),
            known=known_values(period_obj),
        )
        self._show(proposal, name, as_json=options["json"])
        if not accept:
            return
        first = _period(from_period) if from_period else None
        actor = system_account(SystemAccount.COMMAND_LINE, permissions=PERMISSIONS)
        existing = (
            ReportTemplate.objects.filter(name=name).first()
            or ReportTemplate.objects.filter(slug=name).first()
        )
        try:
            document = accept_import(
                user=actor,
                proposal=proposal,
                document_name=name,
                period=period_obj,
                default_department=owner,
                document=existing,
                first_period=first,
            )
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError(" ".join(messages)) from None
        self.stderr.write(
            self.style.SUCCESS(
                f"已导入“{document.name}”（{document.slug}）第{document.current_version.number}版。"
            )
        )

    def _show(self, proposal, name: str, *, as_json: bool) -> None:
        """The proposal: as JSON, or as the template's text with its problems on stderr."""
        if as_json:
            data = proposal.to_json()
            out = {"template": name, "figures": data["figures"], "literals": data["literals"]}
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(proposal.template_text())
            for problem in proposal.problems():
                self.stderr.write(problem)


def _period(code: str) -> ReportingPeriod:
    period = ReportingPeriod.objects.filter(code=code).first()
    if period is None:
        raise CommandError(f"报告期“{code}”不存在。")
    return period


def _paragraphs(path: Path) -> list:
    """The document's paragraphs: a .docx, or a UTF-8 text file."""
    try:
        if path.suffix.lower() == ".docx":
            return read_docx(path.read_bytes())
        return read_text(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise CommandError("文本文件应为 UTF-8 编码。") from None
    except ValidationError as exc:
        raise CommandError(" ".join(exc.messages)) from None
