# A trainer: Python 3.11 with pygym, its agents and the CPU build of torch; no Java (it uses a simulator
# server, normally the simulator service of docker/compose.yaml, named by PYGYM_SERVER=host:port with
# the token in PYGYM_TOKEN). Build from the repository root:
#   docker build -f docker/trainer.Dockerfile -t pygym-trainer .

# Any Debian bookworm-based image (its python3 is 3.11); the default is the public one. `make images`
# builds a local stand-in with mmdebstrap (docker/build-base.sh) where registries cannot be reached.
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv \
    && apt-get clean && rm -rf /var/lib/apt/lists/* \
    && useradd --uid 10001 --user-group --create-home --home-dir /home/pygym --shell /bin/bash pygym
ENV VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1
RUN python3 -m venv /opt/venv

# torch first and pinned, as in `make setup`. Its CPU build comes from docker/wheels/ when `make images`
# put it there (then TORCH_INDEX_URL is empty), else from the PyTorch CPU index.
ARG TORCH_VERSION=2.13.0
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
# A CA bundle for pip where TLS is intercepted, as the optional build secret "pip_cert" (PIP_CERT).
RUN --mount=type=secret,id=pip_cert \
    --mount=type=bind,source=docker/wheels,target=/wheels \
    if [ -s /run/secrets/pip_cert ]; then export PIP_CERT=/run/secrets/pip_cert; fi \
    && pip install --no-cache-dir --disable-pip-version-check --find-links /wheels \
        ${TORCH_INDEX_URL:+--extra-index-url "$TORCH_INDEX_URL"} "torch==${TORCH_VERSION}"

# The package itself (pygym, agents, topologies, workloads) with the agents' extras. The simulator jar
# is left out: this image runs no JVM.
COPY pyproject.toml README.md /src/
COPY pygym /src/pygym
COPY agents /src/agents
COPY topologies /src/topologies
COPY workloads /src/workloads
RUN --mount=type=secret,id=pip_cert \
    if [ -s /run/secrets/pip_cert ]; then export PIP_CERT=/run/secrets/pip_cert; fi \
    && pip install --no-cache-dir --disable-pip-version-check "/src[agents]" "torch==${TORCH_VERSION}" \
    && rm -rf /src \
    && python -c "import torch; assert not torch.version.cuda, f'CUDA build of torch: {torch.__version__}'" \
    && pygym envs

USER pygym
WORKDIR /home/pygym
CMD ["pygym", "--help"]
