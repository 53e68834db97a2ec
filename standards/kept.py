"""Kept (cached) pages versioned per trust, by construction (docs/decisions/0026).

A kept read (the trust dashboard, the trust trend, the header's task count) is keyed by the
version of the trust it shows and the version every trust shares (scope 0: the standards
catalogue, the national measures). A version is a row of `ReadingsVersion`, moved on by one in
the same transaction as the change, so a reader never sees a change under an old version.

Two ways in, so that no write path has to remember the tables a page reads:
- the history helpers every service already calls (assessments.services.common.record,
  standards.people.record, the measures' and process changes' history) call `bump`;
- every model a kept page reads is registered here (`register`), and its saves, deletes and
  many-to-many changes bump its trust's version by model signals, whatever wrote them: a
  service, the admin, a fixture, a shell. Bulk `QuerySet.update()` and `bulk_create` send no
  signals: the few that touch such a model call `bump` themselves (or are followed by a
  history record that does).
Models kept pages read that are not trust data, or never change what a kept page shows, are
named with a reason (`not_kept`); tests/reports/test_kept_versions.py fails on any table a kept
page reads that is in neither list.
"""

import uuid
from collections.abc import Callable, Iterable

from django.db import models
from django.db.models import Count, F, Sum
from django.db.models.signals import m2m_changed, post_delete, post_save

from .models import ReadingsVersion

# The scope every trust reads: the catalogue and the national measures.
EVERY_TRUST = 0

# How a registered model names the trusts a row belongs to: a path to the trust ("ward__site__
# trust", whose first step is a foreign key of the model), None for data every trust reads, or a
# function of the row giving trust ids (a list, or a query of ids).
Resolver = str | None | Callable[[models.Model], object]

_registered: dict[type[models.Model], Resolver] = {}
# Fields whose saves alone change nothing a kept page shows (a person's last sign-in).
_ignored_fields: dict[type[models.Model], frozenset[str]] = {}
_not_kept: dict[str, str] = {}


def bump(trust_ids) -> None:
    """Move on the version of these trusts (ids, or a query of ids; EVERY_TRUST for data every
    trust reads) in the caller's transaction: one UPDATE, whose row lock also orders writers."""
    if not isinstance(trust_ids, models.QuerySet):
        trust_ids = [t for t in trust_ids if t is not None]
        if not trust_ids:
            return
    ReadingsVersion.objects.filter(scope__in=trust_ids).update(version=F("version") + 1)


def ensure_versions(*scopes: int) -> None:
    """Rows for these scopes (a new trust gets its row when saved; this covers trusts loaded
    before the table existed or without signals)."""
    ReadingsVersion.objects.bulk_create(
        [ReadingsVersion(scope=s) for s in scopes], ignore_conflicts=True
    )


def versions_key(trust_id: int) -> str:
    """The version of what every trust reads and of this trust's readings, as a cache key part
    (one query of two primary-key lookups)."""
    rows = dict(
        ReadingsVersion.objects.filter(scope__in=[EVERY_TRUST, trust_id]).values_list(
            "scope", "version"
        )
    )
    if EVERY_TRUST not in rows or trust_id not in rows:
        return unversioned(trust_id)
    return f"{rows[EVERY_TRUST]}.{rows[trust_id]}"


def all_versions_key() -> str:
    """Every version at once (one query): moves whenever anything any kept page reads changes,
    for reads that span trusts (a person's task count)."""
    totals = ReadingsVersion.objects.aggregate(total=Sum("version"), rows=Count("scope"))
    return f"{totals['total'] or 0}.{totals['rows']}"


def unversioned(trust_id: int) -> str:
    """A key part for a trust without a version row (made before versions were kept, or its row
    lost): its rows are made now, and the key is one nobody reads again, so what is kept under
    it is never served."""
    ensure_versions(EVERY_TRUST, trust_id)
    return f"unversioned-{uuid.uuid4().hex}"


def trust_ids_of(instance: models.Model) -> object:
    """The trusts a row of a registered model belongs to: a list of ids or a query of them."""
    resolver = _registered[type(instance)._meta.concrete_model]
    if resolver is None:
        return [EVERY_TRUST]
    if callable(resolver):
        return resolver(instance)
    first, _, rest = resolver.partition("__")
    field = instance._meta.get_field(first)
    value = getattr(instance, field.attname)
    if value is None:
        return []
    if not rest:
        return [value]
    # One step by the foreign key's id, the rest in the UPDATE's subquery: no query of its own,
    # and it works after the row itself is deleted (its parents outlive it).
    return field.related_model._default_manager.filter(pk=value).values(rest)


def bump_for(instance: models.Model) -> None:
    bump(trust_ids_of(instance))


def _saved(sender, instance, update_fields=None, **kwargs) -> None:
    ignored = _ignored_fields.get(sender)
    if ignored and update_fields and set(update_fields) <= ignored:
        return
    bump_for(instance)


def _m2m(sender, instance, action, model, pk_set, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    concrete = type(instance)._meta.concrete_model
    if concrete in _registered:
        bump_for(instance)
    # The other side, when it is the registered one (reverse changes, clears).
    if model in _registered and model is not concrete and pk_set:
        for row in model._default_manager.filter(pk__in=pk_set):
            bump_for(row)


def register(
    model: type[models.Model], *, trust: Resolver, ignore_fields: Iterable[str] = ()
) -> None:
    """A model some kept page reads: its saves, deletes and many-to-many changes bump the
    version of the trusts `trust` names (None: every trust's). A save of only `ignore_fields`
    (fields no kept page shows) bumps nothing."""
    _registered[model] = trust
    if ignore_fields:
        _ignored_fields[model] = frozenset(ignore_fields)
    uid = f"kept:{model._meta.label}"
    post_save.connect(_saved, sender=model, weak=False, dispatch_uid=uid + ":save")
    post_delete.connect(_saved, sender=model, weak=False, dispatch_uid=uid + ":delete")
    for field in model._meta.local_many_to_many:
        m2m_changed.connect(
            _m2m, sender=field.remote_field.through, weak=False, dispatch_uid=uid + field.name
        )


def not_kept(model_or_table: type[models.Model] | str, *, reason: str) -> None:
    """A table kept pages read that needs no version of its own, and why."""
    table = model_or_table if isinstance(model_or_table, str) else model_or_table._meta.db_table
    _not_kept[table] = reason


def registered_tables() -> set[str]:
    """The tables whose changes bump a version: the registered models and their many-to-many
    tables."""
    tables = set()
    for model in _registered:
        tables.add(model._meta.db_table)
        tables.update(f.remote_field.through._meta.db_table for f in model._meta.many_to_many)
    return tables


def not_kept_tables() -> dict[str, str]:
    return dict(_not_kept)


def registered_models() -> Iterable[type[models.Model]]:
    return list(_registered)


not_kept(ReadingsVersion, reason="the versions themselves: what every kept key is made of")
