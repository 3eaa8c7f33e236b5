"""``emotune sweep``: an Optuna study of ``emotune train`` runs.

Every trial draws a config from the search space (:mod:`emotune.tuning`), trains it on train and scores it
on dev (``sweep.metric`` after threshold calibration). Encoders report each epoch's dev metric to the
pruner, which stops trials that trail the median of earlier ones. The study lives in ``sweep.storage``
(default ``sqlite:///RUN/study.db``); workers started with the same storage and study name share it. The
run folder::

    RUN/
      config.yaml, sweep.log
      study.db                  the study (unless sweep.storage points elsewhere)
      trials/<number>/          each trial's run folder (config, train.log, metrics; the bundle is removed)
      trials.csv                every trial of the study: state, value, parameters, worker
      best.yaml                 the best trial's config, ready for `emotune train --config RUN/best.yaml`
      history.png, importance.png

With ``track.to`` set, every trial is a run nested under the study's run in the trackers.
"""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from emotune.config import RunConfig, SweepConfig, with_values
from emotune.errors import ConfigError, EmotuneError
from emotune.evaluation.metrics import METRICS
from emotune.io_utils import atomic_path, write_text_atomic
from emotune.runs.folder import RunFolder
from emotune.tracking import start
from emotune.training.distributed import world_size
from emotune.validation import check

log = logging.getLogger("emotune")


@dataclass
class SweepResult:
    run_dir: Path
    best_config: Path
    summary: dict[str, Any]


def _study(cfg: SweepConfig, run_dir: Path, direction: Literal["maximize", "minimize"]) -> Any:
    import optuna
    from sqlalchemy.exc import IntegrityError, OperationalError  # optuna's database layer

    storage = cfg.storage or f"sqlite:///{(run_dir / 'study.db').resolve()}"
    startup = cfg.startup_trials
    sampler = (optuna.samplers.TPESampler(n_startup_trials=max(startup, 1), seed=cfg.seed) if cfg.sampler == "tpe"
               else optuna.samplers.RandomSampler(seed=cfg.seed))  # fmt: skip
    pruner = (optuna.pruners.MedianPruner(n_startup_trials=startup, n_warmup_steps=0) if cfg.pruner == "median"
              else optuna.pruners.NopPruner())  # fmt: skip
    for attempt in range(5):
        try:
            return optuna.create_study(storage=storage, study_name=cfg.study, sampler=sampler, pruner=pruner,
                                       direction=direction, load_if_exists=True)  # fmt: skip
        except (ImportError, ValueError) as exc:  # a bad URL or a missing database driver
            raise ConfigError("sweep.storage", [f"{storage}: {exc}"]) from None
        except (OperationalError, IntegrityError):
            # workers started together race to create the tables / the study; the loser loads the winner's
            if attempt == 4:
                raise
            time.sleep(0.5 + random.random())
    raise AssertionError("unreachable")


def run(cfg: RunConfig, output: str | Path) -> SweepResult:
    """Run ``cfg.sweep.trials`` trials of the study and export its best config (see module doc)."""
    try:
        import optuna
    except ImportError:
        raise EmotuneError("emotune sweep needs Optuna: pip install 'emotune[sweep]'") from None

    from emotune.runs import training as train
    from emotune.tuning import check_space, load_space, sample_config

    check(cfg)
    if world_size() > 1:
        raise EmotuneError("emotune sweep cannot run under torchrun; start one worker per machine, sharing a storage")
    sweep = cfg.sweep
    space = load_space(sweep.space)
    check_space(cfg, space, sweep.space or "built-in space")
    folder = RunFolder(output, "sweep.log", resume=True)  # rerunning a sweep continues its study
    run_dir = folder.path
    optuna.logging.set_verbosity(optuna.logging.WARNING)  # emotune logs each trial itself
    worker = f"{socket.gethostname()}:{os.getpid()}"
    direction: Literal["maximize", "minimize"] = "maximize" if METRICS[sweep.metric].greater_is_better else "minimize"

    def objective(trial: optuna.Trial) -> float:
        trial_cfg = sample_config(cfg, space, trial, f"trial {trial.number}")
        trial.set_user_attr("worker", worker)
        params = ", ".join(f"{k}={_short(v)}" for k, v in trial.params.items())
        log.info("trial %d: %s", trial.number, params)
        trial_dir = run_dir / "trials" / str(trial.number)
        try:
            pruning = _pruning(trial, sweep.metric, trial.user_attrs["kind"])
            result = train.run(trial_cfg, trial_dir, tracked_as=f"trial-{trial.number}", callbacks=pruning)
        except optuna.TrialPruned as exc:
            log.info("trial %d pruned at %s (below the median of earlier trials)", trial.number, exc)
            raise
        finally:
            for leftover in ("model", "checkpoints"):  # the best config is re-trained from best.yaml
                shutil.rmtree(trial_dir / leftover, ignore_errors=True)
        dev = result.metrics["dev"]
        if sweep.metric not in dev:
            raise ConfigError("sweep.metric", [f"{sweep.metric!r} does not apply here; use one of {', '.join(dev)}"])
        value = float(dev[sweep.metric])
        log.info("trial %d: dev %s %.4f", trial.number, sweep.metric, value)
        return value

    with folder.open(cfg), start(cfg.track, run_dir, cfg.model_dump(mode="json")) as tracked:
        study = _study(sweep, run_dir, direction)
        log.info("study %r in %s: %d trials on this worker (%s), objective dev %s (%s)", sweep.study,
                 sweep.storage or run_dir / "study.db", sweep.trials, worker, sweep.metric, direction)  # fmt: skip
        # A trial that runs out of memory or hits a numerical error fails alone; bad data or config stops the sweep.
        study.optimize(objective, n_trials=sweep.trials, catch=(RuntimeError, MemoryError))
        summary = _export(study, cfg, run_dir, sweep.metric)
        tracked.metrics({k: summary[k] for k in ("best_value", "complete", "pruned", "fail") if k in summary})
        tracked.table("trials", study.trials_dataframe())
        for name in ("best.yaml", "sweep.json", "trials.csv", *summary["plots"]):
            tracked.artifact(run_dir / name)
        log.info("best: trial %s, dev %s %s; config: %s", summary.get("best_trial"), sweep.metric,
                 summary.get("best_value"), run_dir / "best.yaml")  # fmt: skip
    return SweepResult(run_dir, run_dir / "best.yaml", summary)


