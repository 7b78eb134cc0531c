from itertools import groupby

from django.core.management.base import BaseCommand

from accounts import demo


class Command(BaseCommand):
    help = (
        "创建演示数据（可重复执行，只补充缺少的部分），并打印演示账号。默认建成示范市"
        "（示范区及另外两个区、乡镇（街道）和各级账号）；--district-only 只建一个区。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--departments", type=int, default=0, help="额外创建的合成部门数（用于基准测试）"
        )
        parser.add_argument("--periods", type=int, default=0, help="合成数据的连续年度报告期数")
        parser.add_argument("--logins-only", action="store_true", help="只打印演示账号")
        parser.add_argument(
            "--district-only",
            action="store_true",
            help="只建示范区一个区（不建示范市、其他区和乡镇）",
        )

    def handle(self, *args, departments, periods, logins_only, district_only, **options):
        if not logins_only:
            result = demo.seed_demo(city=not district_only)
            self.stdout.write(f"演示数据就绪（新建数据 {result['figures_created']} 条）。")
            if departments or periods:
                result = demo.seed_synthetic(departments=departments or 1, periods=periods or 1)
                self.stdout.write(
                    f"合成数据：{result['departments']} 个部门，{result['indicators']} 项指标，"
                    f"新建数据 {result['figures_created']} 条。"
                )
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {demo.DEMO_PASSWORD}）：")
        for group, logins in groupby(demo.demo_logins(), key=lambda login: login.group):
            indent = "    " if group else "  "
            if group:
                self.stdout.write(f"  {group}：")
            for login in logins:
                self.stdout.write(
                    f"{indent}{login.username:<16} {login.role:<8} {login.department}"
                )
        clerk_lines = demo.city_clerk_lines()
        if clerk_lines:
            self.stdout.write("  新增单位的填报员（clerk_<单位代码>，部门填报员）：")
            for line in clerk_lines:
                self.stdout.write(f"    {line}")
