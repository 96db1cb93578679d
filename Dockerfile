# The image Fly runs (fly.toml): the web process by default, the worker and the release command
# with fly.toml's command lines. Dependencies come only from requirements.lock, pinned and hashed.
FROM python:3.11-slim

# WeasyPrint (PDF documents) lays text out with Pango and needs a font to draw it with.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fontconfig \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /srv/plenum

# A layer of its own: a change to the code alone reuses the installed dependencies.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

# The app runs from this folder (migrations, policies and gunicorn.conf.py are read from it);
# the editable install only registers it, with nothing but what the lock installed and the
# image's own setuptools (no build isolation: nothing is fetched unpinned to build it).
COPY . .
RUN pip install --no-deps --no-build-isolation -e . \
    && useradd --system --user-group --no-create-home --home-dir /srv/plenum plenum

# Started as root only to hand the files volume to `plenum`; every process runs as `plenum`.
ENTRYPOINT ["/srv/plenum/bin/container-start"]
EXPOSE 8080
CMD ["gunicorn", "-c", "gunicorn.conf.py", "--bind", "0.0.0.0:8080", "--workers", "2", \
     "--threads", "4", "app:create_app()"]
