from django.core.management.base import BaseCommand

from accounts import demo


class Command(BaseCommand):
    help = "创建演示数据（可重复执行，只补充缺少的部分），并打印演示账号。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--departments", type=int, default=0, help="额外创建的合成部门数（用于基准测试）"
        )
        parser.add_argument("--periods", type=int, default=0, help="合成数据的连续年度报告期数")
        parser.add_argument("--logins-only", action="store_true", help="只打印演示账号")

    def handle(self, *args, departments, periods, logins_only, **options):
        if not logins_only:
            result = demo.seed_demo()
            self.stdout.write(f"演示数据就绪（新建数据 {result['figures_created']} 条）。")
            if departments or periods:
                result = demo.seed_synthetic(departments=departments or 1, periods=periods or 1)
                self.stdout.write(
                    f"合成数据：{result['departments']} 个部门，{result['indicators']} 项指标，"
                    f"新建数据 {result['figures_created']} 条。"
                )
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {demo.DEMO_PASSWORD}）：")
        for login in demo.demo_logins():
            self.stdout.write(f"  {login.username:<12} {login.role:<8} {login.department}")
