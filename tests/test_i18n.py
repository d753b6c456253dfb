"""The product's text is English with a complete Simplified Chinese translation."""

from pathlib import Path

import polib
import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# One catalog per app (apps/<app>/locale) and one for templates/ and dealersales/.
CATALOGS = [ROOT / "locale"] + sorted(
    p / "locale" for p in (ROOT / "apps").iterdir() if (p / "apps.py").exists()
)


@pytest.mark.parametrize("locale", CATALOGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_string_is_translated_and_compiled(locale):
    po_path = locale / "zh_Hans" / "LC_MESSAGES" / "django.po"
    assert po_path.exists(), "run bin/messages"
    po = polib.pofile(str(po_path))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, untranslated
    assert not fuzzy, fuzzy
    mo = polib.mofile(str(po_path.with_suffix(".mo")))
    assert {e.msgid for e in mo} == {e.msgid for e in po.translated_entries()}, "run bin/messages"


@pytest.mark.django_db
def test_the_login_page_speaks_chinese_when_asked(client):
    html = client.get("/login/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "登录" in html and "汽车4S店销售管理系统" in html


@pytest.mark.django_db
def test_a_users_language_is_kept_and_wins_over_the_browser(client_as, manager):
    client = client_as(manager)
    response = client.post("/language/", {"language": "zh-hans", "next": "/catalog/"})
    assert response.status_code == 302 and response["Location"] == "/catalog/"
    manager.refresh_from_db()
    assert manager.language == "zh-hans"
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "销售经理" in html
    assert client.post("/language/", {"language": "xx"}).status_code == 400
    assert client.post("/language/", {"language": "en", "next": "https://evil.example/"})["Location"] == "/"
