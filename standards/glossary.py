"""Plain-words definitions of the terms of art the standards use, and which standards touch
on subjects that may be hard to read. Shown on the glossary page and beside a standard the
first time a page uses a term."""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    name: str
    definition: str
    # Lower-case words or phrases that mean this term in a standard's text.
    matches: tuple[str, ...]

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


GLOSSARY: tuple[Term, ...] = (
    Term(
        "Anti-racist",
        "Actively finding and removing racism in how care is given and how the ward is run, "
        "not only avoiding racist acts.",
        ("anti-racist",),
    ),
    Term(
        "Autism-informed",
        "Care that understands how autistic people experience the world, for example noise, "
        "light, change and communication, and adapts to it.",
        ("autism-informed",),
    ),
    Term(
        "Co-production",
        "People who use services, their families and carers working as equal partners with "
        "staff to design, run and improve them, from the start rather than being asked at "
        "the end.",
        ("co-production", "co-producing", "co-produced"),
    ),
    Term(
        "Culturally competent",
        "Care that respects and responds to each person's culture, faith, language and background.",
        ("culturally competent", "cultural competence"),
    ),
    Term(
        "De-escalation",
        "Calming a tense situation by talking, listening and giving space, so that nobody "
        "needs to be held or restricted.",
        ("de-escalation",),
    ),
    Term(
        "Duty of candour",
        "The legal duty to be open and honest with people and their families when something "
        "goes wrong in their care: telling them, apologising and explaining what happens next.",
        ("duty of candour",),
    ),
    Term(
        "Long-term segregation",
        "Keeping a person apart from others on the ward for a long period, usually because "
        "of the risk to others. It needs independent oversight and a plan to end it.",
        ("long-term segregation",),
    ),
    Term(
        "Patient and Carer Race Equality Framework (PCREF)",
        "NHS England's framework for mental health services to reduce racial inequalities in "
        "access, experience and outcomes, with patients and carers involved.",
        ("patient and carer race equality framework",),
    ),
    Term(
        "Pillars",
        "The three themes that run through all the standards: trauma-informed, "
        "autism-informed, and anti-racist and culturally competent care. A standard's "
        "pillars show which of them it is most about.",
        ("pillars",),
    ),
    Term(
        "Positive behaviour support",
        "An approach that tries to understand why someone's behaviour happens and changes "
        "their surroundings and support so they need it less, rather than punishing it.",
        ("positive behaviour support",),
    ),
    Term(
        "Rapid tranquillisation",
        "Medicine given, sometimes by injection and without the person's agreement, to calm "
        "them quickly when they are very distressed.",
        ("rapid tranquillisation",),
    ),
    Term(
        "Reasonable adjustments",
        "Changes the service must make so that disabled people, including autistic people "
        "and people with a learning disability, can use it as well as anyone else.",
        ("reasonable adjustments",),
    ),
    Term(
        "Restraint",
        "Holding a person, or stopping them moving, to prevent harm. Prone restraint means "
        "holding someone face down.",
        ("restraint",),
    ),
    Term(
        "Restrictive practice",
        "Anything that limits a person's freedom to keep them or others safe: restraint, "
        "seclusion, rapid tranquillisation, locked doors, blanket rules.",
        ("restrictive practice",),
    ),
    Term(
        "Safewards",
        "A set of ten simple ward practices, such as agreed mutual expectations and "
        "reassurance after incidents, shown to reduce conflict and the need for containment.",
        ("safewards",),
    ),
    Term(
        "Seclusion",
        "Keeping a person alone in a room they cannot leave, to manage severe distress that "
        "puts others at risk.",
        ("seclusion",),
    ),
    Term(
        "Sensory regulation",
        "Helping a person manage what they see, hear and feel, for example with quiet space, "
        "weighted items or dimmed lights, so they stay calm.",
        ("sensory regulation", "sensory-friendly"),
    ),
    Term(
        "Shared formulation",
        "A shared understanding, written with the person, of what has happened to them, why "
        "they are struggling now and what helps. It guides their care plan.",
        ("shared formulation",),
    ),
    Term(
        "Trauma-informed",
        "Care that assumes anyone may have lived through trauma, and avoids anything that "
        "could re-traumatise them, such as being held, shouted at or not believed.",
        ("trauma-informed",),
    ),
)


def terms_in(text: str) -> list[Term]:
    """The glossary terms a text uses, in glossary order."""
    lowered = text.lower()
    return [term for term in GLOSSARY if any(m in lowered for m in term.matches)]


class FirstUse:
    """Tracks the terms already defined on a page, so each is explained once, where first used."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def new_terms(self, text: str) -> list[Term]:
        fresh = [term for term in terms_in(text) if term.name not in self.seen]
        self.seen.update(term.name for term in fresh)
        return fresh


# Subjects that can be hard to read about, for people with lived experience of them above all.
CONTENT_NOTE_TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("restraint", ("restraint", "restrictive practice")),
    ("seclusion and segregation", ("seclusion", "segregation")),
    ("rapid tranquillisation", ("rapid tranquillisation",)),
    ("sexual safety and harm", ("sexual",)),
    ("racism and discrimination", ("racism", "racist", "discrimination")),
)


def content_note_topics(texts) -> list[str]:
    """Which hard subjects a set of standards' texts deal with, in a fixed order."""
    joined = " ".join(texts).lower()
    return [topic for topic, words in CONTENT_NOTE_TOPICS if any(w in joined for w in words)]
