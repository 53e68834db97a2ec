"""An ``nhsuk`` template pack for django-crispy-forms, rendering NHS.UK frontend v10 markup.

The templates live in ``templates/nhsuk/``; this package holds the Python side: layout
objects that carry NHS-specific options (legend size, page heading, button variants), the
day/month/year date input widget and field, and a textarea field whose length limit is stated.

The error summary is drawn at the top of each crispy-rendered form. A page that needs it
elsewhere (above a page heading outside the form) sets ``helper.show_error_summary = False``
and places ``{{ form|as_crispy_errors }}`` itself.
"""

from .fields import DateInputField, LongTextField
from .layout import Button, Field, Fieldset
from .widgets import DateInputWidget

__all__ = [
    "Button",
    "DateInputField",
    "DateInputWidget",
    "Field",
    "Fieldset",
    "LongTextField",
]
