#!/usr/bin/env python3
"""Pearson r and 3-class accuracy of `vigie sentiment` against human ratings.

    cut -f3- ../shared/data/sentiment/vader-tweets-even.tsv | vigie sentiment > scores.txt
    python3 scripts/sentiment-pearson.py ../shared/data/sentiment/vader-tweets-even.tsv scores.txt

The TSV has id, mean rating in [-4, 4], text; classes are neg < -0.05 < neu < 0.05 < pos, the
rating divided by 4.
"""
import math
import sys


def main(tsv_path, scores_path):
    rows = [l.rstrip("\n").split("\t") for l in open(tsv_path, encoding="utf-8")]
    ratings = [float(r[1]) for r in rows if len(r) >= 3]
    scores = [float(l) for l in open(scores_path)]
    if len(scores) != len(ratings):
        sys.exit(f"{len(scores)} scores for {len(ratings)} rated texts")
    n = len(scores)
    mx, my = sum(scores) / n, sum(ratings) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(scores, ratings))
    sxx = sum((x - mx) ** 2 for x in scores)
    syy = sum((y - my) ** 2 for y in ratings)
    tone = lambda v: -1 if v < -0.05 else (1 if v > 0.05 else 0)
    accuracy = sum(tone(x) == tone(y / 4) for x, y in zip(scores, ratings)) / n
    print(f"n={n} r={sxy / math.sqrt(sxx * syy):.4f} accuracy={accuracy:.4f}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
