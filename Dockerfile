# newsdesk: the app (`newsdesk serve`), workers (`newsdesk worker`), the scheduler, or `watch`.
# Build: docker build -t newsdesk .   Run everything: docker compose up (see compose.yaml, README).
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
# Wheels for newsdesk and every dependency (with the PostgreSQL driver and the job queue), built
# here so the final image carries no compilers or build caches.
RUN pip wheel --no-cache-dir --wheel-dir /wheels ".[postgres]"

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    NEWSDESK_DIR=/newsroom \
    NEWSDESK_LOG_FORMAT=json
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels "newsdesk[postgres]" && rm -rf /wheels
COPY deploy/make_keys.py /usr/local/share/newsdesk/make_keys.py
# A user of its own, never root; /newsroom (newsdesk.toml, the published site, the signing key)
# is its folder, so a named volume mounted there starts out writable by it.
RUN useradd --system --uid 10001 --user-group --home-dir /newsroom --no-create-home newsdesk \
    && mkdir -p /newsroom \
    && chown newsdesk:newsdesk /newsroom
USER newsdesk
WORKDIR /newsroom
VOLUME ["/newsroom"]
EXPOSE 8000
ENTRYPOINT ["newsdesk"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
