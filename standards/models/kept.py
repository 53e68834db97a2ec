from django.db import models


class ReadingsVersion(models.Model):
    """How many times what a trust's kept (cached) pages read has changed: bumped in the same
    transaction as every such change (standards/kept.py). Scope 0 counts the changes every
    trust reads (the standards catalogue, the national measures); any other scope is a trust's
    id. Not a foreign key, so that no trust's deletion waits on it."""

    scope = models.PositiveBigIntegerField(primary_key=True)
    version = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.scope}: {self.version}"
