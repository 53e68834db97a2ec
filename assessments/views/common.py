"""What every assessment view shares: the scoped round, the user's access, service errors."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from .. import selectors
from ..models import Round
from ..permissions import Access, access_for
from ..services import ConflictError


def load_round(request: HttpRequest, round_id: int) -> tuple[Round, Access]:
    """The round (404 unless the user may see its ward) and what the user may do on it."""
    round = selectors.get_round_for_user(user=request.user, round_id=round_id)
    return round, access_for(user=request.user, ward=round.ward, round=round)


def apply_service(form: forms.Form, service: Callable[..., Any], **kwargs) -> Any | None:
    """Call a service; put its rule errors on the form (by field where it names one).

    Returns the service's result, or None when it refused. ConflictError is re-raised so the
    view can show both versions.
    """
    try:
        return service(**kwargs)
    except ConflictError:
        raise
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return None
