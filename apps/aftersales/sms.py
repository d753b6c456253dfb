"""The SMS backends moved to apps.notifications.sms (every app may send one); the old
dotted paths (SMS_BACKEND=apps.aftersales.sms.FileBackend …) keep working."""

from apps.notifications.sms import (  # noqa: F401
    DEFAULT_BACKEND,
    BaseBackend,
    ConsoleBackend,
    FileBackend,
    HttpBackend,
    LocmemBackend,
    SmsError,
    get_backend,
)
