"""The journeys' driver: one Playwright page in Debian's Chromium that counts what a user does.

Every action goes through `Journey`, which counts clicks and page loads, saves a screenshot per
step under `var/journeys/<test>/`, and fails with the step's name (and a screenshot) on a server
error or an admin error banner. Elements are found by their label, role or link text, as a user
finds them, never by layout CSS."""

from __future__ import annotations

import contextlib
import json
import os
import re
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = os.environ.get("KANDAS_CHROMIUM", "/usr/bin/chromium")
SHOTS_ROOT = Path(settings.BASE_DIR) / "var" / "journeys"
TIMEOUT_MS = 15_000
INSTALL_HINT = (
    "The browser journeys (tests/journeys) drive Debian's Chromium at {path}, which is missing.\n"
    "Install it:  sudo apt-get install -y chromium   (Debian/Ubuntu; .ci/run does this itself)\n"
    "or point KANDAS_CHROMIUM at another Chromium/Chrome binary. Playwright's own browser download\n"
    "is not used. To leave the journeys out for now:  PYTEST_ARGS='-n 2 -m \"not browser\"' make test"
)


def require_chromium() -> None:
    """A missing Chromium fails with how to install it; the browser tests never skip."""
    if not Path(CHROMIUM).exists():
        pytest.fail(INSTALL_HINT.format(path=CHROMIUM), pytrace=False)


@contextlib.contextmanager
def logged_in_context(live_server, client, user, monkeypatch, **context_options):
    """A Chromium browser context on the live server, logged in as `user` (force_login's session
    cookie), for the tests that check one page rather than walk a journey."""
    from playwright.sync_api import sync_playwright

    require_chromium()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs in this thread
    client.force_login(user)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            context = browser.new_context(**context_options)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
            yield context
        finally:
            browser.close()


class JourneyError(AssertionError):
    pass


