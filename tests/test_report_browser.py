"""The HTML report driven in real headless Chromium by Selenium (issue #14).

Debian's ``chromium`` and ``chromium-driver`` packages, driven through ``/usr/bin/chromedriver``
with ``binary_location=/usr/bin/chromium``: Selenium Manager never runs, so no browser or driver
is ever downloaded. The page is opened from ``file://`` as a reader opens it, and checked the way
a reader sees it: no console message, no request but the file itself (CDP ``Network`` events from
the performance log), every plot's SVG marks laid out with a size, choosing ``failed`` in the
status filter leaves exactly the failed items in the table, clicking an item highlights the span
the parser read, and a screenshot has many colours. Without selenium, chromium or chromedriver
the tests skip, except under CI (``CI`` set), where they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import tempfile
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from medmetrics.report.cli import demo_runs, score_runs
from medmetrics.report.html import entries_html

pytestmark = pytest.mark.slow  # each test starts Chromium and its WebDriver (CI runs it)

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WINDOW = (1280, 1000)
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars", f"--window-size={WINDOW[0]},{WINDOW[1]}")


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(f"{reason}: .ci/run installs Debian's chromium and chromium-driver, and the test extra selenium")
    pytest.skip(f"{reason} (apt-get install chromium chromium-driver; pip install selenium); CI runs these tests")


def start_browser(profile: Path) -> Any:
    """Headless Debian Chromium under Debian's chromedriver, with console and performance logs."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("selenium is not installed")
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            _missing(f"{path} is missing (Debian package {package})")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    profile = Path(tempfile.mkdtemp(prefix="mm-chromium-"))
    browser = start_browser(profile)
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    entries, rows, notes = score_runs({"demo": demo_runs()}, resamples=200)
    path = tmp_path_factory.mktemp("browser") / "demo.html"
    entries_html(entries, rows, title="medmetrics report: demo", notes=notes, path=path)
    return path, {e.task: e for e in entries}


