"""What a session remembers about its own age: when its person signed in and was last active."""

import time

LAST_ACTIVITY = "coc_last_activity"
SIGNED_IN_AT = "coc_signed_in_at"


def start(session) -> None:
    now = time.time()
    session[SIGNED_IN_AT] = now
    session[LAST_ACTIVITY] = now
