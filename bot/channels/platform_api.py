"""Asynchronous calls to a messaging platform's HTTP API, without leaking secrets or content."""
from __future__ import annotations

import asyncio
from typing import Any, Dict, Mapping, Optional

import aiohttp

TIMEOUT_SECONDS = 15


class PlatformError(RuntimeError):
    """A platform API call failed; the message names the platform and status, never the content."""

    def __init__(self, message: str, answer: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(message)
        self.answer = answer or {}  # the platform's error document, for a command to show


class PlatformApi:
    """One platform's API at a configurable base URL, over one aiohttp session opened on first use."""

    def __init__(self, platform: str, base_url: str, auth: Optional[aiohttp.BasicAuth] = None) -> None:
        self.platform = platform
        self.base_url = base_url.rstrip("/")
        self._auth = auth
        self._session: Optional[aiohttp.ClientSession] = None

    def _open_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                auth=self._auth, timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS),
            )
        return self._session

    async def post(
        self, path: str, *, json: Any = None, form: Optional[Mapping[str, str]] = None,
        params: Optional[Mapping[str, str]] = None,
    ) -> Dict[str, Any]:
        """POST to base URL + `path`; the decoded JSON answer, or PlatformError."""
        try:
            async with self._open_session().post(
                self.base_url + path, json=json, data=form, params=params,
            ) as response:
                status = response.status
                try:
                    answer = await response.json(content_type=None)
                except ValueError:
                    answer = None
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            # The URL may hold a token (Telegram), so only the error's kind is kept.
            raise PlatformError(f"{self.platform} API unreachable ({type(error).__name__})") from None
        if status >= 300 or not isinstance(answer, dict):
            raise PlatformError(f"{self.platform} API answered HTTP {status}", answer if isinstance(answer, dict) else None)
        return answer

    async def close(self) -> None:
        """Close the session (at server stop, or at the end of a command)."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
