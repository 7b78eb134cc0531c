from django.core.management.base import BaseCommand, CommandError

from metrics import totals
from metrics.models import ReportingPeriod


class Command(BaseCommand):
    help = (
        "生成（重建）各报告期的区域汇总中间值（metrics.totals）：默认只处理尚未生成或已过期的报告期；"
        "后台任务每五分钟也会自动执行。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "periods", nargs="*", help="报告期代码，如 2026、2026Q3；省略则处理全部待生成的"
        )

    def handle(self, *args, periods, **options):
        if periods:
            found = dict(ReportingPeriod.objects.filter(code__in=periods).values_list("code", "pk"))
            unknown = [code for code in periods if code not in found]
            if unknown:
                raise CommandError(f"没有这些报告期：{'、'.join(unknown)}")
            ids = [found[code] for code in periods]
        else:
            ids = totals.periods_to_build()
        for period_id in ids:
            rows = totals.build_period(period_id=period_id)
            code = ReportingPeriod.objects.get(pk=period_id).code
            self.stdout.write(f"{code}：{rows} 行")
        if not ids:
            self.stdout.write("没有待生成的报告期。")
