import shutil
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from metrics.models import Area, ReportingPeriod, User
from metrics.system import SystemAccount, system_account
from reports import documents, selectors, services
from reports.models import JobStatus, ReportKind


class Command(BaseCommand):
    help = "在前台生成讲话稿（与网页相同的流程）；正式稿缺数据时列出缺项并以非零状态退出。"

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="报告期，如 2026")
        parser.add_argument("--draft", action="store_true", help="生成草稿（缺项以【待填】标出）")
        parser.add_argument("--output", required=True, help="PDF 输出路径")
        parser.add_argument("--docx", help="Word 输出路径")
        parser.add_argument("--ofd", help="OFD（GB/T 33190 版式文档）输出路径")
        parser.add_argument("--user", help="记录为申请人的用户名")
        parser.add_argument(
            "--area", help="区域代码：生成该区域的文稿（默认本系统的区域；市级为各区汇总）"
        )
        parser.add_argument(
            "--template",
            help="文稿：代码或名称，如 speech、annual-report、法治政府建设年度报告（默认讲话稿）",
        )

    def handle(
        self,
        *args,
        period,
        draft,
        output,
        docx,
        user,
        template=None,
        ofd=None,
        area=None,
        **options,
    ):
        try:
            period_obj = ReportingPeriod.objects.get(code=period)
        except ReportingPeriod.DoesNotExist:
            raise CommandError(f"报告期“{period}”不存在。") from None
        document = documents.document_named(template)
        if document is None:
            known = "、".join(f"{d.slug}（{d.name}）" for d in documents.documents())
            raise CommandError(f"文稿“{template}”不存在。可用：{known}")
        area_obj = _area(area)
        actor = _actor(user)
        # Checked before anything is built or recorded: a job whose file cannot be written
        # out would be left behind for nothing.
        for path in filter(None, (output, docx, ofd)):
            folder = Path(path).resolve().parent
            if not folder.is_dir():
                raise CommandError(f"输出目录不存在：{folder}")
        kind = ReportKind.DRAFT if draft else ReportKind.FINAL
        try:
            job = services.create_report_job(
                period=period_obj, kind=kind, user=actor, template=document, area=area_obj
            )
        except PermissionDenied as refused:
            raise CommandError(f"{actor}：{refused}") from None
        except services.ReportNotReady as refused:
            lines = [
                f"{period_obj.label}{'' if document.slug == 'speech' else document.name}不能生成正式稿，以下 {len(refused.gaps)} 项数据尚未填写或未审核："
            ]
            for department, gaps in selectors.gaps_by_department(refused.gaps).items():
                # "；" between names: some names hold a 、 themselves (楼院、楼栋党小组).
                lines.append(f"  {department}：" + "；".join(g["name"] for g in gaps))
            raise CommandError("\n".join(lines)) from None
        job = services.run_report_job(job_id=job.pk)
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(f"生成失败：{job.error}")
        for field, path in (("pdf", output), ("docx", docx), ("ofd", ofd)):
            if path:
                with getattr(job, field).open("rb") as source, open(path, "wb") as target:
                    shutil.copyfileobj(source, target)
        name = "讲话稿" if document.slug == "speech" else document.name
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成{period_obj.label}{name}（{job.get_kind_display()}）#{job.pk}：{output}"
            )
        )


def _area(code):
    """The area whose document is built: the installation's own when none is named."""
    if not code:
        return None
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise CommandError(f"区域“{code}”不存在。")
    return area


def _actor(username):
    """Who the job is recorded as requested by: the named user, else the command line's own
    system account."""
    if not username:
        return system_account(SystemAccount.COMMAND_LINE, permissions=("reports.request_report",))
    actor = User.objects.filter(username=username).first()
    if actor is None:
        raise CommandError(f"用户“{username}”不存在。")
    return actor
