"""SMS backends, in the way Django's e-mail backends work.

`get_backend()` reads `settings.SMS_BACKEND` at call time (a dotted path, default the
console). A backend's `send(mobile, text)` returns the gateway's message id or raises
SmsError; the caller logs every message with its status.

- ConsoleBackend: prints to stdout (development, the quick start).
- FileBackend: appends one line per message to var/sms/YYYY-MM-DD.log (SMS_FILE_PATH).
- HttpBackend: POSTs JSON {"mobile", "text", "sign"} to SMS_HTTP_URL with a timeout
  (SMS_HTTP_TIMEOUT seconds, default 5) and retries (SMS_HTTP_RETRIES, default 2).
- LocmemBackend: keeps messages in `outbox` (tests).
"""

import json
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, ClassVar, TextIO

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

DEFAULT_BACKEND = "apps.notifications.sms.ConsoleBackend"


class SmsError(Exception):
    """The message could not be sent; the text says why."""


class BaseBackend:
    name = "base"

    def send(self, mobile: str, text: str) -> str:
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    name = "console"

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def send(self, mobile: str, text: str) -> str:
        self.stream.write(f"SMS to {mobile}: {text}\n")
        self.stream.flush()
        return ""


class FileBackend(BaseBackend):
    name = "file"

    def __init__(self, path: str | Path | None = None) -> None:
        default = Path(getattr(settings, "VAR_DIR", settings.BASE_DIR / "var")) / "sms"
        self.path = Path(str(path or getattr(settings, "SMS_FILE_PATH", default)))

    def send(self, mobile: str, text: str) -> str:
        self.path.mkdir(parents=True, exist_ok=True)
        now = timezone.localtime()
        with open(self.path / f"{now:%Y-%m-%d}.log", "a", encoding="utf-8") as out:
            out.write(
                json.dumps({"at": now.isoformat(), "mobile": mobile, "text": text}, ensure_ascii=False) + "\n"
            )
        return ""


class HttpBackend(BaseBackend):
    """A JSON gateway; network errors and 5xx are retried, a 4xx is final."""

    name = "http"

    def __init__(
        self, url: str | None = None, timeout: float | None = None, retries: int | None = None
    ) -> None:
        self.url = url or getattr(settings, "SMS_HTTP_URL", "")
        self.timeout = timeout if timeout is not None else float(getattr(settings, "SMS_HTTP_TIMEOUT", 5))
        self.retries = retries if retries is not None else int(getattr(settings, "SMS_HTTP_RETRIES", 2))
        self.sign = getattr(settings, "SMS_HTTP_SIGN", "DealerSales")

    def send(self, mobile: str, text: str) -> str:
        if not self.url:
            raise SmsError("SMS_HTTP_URL is not set")
        body = json.dumps({"mobile": mobile, "text": text, "sign": self.sign}).encode()
        last = ""
        for attempt in range(self.retries + 1):
            request = urllib.request.Request(  # noqa: S310 (the URL is the operator's setting)
                self.url, data=body, headers={"Content-Type": "application/json"}, method="POST"
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    answer: Any = json.loads(response.read() or b"{}")
                    return str(answer.get("id", "")) if isinstance(answer, dict) else ""
            except urllib.error.HTTPError as exc:
                last = f"HTTP {exc.code}"
                if exc.code < 500:
                    break
            except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
                last = str(getattr(exc, "reason", exc))
            if attempt < self.retries:
                time.sleep(min(0.2 * 2**attempt, 2))
        raise SmsError(last or "gateway error")


class LocmemBackend(BaseBackend):
    name = "locmem"
    outbox: ClassVar[list[tuple[str, str]]] = []

    def send(self, mobile: str, text: str) -> str:
        LocmemBackend.outbox.append((mobile, text))
        return str(len(LocmemBackend.outbox))


def get_backend(path: str | None = None) -> BaseBackend:
    backend: BaseBackend = import_string(str(path or getattr(settings, "SMS_BACKEND", DEFAULT_BACKEND)))()
    return backend


def in_quiet_hours(moment: Any) -> bool:
    """No SMS between SMS_QUIET_HOURS[0]:00 and [1]:00 local time (default 21–9)."""
    start, end = getattr(settings, "SMS_QUIET_HOURS", (21, 9))
    hour = timezone.localtime(moment).hour
    return bool((hour >= start or hour < end) if start > end else start <= hour < end)
