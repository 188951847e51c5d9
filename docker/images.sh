#!/usr/bin/env bash
# `make images`: builds pygym-simulator and pygym-trainer with the engine docker/engine.sh finds, and
# reports their sizes. Where the base image is missing and mmdebstrap is installed, it first builds a
# local stand-in for it (docker/build-base.sh); otherwise the engine pulls the base as usual.
#
# Environment: IMAGE_TAG (latest), BASE_IMAGE (debian:bookworm-slim), TORCH_VERSION (2.13.0), PIP_CERT (a CA
# bundle for pip, given to the builds as the secret pip_cert; default the system bundle), PIP_FIND_LINKS
# (folders searched for the torch CPU wheel).
set -euo pipefail
cd "$(dirname "$0")/.."

tag=${IMAGE_TAG:-latest}
base=${BASE_IMAGE:-debian:bookworm-slim}
torch_version=${TORCH_VERSION:-2.13.0}
engine=$(docker/engine.sh)

human_size() {
    "$engine" image inspect --format '{{.Size}}' "$1" | numfmt --to=si --suffix=B --format='%.1f'
}

if [[ $engine == docker ]] && ! docker buildx version >/dev/null 2>&1; then
    echo "error: docker has no BuildKit (the buildx plugin), which the Dockerfiles need for RUN --mount." >&2
    echo "  Install docker-buildx-plugin (Docker's packages) or use podman." >&2
    exit 3
fi

started=$SECONDS
if "$engine" image inspect "$base" >/dev/null 2>&1; then
    echo "base image $base: present"
elif command -v mmdebstrap >/dev/null; then
    t0=$SECONDS
    docker/build-base.sh "$engine" "$base"
    echo "base image built in $((SECONDS - t0)) s"
else
    echo "base image $base: missing, and no mmdebstrap to build it here; $engine will pull it"
fi
if "$engine" image inspect "$base" >/dev/null 2>&1; then
    docker/engine.sh check-run "$base"
fi

# The torch CPU wheel for the trainer image: linked into the build context when this machine has it, so
# that the build needs no PyTorch index (and never takes PyPI's multi-GB CUDA build).
torch_index_args=()
wheel_glob="torch-${torch_version}+cpu-cp311-cp311-*_$(uname -m).whl"
if ! compgen -G "docker/wheels/$wheel_glob" >/dev/null; then
    for dir in ${PIP_FIND_LINKS:-} /opt/wheels; do
        [[ -d $dir ]] || continue
        for wheel in "$dir"/$wheel_glob; do
            [[ -f $wheel ]] || continue
            ln -f "$wheel" docker/wheels/ 2>/dev/null || cp "$wheel" docker/wheels/
            echo "torch wheel: $(basename "$wheel") from $dir"
            break 2
        done
    done
fi
if compgen -G "docker/wheels/$wheel_glob" >/dev/null; then
    torch_index_args=(--build-arg TORCH_INDEX_URL=)
else
    echo "torch wheel: none on this machine; the trainer build takes torch from the PyTorch CPU index"
fi

build_args=(--build-arg "BASE_IMAGE=$base")
# pip inside the builds trusts what the host trusts (PIP_CERT, else the system bundle): behind a TLS
# proxy the images' own certificate stores would not do.
pip_cert=${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}
[[ ! -s $pip_cert ]] || build_args+=(--secret "id=pip_cert,src=$pip_cert")
# podman writes OCI images by default, and the OCI format has no HEALTHCHECK.
[[ $engine != podman ]] || build_args+=(--format docker)

declare -A seconds
for name in simulator trainer; do
    echo "building pygym-$name:$tag"
    log=$(mktemp)
    t0=$SECONDS
    extra=()
    [[ $name != trainer ]] || extra=("${torch_index_args[@]}" --build-arg "TORCH_VERSION=$torch_version")
    if ! "$engine" build "${build_args[@]}" "${extra[@]}" -f "docker/$name.Dockerfile" \
        -t "pygym-$name:$tag" . >"$log" 2>&1; then
        grep -v -i systemd "$log" | tail -n 40 >&2
        echo "error: building pygym-$name:$tag failed; the last lines of the build are above (full log: $log)" >&2
        exit 1
    fi
    seconds[$name]=$((SECONDS - t0))
    rm -f "$log"
done

echo
printf '%-26s %10s %10s\n' image size "build (s)"
printf '%-26s %10s %10s\n' "$base" "$(human_size "$base")" -
for name in simulator trainer; do
    printf '%-26s %10s %10s\n' "pygym-$name:$tag" "$(human_size "pygym-$name:$tag")" "${seconds[$name]}"
done
echo "images ready in $((SECONDS - started)) s ($engine)"
