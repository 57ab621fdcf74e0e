#!/usr/bin/env python3
"""Name real listening histories' journeys the way the product does, and score the names against the playlists'.

Each Spotify mix of the extraction evaluation (2 to 5 playlists, report users only) is written
as a history file (tracks with their own fields), ingested into a fresh home, extracted with
the default settings and named by the tuned namer's candidates and chooser, as `journeys
extract` would. A journey whose items come mostly (60% or more) from one playlist is scored
by ROUGE-L against that playlist's name. Two variants share the model's candidates: the
product's choice, and the same choice never offered the salient-terms name. The namer
evaluation (`journeys namer eval`) names groups without salient terms, so it cannot see the
difference; this script does.

    python scripts/spotify_journey_names.py --data ../shared/data --mixes 40

Spotify data is for evaluation only: nothing here trains on it.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from rouge_score import rouge_scorer

from journeys.evaluation.datasets import spotify_users, tuning_split
from journeys.naming.backends import TunedNamer, with_keywords
from journeys.naming.base import NamingRequest
from journeys.naming.language_model import load_tuned_model
from journeys.settings import Settings
from journeys.workspace import Workspace

MAJORITY = 0.6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--mixes", type=int, default=40)
    args = parser.parse_args()
    csv = args.data / "spotify-songs-tidytuesday-2020" / "spotify_songs.csv"
    users = [u for u in spotify_users(csv, count=4 * args.mixes) if not tuning_split(u.user_id)][:args.mixes]
    home = Path(tempfile.mkdtemp())
    workspace = Workspace(Settings(home=home, device="cpu", namer="keywords"))
    requests, references = [], []
    for number, user in enumerate(users):
        user_id = f"mix{number}"
        path = home / f"{user_id}.jsonl"
        path.write_text("\n".join(
            json.dumps({"user_id": user_id, "item_id": f"t{i}", "title": text,
                        "timestamp": datetime.fromtimestamp(when, timezone.utc).isoformat(), **extra})
            for i, (text, when, extra) in enumerate(zip(user.texts, user.timestamps, user.extras))), encoding="utf-8")
        workspace.ingest([path])
        position = {a.activity_id: int(a.activity.item_id[1:]) for a in workspace.history.activities(user_id)}
        for journey in workspace.extract(user_id):
            label, count = Counter(user.truth_labels[position[a]] for a in journey.activity_ids).most_common(1)[0]
            if count >= MAJORITY * len(journey.activity_ids):
                requests.append(NamingRequest(journey.representative_titles, journey.salient_terms, user_id))
                references.append(user.truth_names[label])
    print(f"{len(requests)} journeys of {len(users)} mixes come mostly from one playlist")
    namer = TunedNamer(Settings.from_env().cache_dir, device="cpu")
    model = load_tuned_model(namer.cache, namer.adapter, "cpu")
    proposed = namer._propose(model, requests, namer.candidates)
    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    for variant, asked in (("as the product chooses", requests),
                           ("never offered the salient-terms name",
                            [NamingRequest(r.titles, (), r.owner) for r in requests])):
        names = namer.chooser.choose(asked, with_keywords(asked, proposed, namer.backend), namer.backend)
        rouge = [scorer.score(ref, n.name)["rougeL"].fmeasure for ref, n in zip(references, names)]
        terms_name = np.mean([n.metadata.get("chosen_from") == "keywords" for n in names])
        print(f"{variant}: ROUGE-L {np.mean(rouge):.3f}, salient-terms name chosen for {terms_name:.0%}")
        for reference, named in list(zip(references, names))[:8]:
            print(f"    {reference[:50]!r} -> {named.name}")


if __name__ == "__main__":
    main()
