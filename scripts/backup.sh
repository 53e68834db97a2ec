#!/usr/bin/env bash
# `make backup`: the PostgreSQL database and the private files (evidence and reports) into one
# new folder, backups/<UTC time>/ (or BACKUP_DIR), with checksums. Safe while the site runs:
# pg_dump takes a consistent snapshot, and the files are copied after it, so every file the
# database refers to is in the archive. Restore with `make restore BACKUP=<folder>`.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f .env ]; then set -a; . ./.env; set +a; fi
: "${DATABASE_URL:?Set DATABASE_URL to the PostgreSQL database to back up}"
case "$DATABASE_URL" in
  postgres://* | postgresql://*) ;;
  *) echo "make backup needs PostgreSQL: DATABASE_URL is not a postgres:// address." >&2; exit 2 ;;
esac
private="${PRIVATE_STORAGE_ROOT:-./var/private}"
mkdir -p "$private"
dest="${BACKUP_DIR:-./backups}/$(date -u +%Y%m%dT%H%M%SZ)"
if [ -e "$dest" ]; then echo "$dest already exists: wait a second and try again." >&2; exit 1; fi
mkdir -p "$dest"
pg_dump --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL" \
  --file="$dest/database.dump"
tar -C "$private" -czf "$dest/private.tar.gz" .
(cd "$dest" && sha256sum database.dump private.tar.gz > SHA256SUMS)
echo "Backed up the database and the private files to $dest"
