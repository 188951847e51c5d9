# Entry points: setup, build, test, lint, bench, demo. `make test` and `make demo` work on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TORCH_PIN := torch==2.13.0
# RLlib pins gymnasium 1.2.2 (the project uses 1.4), so its tests run in a virtualenv of their own.
RLLIB_VENV ?= .venv-rllib
RLLIB_STAMP := $(RLLIB_VENV)/.installed

JAVA_DIR := peersim-java
CLASSES := $(JAVA_DIR)/build/classes
TEST_CLASSES := $(JAVA_DIR)/build/test-classes
JAVA_SRC := $(shell find $(JAVA_DIR)/src/main/java -name '*.java')
JAVA_RES := $(shell find $(JAVA_DIR)/src/main/resources -type f)
JAVA_TEST_SRC := $(shell find $(JAVA_DIR)/src/test/java -name '*.java' 2>/dev/null)
JAR := pygym/_java/edgesim.jar
JUNIT_JAR ?= /usr/share/java/junit-platform-console-standalone.jar

.PHONY: help setup build test test-java test-py test-rllib rllib-venv lint bench libbench demo golden clean images \
	container-test train-bench train-bench-long explaboff-bench explaboff-exploring trainer-speed

help:
	@echo "make setup   - virtualenv (torch CPU pinned first), editable install, simulator jar"
	@echo "make build   - compile the simulator (javac --release 17) into $(JAR)"
	@echo "make test    - Java unit tests (JUnit 5), then pytest, then the RLlib tests in $(RLLIB_VENV)"
	@echo "make lint    - ruff and mypy"
	@echo "make bench   - benchmark tables (bridge, in-JVM, engine hold model)"
	@echo "make libbench - RL library views against the libraries' generic paths (steps/s)"
	@echo "make demo    - the four heuristic policies compared on offload-neighbour-v0"
	@echo "make images  - simulator and trainer container images (podman or docker), with their sizes"
	@echo "make container-test - builds the images, then runs simulator and trainer containers and checks them"
	@echo "make train-bench - DDQN, A2C and PPO on two presets x 3 seeds (pygym sweep), evaluated next to heuristics"
	@echo "make train-bench-long - DDQN and PPO on hetero-heavy at longer budgets, 16 envs: results/train-bench-long/"
	@echo "make explaboff-bench - ExplabOff's comparison reproduced (pygym reproduce explaboff): results/explaboff/"
	@echo "make explaboff-exploring - ExplabOff whose exploration lasts the run: results/explaboff-exploring-*/"
	@echo "make trainer-speed - env steps/s and updates/s of the five continuous-action trainers"

setup: $(STAMP) $(JAR)

$(STAMP): pyproject.toml
	@command -v java >/dev/null && command -v javac >/dev/null || { echo "error: a JDK 17 (java and javac) is required: apt-get install openjdk-17-jdk-headless"; exit 1; }
	python3 -m venv $(VENV)
	# Pin the CPU build of torch first, so the extras never pull a multi-GB CUDA build.
	$(PY) -m pip install --quiet $(TORCH_PIN)
	$(PY) -m pip install --quiet $(TORCH_PIN) -e '.[dev,sweep]'
	touch $@

build: $(JAR)

$(JAR): $(JAVA_SRC) $(JAVA_RES) | $(STAMP)
	rm -rf $(CLASSES) && mkdir -p $(CLASSES) $(dir $(JAR))
	@echo "javac --release 17 ($(words $(JAVA_SRC)) sources) -> $(CLASSES)"
	@javac --release 17 -Xlint:all -Werror -encoding UTF-8 -d $(CLASSES) $(JAVA_SRC)
	cp -r $(JAVA_DIR)/src/main/resources/. $(CLASSES)/
	@# Written aside, then renamed over the old jar: simulators still running keep reading the jar they opened.
	jar --create --file $@.tmp -C $(CLASSES) . && mv -f $@.tmp $@
	@echo "built $@"

$(JUNIT_JAR):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "JUnit 5 console launcher missing: installing Debian's junit5 package"; \
		apt-get install -y -qq junit5 >/dev/null || { apt-get update -qq && apt-get install -y -qq junit5 >/dev/null; }; \
	fi
	@test -f $@ || { echo "error: JUnit 5 console launcher not found at $@. Install Debian's junit5 package (apt-get install junit5) or pass JUNIT_JAR=/path/to/junit-platform-console-standalone.jar"; exit 1; }

test-java: $(JAR) $(JUNIT_JAR)
	rm -rf $(TEST_CLASSES) && mkdir -p $(TEST_CLASSES)
	@echo "javac ($(words $(JAVA_TEST_SRC)) test sources) -> $(TEST_CLASSES)"
	@javac --release 17 -Xlint:all -Werror -encoding UTF-8 -cp "$(CLASSES):$(JUNIT_JAR)" -d $(TEST_CLASSES) $(JAVA_TEST_SRC)
	java -jar $(JUNIT_JAR) --disable-banner --fail-if-no-tests --details=summary \
		--class-path "$(CLASSES):$(TEST_CLASSES)" --scan-class-path

test-py: $(JAR)
	$(PY) -m pytest