def _pruning(trial: Any, metric: str, kind: str) -> list[Any]:
    """Transformer kinds report each epoch to the pruner through a Trainer callback; TF-IDF has no epochs."""
    if kind == "tfidf":
        return []
    from emotune.training.trainer import PruningCallback

    return [PruningCallback(trial, metric)]


def _short(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def _export(study: Any, cfg: RunConfig, run_dir: Path, metric: str) -> dict[str, Any]:
    """trials.csv, best.yaml and the plots from the whole study (every worker's trials)."""
    import optuna

    states = [t.state.name.lower() for t in study.trials]
    summary: dict[str, Any] = {"study": study.study_name, "trials": len(states),
                               **{s: states.count(s) for s in ("complete", "pruned", "fail")}}  # fmt: skip
    with atomic_path(run_dir / "trials.csv") as tmp:
        study.trials_dataframe().to_csv(tmp, index=False)
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    if not complete:
        raise EmotuneError(f"{run_dir}: no trial of study {study.study_name!r} completed; see {run_dir / 'sweep.log'}")
    best = study.best_trial
    best_cfg = with_values(cfg, best.params, "best trial").model_copy(update={"sweep": SweepConfig()})
    header = (f"# emotune sweep: best of study {study.study_name!r}, trial {best.number}, dev {metric} "
              f"{best.value:.4f}\n# {', '.join(f'{k}={_short(v)}' for k, v in best.params.items())}\n"
              f"# emotune train --config {run_dir / 'best.yaml'} --output RUN\n")  # fmt: skip
    write_text_atomic(run_dir / "best.yaml", header + best_cfg.to_yaml())
    summary |= {"best_trial": best.number, "best_value": best.value, "best_params": best.params,
                "plots": _plots(study, run_dir)}  # fmt: skip
    write_text_atomic(run_dir / "sweep.json", json.dumps(summary, indent=2) + "\n")
    return summary


def _plots(study: Any, run_dir: Path) -> list[str]:
    """history.png and importance.png; a plot that cannot be drawn (too few trials) is skipped with a note."""
    import warnings

    import matplotlib
    from optuna.exceptions import ExperimentalWarning

    matplotlib.use("Agg")
    warnings.filterwarnings("ignore", category=ExperimentalWarning)
    import matplotlib.pyplot as plt
    from optuna.visualization import matplotlib as plots

    written = []
    drawings: dict[str, Any] = {
        "history.png": plots.plot_optimization_history,
        "importance.png": plots.plot_param_importances,
    }
    for name, draw in drawings.items():
        try:
            axes = draw(study)
        except (ValueError, RuntimeError, ZeroDivisionError) as exc:
            log.info("%s not drawn: %s", name, exc)
            continue
        with atomic_path(run_dir / name) as tmp:
            axes.figure.savefig(tmp, format="png", dpi=110, bbox_inches="tight")
        plt.close(axes.figure)
        written.append(name)
    return written
