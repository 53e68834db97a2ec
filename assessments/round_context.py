"""What other apps add to a round's pages, without this app importing them.

The code reads reports -> assessments -> standards, yet the agreeing pages show context that
reports works out (a ward's measures beside its last signed assessment, issue 13). Reports
registers a provider when it starts (reports/apps.py); the pages ask for it here.
"""

from collections.abc import Callable

from .models import Round

AgreeingProvider = Callable[[Round], dict]

_agreeing: list[AgreeingProvider] = []


def register_agreeing(provider: AgreeingProvider) -> None:
    """Add to the agreeing pages' context: ``provider(round)`` returns template variables."""
    if provider not in _agreeing:
        _agreeing.append(provider)


def agreeing(round: Round) -> dict:
    context: dict = {}
    for provider in _agreeing:
        context.update(provider(round))
    return context