$(RLLIB_STAMP): pyproject.toml
	python3 -m venv $(RLLIB_VENV)
	$(RLLIB_VENV)/bin/python -m pip install --quiet $(TORCH_PIN)
	$(RLLIB_VENV)/bin/python -m pip install --quiet $(TORCH_PIN) -e '.[rllib]' 'pytest>=8' 'pytest-timeout>=2.3'
	touch $@

rllib-venv: $(RLLIB_STAMP)

# Only the tests that need Ray; the rest of the suite runs in $(VENV).
test-rllib: $(JAR) $(RLLIB_STAMP)
	$(RLLIB_VENV)/bin/python -m pytest tests/rllib

test: test-java test-py test-rllib

lint: $(STAMP)
	$(VENV)/bin/ruff check pygym agents topologies workloads tests
	$(VENV)/bin/ruff format --check pygym agents topologies workloads tests
	$(VENV)/bin/mypy

bench: $(JAR)
	COLUMNS=120 $(PY) -m pygym.tools.bench

libbench: $(JAR)
	COLUMNS=120 $(PY) -m agents.libbench throughput

demo: $(JAR)
	$(VENV)/bin/pygym eval --env offload-neighbour-v0 --policy local,random,least-queue,round-robin --episodes 3 --seed 1

# The learning benchmark: a pygym sweep (agents/bench/train-bench.toml); runs, comparison.json and the
# learning-curve figures land in runs/train-bench/, and the figures and comparison.json are copied to
# results/train-bench/ (what the README cites). Rerunning skips finished runs.
train-bench: $(JAR)
	COLUMNS=120 $(VENV)/bin/pygym sweep agents/bench/train-bench.toml
	mkdir -p results/train-bench
	cp runs/train-bench/comparison.json runs/train-bench/curves-*.png results/train-bench/

# The heavy heterogeneous preset again, DDQN and PPO with longer budgets and 16 envs (agents/bench/train-bench-long.toml).
train-bench-long: $(JAR)
	COLUMNS=120 $(VENV)/bin/pygym sweep agents/bench/train-bench-long.toml
	mkdir -p results/train-bench-long
	cp runs/train-bench-long/comparison.json runs/train-bench-long/curves-*.png results/train-bench-long/

# ExplabOff's comparison at the budget of the committed results/explaboff (about 2 h 10 min on 2 cores, 49 runs):
# 7 methods x 3 settings. Rerunning skips finished runs and rewrites the CSV, figure and tables. Ray's workers run at normal
# priority (RAY_worker_niceness=0) so that a shared machine does not starve them.
EXPLABOFF_GRID := --settings 2x3,2x5,3x7 --seeds 2x3=3,2x5=2,3x7=2 --episodes 2x3=50000,2x5=30000,3x7=30000 \
	--algos explaboff,cmoff,maddpg,matd3,mappo,explaboff-faithful,cmoff-faithful
explaboff-bench: $(JAR)
	RAY_worker_niceness=0 COLUMNS=120 $(VENV)/bin/pygym reproduce explaboff -o results/explaboff $(EXPLABOFF_GRID)

# ExplabOff with its exploration noise decaying to zero at the end of the budget instead of after the release's
# 25,000 episodes (--noise-episodes), at budgets of about 10 CPU-minutes per run; and, at the committed grid's
# 2x3 budget, ExplabOff and CMOff with noise that never decays (about 40 minutes on 2 cores in all).
explaboff-exploring: $(JAR)
	RAY_worker_niceness=0 COLUMNS=120 $(VENV)/bin/pygym reproduce explaboff -o results/explaboff-exploring-2x3 \
		--settings 2x3 --seeds 3 --episodes 200000 --eval-every 4000 --algos explaboff --arg explaboff.noise_episodes=200000
	RAY_worker_niceness=0 COLUMNS=120 $(VENV)/bin/pygym reproduce explaboff -o results/explaboff-exploring-larger \
		--settings 2x5,3x7 --seeds 2 --episodes 2x5=150000,3x7=100000 --eval-every 2x5=3000,3x7=2500 --algos explaboff \
		--arg explaboff.noise_episodes=120000
	RAY_worker_niceness=0 COLUMNS=120 $(VENV)/bin/pygym reproduce explaboff -o results/explaboff-exploring-control \
		--settings 2x3 --seeds 3 --episodes 50000 --eval-every 1000 --algos explaboff,cmoff \
		--arg explaboff.noise_episodes=1000000 --arg cmoff.noise_episodes=1000000

trainer-speed: $(JAR)
	$(PY) -m agents.bench.speed --steps 100000 --settings 2x3,3x7

# Regenerates the golden frame checked by both JUnit and pytest; only when the contract version changes.
golden: $(JAR)
	java -cp "$(JAR)" edgesim.bridge.GoldenFrame tests/contract/golden

# Container images (docker/): the base is built with mmdebstrap where it is missing and cannot be pulled.
IMAGE_TAG ?= latest
images: $(STAMP)
	IMAGE_TAG=$(IMAGE_TAG) bash docker/images.sh

# Slow (builds images, starts containers): its own target, not part of `make test`.
container-test: images $(JAR)
	IMAGE_TAG=$(IMAGE_TAG) VENV=$(VENV) bash tests/containers/run.sh

clean:
	rm -rf $(JAVA_DIR)/build $(JAR)
