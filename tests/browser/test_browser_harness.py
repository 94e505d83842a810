"""The headless-browser harness itself, on small pages written here: it sees a console error, a
failed request, an uncaught exception; it counts the pages of an A4 print layout; it reads a
number from the DOM; it saves a real PNG; every wait ends at its deadline and the browser is
always killed."""

from __future__ import annotations

import os
import re
import struct
import time
import zlib
from pathlib import Path

import pytest
from cdp import Browser, CDPError, CDPTimeout, live_processes, pdf_page_count

pytestmark = pytest.mark.browser

CLEAN = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>clean</title>
<style>body{font-family:sans-serif} .big{font-size:40px;color:#1b7837}</style></head>
<body><h1>Indeks</h1><p class="big"><span id="index" data-value="72.4567">72.5</span></p>
<svg width="120" height="40"><rect x="0" y="0" width="80" height="40" fill="#1b7837"/></svg>
</body></html>"""


def _write(tmp_path: Path, name: str, html: str) -> Path:
    path = tmp_path / name
    path.write_text(html, encoding="utf-8")
    return path


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG after checking its signature, every chunk's CRC and that the
    image data inflates to one filter byte plus the pixels of each row."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, idat = 8, [], b""
    while pos < len(data):
        (n,) = struct.unpack("!I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        (crc,) = struct.unpack("!I", data[pos + 8 + n:pos + 12 + n])
        assert zlib.crc32(kind + body) == crc, kind
        chunks.append(kind)
        idat += body if kind == b"IDAT" else b""
        pos += 12 + n
    assert chunks[0] == b"IHDR" and chunks[-1] == b"IEND" and b"IDAT" in chunks
    width, height, depth, colour = struct.unpack("!IIBB", data[16:26])
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    assert len(zlib.decompress(idat)) == height * (1 + width * channels * depth // 8)
    return width, height


def test_a_clean_page_has_no_errors_and_its_number_is_read(page, tmp_path):
    page.open(_write(tmp_path, "clean.html", CLEAN))
    assert page.errors == [] and page.failed_requests == [] and page.console == []
    assert page.evaluate("Number(document.getElementById('index').dataset.value)") == pytest.approx(72.4567)
    assert page.evaluate("document.getElementById('index').textContent") == "72.5"
    box = page.evaluate("(() => { const b = document.querySelector('svg').getBBox(); return [b.width, b.height]; })()")
    assert box == [80, 40]
    assert page.evaluate("document.title") == "clean"


def test_a_console_error_and_an_uncaught_exception_are_seen(page, tmp_path):
    html = """<!doctype html><html><body><p>x</p><script>
    console.log("hello", 3); console.error("Gagal: indeks", 7);
    setTimeout(() => { throw new TypeError("late failure"); }, 0);
    </script></body></html>"""
    page.open(_write(tmp_path, "errors.html", html))
    assert {"type": "log", "text": "hello 3"} in page.console
    assert "console.error: Gagal: indeks 7" in page.errors
    assert any("TypeError: late failure" in e for e in page.exceptions)
    assert len(page.errors) == 2  # console.log is not an error


def test_a_request_to_the_network_is_recorded_as_failed(page, tmp_path):
    html = '<!doctype html><html><body><img src="http://example.invalid/x.png" alt="x"></body></html>'
    page.open(_write(tmp_path, "remote.html", html))
    assert [r["url"] for r in page.failed_requests] == ["http://example.invalid/x.png"]
    assert page.failed_requests[0]["error"].startswith("net::ERR_")
    # the browser also logs it as an error
    assert any("example.invalid" in e for e in page.errors)


def test_a_missing_local_file_is_a_failed_request_too(page, tmp_path):
    html = '<!doctype html><html><body><link rel="stylesheet" href="missing.css"><p>x</p></body></html>'
    page.open(_write(tmp_path, "local.html", html))
    assert [Path(r["url"]).name for r in page.failed_requests] == ["missing.css"]


def test_a_two_page_print_layout_gives_two_a4_pages(page, tmp_path):
    html = """<!doctype html><html><head><style>
    @media print { .sheet { break-after: page; page-break-after: always; } .sheet:last-child { break-after: auto; } }
    </style></head><body><section class="sheet"><h1>Responden 1</h1></section>
    <section class="sheet"><h1>Responden 2</h1></section></body></html>"""
    page.open(_write(tmp_path, "two.html", html))
    pdf = page.print_pdf(tmp_path / "two.pdf")
    assert pdf_page_count(pdf) == 2
    assert (tmp_path / "two.pdf").read_bytes() == pdf
    # A4 in points (595.3 x 841.9; chromium rounds to its own units), as the harness asks for
    boxes = [(float(w), float(h)) for w, h in re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)]
    assert len(boxes) == 2 and all(abs(w - 595.3) < 1 and abs(h - 841.9) < 1 for w, h in boxes)
    one = _write(tmp_path, "one.html", "<!doctype html><html><body><p>satu</p></body></html>")
    page.open(one)
    assert pdf_page_count(page.print_pdf()) == 1


def test_pdf_page_count_refuses_what_is_not_a_pdf():
    with pytest.raises(ValueError, match="not a PDF"):
        pdf_page_count(b"<html>")


def test_a_screenshot_is_a_valid_png_of_the_whole_page(page, tmp_path):
    html = CLEAN.replace("</body>", '<div style="height:2000px"></div></body>')
    page.open(_write(tmp_path, "tall.html", html))
    shot = page.screenshot(tmp_path / "tall.png")
    assert shot.stat().st_size > 0
    width, height = _png_size(shot.read_bytes())
    assert width == 1280 and height > 2000  # beyond the 900-pixel window


def test_a_script_error_in_evaluate_raises(page, tmp_path):
    page.open(_write(tmp_path, "clean.html", CLEAN))
    with pytest.raises(CDPError, match="ReferenceError"):
        page.evaluate("noSuchName + 1")
    assert page.evaluate("Promise.resolve([1, 'a', null])") == [1, "a", None]


def test_a_page_that_never_loads_times_out_and_the_browser_is_killed(tmp_path):
    """A script that never returns blocks the load event: the wait ends at its deadline, and
    closing kills chromium's whole process group (no orphan renderer) and removes its profile."""
    hang = _write(tmp_path, "hang.html", "<!doctype html><html><body><script>while (true) {}</script></body></html>")
    b = Browser(timeout=10)
    try:
        page = b.new_page()
        start = time.monotonic()
        with pytest.raises(CDPTimeout, match="did not load"):
            page.open(hang, timeout=1.5)
        assert time.monotonic() - start < 5
    finally:
        b.close()
    assert b.process.poll() is not None
    assert live_processes(b.process.pid) == []
    assert not os.path.exists(b.profile)
    b.close()  # twice is harmless
