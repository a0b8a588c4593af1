"""Stage: rank benchmark samples with statistics that hold up in review
(DESIGN §7, benchmark-method §4).

Takes a SampleSet (samples.py) and gives a Ranking: per scenario the
estimates, paired comparisons with the baseline and between variants
(Holm-corrected over the report), verdicts against a practical
threshold, tiers, Friedman, the minimum detectable effect, and the
self-validation outcomes.  Modules: cells (which batches count),
estimates (per-variant figures), inference (tests and intervals),
bootstrap, tiers, rank (the entry points rank and rank_runs), summary
(the quick look of `evaluate bench`).
"""

from .rank import (Comparison, Ranking, ScenarioRanking, SelfCheck, rank,
                   rank_runs)

__all__ = ["Comparison", "Ranking", "ScenarioRanking", "SelfCheck", "rank",
           "rank_runs"]
