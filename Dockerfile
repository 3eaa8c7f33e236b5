# emotune serve in a container:
#   docker build -t emotune . && docker run -p 8000:8000 -v $PWD/RUN/model:/model:ro emotune
# Build arguments: BASE (any Debian-like image with Python >= 3.11 and pip), TORCH_INDEX (where the pinned torch
# comes from; the default is PyTorch's CPU index, so no CUDA build is pulled in), PIP_FIND_LINKS (extra wheels,
# e.g. a local mirror, with PIP_TRUSTED_HOST if it is plain http). benchmarks/container.py builds and checks this file.
ARG BASE=python:3.11-slim
FROM ${BASE}
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
ARG PIP_FIND_LINKS=
ARG PIP_TRUSTED_HOST=
WORKDIR /app
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONUNBUFFERED=1 EMOTUNE_CACHE_DIR=/cache
RUN pip install torch==2.13.0 --index-url ${TORCH_INDEX}
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install ".[onnx,serve]" && useradd --create-home emotune && mkdir /cache && chown emotune /cache
USER emotune
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s CMD python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/health')"
# SIGTERM (docker stop) lets open requests finish before the process exits
STOPSIGNAL SIGTERM
ENTRYPOINT ["emotune", "serve", "--model", "/model", "--host", "0.0.0.0", "--port", "8000"]
CMD ["--backend", "auto"]
