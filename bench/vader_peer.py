#!/usr/bin/env python3
"""The peer of `vigie bench peer`: the reference VADER scorer (vaderSentiment, PyPI) on a
file of texts, one per line. Prints one JSON line: texts scored, seconds spent scoring (the
import and the file read are not counted), and the mean compound score (a check that the
work was done)."""

import json
import sys
import time

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: vader_peer.py TEXTS_FILE", file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as handle:
        texts = handle.read().splitlines()
    analyzer = SentimentIntensityAnalyzer()
    began = time.perf_counter()
    total = 0.0
    for text in texts:
        total += analyzer.polarity_scores(text)["compound"]
    seconds = time.perf_counter() - began
    print(json.dumps({"texts": len(texts), "seconds": seconds, "mean": total / max(len(texts), 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