def open_page(driver: Any, path: Path, timeout: float = 20) -> tuple[list[dict[str, Any]], list[str]]:
    """Open ``path`` from disk and wait until the item list is ready: (console entries, URLs requested)."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get("about:blank")
    driver.get_log("browser")  # reading a log empties it: start clean
    driver.get_log("performance")
    driver.get(path.resolve().as_uri())
    WebDriverWait(driver, timeout).until(
        lambda d: d.execute_script("return document.body && document.body.getAttribute('data-ready')"))
    requests = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requests.append(message["params"]["request"]["url"])
    return driver.get_log("browser"), requests


def visible_rows(driver: Any) -> list[tuple[str, int, str]]:
    """(task, index, status) of each row the table shows, read from its cells."""
    cells = driver.execute_script(
        "return Array.from(document.querySelectorAll('#items-body tr')).map(function (tr) {"
        " var td = tr.querySelectorAll('td'); return [td[0].textContent, td[1].textContent, td[3].textContent]; });")
    return [(task, int(index), status) for task, index, status in cells]


def choose(driver: Any, select_id: str, text: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element(By.ID, select_id)).select_by_visible_text(text)  # fires the change event


# ------------------------------------------------------------------------------------------
# PNG pixels, decoded with zlib and numpy alone
# ------------------------------------------------------------------------------------------
def png_rgb(png: bytes) -> Any:
    """The screenshot as a (height, width, 3) uint8 array: chunks read, IDAT inflated, the five
    scanline filters undone (8-bit RGB or RGBA, not interlaced, as Chromium writes them)."""
    import numpy as np

    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", b""
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        if kind == b"IHDR":
            header = png[pos + 8:pos + 8 + length]
        elif kind == b"IDAT":
            idat += png[pos + 8:pos + 8 + length]
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
    bpp = 3 if colour == 2 else 4
    stride = width * bpp
    raw = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(height, stride + 1)
    out = np.zeros((height, stride), dtype=np.uint8)
    previous = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        kind, line = raw[y, 0], raw[y, 1:]
        if kind == 0:
            row = line.copy()
        elif kind == 1:  # Sub: a running sum along each channel (uint8 wraps mod 256)
            row = np.cumsum(line.reshape(width, bpp), axis=0, dtype=np.uint8).reshape(stride)
        elif kind == 2:  # Up
            row = line + previous
        else:  # Average, Paeth: each byte depends on the one to its left, byte by byte
            row = np.zeros(stride, dtype=np.uint8)
            cur, up = line.tolist(), previous.tolist()
            done = [0] * stride
            for x in range(stride):
                left = done[x - bpp] if x >= bpp else 0
                if kind == 3:
                    done[x] = (cur[x] + ((left + up[x]) >> 1)) & 255
                else:
                    upper_left = up[x - bpp] if x >= bpp else 0
                    p = left + up[x] - upper_left
                    pa, pb, pc = abs(p - left), abs(p - up[x]), abs(p - upper_left)
                    pred = left if pa <= pb and pa <= pc else (up[x] if pb <= pc else upper_left)
                    done[x] = (cur[x] + pred) & 255
            row[:] = done
        out[y] = row
        previous = row
    return out.reshape(height, width, bpp)[:, :, :3]


# ------------------------------------------------------------------------------------------
# the tests
# ------------------------------------------------------------------------------------------
def test_page_loads_without_console_messages_or_network_requests(driver: Any, demo: tuple[Path, Any]) -> None:
    path, _ = demo
    console, requests = open_page(driver, path)
    assert driver.execute_script("return document.body.getAttribute('data-ready')") == "1"
    assert console == [], console  # no error, no warning, no fetch the page's policy blocked
    assert requests == [path.resolve().as_uri()], requests  # the file itself, nothing else
    assert driver.execute_script("return document.querySelectorAll('#items-body tr').length") == 50  # page 1


def test_the_checks_see_requests_and_console_errors(driver: Any, demo: tuple[Path, Any], tmp_path: Path) -> None:
    """Not vacuous: a page that loads a second file shows two requests, and a remote image slipped
    into the report shows as a request and, blocked by the page's Content-Security-Policy, as a
    console error."""
    (tmp_path / "pixel.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>',
                                        encoding="utf-8")
    plain = tmp_path / "plain.html"
    plain.write_text('<!DOCTYPE html><html><body data-ready="1"><img src="pixel.svg"></body></html>', encoding="utf-8")
    _, requests = open_page(driver, plain)
    assert requests == [plain.resolve().as_uri(), (tmp_path / "pixel.svg").resolve().as_uri()]
    path, _ = demo
    bad = tmp_path / "bad.html"
    bad.write_text(path.read_text(encoding="utf-8").replace(
        "</body>", '<img src="https://example.org/pixel.png"></body>'), encoding="utf-8")
    console, requests = open_page(driver, bad)
    assert any(e["level"] == "SEVERE" and "example.org" in e["message"] for e in console), console
    assert "https://example.org/pixel.png" in requests  # attempted (then blocked): the network check sees it


def test_every_plot_has_rendered_marks(driver: Any, demo: tuple[Path, Any]) -> None:
    path, _ = demo
    open_page(driver, path)
    plots = driver.execute_script(
        "return Array.from(document.querySelectorAll('svg.plot')).map(function (s) {"
        " var r = s.getBoundingClientRect(), marks = Array.from(s.querySelectorAll('.mark'));"
        " return {plot: s.getAttribute('data-plot'), width: r.width, height: r.height, marks: marks.length,"
        "  drawn: marks.filter(function (m) { var b = m.getBoundingClientRect(); return b.width > 0 || b.height > 0; })"
        "  .length}; });")
    assert {p["plot"] for p in plots} == {"forest", "statuses", "confusion", "histogram"}, plots
    for plot in plots:
        assert plot["width"] > 50 and plot["height"] > 30, plot
        assert plot["marks"] > 0 and plot["drawn"] == plot["marks"], plot  # every mark laid out with a size


def test_choosing_failed_shows_exactly_the_failed_items(driver: Any, demo: tuple[Path, Any]) -> None:
    path, by_task = demo
    open_page(driver, path)
    before = visible_rows(driver)
    assert len(before) == 50
    choose(driver, "f-status", "failed")
    after = visible_rows(driver)
    expected = sorted((task, i) for task, e in by_task.items() for i, p in enumerate(e.report.parsed)
                      if p.status == "failed")
    assert 0 < len(expected) < 50
    assert sorted((task, i) for task, i, _ in after) == expected
    assert {status for _, _, status in after} == {"failed"}
    assert after != before
    info = driver.execute_script("return document.getElementById('pager-info').textContent")
    assert f"of {len(expected)} " in info, info
    choose(driver, "f-status", "all")
    assert visible_rows(driver) == before


def test_clicked_item_highlights_the_parsers_span(driver: Any, demo: tuple[Path, Any]) -> None:
    from selenium.webdriver.common.by import By

    path, by_task = demo
    open_page(driver, path)
    for task, index in (("medqa", 3), ("pubmedqa", 7), ("mednli", 1), ("hoc", 1)):
        entry = by_task[task]
        start, end = entry.report.parsed[index].span
        choose(driver, "f-task", task)
        rows = driver.find_elements(By.CSS_SELECTOR, "#items-body tr")
        (row,) = [r for r in rows if r.find_elements(By.TAG_NAME, "td")[1].text == str(index)]
        row.click()
        assert "sel" in row.get_attribute("class")
        mark = driver.find_element(By.CSS_SELECTOR, "#detail .card mark.span")
        assert mark.text == entry.generations[index][start:end].strip()  # .text: as rendered
        assert mark.get_attribute("textContent") == entry.generations[index][start:end]
        assert mark.is_displayed() and mark.size["width"] > 0
        assert mark.value_of_css_property("background-color") not in ("rgba(0, 0, 0, 0)", "transparent")


def test_screenshot_is_not_blank(driver: Any, demo: tuple[Path, Any]) -> None:
    import numpy as np

    path, _ = demo
    open_page(driver, path)
    driver.execute_script("window.scrollTo(0, 0)")
    pixels = png_rgb(driver.get_screenshot_as_png())
    height, width, _ = pixels.shape
    assert width >= WINDOW[0] * 0.9 and height >= WINDOW[1] * 0.5, pixels.shape
    flat = pixels.reshape(-1, 3)
    colours = Counter(map(bytes, flat[:: 7]))  # every 7th pixel
    assert len(colours) > 50, len(colours)  # text, badges, plots: many colours
    assert colours.most_common(1)[0][1] / sum(colours.values()) < 0.95  # not one flat colour
    spread = flat.max(axis=1).astype(int) - flat.min(axis=1)
    assert np.count_nonzero(spread > 60) > 500  # coloured marks (plots, badges), not only grey text
