"""The Dockerfile, built and run: build time, image size, start to healthy, answers equal to ``predict`` in
process, a malformed request, the healthcheck, the user it runs as, and a graceful ``docker stop``.

Needs a running Docker daemon. Build arguments pass through (``--build-arg KEY=VALUE``, repeatable), e.g. a
local base image and wheel mirror where Docker Hub and PyTorch's index are out of reach (BENCHMARKS.md says how
the 2026-11-24 run got both).

    python benchmarks/container.py [--bundle RUN/model] [--build-arg BASE=...] [--tag T]

Results: ``benchmarks/results/container.json``.
"""

from __future__ import annotations

import argparse
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
from common import DATA_ROOT, add_result, wait_healthy

from emotune import EmotionClassifier

ROOT = Path(__file__).resolve().parent.parent
DEV = DATA_ROOT / "semeval2018_ec" / "2018-E-c-En-dev.txt"
IMAGE, NAME = "emotune:bench", "emotune-bench"


def docker(*args: str, check: bool = True) -> str:
    return subprocess.run(["docker", *args], check=check, capture_output=True, text=True).stdout.strip()


def build(build_args: list[str]) -> dict[str, Any]:
    flags = [f for arg in build_args for f in ("--build-arg", arg)]
    started = time.perf_counter()
    subprocess.run(["docker", "build", "--no-cache", "-t", IMAGE, *flags, str(ROOT)], check=True)
    seconds = time.perf_counter() - started
    size = int(docker("image", "inspect", "--format", "{{.Size}}", IMAGE))
    return {"build_args": build_args, "build_seconds": round(seconds, 1), "image_mb": round(size / 2**20)}


def run_and_check(bundle: Path, port: int, backend: str, texts: list[str]) -> dict[str, Any]:
    url = f"http://127.0.0.1:{port}"
    docker("rm", "-f", NAME, check=False)
    started = time.perf_counter()
    docker("run", "-d", "--name", NAME, "-p", f"127.0.0.1:{port}:8000", "-v", f"{bundle.resolve()}:/model:ro",
           IMAGE, "--backend", backend)  # fmt: skip
    try:
        seconds = wait_healthy(url)
    except TimeoutError as exc:
        raise TimeoutError(f"{exc}:\n{docker('logs', NAME, check=False)}") from None
    result: dict[str, Any] = {"backend": backend, "start_to_healthy_s": round(seconds, 2)}
    result["start_counted_from"] = "docker run"
    try:
        answer = httpx.post(f"{url}/predict", json={"texts": texts}, timeout=60).json()["results"]
        clf = EmotionClassifier.load(bundle)
        names = list(clf.label_names)
        ours = clf.predict_proba(texts)
        theirs = np.array([[r["probabilities"][n] for n in names] for r in answer])
        labels = clf.labels_from_proba(ours)
        result["texts"] = len(texts)
        result["max_abs_dp_vs_in_process"] = float(np.abs(ours - theirs).max())
        same = [sorted(a["labels"]) == sorted(b) for a, b in zip(answer, labels, strict=True)]
        result["identical_label_sets"] = sum(same)
        result["labels_endpoint"] = httpx.get(f"{url}/labels").json()["labels"] == names
        result["malformed_request_status"] = httpx.post(f"{url}/predict", json={"texts": "not a list"}).status_code
        result["runs_as"] = docker("exec", NAME, "whoami")
        for _ in range(60):  # the HEALTHCHECK's first probe comes after its 10 s interval
            health = docker("inspect", "--format", "{{.State.Health.Status}}", NAME)
            if health != "starting":
                break
            time.sleep(1)
        result["docker_health"] = health
    finally:
        stopped = time.perf_counter()
        docker("stop", "--time", "30", NAME, check=False)
        result["stop_seconds"] = round(time.perf_counter() - stopped, 2)
        result["exit_code"] = int(docker("inspect", "--format", "{{.State.ExitCode}}", NAME))
        logs = subprocess.run(["docker", "logs", "--tail", "4", NAME], capture_output=True, text=True)
        result["log_tail"] = (logs.stdout + logs.stderr).splitlines()  # the server logs to stderr
        docker("rm", "-f", NAME, check=False)
    result["wall_s"] = round(time.perf_counter() - started, 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=Path("runs/bench-quality/semeval-plain/model"))
    parser.add_argument("--build-arg", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--backend", default="saved", help="the container's --backend (saved: the same numbers as "
                        "EmotionClassifier.load in this process)")  # fmt: skip
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--texts", type=int, default=64, help="dev tweets sent in one /predict request")
    parser.add_argument("--tag", default="", help="keep this run beside earlier ones (entry NAME-TAG)")
    args = parser.parse_args()
    texts = pd.read_csv(DEV, sep="\t")["Tweet"].tolist()[: args.texts]
    result: dict[str, Any] = {"build": build(args.build_arg)}
    result["run"] = run_and_check(args.bundle, args.port, args.backend, texts)
    result["docker_version"] = docker("version", "--format", "{{.Server.Version}}")
    print(result)
    add_result("container.json", "container" + (f"-{args.tag}" if args.tag else ""), result)


if __name__ == "__main__":
    main()
