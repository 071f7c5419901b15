"""The real path on PostgreSQL: requests queue tasks in the database, a real `db_worker` process
sends them through a real SMTP server on 127.0.0.1 (aiosmtpd), `send_reminders` runs as the cron
job would; and two runs at once send each reminder once.

The worker and the commands are separate processes on the machine's real clock, so these tests
build their board around the real date (the test's own clock travels back to it too).
"""

import datetime
import subprocess
import threading
import time

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from adoptboard.tests import workers
from adoptboard.tests.workers import ROOT, manage
from notifications import services
from notifications.models import Delivery, DeliveryStatus, Kind

from .world import build_world

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

SITE = "https://board.example.org"
BOARD = "Test Region Adoption Leadership Board"


def real_now():
    return time_machine.escape_hatch.datetime.datetime.now(tz=datetime.UTC)


@pytest.fixture
def real_clock():
    with time_machine.travel(real_now(), tick=True):
        yield


def child_env(settings) -> dict:
    """The environment of a worker or command: this test's database, mail server and site."""
    env = workers.child_env(EMAIL_HOST=settings.EMAIL_HOST, EMAIL_PORT=str(settings.EMAIL_PORT), SITE_URL=SITE)
    # The test's mail server alone: no EMAIL_URL or the like from the machine's environment.
    return {k: v for k, v in env.items() if not k.startswith("EMAIL_") or k in ("EMAIL_HOST", "EMAIL_PORT")}


@pytest.fixture
def worker(settings, smtp_server, real_clock, tmp_path):
    """A real `db_worker` process; this test's requests queue in the database for it. It retries a
    message the server could not take after 1 second, then 2."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.SITE_URL = SITE
    with workers.db_worker(child_env(settings) | {"EMAIL_RETRY_DELAYS": "1,2"}, tmp_path / "worker.log") as process:
        yield process


def settled(*, expected: int, timeout: float = 90) -> list[Delivery]:
    """Wait until `expected` deliveries exist and none is still queued."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = list(Delivery.objects.select_related("person").order_by("pk"))
        if len(rows) >= expected and all(d.status != DeliveryStatus.QUEUED for d in rows):
            return rows
        time.sleep(0.2)
    raise AssertionError(f"deliveries still queued: {[(d.kind, d.address, d.status) for d in rows]}")


def recipients(messages) -> list[str]:
    return sorted(a for m in messages for a in m.envelope_to)


def with_subject(mailbox, text: str):
    return [m for m in mailbox.messages if text in m["Subject"]]


def login(client, username):
    client.force_login(get_user_model().objects.get(username=username))


