"""Forms for independent scoring: one commitment's standards a page, and the final submit."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.utils.html import format_html, format_html_join

from culture_of_care.nhsuk_forms import LongTextField
from standards.glossary import FirstUse, Term
from standards.models import Standard
from standards.selectors import rating_scale

from ..models import RATING_CHOICES, Rating
from ..services.scoring import NOT_SURE

# Used only when the catalogue has no rating scale loaded, so the page still works.
DEFAULT_LEVELS = [(str(level), label, "") for level, label in RATING_CHOICES] + [
    (NOT_SURE, "Not sure", "")
]


def rating_levels() -> list[tuple[str, str, str]]:
    """The scale as (answer, label, description): "0".."4" with their number, then Not sure."""
    levels = [(level.key, str(level), level.description) for level in rating_scale()]
    return levels or DEFAULT_LEVELS


def answer_for(rating: Rating | None) -> str:
    if rating is None:
        return ""
    return NOT_SURE if rating.level is None else str(rating.level)


def answer_name(standard: Standard) -> str:
    return f"answer-{standard.pk}"


def comment_name(standard: Standard) -> str:
    return f"comment-{standard.pk}"


def anonymous_name(standard: Standard) -> str:
    return f"anonymous-{standard.pk}"


def version_name(standard: Standard) -> str:
    return f"version-{standard.pk}"


def pillars_hint(standard: Standard) -> str:
    pillars = standard.pillars.all()
    if not pillars:
        return ""
    tags = format_html_join(
        " ", '<strong class="nhsuk-tag nhsuk-tag--blue">{}</strong>', ((p.title,) for p in pillars)
    )
    return format_html("Pillars: {}", tags)


@dataclass
class StandardRow:
    """What the page shows for one standard: its question, its comment, and their options."""

    standard: Standard
    answer: BoundField
    comment: BoundField
    anonymous: BoundField
    version: BoundField
    answer_options: dict[str, Any]
    # Terms of art this standard is the first on the page to use, explained beside it.
    terms: list[Term] = field(default_factory=list)


class CommitmentRatingsForm(forms.Form):
    """A rating (or Not sure) and an optional comment for each standard given.

    On a page, an unanswered standard is simply left for later. With ``require_answers``
    (autosave of one standard) the answer must be there. Without ``hints`` (autosave, which
    draws nothing) the standards' pillars are not read.
    """

    def __init__(
        self,
        *args: Any,
        standards: Iterable[Standard],
        ratings: dict[int, Rating],
        require_answers: bool = False,
        hints: bool = True,
        **kwargs: Any,
    ) -> None:
        # Ids equal to the names (answer-12), so error summary links and autosave find them.
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        levels = rating_levels()
        self.item_hints = {key: description for key, _, description in levels if description}
        self.standards = list(standards)
        for standard in self.standards:
            rating = ratings.get(standard.pk)
            message = f"Select a rating for {standard.code}"
            self.fields[answer_name(standard)] = forms.ChoiceField(
                label=f"{standard.code} {standard.text}",
                choices=[(key, label) for key, label, _ in levels],
                widget=forms.RadioSelect,
                required=require_answers,
                help_text=pillars_hint(standard) if hints else "",
                initial=answer_for(rating),
                error_messages={"required": message, "invalid_choice": message},
            )
            self.fields[comment_name(standard)] = LongTextField(
                what=f"Comment on {standard.code}",
                label=f"Comment on {standard.code} (optional)",
                required=False,
                strip=False,
                rows=3,
                initial=rating.comment if rating else "",
            )
            self.fields[anonymous_name(standard)] = forms.BooleanField(
                label="Share this comment without my name",
                required=False,
                initial=bool(rating and rating.share_without_name),
            )
            # The version this page saw (0: no answer yet), so a save never silently replaces
            # an answer changed meanwhile in another tab or window.
            self.fields[version_name(standard)] = forms.IntegerField(
                required=False,
                min_value=0,
                widget=forms.HiddenInput,
                initial=rating.version if rating else 0,
            )

    @property
    def rows(self) -> Iterator[StandardRow]:
        first_use = FirstUse()
        for standard in self.standards:
            yield StandardRow(
                standard=standard,
                answer=self[answer_name(standard)],
                comment=self[comment_name(standard)],
                anonymous=self[anonymous_name(standard)],
                version=self[version_name(standard)],
                answer_options={"label_size": "s", "item_hints": self.item_hints},
                terms=first_use.new_terms(standard.text),
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for standard in self.standards:
            name = answer_name(standard)
            if name in self.errors:
                continue
            # A comment needs a rating to be stored with; say so rather than lose it.
            if not cleaned.get(name) and cleaned.get(comment_name(standard), "").strip():
                self.add_error(
                    name, f"Select a rating for {standard.code}, or Not sure, to save your comment"
                )
        return cleaned

    def answers(self) -> list[tuple[Standard, str, str, bool, int | None]]:
        """(standard, answer, comment, share without name, version seen) for every standard
        answered without an error. A comment with an error (too long) holds back its answer
        too: saving the answer alone would replace the saved comment with nothing."""
        cleaned = getattr(self, "cleaned_data", {})
        return [
            (
                standard,
                cleaned[answer_name(standard)],
                cleaned.get(comment_name(standard), ""),
                bool(cleaned.get(anonymous_name(standard))),
                cleaned.get(version_name(standard)),
            )
            for standard in self.standards
            if cleaned.get(answer_name(standard))
            and answer_name(standard) not in self.errors
            and comment_name(standard) not in self.errors
        ]


class SubmitRatingsForm(forms.Form):
    """No questions: the button confirms. It carries the service's refusal, if any."""
