"""The report in a real headless browser: the filters change what is shown.

Needs Debian's ``chromium`` and ``chromium-driver`` packages and selenium; skipped
when any is missing. Run only these with ``pytest -m browser``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from itunlp._resources import data_dir
from itunlp.segmentation.component import split_into_clauses
from itunlp.views.report import write_report

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
        reason="needs /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium "
        "chromium-driver)",
    ),
]
webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium")

THEMES = ["gender", "stakeholder_participation", "cybersecurity"]
_WORDS = {
    "gender": re.compile(r"\b(women|girls|gender)\b", re.I),
    "stakeholder_participation": re.compile(r"\b(civil society|observers|academia)\b", re.I),
    "cybersecurity": re.compile(r"\b(cyber\w*|security|CIRTs?)\b", re.I),
}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows, texts = [], {}
    for name in ("res-901-draft", "commentary-gender-outcomes"):
        text = (data_dir() / "examples" / f"{name}.txt").read_text(encoding="utf-8")
        texts[name] = text
        for n, clause in enumerate(split_into_clauses(text), start=1):
            own = [t for t in THEMES if _WORDS[t].search(clause.text)]
            rows.append(
                {
                    "doc_id": name,
                    "clause_id": f"{name}-{n:03d}",
                    "start": clause.start,
                    "end": clause.end,
                    "text": clause.text,
                    "function": clause.function,
                    "themes": own,
                    **{f"score_{t}": 0.9 if t in own else 0.05 for t in THEMES},
                }
            )
    folder = tmp_path_factory.mktemp("browser")
    return write_report(pd.DataFrame(rows), folder / "report.html", texts=texts)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1600",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _ids(driver: object, selector: str) -> set[str]:
    from selenium.webdriver.common.by import By

    return {e.get_attribute("id") for e in driver.find_elements(By.CSS_SELECTOR, selector)}


def _shown(driver: object) -> set[str]:
    """Clauses displayed and not dimmed."""
    from selenium.webdriver.common.by import By

    return {
        e.get_attribute("id")
        for e in driver.find_elements(By.CSS_SELECTOR, ".clause:not(.dimmed):not(.hidden)")
        if e.is_displayed()
    }


def _click(driver: object, selector: str) -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(By.CSS_SELECTOR, selector).click()


def test_theme_filter_focuses_on_its_clauses(browser: object, report: Path) -> None:
    browser.get(report.as_uri())
    everything = _ids(browser, ".clause")
    gender = _ids(browser, '.clause[data-themes~="gender"]')
    assert gender and gender < everything
    assert _shown(browser) == everything  # nothing focused yet

    _click(browser, 'input[data-theme-filter="gender"]')
    assert _shown(browser) == gender
    assert _ids(browser, ".clause.dimmed") == everything - gender
    assert _ids(browser, ".clause.match") == gender

    _click(browser, 'input[data-theme-filter="stakeholder_participation"]')
    stake = _ids(browser, '.clause[data-themes~="stakeholder_participation"]')
    assert _shown(browser) == gender | stake

    _click(browser, "#hide-unmatched")
    assert _ids(browser, ".clause.hidden") == everything - gender - stake

    _click(browser, "#clear-filters")
    assert _shown(browser) == everything


def test_function_filter_hides_preamble(browser: object, report: Path) -> None:
    browser.get(report.as_uri())
    everything = _ids(browser, ".clause")
    preamble = _ids(browser, '.clause[data-kind="preamble"]')
    assert preamble
    _click(browser, 'input[data-function-filter="preamble"]')
    assert _ids(browser, ".clause.hidden") == preamble
    assert _shown(browser) == everything - preamble


def test_clicking_a_clause_shows_its_scores(browser: object, report: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(report.as_uri())
    panel = browser.find_element(By.ID, "details")
    assert not panel.is_displayed()
    clause = browser.find_element(By.CSS_SELECTOR, '.clause[data-themes~="gender"]')
    clause.click()
    assert panel.is_displayed()
    assert "gender" in panel.text and "0.90" in panel.text
    assert clause.get_attribute("data-function") in panel.text
    assert browser.get_log("browser") == []  # no script errors
