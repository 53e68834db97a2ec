# One image for the web process (gunicorn) and the Celery worker and beat.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY scripts ./scripts
COPY static ./static
RUN npm run build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=culture_of_care.settings.production
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz-subset0 fonts-liberation curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements/production.txt ./requirements/
RUN pip install --no-cache-dir --require-hashes -r requirements/production.txt
COPY . .
COPY --from=assets /app/static/vendor ./static/vendor
RUN SECRET_KEY=build-only-not-secret-collectstatic-key-0123456789abcdef ALLOWED_HOSTS=build \
    python manage.py collectstatic --no-input \
 && useradd --system --home /app culture \
 && mkdir -p /app/var/private && chown -R culture /app/var
USER culture
EXPOSE 8000
CMD ["gunicorn", "culture_of_care.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
