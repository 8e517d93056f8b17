# Production image: one Daphne process serving HTTP, WebSocket and static files.
# Configure with environment variables (see README "Production"); run migrations with
#   docker run --rm --env-file prod.env inkwell python manage.py migrate
# Scheduled posts are published by a second container of the same image (one is enough):
#   docker run -d --env-file prod.env inkwell python manage.py run_scheduler
# or, with cron instead, every minute: docker run --rm --env-file prod.env inkwell python manage.py publish_scheduled
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STATE_DIR=/var/lib/inkwell \
    PORT=8000

RUN useradd --system --uid 10001 --home-dir /app inkwell \
    && mkdir -p /var/lib/inkwell/media && chown -R inkwell /var/lib/inkwell

WORKDIR /app

# Dependencies first: this layer is reused until requirements.txt changes.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=inkwell . .

# Hashed, compressed static files, served by WhiteNoise. The throwaway key only runs collectstatic.
RUN SECRET_KEY=collectstatic-only STATE_DIR=/tmp/collectstatic python manage.py collectstatic --noinput \
    && rm -rf /tmp/collectstatic

USER inkwell
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=6s --start-period=20s --retries=3 \
    CMD ["python", "-m", "config.container_healthcheck"]

CMD ["sh", "-c", "exec python -m config.serve --bind 0.0.0.0 --port \"$PORT\" --proxy-headers --ping-interval 20 config.asgi:application"]
