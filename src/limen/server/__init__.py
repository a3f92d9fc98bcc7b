"""The production server's own pieces (`limen serve`): an asyncio worker for gunicorn that runs
Django's WSGI application in a thread pool and lets waiting requests wait without a thread."""
