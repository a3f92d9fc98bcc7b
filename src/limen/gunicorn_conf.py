"""gunicorn hooks used by `limen serve`."""


def post_worker_init(worker):
    # Each worker retries the outbox; a thread started in the master would not
    # survive the fork. Several workers retrying at once is safe: delivery
    # locks the row it sends.
    from limen.notify import worker as outbox_worker

    outbox_worker.start()
