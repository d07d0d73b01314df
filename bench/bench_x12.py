"""Speed of the 835 reader: pracops.x12.read_835 against pyx12 4.0 on the same synthetic files.

Run from the project root::

    python bench/bench_x12.py                      # 12,000 claims; pyx12 on a 600-claim slice
    python bench/bench_x12.py --claims 20000 --pyx12-claims 1000

The synthetic 835 is written by ``write_synthetic_835`` below: a deterministic, balanced
remittance (claims with 1-4 service lines, CAS at claim and line level, remark codes, PLB),
several GS/ST in one ISA, ``~`` plus a newline after each segment. It is a minimal writer for
the benchmark only, not the project's 835 writer.

``read_835`` is also timed on the bundled sample's ERA folder (247 small files, one payment
each), where the fixed cost of building the DataFrames would dominate if it were paid per file.

pyx12 is timed twice: ``X12Reader`` only tokenizes segments and checks envelope counts;
``X12ContextReader`` walks the 835 map and yields each claim loop (2100), which is the work
comparable to ours (loop-aware parsing). pyx12 runs at a fraction of a MB/s, so it is timed
on a smaller slice made by the same writer; MB/s is what compares.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pracops.config import SAMPLE_DIR
from pracops.x12 import read_835

CLAIMS_PER_ST = 500
ST_PER_GS = 5


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}.{frac:02d}" if frac else f"{sign}{whole}"


def _claim(rng: random.Random, number: int) -> tuple[list[str], int]:
    """Segments of one balanced claim, and its paid cents (CLP04)."""
    lines: list[str] = []
    charge_total = paid_total = 0
    for line_no in range(1, rng.randint(1, 4) + 1):
        charge = rng.randint(2_000, 150_000)
        contractual = rng.randint(0, charge // 2)
        patient = rng.randint(0, (charge - contractual) // 3)
        paid = charge - contractual - patient
        charge_total += charge
        paid_total += paid
        code = rng.choice(("99213", "99214", "80053", "36415", "93000", "71046"))
        lines += [f"SVC*HC:{code}{':25' if rng.random() < 0.2 else ''}*{_money(charge)}"
                  f"*{_money(paid)}**{rng.randint(1, 3)}",
                  f"DTM*472*2024{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"]
        if patient:
            lines.append(f"CAS*CO*45*{_money(contractual)}**PR*2*{_money(patient)}"
                         .replace("**PR*", "~CAS*PR*", 1))
        else:
            lines.append(f"CAS*CO*45*{_money(contractual)}")
        lines += [f"REF*6R*{number:07d}{line_no:02d}", f"AMT*B6*{_money(paid + patient)}"]
        if rng.random() < 0.1:
            lines.append("LQ*HE*N130")
    # a claim-level adjustment reduces what the claim pays below what its lines pay (CLP04 =
    # Σ SVC03 − Σ claim CAS); every paid line is above $6.66, so CLP04 stays positive
    claim_adj = rng.randint(0, 500) if rng.random() < 0.2 else 0
    paid_total -= claim_adj
    header = [f"CLP*PCN{number:08d}*1*{_money(charge_total)}"
              f"*{_money(paid_total)}**12*PAYER{number:010d}*11*1"]
    if claim_adj:
        header.append(f"CAS*OA*23*{_money(claim_adj)}")
    header += [f"NM1*QC*1*LAST{number % 997}*FIRST{number % 89}****MI*M{number:09d}",
               "NM1*82*1*DOE*JANE****XX*1234567893",
               "DTM*232*20240101", "DTM*233*20240102"]
    segments = "~".join(header + lines).split("~")
    return segments, paid_total


def write_synthetic_835(path: Path, claims: int, seed: int = 835) -> int:
    """Write a balanced synthetic 835 with ``claims`` claims; return its size in bytes."""
    rng = random.Random(seed)
    out: list[str] = [
        "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PRACTICE       *240131*1200*^*"
        "00501*000000001*0*P*:"
    ]
    number = st_count = gs_count = 0
    groups: list[list[list[str]]] = []
    while number < claims:
        transaction: list[str] = []
        paid_sum = 0
        for _ in range(min(CLAIMS_PER_ST, claims - number)):
            number += 1
            if number % 50 == 1:
                transaction.append(f"LX*{number}")
            segments, paid = _claim(rng, number)
            transaction += segments
            paid_sum += paid
        interest = rng.randint(-2_000, 0)
        st_count += 1
        body = [f"ST*835*{st_count:04d}",
                f"BPR*I*{_money(paid_sum - interest)}*C*ACH*CCP*01*999999999*DA*123456*"
                f"1512345678**01*999988880*DA*98765*20240131",
                f"TRN*1*TRACE{st_count:06d}*1512345678", "DTM*405*20240130",
                "N1*PR*SYNTHETIC HEALTH PLAN*XV*99999", "REF*2U*99999",
                "N1*PE*SYNTHETIC PRACTICE*XX*1234567893", "REF*TJ*123456789",
                *transaction, f"PLB*1234567893*20241231*L6:INTEREST*{_money(interest)}"]
        body.append(f"SE*{len(body) + 1}*{st_count:04d}")
        if not groups or len(groups[-1]) == ST_PER_GS:
            groups.append([])
        groups[-1].append(body)
    for group in groups:
        gs_count += 1
        out.append(f"GS*HP*PAYER*PRACTICE*20240131*1200*{gs_count}*X*005010X221A1")
        for body in group:
            out += body
        out.append(f"GE*{len(group)}*{gs_count}")
    out.append(f"IEA*{gs_count}*000000001")
    path.write_text("~\n".join(out) + "~\n", encoding="ascii")
    return path.stat().st_size


# ---- the measures (bench/table.py): the reader against pyarrow tokenising -------------

BIG_CLAIMS = 105_000  # about 50 MB with write_synthetic_835
QUICK_CLAIMS = 2_000  # about 1 MB


def tokenise(path: Path) -> int:
    """The anchor: pyarrow tokenising the file into segments and elements, nothing more (line
    breaks dropped, split at ``~``, then at ``*``); returns the number of elements."""
    text = pa.array([path.read_bytes()], type=pa.large_binary()).cast(pa.large_string())
    for line_break in ("\r", "\n"):
        text = pc.replace_substring(text, line_break, "")
    segments = pc.split_pattern(text, "~").flatten()
    return len(pc.split_pattern(segments, "*").flatten())


def _read(path: Path) -> int:
    return len(read_835(path).claims)


_PEAK = """
import sys
from pathlib import Path
sys.path.insert(0, {bench!r})
import bench_x12

