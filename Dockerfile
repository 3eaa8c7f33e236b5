# emotune serve in a container: docker build -t emotune . && docker run -p 8000:8000 -v $PWD/runs/demo/model:/model emotune
FROM python:3.11-slim
WORKDIR /app
ENV PIP_NO_CACHE_DIR=1 PYTHONUNBUFFERED=1 EMOTUNE_CACHE_DIR=/cache
# the CPU wheel of the pinned torch first, so that no CUDA build is pulled in
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install ".[onnx,serve]"
EXPOSE 8000
# SIGTERM (docker stop) lets open requests finish before the process exits
STOPSIGNAL SIGTERM
ENTRYPOINT ["emotune", "serve", "--model", "/model", "--host", "0.0.0.0", "--port", "8000"]
CMD ["--backend", "auto"]
