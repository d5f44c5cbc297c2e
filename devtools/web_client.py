"""A tiny HTTP client for the dashboard (the bench and the screenshots): sign in with the
login page's CSRF cookie, keep the session cookie, read pages. Standard library only."""

from __future__ import annotations

import http.client
import re
import urllib.parse


class DashboardClient:
    def __init__(self, host: str, port: int, source: str = "") -> None:
        """``source``: the local address to send from (a 127.0.0.x for a crowd of clients)."""
        self.host, self.port = host, port
        self.conn = http.client.HTTPConnection(
            host, port, timeout=30, source_address=(source, 0) if source else None
        )
        self.cookies: dict[str, str] = {}

    def _headers(self) -> dict[str, str]:
        return {"cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}

    def request(self, method: str, path: str, body: dict[str, str] | None = None) -> tuple[int, str]:
        headers = self._headers()
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["content-type"] = "application/x-www-form-urlencoded"
            headers["origin"] = f"http://{self.host}:{self.port}"  # as the dashboard's own page
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self.conn.close()  # an idle keep-alive connection the server closed: once more, anew
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
        text = response.read().decode()
        for value in response.headers.get_all("set-cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0].strip('"')
        return response.status, text

    def sign_in(self, staff_id: str, password: str) -> None:
        _status, page = self.request("GET", "/login")
        match = re.search(r'name="csrf" value="([^"]+)"', page)
        token = match.group(1) if match else ""
        status, _ = self.request(
            "POST", "/login", {"staff_id": staff_id, "password": password, "csrf": token}
        )
        if status != 303:
            raise RuntimeError(f"sign-in as {staff_id} answered {status}")

    @property
    def cookie_header(self) -> str:
        return self._headers().get("cookie", "")

    def close(self) -> None:
        self.conn.close()
