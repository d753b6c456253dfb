# DealerSales production image: gunicorn serves the web tier; the same image runs
# the Celery worker and beat (docker-compose.yml).
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VAR_DIR=/var/lib/dealersales STATIC_MANIFEST=true
# Pango, HarfBuzz and a CJK font: WeasyPrint renders the store month's PDF with them.
RUN apt-get update && apt-get install -y --no-install-recommends gettext curl \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --home-dir /app dealersales
WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY --from=assets /src/node_modules ./node_modules
COPY . .
# collectstatic needs a key only to import settings; the real one comes from the environment.
RUN python bin/compilemessages \
 && SECRET_KEY=build-only-key-that-is-long-enough-for-the-settings-check-000000 \
    python manage.py collectstatic --noinput \
 && mkdir -p $VAR_DIR && chown -R dealersales $VAR_DIR
USER dealersales
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD curl -fsS http://127.0.0.1:8000/login/ || exit 1
CMD ["gunicorn", "dealersales.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
