"""`manage.py create_api_token <user name> [--name 名称]`: a new API token for a user, printed
once (the database keeps only its hash). Acts as the command line's system account."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts import services
from metrics.models import User
from metrics.system import SystemAccount, system_account


class Command(BaseCommand):
    help = "为用户创建接口令牌（只显示一次）"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="命令行创建", help="令牌名称")

    def handle(self, *args, username, name, **options):
        owner = User.objects.filter(username=username).first()
        if owner is None:
            raise CommandError(f"用户 {username} 不存在。")
        try:
            token, raw = services.create_token(
                user=system_account(SystemAccount.COMMAND_LINE), owner=owner, name=name
            )
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError("；".join(getattr(exc, "messages", [str(exc)]))) from None
        expires = token.expiry.strftime("%Y-%m-%d") if token.expiry else "永不"
        self.stderr.write(f"令牌 {token.prefix}，有效期至 {expires}；请立即保存，不会再次显示。")
        self.stdout.write(raw)
