"""How many good units go to review: the calibrated band against the old fixed band.

For each texture class of the inspection benchmark (``inspection_data.py``, the
DAGM-like generator; 256 x 256 grey pictures), an autoencoder is trained with the
documented defaults (``rtest inspect train``: working size 128, 30 epochs) on 60 good
pictures. 80 more good pictures are split in two halves: the line's held-out good units
(the band is set on them) and fresh good units the band has never seen (reported).
Side by side on the fresh half:

* **calibrated band** at the documented review rate 0.05 (and 0.10): the conformal
  band of ``robotest.inspection.edge.calibration``;
* **fixed band ±0.25**: the previous rule, decision scores in [0.75, 1.25] reviewed.

Also reported: the share of 20 defective pictures per class that are NG or in review.

    PYTHONPATH=$PWD nice -n 10 python3 benchmarks/bench_review_band.py --classes 10
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from robotest.inspection.dataset import open_dataset  # noqa: E402
from robotest.inspection.edge.calibration import Calibration, is_uncertain  # noqa: E402
from robotest.inspection.edge.review import decision_score  # noqa: E402
from robotest.inspection.training import TrainOptions, train  # noqa: E402


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "inspection_data", ROOT / "benchmarks" / "inspection_data.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["inspection_data"] = module
    spec.loader.exec_module(module)
    return module


def measure(root: Path, spec, seed: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    gen = sys.modules["inspection_data"]
    folder = gen.write_class(root, spec, size=256, train=60, test_good=80, test_bad=20, seed=seed)
    data = open_dataset(folder, need_test=True)
    model = train(data, TrainOptions(kind="ae", progress=False, seed=seed))
    good = [t.path for t in data.test if not t.defective]
    bad = [t.path for t in data.test if t.defective]
    scored = {}
    for name, paths in (("held", good[:40]), ("fresh", good[40:]), ("bad", bad)):
        analyses = model.analyse([model.read(p) for p in paths])
        scored[name] = [(decision_score(model, a), model.judge(a).passed) for a in analyses]
    calibration = Calibration(tuple(sorted(s for s, _ in scored["held"])))
    fresh = scored["fresh"]
    out = {}
    for rate in (0.05, 0.10):
        band = calibration.band(rate)
        out[f"review@{rate:.2f}"] = sum(is_uncertain(s, band) for s, _ in fresh) / len(fresh)
        out[f"caught@{rate:.2f}"] = sum(
            is_uncertain(s, band) or not ok for s, ok in scored["bad"]
        ) / len(scored["bad"])
    out["review fixed"] = sum(abs(s - 1) <= 0.25 for s, _ in fresh) / len(fresh)
    out["caught fixed"] = sum(abs(s - 1) <= 0.25 or not ok for s, ok in scored["bad"]) / len(
        scored["bad"]
    )
    out["false NG"] = sum(not ok for _, ok in fresh) / len(fresh)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    gen = _generator()
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for spec in gen.CLASSES[: args.classes]:
            figures = measure(Path(scratch), spec, args.seed)
            rows.append((spec.name, figures))
            print(spec.name, " ".join(f"{k} {v:.3f}" for k, v in figures.items()), flush=True)
    keys = list(rows[0][1])
    print("| class | " + " | ".join(keys) + " |")
    print("|---" * (len(keys) + 1) + "|")
    for name, figures in rows:
        print(f"| {name} | " + " | ".join(f"{100 * figures[k]:.0f} %" for k in keys) + " |")
    means = {k: sum(f[k] for _, f in rows) / len(rows) for k in keys}
    print("| **mean** | " + " | ".join(f"**{100 * means[k]:.0f} %**" for k in keys) + " |")


if __name__ == "__main__":
    main()
