"""Reports: the run report (``emotune report RUN``, written at the end of train, cv, blend and evaluate)
and the dataset report (``emotune data inspect --report``), HTML with embedded figures or Markdown."""

from emotune.reports.run_report import try_report, write_report

__all__ = ["try_report", "write_report"]
