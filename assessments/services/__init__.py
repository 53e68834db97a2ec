"""Every change to an assessment goes through these functions, which enforce its rules."""

from .actions import create_action, update_action
from .agreeing import AgreedEntry, AgreeOutcome, record_agreed_rating, record_agreed_ratings
from .common import ConflictError, LockedError
from .evidence import add_evidence, delete_evidence
from .rounds import (
    close_scoring,
    finish_agreeing,
    open_round,
    return_to_agreeing,
    set_scorers,
    set_scoring_closes_on,
    start_scoring,
)
from .scoring import save_rating, submit_ratings
from .signing import reopen_round, sign_as_leader, sign_as_manager

__all__ = [
    "ConflictError",
    "LockedError",
    "add_evidence",
    "close_scoring",
    "create_action",
    "delete_evidence",
    "finish_agreeing",
    "open_round",
    "AgreeOutcome",
    "AgreedEntry",
    "record_agreed_rating",
    "record_agreed_ratings",
    "reopen_round",
    "return_to_agreeing",
    "save_rating",
    "set_scorers",
    "set_scoring_closes_on",
    "sign_as_leader",
    "sign_as_manager",
    "start_scoring",
    "submit_ratings",
    "update_action",
]
