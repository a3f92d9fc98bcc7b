"""For bench/serving/run.py only: Django behind a2wsgi's WSGIMiddleware (pip install a2wsgi), the
generic alternative to limen.server.bridge that the issue named."""

import os

from a2wsgi import WSGIMiddleware

from limen.wsgi import application as django_application

application = WSGIMiddleware(django_application, workers=int(os.environ.get("LIMEN_THREADS", "4")))
