import datetime

from django.core.management.base import BaseCommand

from metrics import services
from metrics.system import SystemAccount, system_account


class Command(BaseCommand):
    help = "按截止日期向未报送完毕的部门催报（每部门每天最多一次）；每日由定时任务执行。"

    def add_arguments(self, parser):
        parser.add_argument("--today", help="按该日期判断（YYYY-MM-DD）")

    def handle(self, *args, today, **options):
        day = datetime.date.fromisoformat(today) if today else None
        sent = services.send_due_reminders(user=system_account(SystemAccount.SCHEDULER), today=day)
        for reminder in sent:
            self.stdout.write(f"已催报：{reminder.department.name} {reminder.period.code}")
        self.stdout.write(self.style.SUCCESS(f"共催报 {len(sent)} 个部门。"))
