"""Write the ERP-like benchmark data set as a CSV (see robotest.forecast.synthetic).

python3 benchmarks/forecast_erp.py erp.csv --commodities 200 --weeks 156
"""

from __future__ import annotations

import argparse

from robotest.forecast.synthetic import erp_dataset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--commodities", type=int, default=200)
    parser.add_argument("--weeks", type=int, default=156)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    erp_dataset(args.commodities, args.weeks, args.seed).to_csv(args.out, index=False)
    print(f"wrote {args.out}: {args.commodities} commodities, {args.weeks} weeks")


if __name__ == "__main__":
    main()
