"""Create the demo board from seed 000 (South East Region Adoption Leadership Board). Idempotent."""

import datetime
import json
import secrets
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from actions.models import Action
from actions.services import action_raise
from meetings.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Board,
    Meeting,
    MeetingStatus,
    Membership,
    Person,
    Purpose,
    Topic,
)
from meetings.services import meeting_schedule

DEMO_FILE = Path(__file__).resolve().parents[2] / "fixtures" / "south_east_alb.json"
MONTHS = {
    m: i
    for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)
}
# The feb meeting's items: minutes allowed for each, adding up to its 90 minutes.
ITEM_MINUTES = {1: 10, 2: 40, 3: 20, 4: 15, 5: 5}


def month_year(text: str) -> datetime.date:
    """ "Feb 2024", "April 2023" -> the first of that month."""
    month, year = text.split()
    return datetime.date(int(year), MONTHS[month[:3].lower()], 1)


def parse_time(text: str) -> datetime.time:
    return datetime.time.fromisoformat(text)


class Command(BaseCommand):
    help = "Load the demo board (seed 000) with its people, meetings, action log and three logins."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="password for the secretary, chair and member logins")

    @transaction.atomic
    def handle(self, *args, password=None, **options):
        data = json.loads(DEMO_FILE.read_text())
        b = data["board"]
        start, end = parse_time(b["default_start"]), parse_time(b["default_end"])
        board, created = Board.objects.get_or_create(
            slug=b["slug"],
            defaults={
                "name": b["name"],
                "short_name": b["short_name"],
                "default_start_time": start,
                "default_duration_minutes": (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute),
                "next_action_number": 1,
            },
        )
        if not created:
            self.stdout.write(f"The demo board {board.slug} is already there: nothing to change.")
            self.ensure_logins(data, board, password)
            return

        people = {}
        for p in data["people"]:
            person, _ = Person.objects.get_or_create(
                initials=p["initials"],
                full_name=p["full_name"] or "",
                defaults={"organisation": p["organisation"] or "", "job_title": p.get("job_title") or ""},
            )
            people[p["initials"]] = person
            if p["role"]:
                # How the board's own minutes print the seat: "Dr Mac Heath (CHAIR Milton Keynes)".
                Membership.objects.get_or_create(
                    board=board,
                    person=person,
                    since=None,
                    defaults={"role": p["role"], "role_label": p.get("role_label", "")},
                )

        m = data["meeting"]
        feb = Meeting.objects.create(
            board=board,
            title=m["title"],
            date=datetime.date.fromisoformat(m["date"]),
            start_time=parse_time(m["start"]),
            end_time=parse_time(m["end"]),
            status=MeetingStatus.HELD,
            minutes_circulated_at=timezone.make_aware(datetime.datetime(2024, 3, 1, 9, 0)),
        )
        deputies = {d["person"]: d["for"] for d in m["deputies"]}
        for initials, status in [(i, AttendanceStatus.PRESENT) for i in m["present"]] + [
            (i, AttendanceStatus.APOLOGIES) for i in m["apologies"]
        ]:
            Attendance.objects.create(
                meeting=feb,
                person=people[initials],
                status=status,
                deputising_for=people.get(deputies.get(initials)),
            )
        items = {}
        for it in m["items"]:
            lead = people.get(it.get("lead"))
            items[it["number"]] = AgendaItem.objects.create(
                meeting=feb,
                position=it["number"],
                title=it["title"],
                is_standing=it.get("standing", False),
                is_closing=bool(it.get("standing")) and it["title"].startswith(("Any other", "Future")),
                purpose=it.get("purpose", Purpose.INFORMATION),
                lead=lead,
                duration_minutes=ITEM_MINUTES.get(it["number"], 10),
                notes=it["notes"],
            )
        raised_at = {n: items[it["number"]] for it in m["items"] for n in it["actions_raised"]}

        for t in data["forward_plan"]:
            Topic.objects.create(
                board=board,
                title=t["title"],
                proposed_at=feb,
                proposed_on=datetime.date.fromisoformat(t["proposed_at"]),
            )

        for u in data["upcoming_meetings"]:
            meeting_schedule(
                board=board,
                date=datetime.date.fromisoformat(u["date"]),
                start_time=parse_time(u["start"]),
                end_time=parse_time(u["end"]),
            )

        for a in sorted(data["action_log"]["actions"], key=lambda a: a["number"]):
            item = raised_at.get(a["number"])
            action_raise(
                board=board,
                number=a["number"],
                text=a["text"],
                responsible=[people[i] for i in a["responsible"]],
                whole_board=a["whole_board"],
                item=item,
                issued_on=feb.date if item else month_year(a["issued_as_written"]),
                status=a["status"],
                status_note=a["status_note"],
            )
        # "This action log was updated on 17 April 2024."
        updated = timezone.make_aware(
            datetime.datetime.combine(
                datetime.date.fromisoformat(data["action_log"]["updated_on"]), datetime.time(16, 0)
            )
        )
        Action.objects.filter(board=board).update(updated_at=updated)
        self.stdout.write(self.style.SUCCESS(f"Created the demo board {board.name} ({board.slug})."))
        self.ensure_logins(data, board, password)

    def ensure_logins(self, data, board, password):
        User = get_user_model()
        generated = None
        for username, initials in data["demo_logins"].items():
            person = Person.objects.get(memberships__board=board, initials=initials)
            user, created = User.objects.get_or_create(username=username)
            if created or (password and not user.check_password(password)):
                if password is None:
                    generated = generated or secrets.token_urlsafe(12)
                user.set_password(password or generated)
                user.first_name, _, user.last_name = person.full_name.rpartition(" ")
                user.save()
                self.stdout.write(f"Login {username!r} for {person.full_name}.")
            if person.user_id != user.pk:
                person.user = user
                person.save(update_fields=["user"])
        if generated:
            self.stdout.write(self.style.WARNING(f"Password for the demo logins: {generated}"))
