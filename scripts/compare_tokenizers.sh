#!/usr/bin/env bash
# The README's tokenizer table for one corpus: trains the default next-token preset on the seed
# tokens and on each timed variant, the same minutes each on one thread (niced, the machine being
# shared), and prints one Markdown row per tokenizer: the best validation bits per note (the one
# figure that compares tokenizers), bits per token, tokens per note, the epochs it reached, and
# what a 500-note piece composed from the model at temperature 0.7 holds. Models, logs and
# pieces stay in OUT. It installs nothing and needs only bash, sed, awk and a built pianola.
#   scripts/compare_tokenizers.sh CORPUS MINUTES OUT [BUILD_DIR]
#   scripts/compare_tokenizers.sh ../shared/corpora/ff-piano 4 /tmp/compare-ff build
set -euo pipefail
corpus=${1:?usage: scripts/compare_tokenizers.sh CORPUS MINUTES OUT [BUILD_DIR]}
minutes=${2:?usage: scripts/compare_tokenizers.sh CORPUS MINUTES OUT [BUILD_DIR]}
out=${3:?usage: scripts/compare_tokenizers.sh CORPUS MINUTES OUT [BUILD_DIR]}
pianola=${4:-build}/pianola
mkdir -p "$out"

variants=(
  "seed|--tokenizer seed"
  "timed, bars, 12/beat|--tokenizer timed --grid 12 --time-tokens bars"
  "timed, bars, 24/beat|--tokenizer timed --grid 24 --time-tokens bars"
  "timed, shifts, 12/beat|--tokenizer timed --grid 12 --time-tokens shifts"
  "timed, bars, 12/beat, 4 velocity levels|--tokenizer timed --grid 12 --time-tokens bars --velocity-levels 4"
)

# A number field of the summary's best_validation object.
field() { sed -n "s/.*\"best_validation\":{[^}]*\"$1\":\([0-9.e+-]*\).*/\1/p" <<<"$2"; }

# Distinct inter-onset intervals and durations (in ticks), and the pitch range, of a MIDI file.
piece_figures() {
  local csv intervals
  csv=$("$pianola" midi csv "$1")
  intervals=$(awk -F', *' '$3 == "Note_on_c" && $6 > 0 { print $2 }' <<<"$csv" | sort -n -u |
    awk 'NR > 1 { gap[$1 - last] = 1 } { last = $1 } END { n = 0; for (g in gap) n++; print n }')
  awk -F', *' -v intervals="$intervals" '
    $3 == "Note_on_c" && $6 > 0 { key = $1 " " $5; open[key] = open[key] " " $2
                                  if (low == "" || $5 + 0 < low) low = $5 + 0; if ($5 + 0 > high) high = $5 + 0; next }
    $3 == "Note_off_c" || $3 == "Note_on_c" {
      key = $1 " " $5; n = split(open[key], q, " "); if (n == 0) next
      span[$2 - q[1]] = 1; open[key] = ""; for (i = 2; i <= n; i++) open[key] = open[key] " " q[i] }
    END { d = 0; for (s in span) d++
          printf "%d inter-onset intervals, %d durations, pitches %d-%d (%.1f octaves)", intervals, d, low, high,
                 (high - low) / 12 }' <<<"$csv"
}

echo "| tokenizer | bits/note | bits/token | tokens/note | epochs | composed piece |"
echo "| --- | --- | --- | --- | --- | --- |"
for variant in "${variants[@]}"; do
  name=${variant%%|*}
  read -r -a flags <<<"${variant#*|}"
  stem="$out/$(tr -c 'a-z0-9\n' '-' <<<"$name")"
  nice -n 10 "$pianola" train --data "$corpus" --out "$stem.pianola" "${flags[@]}" --max-minutes "$minutes" \
    --threads 1 --json >"$stem.json" 2>"$stem.log"
  summary=$(tail -n 1 "$stem.json")
  nats=$(field nats_per_token "$summary")
  bits_note=$(field bits_per_note "$summary")
  bits_token=$(field bits_per_token "$summary")
  tokens=$(field tokens "$summary")
  notes=$(field notes "$summary")
  epochs=$(sed -n 's/.*"epochs":\([0-9]*\).*/\1/p' <<<"$summary")
  nice -n 10 "$pianola" generate --model "$stem.pianola" --out "$stem.mid" --notes 500 --seed 1 --temperature 0.7 \
    --threads 1 >/dev/null
  [ -n "$nats" ] || { echo "no validation in $stem.json" >&2; exit 1; }
  printf '| %s | %.3f | %.3f | %.2f | %s | %s |\n' "$name" "$bits_note" "$bits_token" \
    "$(awk -v t="$tokens" -v n="$notes" 'BEGIN { print t / n }')" "$epochs" "$(piece_figures "$stem.mid")"
done