def status(field):
    with open("/proc/self/status") as lines:
        return next(int(line.split()[1]) * 1024 for line in lines if line.startswith(field))

with open("/proc/self/clear_refs", "w") as clear:
    clear.write("5")  # the peak (VmHWM) starts again from what is resident now
before = status("VmRSS:")
bench_x12.{what}(Path({path!r}))
print(status("VmHWM:") - before)
"""


def peak_bytes(path: Path, what: str) -> int:
    """Peak memory (resident) added by ``what`` (``'_read'`` or ``'tokenise'``) on ``path``, in
    a fresh process (Linux): its peak minus what it held before (interpreter and imports). The
    reader starts no worker process for one file."""
    code = _PEAK.format(bench=str(Path(__file__).parent), path=str(path), what=what)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True)
    return int(out.stdout.split()[-1])


def measures(quick: bool = False) -> list[dict]:
    """The issue's two rows for the 835 reader: speed on a 50 MB file against pyarrow
    tokenising it, best of 5 interleaved runs in this process (``quick``: 1 MB, best of 2);
    peak memory per input byte, each in a fresh process."""
    repeat = 2 if quick else 5
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "big.835")
        size = write_synthetic_835(path, QUICK_CLAIMS if quick else BIG_CLAIMS)
        ours, anchor = [], []
        for _ in range(repeat):  # interleaved: both see the same machine
            anchor.append(_time(lambda: tokenise(path), 1)[0])
            ours.append(_time(lambda: _read(path), 1)[0])
        memory = peak_bytes(path, "_read") / size
        anchor_memory = peak_bytes(path, "tokenise") / size
    speed, anchor_speed = size / 1e6 / min(ours), size / 1e6 / min(anchor)
    label = f"{size / 1e6:.0f} MB" if not quick else f"{size / 1e6:.1f} MB (quick)"
    return [
        {"measure": f"835 reader, {label}", "pracops": speed, "anchor": anchor_speed,
         "anchor_name": "pyarrow tokenising the same file into segments and elements",
         "unit": "MB/s", "ratio": anchor_speed / speed, "target": "≥ 25 MB/s, ≤ 2.4×",
         "ok": speed >= 25 and anchor_speed / speed <= 2.4},
        {"measure": "835 reader memory", "pracops": memory, "anchor": anchor_memory,
         "anchor_name": "pyarrow tokenising, peak per input byte", "unit": "B/B",
         "ratio": memory, "target": "≤ 6 B/B", "ok": memory <= 6},
    ]


def _time(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def _pyx12_tokenize(path: Path) -> int:
    import pyx12.x12file

    with pyx12.x12file.X12Reader(str(path)) as reader:
        return sum(1 for _ in reader)


def _pyx12_context(path: Path) -> int:
    import pyx12.error_handler
    import pyx12.params
    import pyx12.x12context

    reader = pyx12.x12context.X12ContextReader(
        pyx12.params.params(), pyx12.error_handler.errh_null(), str(path))
    claims = 0
    for node in reader.iter_segments("2100"):
        if node.id == "2100":
            node.get_value("CLP04")
            claims += 1
    return claims


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=12_000, help="claims in the big file")
    parser.add_argument("--pyx12-claims", type=int, default=600,
                        help="claims in the slice pyx12 is timed on")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement")
    parser.add_argument("--measures", action="store_true",
                        help="only the issue's measures (50 MB file; speed and memory)")
    parser.add_argument("--quick", action="store_true", help="with --measures: a 1 MB file")
    args = parser.parse_args()
    if args.measures:
        print(f"load average {os.getloadavg()[0]:.2f}")
        for row in measures(args.quick):
            print(f"{row['measure']}: pracops {row['pracops']:.2f} {row['unit']}, "
                  f"{row['anchor_name']} {row['anchor']:.2f} {row['unit']}, ratio "
                  f"{row['ratio']:.2f} (target {row['target']}): "
                  f"{'ok' if row['ok'] else 'short'}")
        return

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        big, small = Path(tmp, "big.835"), Path(tmp, "small.835")
        sizes = {big: write_synthetic_835(big, args.claims),
                 small: write_synthetic_835(small, args.pyx12_claims)}
        ours_big = _time(lambda: read_835(big), args.repeat)
        ours_small = _time(lambda: read_835(small), args.repeat)
        folder = SAMPLE_DIR / "era"
        ours_folder = _time(lambda: read_835(folder), args.repeat)
        sizes[folder] = sum(f.stat().st_size for f in folder.iterdir() if f.is_file())
        folder_claims = len(read_835(folder).claims)
        assert len(read_835(big).claims) == args.claims
        assert _pyx12_context(small) == args.pyx12_claims
        tokenize_small = _time(lambda: _pyx12_tokenize(small), args.repeat)
        context_small = _time(lambda: _pyx12_context(small), args.repeat)
        rows = [
            ("pracops read_835", big, args.claims, ours_big),
            ("pracops read_835", small, args.pyx12_claims, ours_small),
            ("pracops read_835, sample ERA folder (247 files)", folder, folder_claims,
             ours_folder),
            ("pyx12 X12Reader (tokenize)", small, args.pyx12_claims, tokenize_small),
            ("pyx12 X12ContextReader (2100 loops)", small, args.pyx12_claims, context_small),
        ]
        ours_rate = sizes[small] / 1e6 / ours_small[0]
        print(f"{dt.date.today()}, Python {platform.python_version()}, pandas "
              f"{pd.__version__}, pyarrow {pa.__version__}, {os.cpu_count()} cores, "
              f"best and median of {args.repeat}\n")
        print("| reader | file MB | claims | best s | median s | MB/s (best) | MB/s (median) "
              "| pracops ÷ it (same file) |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for label, path, claims, (best, median) in rows:
            rate = sizes[path] / 1e6 / best
            ratio = "—" if label.startswith("pracops") else f"{ours_rate / rate:.1f}×"
            print(f"| {label} | {sizes[path] / 1e6:.2f} | {claims:,} | {best:.3f} | "
                  f"{median:.3f} | {rate:.2f} | {sizes[path] / 1e6 / median:.2f} | {ratio} |")


if __name__ == "__main__":
    main()
