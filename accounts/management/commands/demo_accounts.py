from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.services import demo_accounts_ensure


class Command(BaseCommand):
    help = "Create (once) the demo school, class and accounts, and print their logins."

    def handle(self, *args: object, **options: object) -> None:
        logins = demo_accounts_ensure(secrets_file=settings.VAR_DIR / "demo-accounts.json")
        self.stdout.write("Demo accounts (username / password):")
        for login in logins:
            self.stdout.write(f"  {login.role:<9} {login.username:<10} {login.password}")
