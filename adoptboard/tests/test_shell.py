"""The shell: admin pages for a superuser, login required everywhere, production settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ROOT = Path(__file__).resolve().parents[2]


OUR_MODELS = [m for m in admin.site._registry if m._meta.app_label in ("meetings", "actions", "auth")]


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda m: m._meta.label)
def test_every_admin_changelist_and_add_page_works(client, staff, demo_board, model):
    client.force_login(staff)
    opts = model._meta
    # Frozen approved minutes are made only by approving them: the admin has no add page for them.
    views = ("changelist",) if opts.model_name == "minutesversion" else ("changelist", "add")
    for view in views:
        response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}"))
        assert response.status_code == 200, view
    if opts.model_name == "minutesversion":
        assert client.get(reverse("admin:meetings_minutesversion_add")).status_code == 403


def app_urls(resolver=None, prefix=""):
    """Every URL pattern of the project's own apps, as a route template."""
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            if p.app_name == "admin":
                continue
            yield from app_urls(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


SAMPLE = {"slug": "south-east-alb", "pk": "1", "number": "73", "item_pk": "1", "paper_pk": "1", "topic_pk": "1"}


def sample_path(route: str) -> str:
    import re

    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: SAMPLE.get(m.group(1), "1"), route)
    return "/" + path.lstrip("^").rstrip("$")


# For people who cannot log in (yet): logging in, resetting a password, accepting an invitation.
PUBLIC_ROUTES = {
    "accounts/login/",
    "accounts/login/code/",
    "accounts/password-reset/",
    "accounts/password-reset/sent/",
    "accounts/reset/<uidb64>/<token>/",
    "accounts/reset/done/",
    "accounts/invitation/<uidb64>/<token>/",
}


@pytest.mark.parametrize("route", sorted({r for r, _ in app_urls()}))
def test_every_page_redirects_an_anonymous_visitor_to_the_login(client, demo_board, route):
    path = sample_path(route)
    response = client.get(path)
    if route in PUBLIC_ROUTES:
        assert response.status_code in (200, 400), path
    else:
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/?next=")


def test_a_logged_in_member_sees_the_dashboard_and_board(client, demo_board):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="member"))
    page = client.get("/").content.decode()
    assert "South East Region Adoption Leadership Board" in page
    page = client.get("/boards/south-east-alb/").content.decode()
    assert "17 April 2024" in page and "Lorna Hunt" in page


def production_environment(**storage):
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL")}
    env = {k: v for k, v in env.items() if not k.startswith("AWS_")}
    env.update(
        DEBUG="0",
        SECRET_KEY="x" * 20 + "-a-long-random-production-secret-key-0123456789",
        ALLOWED_HOSTS="adoptboard.example.org",
        CSRF_TRUSTED_ORIGINS="https://adoptboard.example.org",
        TASKS_BACKEND="database",
        SITE_URL="https://adoptboard.example.org",
        **storage,
    )
    return env


def check_deploy(env):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = check_deploy(
        production_environment(
            AWS_STORAGE_BUCKET_NAME="adoptboard-papers",
            AWS_S3_ENDPOINT_URL="https://objects.example.org",
            AWS_S3_REGION_NAME="eu-west-2",
            AWS_ACCESS_KEY_ID="AKIAEXAMPLE",
            AWS_SECRET_ACCESS_KEY="example-secret",
        )
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_when_papers_stay_on_one_servers_disk():
    result = check_deploy(production_environment())
    assert result.returncode != 0
    assert "adoptboard.W001" in result.stderr and "AWS_STORAGE_BUCKET_NAME" in result.stderr


def test_check_deploy_warns_when_email_waits_in_requests_or_links_to_localhost():
    env = production_environment(AWS_STORAGE_BUCKET_NAME="adoptboard-papers")
    del env["TASKS_BACKEND"], env["SITE_URL"]
    result = check_deploy(env)
    assert result.returncode != 0
    assert "adoptboard.W002" in result.stderr and "TASKS_BACKEND=database" in result.stderr
    assert "adoptboard.W003" in result.stderr and "SITE_URL" in result.stderr


def test_settings_refuse_nonsense():
    env = dict(os.environ, DEBUG="maybe")
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_approved_minutes_are_read_only_in_the_admin(client, staff, demo_board):
    from meetings.models import Meeting, MeetingStatus

    meeting = Meeting.objects.get(board=demo_board, date="2024-02-23")
    item = meeting.items.first()
    client.force_login(staff)
    change = f"/admin/meetings/meeting/{meeting.pk}/change/"
    item_change = f"/admin/meetings/agendaitem/{item.pk}/change/"
    assert "Save" in client.get(item_change).content.decode()

    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.APPROVED)
    page = client.get(item_change).content.decode()
    assert 'name="_save"' not in page  # shown read-only
    response = client.post(
        item_change,
        {"title": "Rewritten", "meeting": meeting.pk, "position": 1, "purpose": "information", "duration_minutes": 5},
    )
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.title == "Introductions"
    assert client.post(f"/admin/meetings/meeting/{meeting.pk}/delete/", {"post": "yes"}).status_code == 403
    assert 'name="_save"' not in client.get(change).content.decode()
