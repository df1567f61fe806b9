"""The browser journeys' fixtures (issue #7): a home of signed, stamped documents, ``sohoa
serve`` over it on a free port, Debian's Chromium driven by Playwright, and screenshots of
each step kept under ``test-artefacts/journeys/<test>/`` (CI keeps them as artefacts).

A journey module uses them as they are, or overrides ``home`` to put other documents (and,
once they exist, accounts) in it -- the server, started after it, serves what it holds::

    @pytest.fixture(scope="module")
    def home(tmp_path_factory, public_url) -> Home:
        home = build_home(tmp_path_factory.mktemp("home"), public_url, [BIRTH_CERTIFICATE])
        ...  # e.g. accounts created in home.path
        return home

    def test_something(live_server, phone_page, shot):
        phone_page.goto(f"{live_server.url}/verify/...")
        shot(phone_page, "verification-page")
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from .support import CHROMIUM, DESKTOP, PHONE, Home, LiveServer, build_home, free_port, serve


def artefacts(request: pytest.FixtureRequest) -> Path:
    """Where the journeys' screenshots and servers' logs are kept (CI's artefacts)."""
    return request.config.rootpath / "test-artefacts" / "journeys"


@pytest.fixture(scope="module")
def server_port() -> int:
    """The port this module's ``sohoa serve`` listens on, chosen before its home is
    built (the stamps' QR codes carry it)."""
    return free_port()


@pytest.fixture(scope="module")
def public_url(server_port: int) -> str:
    """The live server's address, which the stamps' QR codes point to."""
    return f"http://127.0.0.1:{server_port}"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, public_url: str) -> Home:
    """A home with one signed, stamped, stored birth certificate (support.BIRTH_CERTIFICATE)."""
    return build_home(tmp_path_factory.mktemp("home"), public_url)


@pytest.fixture(scope="module")
def live_server(
    home: Home, server_port: int, request: pytest.FixtureRequest
) -> Iterator[LiveServer]:
    """``sohoa serve`` over ``home`` at ``public_url``, up (``/healthz`` 200) until the
    module's tests are done; its log kept as ``test-artefacts/journeys/<module>.server.log``."""
    log = artefacts(request) / f"{request.path.stem}.server.log"
    with serve(home.path, server_port, log=log) as server:
        assert server.url == home.public_url
        yield server


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    """Per journey module, not per session: Playwright's sync API keeps an event loop
    running in the main thread while it is open, and every later test that signs
    in-process (pyHanko's ``asyncio.run``) would fail."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, headless. Missing: every journey fails, saying how to install it
    (the journeys are the web service's acceptance tests: they do not skip)."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser journeys run in Debian's Chromium; "
            "install it with scripts/setup.sh --dev (apt-get install chromium)",
            pytrace=False,
        )
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
    yield browser
    browser.close()


class Shots:
    """``shot(page, name)``: a full-page screenshot of ``page`` as
    ``test-artefacts/journeys/<test>/<NN>-<name>.png``, numbered in the order taken;
    ``shot.image(image, name)``: a PIL image (a rendered PDF page) kept the same way."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.taken: list[Path] = []

    def __call__(self, page: Page, name: str) -> Path:
        path = self._next(name)
        page.screenshot(path=path, full_page=True)
        return path

    def image(self, image: Image.Image, name: str) -> Path:
        """Keep a picture that is no browser page (a rendered PDF page) in the same row."""
        path = self._next(name)
        image.save(path)
        return path

    def _next(self, name: str) -> Path:
        slug = re.sub(r"[^\w.-]+", "-", name).strip("-") or "shot"
        path = self.folder / f"{len(self.taken) + 1:02d}-{slug}.png"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.taken.append(path)
        return path


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Shots:
    """See :class:`Shots`; the test's folder is emptied first, so that it holds this run's."""
    test = re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")
    folder = artefacts(request) / test
    shutil.rmtree(folder, ignore_errors=True)
    return Shots(folder)


NewContext = Callable[..., BrowserContext]


@pytest.fixture
def new_context(
    browser: Browser, shot: Shots, request: pytest.FixtureRequest
) -> Iterator[NewContext]:
    """``new_context(phone=False, **options)``: a fresh browser context (own cookies: one
    per person in a journey), Vietnamese, Hanoi time, desktop- or phone-sized; Playwright's
    ``browser.new_context`` options override. Closed after the test; where the test failed,
    each page still open is screenshot first (``NN-failed-<i>.png``)."""
    contexts: list[BrowserContext] = []

    def make(*, phone: bool = False, **options: Any) -> BrowserContext:
        settings: dict[str, Any] = {
            "locale": "vi-VN",
            "timezone_id": "Asia/Ho_Chi_Minh",
            "viewport": PHONE if phone else DESKTOP,
        }
        if phone:
            settings.update(is_mobile=True, has_touch=True, device_scale_factor=2)
        context = browser.new_context(**(settings | options))
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    report = getattr(request.node, "journey_report", None)
    failed = report is not None and report.failed
    for context in contexts:
        if failed:
            for number, page in enumerate(context.pages, 1):
                with suppress(Exception):  # a crashed page: the failure itself matters
                    shot(page, f"failed-{number}")
        context.close()


@pytest.fixture
def page(new_context: NewContext) -> Page:
    """A desktop-sized page (1280x900) in a fresh context."""
    return new_context().new_page()


@pytest.fixture
def phone_page(new_context: NewContext) -> Page:
    """A phone-sized page (390x844 CSS pixels, touch, 2x) in a fresh context: how a QR code
    on a stamp is mostly opened."""
    return new_context(phone=True).new_page()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """The test call's report kept on the item, for ``new_context`` to see a failure."""
    report = yield
    if report.when == "call":
        item.journey_report = report  # type: ignore[attr-defined]
    return report
