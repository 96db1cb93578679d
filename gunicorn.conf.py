"""Gunicorn settings for the web process (fly.toml: `gunicorn -c gunicorn.conf.py ...`).

The access log goes to stdout through a logger that redacts bearer tokens from request lines,
paths, query strings and referrers (see app/access_log.py)."""

logger_class = "app.access_log.RedactingLogger"
accesslog = "-"
