"""A requests transport that answers from the Django test client: client libraries (python-cas, Authlib)
talk to the in-process Limen through their own HTTP code, without a server.

    session = requests.Session()
    session.mount(settings.BASE_URL, InProcess(Client()))
"""

from __future__ import annotations

from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict


class InProcess(BaseAdapter):
    def __init__(self, client):
        super().__init__()
        self.client = client

    def send(self, request, **kwargs):
        parts = urlsplit(request.url)
        path = parts.path + ("?" + parts.query if parts.query else "")
        headers = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in request.headers.items()
                   if name.lower() not in {"content-type", "content-length", "host"}}
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        answer = self.client.generic(request.method, path, data=body,
                                     content_type=request.headers.get("Content-Type", ""),
                                     HTTP_HOST=parts.netloc, **headers)
        response = requests.Response()
        response.status_code = answer.status_code
        response._content = answer.content
        response.headers = CaseInsensitiveDict(dict(answer.items()))
        response.encoding = "utf-8"
        response.url = request.url
        response.request = request
        response.reason = answer.reason_phrase
        return response

    def close(self):
        pass
