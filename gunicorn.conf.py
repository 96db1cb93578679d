"""Gunicorn settings for the web process (fly.toml: `gunicorn -c gunicorn.conf.py ...`).

Logs go out as JSON lines (app/server.py): the access log on stdout, with bearer tokens
redacted from paths, and the error log on stderr. Gunicorn's own error pages (a malformed
request, headers over the limit) carry the app's security headers: the threaded worker of
app/server.py writes them."""

logger_class = "app.server.JsonLogger"
worker_class = "app.server.Worker"
accesslog = "-"
errorlog = "-"
