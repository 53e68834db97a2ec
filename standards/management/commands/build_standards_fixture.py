import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.text import slugify

EPOCH = "2024-01-01T00:00:00Z"


class Command(BaseCommand):
    help = "Turn the source standards data into the Django fixture committed in fixtures/."

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path)
        parser.add_argument(
            "--output", type=Path, default=Path("fixtures/culture-of-care-standards.json")
        )

    def handle(self, *args, source: Path, output: Path, **options):
        data = json.loads(source.read_text(encoding="utf-8"))
        framework = data["framework"]
        objects: list[dict] = []
        pillar_pks = {}
        for pk, pillar in enumerate(data["pillars"], start=1):
            pillar_pks[pillar["slug"]] = pk
            objects.append(
                {
                    "model": "standards.pillar",
                    "pk": pk,
                    "fields": {"slug": pillar["slug"], "title": pillar["title"], "position": pk},
                }
            )
        for position, level in enumerate(data["rating_scale"]):
            objects.append(
                {
                    "model": "standards.ratinglevel",
                    "pk": str(level["value"]),
                    "fields": {
                        "level": level["value"],
                        "label": level["label"],
                        "description": level["description"],
                        "position": position,
                    },
                }
            )
        objects.append(
            {
                "model": "standards.ratinglevel",
                "pk": "not-sure",
                "fields": {
                    "level": None,
                    "label": data["rating_not_sure"]["label"],
                    "description": data["rating_not_sure"]["description"],
                    "position": len(data["rating_scale"]),
                },
            }
        )
        objects.append(
            {
                "model": "standards.frameworkedition",
                "pk": 1,
                "fields": {
                    "slug": framework["slug"],
                    "title": framework["title"],
                    "edition": framework["edition"],
                    "publisher": framework["publisher"],
                    "published": framework["published"],
                    "source_url": framework["source_url"],
                    "wording_note": framework["wording_note"],
                    "vision": framework["vision"],
                    "created_at": EPOCH,
                },
            }
        )
        standard_pk = 0
        for commitment in data["commitments"]:
            objects.append(
                {
                    "model": "standards.commitment",
                    "pk": commitment["number"],
                    "fields": {
                        "edition": 1,
                        "number": commitment["number"],
                        "slug": commitment.get("slug") or slugify(commitment["title"]),
                        "title": commitment["title"],
                        "headline": commitment["headline"],
                        "statement": commitment["statement"],
                    },
                }
            )
            for position, standard in enumerate(commitment["standards"]):
                standard_pk += 1
                objects.append(
                    {
                        "model": "standards.standard",
                        "pk": standard_pk,
                        "fields": {
                            "edition": 1,
                            "commitment": commitment["number"],
                            "code": standard["code"],
                            "text": standard["text"],
                            "pillars": [pillar_pks[p] for p in standard["pillars"]],
                            "position": position,
                        },
                    }
                )
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(
            json.dumps(objects, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        self.stdout.write(f"Wrote {len(objects)} objects to {output}")