class Journey:
    def __init__(self, page, *, name: str, base_url: str):
        self.page = page
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.folder = SHOTS_ROOT / name
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*"):
            old.unlink()
        self.clicks = 0
        self.page_loads = 0
        self.typed_urls = 0
        self.fields_filled = 0
        self.shots: list[Path] = []
        self.step = "start"
        self.steps: list[dict] = []
        self.server_errors: list[str] = []
        page.set_default_timeout(TIMEOUT_MS)
        page.on("load", self._loaded)
        page.on("response", self._response)
        page.on("dialog", self._dialog)

    # --- bookkeeping ------------------------------------------------------------------------------

    def _loaded(self, _page=None):
        self.page_loads += 1

    def _dialog(self, dialog):
        """A confirm() is answered yes, and counts as a click."""
        self.clicks += 1
        dialog.accept()

    def _response(self, response):
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.request.method} {response.url}")

    def begin(self, step: str) -> None:
        """Start a named step of the day (the counts are kept per step)."""
        self.step = step
        self.steps.append({"step": step, "clicks_before": self.clicks, "loads_before": self.page_loads})

    def shot(self, label: str, *, full_page: bool = True) -> Path:
        path = self.folder / f"{len(self.shots) + 1:02d}-{_slug(label)}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        self.shots.append(path)
        return path

    def counts(self) -> dict:
        steps = []
        for i, step in enumerate(self.steps):
            end = (
                self.steps[i + 1]
                if i + 1 < len(self.steps)
                else {"clicks_before": self.clicks, "loads_before": self.page_loads}
            )
            steps.append(
                {
                    "step": step["step"],
                    "clicks": end["clicks_before"] - step["clicks_before"],
                    "page_loads": end["loads_before"] - step["loads_before"],
                }
            )
        return {
            "journey": self.name,
            "clicks": self.clicks,
            "page_loads": self.page_loads,
            "typed_urls": self.typed_urls,
            "fields_filled": self.fields_filled,
            "last_step": self.step,
            "steps": steps,
        }

    def write_counts(self) -> Path:
        path = self.folder / "counts.json"
        path.write_text(json.dumps(self.counts(), ensure_ascii=False, indent=2))
        return path

    def check(self) -> None:
        """Fail on a server error or an admin error banner, naming the step."""
        if self.server_errors:
            shot = self.shot(f"{self.step}-server-error")
            raise JourneyError(
                f"[{self.name}] step '{self.step}': the server answered {self.server_errors[0]} (see {shot})"
            )
        banner = self.page.locator(".errornote, ul.messagelist li.error, .errorlist")
        if banner.count():
            texts = " | ".join(t.strip() for t in banner.all_inner_texts() if t.strip())
            shot = self.shot(f"{self.step}-error")
            raise JourneyError(f"[{self.name}] step '{self.step}': the page shows an error: {texts[:500]} (see {shot})")

    # --- actions --------------------------------------------------------------------------------

    def open(self, path: str) -> None:
        """Type an address (the start of the day, or a link printed on paper)."""
        self.typed_urls += 1
        url = path if path.startswith("http") else self.base_url + path
        self.page.goto(url)
        self.check()

    def read_paper_link(self, url: str, label: str) -> None:
        """Type a link printed on paper into a new tab, look at it, close the tab."""
        self.typed_urls += 1
        tab = self.page.context.new_page()
        tab.on("load", self._loaded)
        tab.on("response", self._response)
        try:
            tab.goto(url)
            path = self.folder / f"{len(self.shots) + 1:02d}-{_slug(label)}.png"
            tab.screenshot(path=str(path), full_page=True)
            self.shots.append(path)
            self.check()
            self.last_paper_text = tab.locator("body").inner_text()
        finally:
            tab.close()

    def click(self, locator, *, navigates: bool = True) -> None:
        self.clicks += 1
        if navigates:
            with self.page.expect_navigation():
                locator.click()
            self.check()
        else:
            locator.click()

    def link(self, name: str, *, exact: bool = False, within=None) -> None:
        scope = within or self.page.locator("#content, #container").first
        self.click(scope.get_by_role("link", name=name, exact=exact).first)

    def nav(self, model: str, *, add: bool = False) -> None:
        """The admin's side menu (or the home page's list of models): a model's list, or its "add"
        link next to it."""
        row = self.page.locator("#nav-sidebar tr, #content-main tr").filter(
            has=self.page.get_by_role("link", name=model, exact=True)
        )
        self.click(row.first.get_by_role("link").nth(1 if add else 0))

    def logout(self) -> None:
        self.button(re.compile("^(Выйти|Шығу|Log out)$", re.I))

    def row_link(self, *texts: str) -> None:
        """Open the list row that shows all these texts (its first link)."""
        rows = self.page.locator("#result_list").get_by_role("row")
        for text in texts:
            rows = rows.filter(has_text=text)
        self.click(rows.first.get_by_role("link").first)

    def button(self, name: str, *, exact: bool = False, navigates: bool = True, within=None) -> None:
        scope = within or self.page
        self.click(scope.get_by_role("button", name=name, exact=exact).first, navigates=navigates)

    def fill(self, label: str | re.Pattern, value: str, *, within=None, exact: bool = True) -> None:
        scope = within or self.page
        self.fields_filled += 1
        scope.get_by_label(label, exact=exact).first.fill(value)

    def select(self, label: str | re.Pattern, option: str, *, within=None, exact: bool = True) -> None:
        scope = within or self.page
        self.clicks += 1
        field = scope.get_by_label(label, exact=exact).first
        field.select_option(label=option)

    def check_box(self, label: str | re.Pattern, *, within=None) -> None:
        scope = within or self.page
        self.clicks += 1
        scope.get_by_label(label).first.check()

    def autocomplete(self, field_id: str, text: str, *, pick: str | None = None) -> None:
        """Choose in an admin autocomplete (select2) box: open, type, pick the matching option.

        Found by the field's id, which the admin derives from the field's name."""
        self.clicks += 1
        self.page.locator(f"#{field_id} + .select2 .select2-selection").click()
        search = self.page.locator(".select2-container--open .select2-search__field")
        search.fill(text)
        self.fields_filled += 1
        option = self.page.locator(".select2-results__option", has_text=pick or text).first
        option.wait_for()
        self.clicks += 1
        option.click()

    def upload(self, field, path: Path) -> None:
        self.clicks += 1
        field.set_input_files(str(path))

    def expect_text(self, text: str | re.Pattern, *, within=None) -> None:
        scope = within or self.page.locator("body")
        try:
            scope.get_by_text(text).filter(visible=True).first.wait_for(timeout=5_000)
        except Exception as exc:
            shot = self.shot(f"{self.step}-missing-text")
            raise JourneyError(f"[{self.name}] step '{self.step}': expected to see {text!r} (see {shot})") from exc

    def messages(self) -> list[str]:
        return [t.strip() for t in self.page.locator("ul.messagelist li").all_inner_texts()]

    def download(self, locator, *, navigates_after: bool = False):
        """Click something that downloads a file; returns the Playwright download."""
        self.clicks += 1
        with self.page.expect_download() as info:
            locator.click()
        download = info.value
        if self.server_errors:
            self.check()
        return download

    def login(self, username: str, password: str) -> None:
        self.open("/admin/login/")
        self.fill(re.compile("Имя пользователя|Пайдаланушы|Username"), username, exact=False)
        self.fill(re.compile("Пароль|Құпиясөз|Password"), password, exact=False)
        self.button(re.compile("Войти|Кіру|Log in"))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "step"
