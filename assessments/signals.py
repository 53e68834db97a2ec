"""What kept pages read of this app (standards/kept.py): a change to any of these rows moves on
the version of its ward's trust."""

from standards import kept

from .models import (
    Action,
    AgreedRating,
    Evidence,
    HistoryEntry,
    Rating,
    Round,
    RoundScore,
    Scorer,
    Signature,
)

IN_ROUND = "round__ward__site__trust"

kept.register(Round, trust="ward__site__trust")
kept.register(Scorer, trust=IN_ROUND)
kept.register(Signature, trust=IN_ROUND)
kept.register(Action, trust="ward__site__trust")
kept.register(Evidence, trust=IN_ROUND)

# Ratings and agreed ratings: the dashboards read them only for a signed round (one signed before
# its scores were stored is tallied on the spot), whose ratings the database refuses to change;
# signing and reopening bump. The task list reads them for how far a task has got ("12 of 76
# agreed"), which the home page reads fresh: the header's kept count does not change with them.
# So the scorer's autosave costs no bump.
_SIGNED_ONLY = (
    "kept pages read them only for a signed round, which the database keeps unchanged (signing "
    "and reopening bump); the task list reads them for progress, not for its count"
)
kept.not_kept(Rating, reason=_SIGNED_ONLY)
kept.not_kept(AgreedRating, reason=_SIGNED_ONLY)
# Written and deleted only in bulk by assessments/scores.py (write, forget), which bump the
# rounds' trusts; ward_variation is itself a kept read of these rows (docs/decisions/0026).
kept.not_kept(RoundScore, reason="written only by scores.write and scores.forget, which bump")
# Every entry is written by assessments.services.common.record, which bumps the trust (but for
# a rating's entry: see above); the task list reads entries to order tasks, not to count them.
kept.not_kept(HistoryEntry, reason="written only by record(), which bumps the round's trust")
