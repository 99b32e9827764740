"""Issue a named, expiring API token for an integration user and print it once."""

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from core.models import User
from core.services import api_token_issue


class Command(BaseCommand):
    help = "Issue a named API token for a user (an integration account) and print it once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="the integration that will hold the token")
        parser.add_argument("--days", type=int, default=None, help="lifetime (default API_TOKEN_INTEGRATION_DAYS)")

    def handle(self, *args, username: str, name: str, days: int | None, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        try:
            token, key = api_token_issue(user=user, name=name, days=days)
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        self.stderr.write(f"Token {token.name!r} for {user.username}, expires {token.expiry:%Y-%m-%d %H:%M %Z}.")
        self.stderr.write("It is shown this once; only its digest is stored.")
        self.stdout.write(key)
