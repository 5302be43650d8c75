"""Score the ingest pipeline on the labelled development set (and the AFP seed report when it is present).

Usage: .venv/bin/python bench/eval_ingest.py [--data DIR] [--verbose]

Mentions: a predicted mention matches a labelled one when their spans overlap and the place ids agree.
Distance: for each labelled mention, the predicted mention overlapping it (any place) is measured against the
truth position; a labelled mention with no prediction counts as not placed. Changes: a predicted change
matches a labelled one when place, faction and kind agree; dates are scored separately on the matches.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dashboard.articles import read_article
from dashboard.extract import ingest
from dashboard.factions import FactionSet, load_factions
from dashboard.gazetteer import Gazetteer, load_gazetteer
from dashboard.paths import data_dir

ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT / "tests" / "devset"


@dataclass
class Tally:
    """Counts summed over reports."""

    m_tp: int = 0
    m_pred: int = 0
    m_gold: int = 0
    within10: int = 0
    within161: int = 0
    c_tp: int = 0
    c_pred: int = 0
    c_gold: int = 0
    c_date_ok: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in ("m_tp", "m_pred", "m_gold", "within10", "within161", "c_tp", "c_pred", "c_gold",
                     "c_date_ok"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.notes.extend(other.notes)


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dp, dl = p2 - p1, math.radians(b[1] - a[1])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def gold_spans(text: str, mentions: list[list[str]], name: str) -> list[tuple[int, int, str]]:
    """Locate each labelled surface text in reading order."""
    out = []
    pos = 0
    for item in mentions:
        surface, place = item[0], item[1]
        lead = item[2] if len(item) > 2 else ""
        at = text.find(lead + surface, pos)
        if at < 0:
            raise SystemExit(f"{name}: labelled mention {surface!r} not found after offset {pos}")
        at += len(lead)
        out.append((at, at + len(surface), place))
        pos = at + len(surface)
    return out


def truth_position(place: str, gaz: Gazetteer, extra: dict[str, list[float]]) -> tuple[float, float] | None:
    p = gaz.get(place)
    if p is not None and p.lat is not None and p.lon is not None:
        return (p.lat, p.lon)
    if place in extra:
        return (extra[place][0], extra[place][1])
    return None


def score(name: str, path: Path, label: dict[str, Any], *, gaz: Gazetteer, factions: FactionSet,
          extra: dict[str, list[float]]) -> Tally:
    art = read_article(path)
    result = ingest(art, gaz, factions)
    t = Tally()
    gold = gold_spans(art.text, label["mentions"], name)
    pred = [(m.start, m.end, m.place, m) for m in result.mentions]
    t.m_gold, t.m_pred = len(gold), len(pred)
    used: set[int] = set()
    for gs, ge, gp in gold:
        overlapping = [i for i, (ps, pe, _, _) in enumerate(pred) if ps < ge and gs < pe and i not in used]
        exact = [i for i in overlapping if pred[i][2] == gp]
        if exact:
            used.add(exact[0])
            t.m_tp += 1
        else:
            got = pred[overlapping[0]][2] if overlapping else None
            t.notes.append(f"{name}: mention {art.text[gs:ge]!r}@{gs} want {gp} got {got}")
        truth = truth_position(gp, gaz, extra)
        chosen = exact[0] if exact else (overlapping[0] if overlapping else None)
        if truth is not None and chosen is not None:
            m = pred[chosen][3]
            if m.lat is not None and m.lon is not None:
                d = km(truth, (m.lat, m.lon))
                t.within10 += d <= 10
                t.within161 += d <= 161
    for i, (ps, pe, pp, _) in enumerate(pred):
        if i not in used:
            t.notes.append(f"{name}: extra mention {art.text[ps:pe]!r}@{ps} -> {pp}")
    gold_changes = [(c["place"], c["faction"], c["kind"], str(c["date"])) for c in label["changes"]]
    pred_changes = [(c.place, c.faction, c.kind, c.date.isoformat()) for c in result.changes]
    t.c_gold, t.c_pred = len(gold_changes), len(pred_changes)
    left = list(gold_changes)
    for pc in pred_changes:
        hit = next((g for g in left if g[:3] == pc[:3]), None)
        if hit is None:
            t.notes.append(f"{name}: extra change {pc}")
            continue
        left.remove(hit)
        t.c_tp += 1
        if hit[3] == pc[3]:
            t.c_date_ok += 1
        else:
            t.notes.append(f"{name}: date for {pc[:3]} want {hit[3]} got {pc[3]}")
    t.notes.extend(f"{name}: missed change {g}" for g in left)
    return t


def ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def report(title: str, t: Tally) -> None:
    p, r = ratio(t.m_tp, t.m_pred), ratio(t.m_tp, t.m_gold)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    cp, cr = ratio(t.c_tp, t.c_pred), ratio(t.c_tp, t.c_gold)
    print(f"{title}")
    print(f"  mentions: precision {p:.3f}  recall {r:.3f}  F1 {f1:.3f}  "
          f"({t.m_tp} right of {t.m_pred} found, {t.m_gold} labelled)")
    print(f"  placed within 10 km: {ratio(t.within10, t.m_gold):.3f}   within 161 km: "
          f"{ratio(t.within161, t.m_gold):.3f}  (of {t.m_gold} labelled mentions)")
    print(f"  changes: precision {cp:.3f}  recall {cr:.3f}  ({t.c_tp} right of {t.c_pred} proposed, "
          f"{t.c_gold} labelled); dates right on {t.c_date_ok}/{t.c_tp} matched")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="data folder (default: the repository's data/)")
    parser.add_argument("--verbose", "-v", action="store_true", help="list every disagreement")
    args = parser.parse_args(argv)
    folder = data_dir(args.data)
    gaz = load_gazetteer(folder / "places.yaml")
    factions = load_factions(folder / "factions.yaml")
    labels = yaml.safe_load((DEVSET / "labels.yaml").read_text(encoding="utf-8"))
    extra = labels.get("extra_places", {})
    dev, seed, held, unseen, fourth, fifth, sixth, seventh, eighth = (Tally() for _ in range(9))
    for name, label in labels.get("holdout", {}).items():
        held.add(score(name, DEVSET / f"{name}.txt", label, gaz=gaz, factions=factions, extra=extra))
    for name, label in labels.get("unseen", {}).items():
        unseen.add(score(name, DEVSET / f"{name}.txt", label, gaz=gaz, factions=factions, extra=extra))
    for name, label in labels.get("fourth", {}).items():
        fourth.add(score(name, DEVSET / f"{name}.txt", label, gaz=gaz, factions=factions, extra=extra))
    for name, label in labels.get("fifth", {}).items():
        fifth.add(score(name, DEVSET / f"{name}.txt", label, gaz=gaz, factions=factions, extra=extra))
    for name, label in labels.get("sixth", {}).items():
        sixth.add(score(name, DEVSET / f"{name}.txt", label, gaz=gaz, factions=factions, extra=extra))
    for name, label in labels.get("seventh", {}).items():
        seventh.add(score(name, DEVSET / f"{name}.txt", label, gaz=gaz, factions=factions, extra=extra))
    for name, label in labels.get("eighth", {}).items():
        eighth.add(score(name, DEVSET / f"{name}.txt", label, gaz=gaz, factions=factions, extra=extra))
    for name, label in labels["reports"].items():
        if "external" in label:
            path = (ROOT / label["external"]).resolve()
            if not path.exists():
                print(f"skipping {name}: {path} is not here")
                continue
            seed.add(score(name, path, label, gaz=gaz, factions=factions, extra=extra))
        else:
            dev.add(score(name, DEVSET / f"{name}.txt", label, gaz=gaz, factions=factions, extra=extra))
    own = sum(1 for v in labels["reports"].values() if "external" not in v)
    report(f"development set ({own} reports)", dev)
    if held.m_gold:
        report(f"second set ({len(labels['holdout'])} reports; first run was P/R 0.80/0.57 on changes, "
               "see labels.yaml)", held)
    if unseen.m_gold:
        report(f"third set ({len(labels['unseen'])} reports; first run was P/R 0.63/0.42 on changes, "
               "see labels.yaml)", unseen)
    if fourth.m_gold:
        report(f"fourth set ({len(labels['fourth'])} reports, v*; first run: see labels.yaml)", fourth)
    if fifth.m_gold:
        report(f"fifth set ({len(labels['fifth'])} reports, w*; first run: see labels.yaml)", fifth)
    if sixth.m_gold:
        report(f"sixth set ({len(labels['sixth'])} reports, x*; first run: see labels.yaml)", sixth)
    if seventh.m_gold:
        report(f"seventh set ({len(labels['seventh'])} reports, z*; first run: see labels.yaml)", seventh)
    if eighth.m_gold:
        report(f"eighth set ({len(labels['eighth'])} reports, q*; first run: see labels.yaml)", eighth)
    if seed.m_gold:
        report("AFP seed report (2024-12-02)", seed)
    if args.verbose:
        for t in (dev, held, unseen, fourth, fifth, sixth, seventh, eighth, seed):
            for line in t.notes:
                print("  -", line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
