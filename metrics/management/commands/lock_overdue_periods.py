import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from metrics import selectors, services
from metrics.deadlines import latest_deadline
from metrics.office import office_settings
from metrics.system import SystemAccount, system_account


class Command(BaseCommand):
    help = "锁定已超过报送截止日期的报告期（可设宽限天数）；每日由定时任务执行。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--grace-days",
            type=int,
            default=None,
            help="截止日期后再宽限的天数（默认取系统设置中的宽限天数）",
        )
        parser.add_argument("--today", help="按该日期判断（YYYY-MM-DD），用于补跑或测试")
        parser.add_argument("--dry-run", action="store_true", help="只列出，不锁定")

    def handle(self, *args, grace_days, today, dry_run, **options):
        day = datetime.date.fromisoformat(today) if today else None
        if dry_run:
            grace = grace_days if grace_days is not None else office_settings().auto_lock_grace_days
            periods = selectors.periods_to_lock(today=day or timezone.localdate(), grace_days=grace)
            for period, extensions in periods:
                last = latest_deadline(period, extensions)
                self.stdout.write(f"将锁定：{period.code}（截止 {last:%Y-%m-%d}）")
            return
        locked = services.lock_overdue_periods(
            user=system_account(SystemAccount.SCHEDULER), today=day, grace_days=grace_days
        )
        if not locked:
            self.stdout.write("没有需要锁定的报告期。")
        for period in locked:
            self.stdout.write(self.style.SUCCESS(f"已锁定：{period.code}"))
