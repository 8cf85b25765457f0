#!/usr/bin/python3
"""The peer of `pianola bench parse`: Python's mido parsing the same MIDI files, timed the same
way (the fastest of --repeat passes; one JSON line from memory, one from disk). Run with Debian's
/usr/bin/python3, which has python3-mido. It measures mido only; comparing is up to the caller.

    bench/mido_parse.py --data ../shared/corpora/nottingham --repeat 3
"""
import argparse
import gzip
import io
import json
import pathlib
import time

import mido

MIDI_SUFFIXES = (".mid", ".midi", ".kar", ".smf")  # as pianola's corpus loader finds files


def midi_files(dirs):
    found = set()
    for d in map(pathlib.Path, dirs):
        candidates = [d] if d.is_file() else d.rglob("*")
        for p in candidates:
            name = p.name.lower().removesuffix(".gz")
            if p.is_file() and (p == d or name.endswith(MIDI_SUFFIXES)):
                found.add(p)
    return sorted(found)


def parse(data):
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return mido.MidiFile(file=io.BytesIO(data))


def measure(source, files, nbytes, repeat, one_pass):
    best, events, failed = None, 0, 0
    for _ in range(repeat):
        start = time.perf_counter()
        events, failed = one_pass()
        seconds = time.perf_counter() - start
        best = seconds if best is None else min(best, seconds)
    print(json.dumps({"bench": "parse", "tool": "mido " + mido.__version__, "source": source, "files": files,
                      "failed": failed, "bytes": nbytes, "events": events, "mb_per_s": nbytes / 1e6 / best,
                      "seconds": best, "repeat": repeat, "threads": 1}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", nargs="+", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    paths = midi_files(args.data)
    contents = [p.read_bytes() for p in paths]
    nbytes = sum(map(len, contents))

    def over(items, load):
        events = failed = 0
        for item in items:
            try:
                events += sum(len(track) for track in parse(load(item)).tracks)
            except Exception:  # noqa: BLE001 - a file mido refuses is counted, as pianola counts it
                failed += 1
        return events, failed

    measure("memory", len(paths), nbytes, args.repeat, lambda: over(contents, lambda data: data))
    measure("disk", len(paths), nbytes, args.repeat, lambda: over(paths, pathlib.Path.read_bytes))

if __name__ == "__main__":
    main()
