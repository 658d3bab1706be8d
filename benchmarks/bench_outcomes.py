"""Word diffs of outcome paragraphs: difflib (what track2.outcomes.texts uses) against Google's
diff-match-patch in word mode (`pip install diff-match-patch`), and the PDF step.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_outcomes.py

Prints medians of 7 runs and the size of each diff (runs of changed words: fewer is clearer).
"""

from __future__ import annotations

import random
import statistics
import time

from track2.outcomes import texts


def _text(rng: random.Random, n: int) -> list[str]:
    vocabulary = [f"w{i}" for i in range(400)]
    return [rng.choice(vocabulary) for _ in range(n)]


def _edited(rng: random.Random, words: list[str], share: float) -> list[str]:
    out = []
    for w in words:
        r = rng.random()
        if r < share / 3:
            continue
        out.append(f"x{rng.randrange(1000)}" if r < 2 * share / 3 else w)
        if r > 1 - share / 3:
            out.append(f"y{rng.randrange(1000)}")
    return out


def _dmp_words(a: str, b: str) -> list[tuple[int, str]]:
    from diff_match_patch import diff_match_patch

    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0
    codes: dict[str, str] = {}

    def encode(words: list[str]) -> str:
        return "".join(codes.setdefault(w, chr(0xE000 + len(codes))) for w in words)

    ea, eb = encode(a.split()), encode(b.split())
    diffs = dmp.diff_main(ea, eb, False)
    dmp.diff_cleanupSemantic(diffs)
    return diffs


def _median(fn, repeats: int = 7) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    rng = random.Random(12)
    print("| words | changed | difflib | diff-match-patch | ratio | runs difflib | runs dmp |")
    print("|---|---|---|---|---|---|---|")
    for n in (200, 800, 2000):  # a paragraph holds at most 5,000 characters (~800 words)
        for share in (0.05, 0.3):
            a = _text(rng, n)
            b = _edited(rng, a, share)
            sa, sb = " ".join(a), " ".join(b)
            t1 = _median(lambda sa=sa, sb=sb: texts.word_diff(sa, sb))
            t2 = _median(lambda sa=sa, sb=sb: _dmp_words(sa, sb))
            r1 = sum(1 for op, _t in texts.word_diff(sa, sb) if op != "same")
            r2 = sum(1 for op, _t in _dmp_words(sa, sb) if op != 0)
            print(
                f"| {n} | {share:.0%} | {t1 * 1e3:.2f} ms | {t2 * 1e3:.2f} ms | {t2 / t1:.2f} | {r1} | {r2} |"
            )


if __name__ == "__main__":
    main()
