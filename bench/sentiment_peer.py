#!/usr/bin/env python3
"""A peer of `vigie eval sentiment`: a VADER scorer from PyPI on a file of texts, one per line.
Prints one compound score per line, in the order of the texts. The first argument names the
scorer: `en` is vaderSentiment (English), `fr` is vaderSentiment-fr (its French port).
Exits 3 when that package is not installed, so that the caller can leave it out."""

import sys


def main() -> int:
    if len(sys.argv) != 3 or sys.argv[1] not in ("en", "fr"):
        print("usage: sentiment_peer.py en|fr TEXTS_FILE", file=sys.stderr)
        return 2
    try:
        if sys.argv[1] == "en":
            from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
        else:
            from vaderSentiment_fr.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError as error:
        print(f"not installed: {error}", file=sys.stderr)
        return 3
    with open(sys.argv[2], encoding="utf-8") as handle:
        texts = handle.read().splitlines()
    analyzer = SentimentIntensityAnalyzer()
    out = sys.stdout
    for text in texts:
        out.write(f"{analyzer.polarity_scores(text)['compound']}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
