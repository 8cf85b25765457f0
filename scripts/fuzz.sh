#!/usr/bin/env bash
# Fuzzes the MIDI reader with libFuzzer (clang, with AddressSanitizer and UBSan) for SECONDS,
# seeded with the shared corpora when present. Not part of CI: a fuzzing run is open-ended.
# The growing corpus and any crash inputs stay under build-fuzz/ (ignored by git); a crash
# worth keeping becomes a byte array in tests/midi_reader_test.cpp.
#   scripts/fuzz.sh 1800          build, then fuzz for 30 minutes on one core
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:?usage: scripts/fuzz.sh SECONDS}
out=build-fuzz
mkdir -p "$out/corpus" "$out/crashes"

command -v clang++ >/dev/null || { echo "fuzz.sh: needs clang (apt-get install clang)" >&2; exit 1; }
# The codec and src/music are torch-free, so the target compiles from its sources without the CMake build.
clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Isrc \
  src/io/*.cpp src/midi/*.cpp src/music/*.cpp tests/fuzz/midi_reader_fuzz.cpp -lz -o "$out/midi_reader_fuzz"

seeds=()
for dir in ../shared/corpora/*/; do [ -d "$dir" ] && seeds+=("$dir"); done
# -timeout=30: a hang, not a slow input or a starved process. Under ASan a 22 KB file of 10,000 running-status events
# takes over a second for the six passes this target makes (20 ms without ASan), and more on a busy machine.
"$out/midi_reader_fuzz" "$out/corpus" "${seeds[@]}" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 \
  -max_len=65536 -artifact_prefix="$out/crashes/" -print_final_stats=1
