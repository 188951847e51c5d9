#!/usr/bin/env bash
# `make container-test` (after `make images`): runs tests/containers against the images with the engine
# docker/engine.sh finds. Whatever happens, the containers, pod and network of this run are removed on
# exit, and the run fails if the tests themselves left any container behind.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=${VENV:-.venv}
started=$SECONDS

engine=$(docker/engine.sh)
export PATH="$PWD/$venv/bin:$PATH"
if [[ $engine == podman ]] && ! docker/engine.sh compose >/dev/null 2>&1; then
    # Debian's podman 4.3 has no `podman compose`; podman-compose is a Python package.
    echo "installing podman-compose into $venv"
    "$venv/bin/pip" install --quiet "podman-compose==1.6.0"
fi
compose=$(docker/engine.sh compose)

run_id="pygym-ct-$(date +%s)-$$"
read -ra compose_command <<<"$compose"
containers_of_run() {
    {
        "$engine" ps -aq --filter "label=pygym.test-run=$run_id"
        "$engine" ps -aq --filter "label=com.docker.compose.project=$run_id"
    } | sort -u
}
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    PYGYM_TOKEN=cleanup "${compose_command[@]}" -p "$run_id" -f docker/compose.yaml down -t 0 >/dev/null 2>&1 || true
    local left
    mapfile -t left < <(containers_of_run)
    ((${#left[@]} == 0)) || "$engine" rm -f "${left[@]}" >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "container tests: $engine, $compose, run $run_id"
status=0
PYGYM_CONTAINER_ENGINE=$engine PYGYM_COMPOSE=$compose PYGYM_TEST_RUN=$run_id \
    "$venv/bin/python" -m pytest tests/containers -v -p no:cacheprovider || status=$?

mapfile -t left < <(containers_of_run)
if ((${#left[@]})); then
    echo "error: the tests left these containers behind (removed now): ${left[*]}" >&2
    status=1
fi
echo "container tests took $((SECONDS - started)) s (exit $status)"
exit "$status"
