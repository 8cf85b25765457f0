#!/usr/bin/env bash
# The whole test suite, after scripts/setup.sh has built build/: the normal build's tests, then
# the torch-free half (codec, scores, tokenizer) built again in build-asan/ with AddressSanitizer
# and UBSan and tested there. Any failure or sanitizer report fails it. It installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
ctest --test-dir build --output-on-failure -j2
cmake -S . -B build-asan -G Ninja -DPIANOLA_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-asan
ctest --test-dir build-asan --output-on-failure -j2
