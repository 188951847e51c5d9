#!/usr/bin/env bash
# Builds a local stand-in for the public base image debian:bookworm-slim with mmdebstrap from Debian's
# archive and imports it under that name, for machines that cannot pull from a registry. The rootfs is
# trimmed the way the official slim image is (no manuals, docs or translations, also for packages
# installed later), and apt points at the same suites: bookworm, bookworm-updates, bookworm-security.
# Usage: docker/build-base.sh ENGINE [IMAGE]   (ENGINE: podman or docker; IMAGE: debian:bookworm-slim)
set -euo pipefail

engine=${1:?usage: docker/build-base.sh ENGINE [IMAGE]}
image=${2:-debian:bookworm-slim}
suite=${image#*:}
suite=${suite%-slim}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security_mirror=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

if ! command -v mmdebstrap >/dev/null; then
    echo "error: cannot build the base image $image: mmdebstrap is missing." >&2
    echo "  Install it (Debian, as root: apt-get install mmdebstrap), or pull $image from a registry." >&2
    exit 3
fi

# The name a pull would give, so that `FROM debian:bookworm-slim` finds it (podman would say localhost/).
case $image in
    */*/*) full_name=$image ;;
    */*) full_name=docker.io/$image ;;
    *) full_name=docker.io/library/$image ;;
esac
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "building $image with mmdebstrap from $mirror ($suite, minbase)"
# --dpkgopt lines stay in the image (/etc/dpkg/dpkg.cfg.d), as in the official slim image.
# The merged-usr hook merges /usr itself, without the usrmerge package (which would pull in perl).
mmdebstrap --quiet --variant=minbase --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/groff/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/lintian/*' \
    --dpkgopt='path-exclude=/usr/share/linda/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    "$suite" - \
    "deb $mirror $suite main" \
    "deb $mirror $suite-updates main" \
    "deb $security_mirror $suite-security main" 2>"$log" |
    "$engine" import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'CMD ["bash"]' \
        --message "local stand-in for $image, built by docker/build-base.sh with mmdebstrap" \
        - "$full_name" >/dev/null 2>>"$log" || {
    status=$?
    cat "$log" >&2
    echo "error: building the base image $image failed (exit $status); mmdebstrap's and $engine's output is above" >&2
    exit "$status"
}
echo "imported $full_name ($("$engine" image inspect --format '{{.Size}}' "$full_name" | numfmt --to=si)B)"
