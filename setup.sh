#!/bin/sh
# Installs mlesim's dependencies from Debian 12's packages (as root, only
# those missing) and builds it in build/. Safe to run again.
set -eu
cd "$(dirname "$0")"

packages="g++ meson ninja-build pkg-config libboost-dev libboost-math-dev libboost-random-dev \
libtbb-dev libeigen3-dev doctest-dev libtomlplusplus-dev libcli11-dev libfmt-dev librandom123-dev nlohmann-json3-dev libbenchmark-dev libcsv-dev libxml2-dev libxml2-utils bsdutils \
gnuplot-nox libcmark-gfm-dev libcmark-gfm-extensions-dev chromium \
libopenmpi-dev openmpi-bin libginac-dev libnlopt-dev"

missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "setup: installing$missing"
  if [ "$(id -u)" != 0 ]; then
    echo "setup: installing packages needs root (apt-get); run as root or install:$missing" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $missing
fi

# MESON_ARGS passes options through, e.g. MESON_ARGS=-Dnative_arch=true.
if [ ! -f build/build.ninja ]; then
  meson setup build ${MESON_ARGS:-}
elif [ -n "${MESON_ARGS:-}" ]; then
  meson configure build ${MESON_ARGS}
fi
meson compile -C build
