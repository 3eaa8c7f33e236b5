"""``write_report(RUN)``: the run report, ``RUN/report.html`` (or ``.md``) with its figures in ``RUN/report/``."""

from __future__ import annotations

import logging
from datetime import datetime
from importlib import metadata
from pathlib import Path

from emotune.errors import DataError
from emotune.reports.evidence import load_evidence
from emotune.reports.figures import FIGURES
from emotune.reports.render import FORMATS, Picture, draw, write_page
from emotune.reports.tables import HEADLINE, confident_errors, score_rows, summary_rows

log = logging.getLogger("emotune")


def stamp() -> dict[str, str]:
    return {"version": metadata.version("emotune"), "created": datetime.now().strftime("%Y-%m-%d %H:%M")}


def write_report(run_dir: str | Path, fmt: str = "html", output: str | Path | None = None) -> Path:
    """Draw every figure that applies to the run in ``run_dir`` and write the report (default
    ``RUN/report.<fmt>``). Returns its path.

    >>> # write_report("runs/semeval")  # -> runs/semeval/report.html, runs/semeval/report/*.png
    """
    if fmt not in FORMATS:
        raise DataError(f"--format {fmt}: unknown; use one of {', '.join(FORMATS)}")
    ev = load_evidence(run_dir)
    pictures = [p for spec in FIGURES if (p := draw(spec.name, spec.title, spec.draw(ev))) is not None]
    scores = score_rows(ev)
    context = {
        **stamp(),
        "run_name": Path(run_dir).resolve().name,
        "run_dir": str(run_dir),
        "kind": ev.kind,
        "summary": summary_rows(ev),
        "scores": scores,
        "score_keys": [k for k in HEADLINE if any(k in row for row in scores)],
        "per_label": list(ev.metrics.get("per_label") or []),
        "errors": confident_errors(ev),
    }
    path = write_page("run", context, pictures, Path(output or Path(run_dir) / f"report.{fmt}"), fmt)
    log.info("report: %s (%d figures)", path, len(pictures))
    return path


def try_report(run_dir: Path, enabled: bool = True) -> Path | None:
    """:func:`write_report` at the end of a workflow: a report that cannot be drawn is logged, never fatal
    (the run's model and metrics are already saved)."""
    if not enabled:
        return None
    try:
        return write_report(run_dir)
    except Exception as exc:  # a figure or template failing must not lose a finished run
        log.warning("report not written: %s: %s (emotune report %s retries)", type(exc).__name__, exc, run_dir)
        return None


__all__ = ["Picture", "stamp", "try_report", "write_report"]
