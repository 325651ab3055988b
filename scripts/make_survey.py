"""Generate the illustrative online-survey data in content/data/survey.csv.

The survey has not been run; these responses are invented, reproducibly
(fixed seed), so that the documents can be assembled and tested. Each
respondent answers five-point Likert items (1 = strongly disagree,
5 = strongly agree) about what drives partnership, what it brings, what it
costs, what obstructs it and whether it innovates. Responses lean in ways a
reader would find plausible (funding rules drive partnership more than
mission; TSO respondents feel the loss of independence more), so that the
illustrative findings have something to describe.

    python scripts/make_survey.py                 # the shipped survey (24 areas, 320 respondents)
    python scripts/make_survey.py --areas 100 --respondents 3000 --out benchmarks/data/survey.csv
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

SECTORS = ["health", "employment", "criminal-justice", "local-partnerships"]
SECTOR_WEIGHTS = [0.32, 0.24, 0.18, 0.26]
ORG_TYPES = ["TSO", "public", "private"]
ORG_WEIGHTS = [0.55, 0.33, 0.12]
LEVELS = ["board", "senior manager", "middle manager", "frontline"]
AREA_TYPES = ["metropolitan", "unitary", "two-tier"]
PREFIXES = ["North", "South", "East", "West", "Upper", "Lower", "Great", "Little", "Old", "New"]
STEMS = ["brook", "field", "moor", "ford", "bury", "wick", "ham", "stow", "combe", "dale", "hurst",
         "marsh", "ley", "thorpe", "well", "bridge", "mere", "wood", "stead", "holme"]
ROOTS = ["Ash", "Bram", "Cal", "Dun", "Elm", "Fern", "Gar", "Hol", "Ivy", "Kings", "Lang", "Mill",
         "Nor", "Oak", "Pen", "Red", "Stan", "Thorn", "Wal", "Wyn"]

# Item: (base mean on a 1-5 scale, shifts by sector and organisation type).
ITEMS = {
    "driver_funding": (3.9, {"employment": 0.3}, {"TSO": 0.2}),
    "driver_policy": (3.5, {"local-partnerships": 0.3}, {"public": 0.2}),
    "driver_mission": (3.0, {"health": 0.2}, {"TSO": 0.3, "private": -0.5}),
    "driver_capacity": (3.2, {"criminal-justice": 0.2}, {"TSO": 0.2}),
    "benefit_outcomes": (3.5, {"health": 0.3, "criminal-justice": -0.1}, {"public": 0.1}),
    "benefit_reach": (3.7, {"health": 0.1, "criminal-justice": 0.3}, {"TSO": 0.2}),
    "benefit_efficiency": (3.0, {"employment": 0.2}, {"private": 0.3, "TSO": -0.1}),
    "benefit_learning": (3.4, {"local-partnerships": 0.2}, {}),
    "cost_time": (3.6, {"local-partnerships": 0.3}, {"TSO": 0.2}),
    "cost_independence": (2.9, {"employment": 0.3}, {"TSO": 0.6, "public": -0.4}),
    "obstacle_trust": (3.1, {"criminal-justice": 0.2}, {"TSO": 0.2}),
    "obstacle_contracts": (3.4, {"employment": 0.5}, {"TSO": 0.3, "private": -0.2}),
    "obstacle_power": (3.2, {}, {"TSO": 0.4, "public": -0.3}),
    "innovation_new_services": (3.3, {"health": 0.2}, {}),
    "innovation_tso_role": (3.5, {"local-partnerships": 0.1}, {"TSO": 0.3, "private": -0.2}),
}
HEADER = ["respondent_id", "area", "area_type", "deprivation", "sector", "org_type", "level",
          "serves_families", *ITEMS]


def area_names(count: int, rng: random.Random) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        name = rng.choice(ROOTS) + rng.choice(STEMS)
        if rng.random() < 0.3:
            name = f"{rng.choice(PREFIXES)} {name}"
        names.add(name)
    return sorted(names)


def likert(mean: float, rng: random.Random) -> int:
    return max(1, min(5, round(rng.gauss(mean, 0.95))))


def generate(areas: int, respondents: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    places = [(name, rng.choice(AREA_TYPES), rng.choice(["high", "low"])) for name in area_names(areas, rng)]
    rows = []
    for number in range(1, respondents + 1):
        area, area_type, deprivation = places[(number - 1) % len(places)] if number <= len(places) \
            else rng.choice(places)
        sector = rng.choices(SECTORS, SECTOR_WEIGHTS)[0]
        org = rng.choices(ORG_TYPES, ORG_WEIGHTS)[0]
        families = "yes" if rng.random() < (0.55 if sector in ("local-partnerships", "health") else 0.25) else "no"
        answers = []
        for base, by_sector, by_org in ITEMS.values():
            mean = base + by_sector.get(sector, 0) + by_org.get(org, 0)
            mean += 0.15 if deprivation == "high" else 0
            answers.append(str(likert(mean, rng)))
        rows.append([f"R{number:04d}", area, area_type, deprivation, sector, org,
                     rng.choice(LEVELS), families, *answers])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--areas", type=int, default=24)
    parser.add_argument("--respondents", type=int, default=320)
    parser.add_argument("--seed", type=int, default=2010)
    parser.add_argument("--out", type=Path, default=Path("content/data/survey.csv"))
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(generate(args.areas, args.respondents, args.seed))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
