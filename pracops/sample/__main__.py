"""``python -m pracops.sample [--out DIR] [--seed N]``: write the sample practice's files."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from pracops.sample.generator import DEFAULT_SEED, generate


def main(argv: Sequence[str] | None = None) -> int:
    """Regenerate the sample (by default the bundled one) and say where it went."""
    parser = argparse.ArgumentParser(prog="python -m pracops.sample", description=__doc__)
    parser.add_argument("--out", metavar="DIR", help="folder to write (default: bundled sample)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    args = parser.parse_args(argv)
    folder = generate(args.out, seed=args.seed)
    print(f"wrote the sample practice (seed {args.seed}) to {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
