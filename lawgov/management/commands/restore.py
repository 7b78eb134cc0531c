from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lawgov.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "从 backup 生成的 .tar.gz 恢复数据库与文件（会覆盖当前数据）。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="备份文件")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到备份文件：{file}")
        try:
            manifest = restore_backup(path)
        except BackupError as exc:
            raise CommandError(f"恢复失败：{exc}") from None
        self.stdout.write(
            self.style.SUCCESS(f"已从 {file} 恢复（备份时间 {manifest['created']}）。")
        )
