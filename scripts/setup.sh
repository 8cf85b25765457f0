#!/usr/bin/env bash
# Installs pianola's dependencies from Debian 12 packages and builds it (Release) into build/.
# It is the only install step: a fresh machine needs nothing else. Safe to run again.
#   scripts/setup.sh            install + build
#   scripts/setup.sh --deps     install only
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config
  libtorch-dev libopenblas0-pthread      # tensors/autograd; OpenBLAS so matrix products are not the slow reference BLAS
  libgloo-dev                            # the headers c10d's Gloo process group needs (train/DataParallel)
  libcli11-dev nlohmann-json3-dev libfmt-dev zlib1g-dev
  libxxhash-dev                          # the token cache's content hash
  libgtest-dev googletest
  pianobooster mma                       # small real MIDI corpus for `pianola demo` (under /usr/share/doc)
  midicsv python3-mido python3-torch     # reference tools the tests and benchmarks compare against
  solfege                                # its lesson MIDI file joins mma's and pianobooster's in the midicsv test
  libfluidsynth-dev fluid-soundfont-gm   # `pianola render`: FluidSynth plays MIDI with the General MIDI SoundFont FluidR3_GM
  libsndfile1-dev libcairo2-dev          # the WAV writer; the piano-roll PNG
  libcpp-httplib-dev                     # `pianola serve`: the web studio's HTTP server (cpp-httplib)
  libzip-dev                             # the studio reads an uploaded .zip of MIDI files
  chromium                               # the web studio's browser test drives Debian's headless Chromium
)
# Node.js and npm run the browser test's driver. A machine with a Node.js and npm of its own keeps
# them: Debian's npm would ask for Debian's older nodejs in their place.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# libtorch must find OpenBLAS through the BLAS alternative, not the reference implementation.
openblas=$(ls /usr/lib/*/openblas-pthread/libblas.so.3 2>/dev/null | head -n1 || true)
if [ -n "$openblas" ]; then
  arch_dir=$(dirname "$(dirname "$openblas")")
  [ "$(id -u)" -eq 0 ] && update-alternatives --set "libblas.so.3-$(basename "$arch_dir")" "$openblas" >/dev/null || true
fi

# playwright-core, the browser test's driver, as tests/browser/package-lock.json pins it (from npm).
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)

[ "${1:-}" = "--deps" ] && exit 0
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build
