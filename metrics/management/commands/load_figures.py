import getpass
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from metrics import services
from metrics.models import ReportingPeriod, User
from metrics.system import SystemAccount, system_account
from metrics.tabular import read_figure_rows


class Command(BaseCommand):
    help = "从 CSV 或 XLSX（列：code,value[,remark]）导入某报告期的数据：全部成功或全部不导入。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV 或 XLSX 文件")
        parser.add_argument("--period", required=True, help="报告期，如 2026")
        parser.add_argument(
            "--approve", action="store_true", help="导入后直接标记为已审核（管理导入）"
        )
        parser.add_argument(
            "--user",
            help="记录在审计历史中的操作人（门户用户名）；省略时记录运行命令的系统账户",
        )

    def handle(self, *args, file, period, approve, user, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        try:
            period_obj = ReportingPeriod.objects.get(code=period)
        except ReportingPeriod.DoesNotExist:
            raise CommandError(f"报告期“{period}”不存在。") from None
        if user:
            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"用户“{user}”不存在。")
        else:
            actor = system_account(SystemAccount.COMMAND_LINE)
        try:
            rows = read_figure_rows(path.read_bytes(), path.name)
            saved = services.import_figures(
                period=period_obj,
                rows=rows,
                user=actor,
                approve=approve,
                # The history names the portal user, or the system account and the operating
                # system's account that ran the command.
                source=(
                    f"管理导入：{path.name}"
                    if user
                    else f"管理导入：{path.name}（命令行，操作系统账户 {_os_account()}）"
                ),
            )
        except PermissionDenied as exc:
            raise CommandError(f"导入失败，未导入任何数据：{exc}") from None
        except ValidationError as exc:
            raise CommandError("导入失败，未导入任何数据：\n" + "\n".join(exc.messages)) from None
        state = "已审核" if approve else "草稿"
        self.stdout.write(
            self.style.SUCCESS(f"已导入 {len(saved)} 条数据到 {period_obj.label}（{state}）。")
        )


def _os_account() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a bare container)
        return "未知"
