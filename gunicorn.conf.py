"""gunicorn settings for the web container (docker-compose: gunicorn --config gunicorn.conf.py).

Read as Python by gunicorn; every value can be overridden with GUNICORN_CMD_ARGS.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
# Long work (large imports) runs in Celery; no request should come near this.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))

accesslog = "-"
# No query string (%(q)s, or %(r)s which contains it) and no Referer (%(f)s, the previous page's
# address with its query): admin searches and filters carry requesters' names, phone numbers and
# e-mail addresses, which must not end up in logs kept outside the database.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'
