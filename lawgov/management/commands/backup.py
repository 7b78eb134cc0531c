import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lawgov.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "备份数据库（含数据修改历史）与上传、生成的文件到一个 .tar.gz 文件。"

    def add_arguments(self, parser):
        parser.add_argument("--output", help="备份文件路径（默认 var/backups/lawgov-时间.tar.gz）")

    def handle(self, *args, output, **options):
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        target = (
            Path(output)
            if output
            else Path(settings.BASE_DIR) / "var" / "backups" / f"lawgov-{stamp}.tar.gz"
        )
        try:
            create_backup(target)
        except BackupError as exc:
            raise CommandError(f"备份失败：{exc}") from None
        self.stdout.write(self.style.SUCCESS(f"已备份到 {target}"))