def test_a_worker_sends_the_agenda_minutes_and_reminders_once_each(client, settings, smtp_server, worker):
    world = build_world(today=timezone.localdate())
    login(client, "sec")
    when = f"{world.meeting.date:%-d %B %Y}"

    # The agenda: a request that queues, a worker that sends.
    client.post(reverse("notifications:agenda-send", args=[world.board.slug, world.meeting.pk]))
    settled(expected=5)
    agenda = with_subject(smtp_server, f"{BOARD}: agenda for the meeting on {when}")
    assert recipients(agenda) == [
        "colin@example.org",
        "debbie@example.org",
        "mary@example.org",
        "quentin@example.org",
        "sally@example.org",
    ]
    link = f"{SITE}/boards/test-alb/meetings/{world.meeting.pk}/"
    for message in agenda:
        assert link in smtp_server.body(message)
        assert link in message.get_body(preferencelist=("html",)).get_content()
        assert not list(message.iter_attachments())  # link only

    # Approving the last meeting's minutes: members get a link, the people named get their actions.
    client.post(reverse("meetings:meeting-approve", args=[world.board.slug, world.last.pk]), {"confirm": "True"})
    settled(expected=5 + 4 + 2)
    approved = with_subject(smtp_server, f"{BOARD}: approved minutes of the meeting on {world.last.date:%-d %B %Y}")
    assert recipients(approved) == ["colin@example.org", "mary@example.org", "quentin@example.org", "sally@example.org"]
    actions = with_subject(smtp_server, "your actions")
    assert recipients(actions) == ["mary@example.org", "quentin@example.org"]
    mary = next(m for m in actions if "mary@example.org" in m.envelope_to)
    assert f"{SITE}/boards/test-alb/actions/2/#update-h" in smtp_server.body(mary)

    # send_reminders as two schedulers start it at the same moment, then as cron runs it an hour later.
    env = child_env(settings)
    both = [subprocess.Popen(manage("send_reminders"), env=env, cwd=ROOT, stdout=subprocess.PIPE) for _ in range(2)]
    outputs = [p.communicate(timeout=120)[0].decode() for p in both]
    assert [p.returncode for p in both] == [0, 0]
    assert sum(int(out.split(": ")[1].split()[0]) for out in outputs) == 2  # "... 2 message(s) queued"
    again = subprocess.run(manage("send_reminders"), env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    assert "0 message(s) queued, 2 already sent before" in again.stdout
    settled(expected=5 + 4 + 2 + 2)
    reminders = with_subject(smtp_server, f"open actions before the meeting on {when}")
    assert recipients(reminders) == ["mary@example.org"]
    assert f"{SITE}/boards/test-alb/actions/1/#update-h" in smtp_server.body(reminders[0])
    digest = with_subject(smtp_server, "with no update")
    assert recipients(digest) == ["sally@example.org"]
    assert len(smtp_server.messages) == 5 + 4 + 2 + 2
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 13


def test_a_refused_address_is_one_failure_recorded_and_shown(client, smtp_server, worker):
    world = build_world(today=timezone.localdate())

    async def refuse_mary(server, session, envelope, address, rcpt_options):
        if address == "mary@example.org":
            return "550 5.1.1 mary@example.org: no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    smtp_server.handle_RCPT = refuse_mary
    login(client, "sec")
    client.post(reverse("notifications:agenda-send", args=[world.board.slug, world.meeting.pk]))
    rows = settled(expected=5)
    failed = [d for d in rows if d.status == DeliveryStatus.FAILED]
    assert [(d.address, d.attempts) for d in failed] == [("mary@example.org", 1)]
    assert failed[0].error.startswith("address refused (550 5.1.1")
    assert recipients(smtp_server.messages) == [
        "colin@example.org",
        "debbie@example.org",
        "quentin@example.org",
        "sally@example.org",
    ]
    page = client.get(world.meeting.get_absolute_url()).content.decode()
    assert "Agenda sent to 5, 1 failed: Mary Member &lt;mary@example.org&gt; address refused (550 5.1.1" in page


def test_a_server_busy_for_a_moment_gets_the_message_on_a_retry(client, smtp_server, worker):
    world = build_world(today=timezone.localdate())
    refusals = []

    async def busy_for_colin_once(server, session, envelope, address, rcpt_options):
        if address == "colin@example.org" and not refusals:
            refusals.append(address)
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    smtp_server.handle_RCPT = busy_for_colin_once
    login(client, "sec")
    client.post(reverse("notifications:agenda-send", args=[world.board.slug, world.meeting.pk]))
    rows = settled(expected=5)
    assert all(d.status == DeliveryStatus.SENT for d in rows)
    colin = next(d for d in rows if d.address == "colin@example.org")
    assert colin.attempts == 2 and refusals == ["colin@example.org"]
    assert [a for m in smtp_server.messages for a in m.envelope_to].count("colin@example.org") == 1
    assert len(smtp_server.messages) == 5


def test_two_reminder_runs_claiming_at_the_same_moment_send_each_reminder_once(
    settings, django_capture_on_commit_callbacks
):
    """Two runs in two threads (two connections), held at a barrier just before each claims its row:
    both insert at once, PostgreSQL makes one wait for the other's commit and refuses it."""
    world = build_world()
    barrier = threading.Barrier(2, timeout=20)
    real_claim = services._claim
    runs, errors, met = [], [], []

    def claim(*args, **kwargs):
        barrier.wait()  # both runs claim the same row now
        met.append(1)
        return real_claim(*args, **kwargs)

    def run():
        try:
            runs.append(services.reminders_send())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    services._claim = claim
    try:
        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        services._claim = real_claim
    assert errors == [] and len(met) == 4  # two claims each, every one met by the other run's
    assert sum(r.queued for r in runs) == 2 and sum(r.already_sent for r in runs) == 2
    claimed = Delivery.objects.filter(meeting=world.meeting)
    assert sorted(claimed.values_list("kind", "person__initials")) == [(Kind.DIGEST, "SS"), (Kind.REMINDER, "MM")]
