#!/usr/bin/env bash
# `make restore BACKUP=backups/<time>`: put back the database and the private files from a
# folder made by `make backup`. Stop the web, worker and beat processes first. The database's
# tables are replaced in one transaction (nothing changes if it fails); the private files now in
# place are kept beside the restored ones as <folder>.before-restore-<time>, never deleted.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f .env ]; then set -a; . ./.env; set +a; fi
backup="${1:-}"
if [ -z "$backup" ] || [ ! -d "$backup" ]; then
  echo "Say which backup to restore: make restore BACKUP=backups/<time>" >&2; exit 2
fi
: "${DATABASE_URL:?Set DATABASE_URL to the PostgreSQL database to restore into}"
case "$DATABASE_URL" in
  postgres://* | postgresql://*) ;;
  *) echo "make restore needs PostgreSQL: DATABASE_URL is not a postgres:// address." >&2; exit 2 ;;
esac
(cd "$backup" && sha256sum --check --quiet SHA256SUMS) || {
  echo "$backup does not match its checksums: not restoring it." >&2; exit 1
}
private="${PRIVATE_STORAGE_ROOT:-./var/private}"
pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction \
  --exit-on-error --dbname="$DATABASE_URL" "$backup/database.dump"
staging="$(mktemp -d "${private%/}.restoring-XXXXXX")"
tar -C "$staging" -xzf "$backup/private.tar.gz"
if [ -d "$private" ]; then mv "$private" "${private%/}.before-restore-$(date -u +%Y%m%dT%H%M%SZ)"; fi
mv "$staging" "$private"
chmod 750 "$private"
echo "Restored the database and the private files from $backup"
