"""One way for tests to open Chromium (Debian's chromium and chromium-driver, via Selenium):
headless, Dutch, with the window and the CSS viewport of the size asked for; and the mark that
skips a test without them (fails it instead with STEUNPUNT_REQUIRE_BROWSER=1, as in CI)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from tests.support.services import needs

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

needs_browser = needs(
    "STEUNPUNT_REQUIRE_BROWSER",
    {
        "chromium (apt-get install chromium)": os.path.exists(CHROMIUM),
        "chromedriver (apt-get install chromium-driver)": os.path.exists(DRIVER),
    },
)


def chromium(width: int = 1280, height: int = 900) -> Any:
    """A new headless Chromium whose window and viewport are `width` x `height` (a click lands
    where the page is drawn). The caller quits it."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--lang=nl",
        f"--window-size={width},{height}",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )
    driver.set_script_timeout(60)
    return driver


def until(driver: Any, condition: Any, seconds: float = 15, poll: float = 0.2) -> Any:
    """Wait until `condition(driver)` is true. An element that went stale because the page
    was replaced or re-rendered in between (a form post, a live update) is looked up again on
    the next poll instead of failing the test: CI failed twice on exactly that race."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(
        driver,
        seconds,
        poll_frequency=poll,
        ignored_exceptions=(NoSuchElementException, StaleElementReferenceException),
    ).until(condition)


#: axe-core from the site's npm packages (the version in website/assets/package.json).
AXE = Path(__file__).resolve().parents[2] / "website" / "assets" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(driver: Any) -> list:
    """axe-core's WCAG 2.1 A and AA violations on the page open in `driver` (an error in axe
    itself is a violation too, so a broken scan never passes as a clean one)."""
    driver.execute_script(AXE.read_text())
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))))"
        ".catch(e => done([{id: 'axe-error', help: String(e)}]));",
        WCAG_AA,
    )
