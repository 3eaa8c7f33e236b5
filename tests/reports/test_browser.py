"""The reports in a real browser: headless Chromium (Debian's ``chromium``; ``make test`` installs it where it
can) renders them, every ``<img>`` must load and the screenshot must not be blank.

Also a script: ``python tests/reports/test_browser.py REPORT.html OUT.png`` writes the screenshot the README shows.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Headless, no sandbox (root in CI), and nothing that reaches for Google's hosts on a closed network.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--hide-scrollbars",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--mute-audio"]  # fmt: skip
# Injected into a copy of the page: once everything loaded, the title says how many images decoded.
PROBE = (
    "<script>window.addEventListener('load', () => { const all = [...document.images]; const ok = all.filter("
    "i => i.complete && i.naturalWidth > 0).length; document.title = `IMAGES ${ok}/${all.length}`; });</script>"
)


def _chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True,
                          timeout=180, check=True)  # fmt: skip


def images_loaded(page: Path, work: Path) -> tuple[int, int]:
    """(images that decoded, images) once ``page`` has loaded in Chromium."""
    probe = work / f"probe-{page.name}"
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = _chromium(["--dump-dom", "--virtual-time-budget=15000", probe.as_uri()], work / "profile").stdout
    found = re.search(r"<title>IMAGES (\d+)/(\d+)</title>", dom)
    assert found, f"the page never finished loading: {dom[:300]}"
    return int(found[1]), int(found[2])


def screenshot(page: Path, png: Path, work: Path, size: str = "1200,1800") -> np.ndarray:
    """Chromium's screenshot of ``page`` at ``size`` as an ``(h, w, channels)`` float array."""
    from matplotlib.image import imread

    _chromium([f"--screenshot={png}", f"--window-size={size}", "--virtual-time-budget=15000", page.as_uri()],
              work / "profile")  # fmt: skip
    return np.asarray(imread(png))


def _check(page: Path, tmp_path: Path) -> None:
    ok, total = images_loaded(page, tmp_path)
    assert total >= 3 and ok == total, f"{ok} of {total} images loaded"
    pixels = screenshot(page, tmp_path / "shot.png", tmp_path)[..., :3]
    ink = (pixels.mean(axis=2) < 0.9).mean()  # share of pixels that are not (near) white
    assert ink > 0.02 and pixels.std() > 0.05, f"the screenshot looks blank ({ink:.1%} ink)"


pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium: `make browser` installs Debian's chromium")


def test_run_report_renders_in_chromium(tfidf_run: Path, tmp_path: Path) -> None:
    _check(tfidf_run / "report.html", tmp_path)


def test_dataset_report_renders_in_chromium(sample_dir: Path, cli, tmp_path: Path) -> None:
    page = tmp_path / "data.html"
    result = cli("data", "inspect", "--preset", "semeval2018-ec", "--data-dir", sample_dir, "--report", page,
                 "--model", "tfidf")  # fmt: skip
    assert result.code == 0, result.err
    _check(page, tmp_path)


if __name__ == "__main__":  # python tests/reports/test_browser.py REPORT.html OUT.png
    import tempfile

    from PIL import Image

    source, target = Path(sys.argv[1]).resolve(), Path(sys.argv[2])
    with tempfile.TemporaryDirectory() as work:
        screenshot(source, Path(work) / "shot.png", Path(work), size="1100,1500")
        image = Image.open(Path(work) / "shot.png").convert("RGB")
        image.quantize(colors=128).save(target, optimize=True)  # a few hundred KB at most
    print(f"{target}: {target.stat().st_size // 1024} KB")
