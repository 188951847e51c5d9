#!/usr/bin/env bash
# Finds the container engine for `make images` and `make container-test`, and says what to do when there
# is none or when it cannot start containers.
#
#   docker/engine.sh                  prints the engine: podman, or docker where its daemon answers
#   docker/engine.sh compose          prints the compose command for that engine
#   docker/engine.sh check-run IMAGE  starts a container from IMAGE (which must exist) and removes it
#
# CONTAINER_ENGINE=podman|docker chooses the engine instead of looking. Exit codes: 0 fine; 3 no usable
# engine (or no compose command); 4 the engine cannot start containers; 2 bad usage.
set -euo pipefail

INSTALL_HINT="On Debian or Ubuntu, as root: bash docker/install-podman.sh (podman, runc, mmdebstrap). Elsewhere: install podman, or Docker with a running daemon."

die() {
    local code=$1
    shift
    printf 'error: %s\n' "$1" >&2
    shift
    [[ $# -eq 0 ]] || printf '  %s\n' "$@" >&2
    exit "$code"
}

# Prints the engine's answer to `info` on failure, so the reason reaches the user.
engine_answers() {
    local engine=$1 out
    if out=$("$engine" info 2>&1 >/dev/null); then
        return 0
    fi
    ENGINE_ERROR=$(printf '%s\n' "$out" | grep -v -i 'systemd' | tail -n 3)
    return 1
}

find_engine() {
    local wanted=${CONTAINER_ENGINE:-}
    if [[ -n $wanted ]]; then
        [[ $wanted == podman || $wanted == docker ]] ||
            die 2 "CONTAINER_ENGINE must be podman or docker, got '$wanted'"
        command -v "$wanted" >/dev/null ||
            die 3 "CONTAINER_ENGINE=$wanted, but '$wanted' is not installed (not on PATH)." "$INSTALL_HINT"
        engine_answers "$wanted" ||
            die 3 "CONTAINER_ENGINE=$wanted, but '$wanted info' fails:" "$ENGINE_ERROR" \
                "$(daemon_hint "$wanted")"
        echo "$wanted"
        return
    fi
    if command -v podman >/dev/null; then
        engine_answers podman ||
            die 3 "podman is installed but 'podman info' fails:" "$ENGINE_ERROR" \
                "Repair its configuration (/etc/containers), or set CONTAINER_ENGINE=docker to use Docker."
        echo podman
        return
    fi
    if command -v docker >/dev/null; then
        engine_answers docker ||
            die 3 "no container engine is usable: podman is not installed, and docker is installed but its daemon does not answer:" \
                "$ENGINE_ERROR" "$(daemon_hint docker)" "$INSTALL_HINT"
        echo docker
        return
    fi
    die 3 "no container engine found: neither podman nor docker is on PATH." "$INSTALL_HINT"
}

daemon_hint() {
    if [[ $1 == docker ]]; then
        echo "Start the Docker daemon (systemctl start docker), point DOCKER_HOST at one (e.g. a 'podman system service'), or install podman."
    else
        echo "Check podman's configuration (/etc/containers)."
    fi
}

compose_command() {
    local engine
    engine=$(find_engine)
    if [[ $engine == docker ]]; then
        docker compose version >/dev/null 2>&1 && { echo "docker compose"; return; }
        command -v docker-compose >/dev/null && { echo "docker-compose"; return; }
        die 3 "docker has no compose command: install the Docker Compose plugin (docker compose)."
    fi
    # `podman compose` exists from podman 4.7 on and hands over to podman-compose or docker-compose.
    podman compose version >/dev/null 2>&1 && { echo "podman compose"; return; }
    command -v podman-compose >/dev/null && { echo "podman-compose"; return; }
    die 3 "podman has no compose command: install podman-compose (pip install podman-compose; make container-test installs it into .venv)."
}

check_run() {
    local image=$1 engine out
    engine=$(find_engine)
    if out=$("$engine" run --rm --network none --entrypoint true "$image" 2>&1); then
        return 0
    fi
    out=$(printf '%s\n' "$out" | grep -v -i 'systemd' | tail -n 5)
    local advice="See the engine's message above."
    if grep -q -i 'rlimit' <<<"$out"; then
        advice="The engine asks for more open files or processes than this machine allows (hard limits: nofile $(ulimit -Hn), nproc $(ulimit -Hu)). Give containers explicit limits: default_ulimits and runtime=\"runc\" in containers.conf, which bash docker/install-podman.sh writes to /etc/containers/containers.conf.d/."
    elif grep -q -i -E 'permission denied|operation not permitted|cgroup' <<<"$out"; then
        advice="The engine lacks a permission it needs to create containers here (rootless podman needs uidmap and subuid ranges; nested containers may need --privileged on the outer one)."
    fi
    die 4 "$engine cannot start containers (from image $image):" "$out" "$advice"
}

case ${1:-} in
    "") find_engine ;;
    compose) compose_command ;;
    check-run)
        [[ -n ${2:-} ]] || die 2 "usage: docker/engine.sh check-run IMAGE"
        check_run "$2"
        ;;
    *) die 2 "usage: docker/engine.sh [compose | check-run IMAGE]" ;;
esac
