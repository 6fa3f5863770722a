# Steward: front-end assets from the npm registry, then a slim Python image running as a non-root user.
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund --omit=dev
COPY scripts/vendor-assets.sh scripts/
RUN mkdir -p app/static && sh scripts/vendor-assets.sh

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    STEWARD_ENVIRONMENT=production
WORKDIR /srv/steward
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
RUN pip install --no-cache-dir -e . && useradd --system --uid 10001 --home /srv/steward steward \
    && mkdir -p var checkpoints && chown steward var checkpoints
COPY --from=assets /src/app/static/vendor ./app/static/vendor
USER steward
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
# Migrations first, then the web server (and the job worker in the same process; run
# `steward worker` in its own container and pass --no-worker to scale them apart).
CMD ["sh", "-c", "steward db upgrade && exec steward run --host 0.0.0.0 --port 8000"]
