"""Internationalisation: the catalogues are complete, the pages switch language and direction."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from homecoming.accounts.choices import Role
from homecoming.core.jobs import job_create
from homecoming.core.models import Job
from homecoming.core.tasks import AUDIT_VERIFY_KIND, audit_verify_chain_job
from homecoming.core.testing.factories import AgencyFactory, user_with_role

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
TRANSLATED = [code for code, _ in settings.LANGUAGES if code != "en"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@dataclass
class PoEntry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def _unquote(text: str) -> str:
    return text.strip()[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")


def parse_po(path: Path) -> list[PoEntry]:
    """The live entries of a .po file (obsolete ones skipped), header included."""
    entries: list[PoEntry] = []
    entry = PoEntry()
    target: str | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            if target is not None:
                entries.append(entry)
            entry, target = PoEntry(), None
            continue
        if line.startswith("#,"):
            entry.flags |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid_plural "):
            entry.msgid_plural, target = _unquote(line[13:]), "msgid_plural"
        elif line.startswith("msgid "):
            entry.msgid, entry.line, target = _unquote(line[6:]), number, "msgid"
        elif line.startswith("msgstr"):
            entry.msgstr.append(_unquote(line.split(" ", 1)[1]))
            target = "msgstr"
        elif line.startswith('"') and target == "msgid":
            entry.msgid += _unquote(line)
        elif line.startswith('"') and target == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + _unquote(line)
        elif line.startswith('"') and target == "msgstr":
            entry.msgstr[-1] += _unquote(line)
    if target is not None:
        entries.append(entry)
    return entries


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogues():
    """Compile .po to .mo when a catalogue is newer (the .mo files are build output, not committed)."""
    stale = [
        po
        for po in LOCALE_DIR.glob("*/LC_MESSAGES/django.po")
        if not po.with_suffix(".mo").exists() or po.stat().st_mtime > po.with_suffix(".mo").stat().st_mtime
    ]
    if stale:
        call_command("compilemessages", locale=[p.parent.parent.name for p in stale], verbosity=0, ignore=[".venv"])
        trans_real._translations = {}  # type: ignore[attr-defined]
        trans_real._default = None  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def back_to_the_default_language():
    """The test client leaves the last request's language active in this thread: do not leak it."""
    yield
    translation.deactivate()


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_is_translated_and_none_is_fuzzy(code: str) -> None:
    path = LOCALE_DIR / code / "LC_MESSAGES" / "django.po"
    entries = parse_po(path)
    header, messages = entries[0], entries[1:]
    assert header.msgid == ""
    assert f"Language: {code}" in header.msgstr[0]
    assert len(messages) > 100
    untranslated = [f"{path.name}:{e.line} {e.msgid!r}" for e in messages if not all(e.msgstr)]
    fuzzy = [f"{path.name}:{e.line} {e.msgid!r}" for e in messages if "fuzzy" in e.flags]
    assert not untranslated, f"{code}: untranslated: {untranslated[:20]}"
    assert not fuzzy, f"{code}: fuzzy: {fuzzy[:20]}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_the_named_placeholders(code: str) -> None:
    problems = []
    for e in parse_po(LOCALE_DIR / code / "LC_MESSAGES" / "django.po")[1:]:
        wanted = set(PLACEHOLDER.findall(e.msgid)) | set(PLACEHOLDER.findall(e.msgid_plural or ""))
        for form in filter(None, e.msgstr):  # untranslated entries are the other test's business
            used = set(PLACEHOLDER.findall(form))
            if not used <= wanted or (e.msgid_plural is None and used != wanted):
                problems.append(f"{e.line}: {e.msgid!r} -> {form!r}")
    assert not problems, f"{code}: {problems[:20]}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_tajik_russian_and_arabic_are_written_in_their_own_scripts(code: str) -> None:
    texts = " ".join(" ".join(e.msgstr) for e in parse_po(LOCALE_DIR / code / "LC_MESSAGES" / "django.po")[1:])
    if code == "ar":
        assert len(re.findall(r"[\u0600-\u06FF]", texts)) > 1000
    else:
        assert len(re.findall(r"[\u0400-\u04FF]", texts)) > 1000
    if code == "tg":  # the letters that Tajik has and Russian does not
        assert all(letter in texts for letter in "ғӣқӯҳҷ")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "direction", "welcome", "css"),
    [
        ("ar", "rtl", "مرحبًا، Malika", "bootstrap.rtl.min.css"),
        ("ru", "ltr", "Здравствуйте, Malika", "bootstrap.min.css"),
        ("tg", "ltr", "Хуш омадед, Malika", "bootstrap.min.css"),
        ("en", "ltr", "Welcome, Malika", "bootstrap.min.css"),
    ],
)
def test_the_start_page_follows_the_language_cookie(
    client: Client, code: str, direction: str, welcome: str, css: str
) -> None:
    user = user_with_role(Role.CASE_WORKER, AgencyFactory(name="Child Protection Agency"), "malika")
    user.first_name = "Malika"
    user.save()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
    text = client.get("/").content.decode()
    assert f'<html lang="{code}" dir="{direction}">' in text
    assert welcome in text
    assert css in text
    if code == "ar":
        assert "bootstrap.min.css" not in text
        assert "أخصائي حالات" in text  # the role, in Arabic
    if code == "ru":
        assert "Задания" in text  # the navigation, in Russian


@pytest.mark.django_db
def test_the_language_selector_switches_to_arabic(client: Client) -> None:
    user = user_with_role(Role.AUDITOR, AgencyFactory(), "aziz")
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "ar", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
    text = client.get("/").content.decode()
    assert 'dir="rtl"' in text
    assert "تسجيل الخروج" in text  # "Sign out"


@pytest.mark.django_db
def test_the_sign_in_page_is_translated_for_anonymous_visitors(client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "tg"
    text = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="tg" dir="ltr">' in text
    assert "Ворид шудан" in text


@pytest.mark.django_db
def test_a_job_reports_in_the_language_of_who_started_it() -> None:
    user = user_with_role(Role.ADMINISTRATOR, AgencyFactory())
    with translation.override("ru"):
        job = job_create(kind=AUDIT_VERIFY_KIND, created_by=user)
    assert job.language == "ru"
    audit_verify_chain_job.call(job.pk)
    job = Job.objects.get(pk=job.pk)
    assert job.message.startswith("Журнал аудита не повреждён")
    assert "Записей для проверки" in job.log
