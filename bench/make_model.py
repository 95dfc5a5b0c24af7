#!/usr/bin/python3
"""Write a synthetic model directory with MODEL.md's structure, scaled up
from the shipped one, for measuring how cost grows with model size.

usage: make_model.py OUTDIR [--suppliers 48] [--materials 8] [--periods 24] [--months 3]
                     [--samples 2000] [--seed 1]

The defaults make the "10x model" (576 rows x 4,992 columns, quarterly
periods); `--suppliers 96 --materials 24 --periods 36 --months 1` makes the
"100x model" of bench/README.md (monthly periods, about 100 times the
shipped model's columns).

Suppliers are spread over four regions (one of them capped), with
capacities, prices, start periods and ramps drawn from a fixed seed so the
model is the same every time. It is a benchmark input, not data.
"""
import argparse
import os
import random


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--suppliers", type=int, default=48)
    ap.add_argument("--materials", type=int, default=8)
    ap.add_argument("--periods", type=int, default=24)
    ap.add_argument("--months", type=int, default=3, help="length of a period in months")
    ap.add_argument("--samples", type=int, default=2000, help="futures in mc.yaml")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    regions = ["China", "Australia", "Canada", "USA"]
    mats = [f"M{i}" for i in range(a.materials)]
    with open(os.path.join(a.out, "model.yaml"), "w") as f:
        f.write(f"name: synthetic_{a.suppliers}x{a.materials}x{a.periods}\n")
        f.write("description: synthetic benchmark model (bench/make_model.py); not data\n")
        f.write(f"periods:\n  count: {a.periods}\n  length_months: {a.months}\n  tables_months: {a.months}\n  first: \"2027-01\"\n")
        f.write("regions:\n  China: {tariff: 0.25}\n  Australia: {}\n  Canada: {}\n  USA: {}\n")
        f.write("materials:\n")
        for m in mats:
            f.write(f"  {m}: {{shortfall_penalty: 1000000, holding_cost: 500, stock_initial: 50, "
                    f"stock_capacity: 200, stock_final: 50}}\n")
        f.write("limits:\n  china_cap: {kind: cap, regions: [China], share: 0.5}\n")
        f.write("  domestic_floor: {kind: floor, regions: [USA], share: 0.05}\n")
        f.write("tables:\n  suppliers: suppliers.csv\n  demand: demand.csv\n")
    with open(os.path.join(a.out, "suppliers.csv"), "w") as f:
        f.write("supplier,region,material,capacity_t_per_period,price_usd_per_t,freight_usd_per_t,"
                "start_period,ramp_periods\n")
        for u in range(a.suppliers):
            r = regions[u % 4]
            start = 1 if rng.random() < 0.6 else rng.randint(2, a.periods)
            ramp = 0 if start == 1 else rng.randint(0, 6)
            freight = rng.randint(500, 4000)
            for m in rng.sample(mats, k=max(1, a.materials // 2)):
                price = rng.uniform(50000, 150000) * (0.7 if r == "China" else 1.0)
                f.write(f"S{u},{r},{m},{rng.uniform(20, 200):.1f},{price:.0f},{freight},{start},{ramp}\n")
    with open(os.path.join(a.out, "demand.csv"), "w") as f:
        f.write("material,period,demand_t\n")
        for m in mats:
            base = rng.uniform(200, 600)
            for t in range(1, a.periods + 1):
                f.write(f"{m},{t},{base * 1.02 ** t:.1f}\n")
    with open(os.path.join(a.out, "mc.yaml"), "w") as f:
        f.write(f"name: mc\nseed: 7\nsamples: {a.samples}\nsampling: lhs\nparameters:\n")
        f.write("  share.china_cap: {dist: uniform, low: 0.2, high: 0.9}\n")
        f.write("  availability.China: {dist: event, p: 0.4, yes: 0.2, no: 1.0}\n")
        f.write(f"  availability.China.from: {{dist: choice, values: [{', '.join(str(t) for t in range(1, a.periods + 1))}]}}\n")
        for m in mats[:3]:
            f.write(f"  price.{m}: {{dist: lognormal, mu: 0, sigma: 0.3}}\n")
    print(f"wrote {a.out}: {a.suppliers} suppliers, {a.materials} materials, {a.periods} periods")


if __name__ == "__main__":
    main()
