import time

from django.conf import settings
from django.core.management.base import BaseCommand

from reports.rendering.fonts import harfbuzz_subset_available, reduced_fonts


class Command(BaseCommand):
    help = "预先生成讲话稿使用的精简字体（GB 2312 字符集），首次约需一分多钟，之后直接使用缓存。"

    def handle(self, *args, **options):
        started = time.monotonic()
        fonts = reduced_fonts(settings.REPORT_FONT_CACHE_DIR, build=True)
        self.stdout.write(
            f"讲话稿字体就绪：{len(fonts)} 种（{settings.REPORT_FONT_CACHE_DIR}，用时 {time.monotonic() - started:.1f} 秒）。"
        )
        if not harfbuzz_subset_available():
            self.stderr.write(
                "警告：缺少 libharfbuzz-subset0，每份 PDF 将需约 20 秒。请安装：apt-get install libharfbuzz-subset0"
            )
