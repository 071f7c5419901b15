"""The benchmark's data: a busy installation, generated deterministically and fast.

`generate(SIZES["large"])` builds 20 boards of 15 members, each with 40 meetings of 12 agenda items
with minutes; the first board (the "big board") has 10,000 actions with 3 updates each, 300 of
them still open. `SIZES["small"]` is the same shape with a handful of rows, for comparing query
counts. Everything comes from one seeded random generator and dates counted from the day the
benchmark runs (so there are always past and upcoming meetings); a second run on the same day
builds the same rows.

Rows are written with bulk_create (no model save(), no signals, no history rows), and the
denormalised state the app keeps is set to match: each board's action counter runs on from its
highest action number, and each action's status is the status after its last update.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from actions.models import Action, ActionUpdate, Responsibility, Status
from meetings.models import (
    STANDING_ITEMS,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Board,
    Meeting,
    MeetingStatus,
    Membership,
    Person,
    Purpose,
    Role,
    Topic,
)

BENCH_USERNAME = "bench"
BENCH_PASSWORD = "bench-pass-not-secret"
SEARCH_WORD = "kinship"  # appears in roughly one action text in twelve


@dataclass(frozen=True)
class Size:
    boards: int
    members: int
    meetings: int  # per board; the last `upcoming` of them lie in the future
    upcoming: int
    items: int  # per meeting: the 5 standing items plus topics
    actions: int  # on the big board
    updates: int  # per action
    open_actions: int  # on the big board, still open now
    topics: int  # forward-plan topics per board


SIZES = {
    "large": Size(
        boards=20, members=15, meetings=40, upcoming=4, items=12, actions=10_000, updates=3, open_actions=300, topics=10
    ),
    "small": Size(
        boards=2, members=15, meetings=4, upcoming=2, items=12, actions=30, updates=3, open_actions=10, topics=3
    ),
}

MEETING_GAP = datetime.timedelta(days=28)

FIRST = [
    "Alex",
    "Bea",
    "Carys",
    "Dev",
    "Erin",
    "Femi",
    "Gita",
    "Hal",
    "Ines",
    "Jon",
    "Kira",
    "Lorna",
    "Mo",
    "Nia",
    "Owen",
    "Priya",
    "Quinn",
    "Ravi",
    "Sian",
    "Tom",
    "Uma",
    "Vic",
    "Wyn",
    "Yusuf",
    "Zoë",
]
LAST = [
    "Hunt",
    "Young",
    "Evans",
    "Hale",
    "Khan",
    "Okafor",
    "Price",
    "Shah",
    "Turner",
    "Walsh",
    "Ashby",
    "Byrne",
    "Clarke",
    "Doyle",
    "Ellis",
    "Frost",
    "Grant",
    "Hayes",
    "Irwin",
    "Jones",
]
ORGS = [
    "Adopt Thames Valley",
    "CAFCASS",
    "PACT",
    "Adoption South East",
    "Kent County Council",
    "Surrey County Council",
    "Brighton & Hove City Council",
    "Adopt South",
    "Coram",
    "Family Justice Board",
]
TOPICS = [
    "Adopter recruitment",
    "Early permanence",
    "Post order support",
    "Sibling placements",
    "PLO working group",
    "Regional adoption agency performance",
    "Kinship care",
    "Adoption support fund",
    "Contact arrangements",
    "Life story work",
    "Court timeliness",
    "Data dashboard",
    "Training for social workers",
    "Inter-agency fees",
]
VERBS = [
    "Circulate",
    "Review",
    "Draft",
    "Report back on",
    "Agree",
    "Share",
    "Arrange",
    "Follow up",
    "Update the board on",
    "Prepare a paper on",
    "Liaise with the RAA about",
    "Collect figures for",
]
OBJECTS = [
    "the adopter recruitment campaign",
    "early permanence placements",
    "post order contact",
    "the kinship care pathway",
    "sibling assessments",
    "the ASF fair access limit",
    "court delays",
    "the regional data dashboard",
    "life story work training",
    "the PLO working group terms",
    "inter-agency fee arrangements",
    "the annual report",
]
NOTES = [
    "Discussed at the meeting; good progress reported.",
    "Paper circulated with the minutes.",
    "Awaiting figures from the local authorities.",
    "Moved to the next meeting.",
    "Working group met twice; report due soon.",
    "Complete — shared with all members.",
    "Chair to pick this up with the DCS.",
    "Carried forward: no update this time.",
]


def _text(rng: random.Random, words: int) -> str:
    vocab = [
        "the",
        "board",
        "noted",
        "the",
        "report",
        "and",
        "agreed",
        "to",
        "keep",
        "the",
        "figures",
        "under",
        "review",
        "members",
        "asked",
        "about",
        "timeliness",
        "of",
        "placements",
        "and",
        "the",
        "support",
        "offered",
        "after",
        "an",
        "order",
        "was",
        "made",
    ]
    return " ".join(rng.choice(vocab) for _ in range(words)).capitalize() + "."


def _action_text(rng: random.Random, n: int) -> str:
    # Every twelfth action mentions kinship, so the text search finds a known share of the log.
    obj = "kinship arrangements in the region" if n % 12 == 0 else rng.choice(OBJECTS)
    return f"{rng.choice(VERBS)} {obj} ({rng.choice(ORGS)})."


@transaction.atomic
def generate(size: Size, *, today: datetime.date | None = None, seed: int = 6) -> dict:
    """Write the data set into the (empty, migrated) database; return what the benchmark needs to find it."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    User = get_user_model()
    # One hash for everyone: hashing 300 passwords would take longer than writing all the rows.
    password = make_password(BENCH_PASSWORD)

    bench_user = User.objects.create(
        username=BENCH_USERNAME, password=password, first_name="Bench", last_name="Secretary"
    )
    bench_person = Person.objects.create(
        user=bench_user,
        full_name="Bench Secretary",
        initials="BS",
        organisation="AdoptBoard",
        job_title="Board support",
    )

    boards = Board.objects.bulk_create(
        Board(
            name=f"{region} Region Adoption Leadership Board {i + 1}",
            slug=f"bench-board-{i + 1:02d}",
            short_name=f"{region[:3].upper()}{i + 1} ALB",
            default_place="County Hall, Room 2",
        )
        for i, region in zip(range(size.boards), ["South East", "London", "North West", "Midlands", "South West"] * 10)
    )
    big = boards[0]

    # People: 14 per board plus the bench user, who is secretary of the big board and a member of
    # up to four more (so the dashboard shows several boards).
    users = User.objects.bulk_create(
        User(username=f"p{b:02d}-{m:02d}", password=password)
        for b in range(size.boards)
        for m in range(size.members - 1)
    )
    people = Person.objects.bulk_create(
        Person(
            user=u,
            full_name=f"{FIRST[(k * 7) % len(FIRST)]} {LAST[(k * 3) % len(LAST)]}",
            initials=f"{FIRST[(k * 7) % len(FIRST)][0]}{LAST[(k * 3) % len(LAST)][0]}{k % 10}",
            organisation=ORGS[k % len(ORGS)],
            job_title="Head of Service",
            email=f"{u.username}@example.org",
        )
        for k, u in enumerate(users)
    )
    board_people: dict[int, list[Person]] = {}
    memberships = []
    since = today - datetime.timedelta(days=5 * 365)
    for b, board in enumerate(boards):
        seats = people[b * (size.members - 1) : (b + 1) * (size.members - 1)]
        roles = [Role.CHAIR, Role.VICE_CHAIR] + [Role.MEMBER] * (len(seats) - 3) + [Role.ADVISER]
        if b == 0:
            roles[-1] = Role.OBSERVER
        memberships += [Membership(board=board, person=p, role=r, since=since) for p, r in zip(seats, roles)]
        if b < 5:
            memberships.append(
                Membership(
                    board=board, person=bench_person, role=Role.SECRETARY if b == 0 else Role.MEMBER, since=since
                )
            )
            seats = [bench_person, *seats]
        board_people[board.pk] = list(seats)
    Membership.objects.bulk_create(memberships)

    # Meetings: every four weeks; the first upcoming one is two weeks from today.
    first_upcoming = today + datetime.timedelta(days=14)
    past_count = size.meetings - size.upcoming
    meetings = []
    for board in boards:
        for k in range(size.meetings):
            date = first_upcoming + (k - past_count) * MEETING_GAP
            if k < past_count - 1:
                status = MeetingStatus.APPROVED
            elif k == past_count - 1:
                status = MeetingStatus.HELD
            else:
                status = MeetingStatus.AGENDA_ISSUED if k == past_count else MeetingStatus.SCHEDULED
            approved_at = timezone.make_aware(datetime.datetime.combine(date + MEETING_GAP, datetime.time(16, 0)))
            meetings.append(
                Meeting(
                    board=board,
                    date=date,
                    start_time=datetime.time(14, 0),
                    end_time=datetime.time(16, 0),
                    place="County Hall, Room 2",
                    status=status,
                    approved_at=approved_at if status == MeetingStatus.APPROVED else None,
                    minutes_circulated_at=approved_at - datetime.timedelta(days=20) if date < today else None,
                )
            )
    meetings = Meeting.objects.bulk_create(meetings)
    by_board: dict[int, list[Meeting]] = {}
    for m in meetings:
        by_board.setdefault(m.board_id, []).append(m)

    items, attendance = [], []
    for m in meetings:
        held = m.date < today
        standing = list(STANDING_ITEMS)
        titles = [(t, 5) for t, *_ in standing[:3]]
        titles += [(TOPICS[(m.pk + j) % len(TOPICS)], 15) for j in range(size.items - len(standing))]
        titles += [(t, 5) for t, *_ in standing[3:]]
        seats = board_people[m.board_id]
        for pos, (title, minutes) in enumerate(titles, start=1):
            topical = minutes == 15
            items.append(
                AgendaItem(
                    meeting=m,
                    position=pos,
                    title=title,
                    duration_minutes=minutes,
                    is_standing=not topical,
                    purpose=rng.choice(list(Purpose.values)) if topical else Purpose.INFORMATION,
                    lead=seats[pos % len(seats)] if topical else None,
                    description=_text(rng, 25) if topical else "",
                    notes=_text(rng, 60) if held else "",
                    decisions=("The board agreed to note the report." if held and topical else ""),
                )
            )
        for j, p in enumerate(seats):
            if held:
                status = AttendanceStatus.APOLOGIES if (m.pk + j) % 7 == 0 else AttendanceStatus.PRESENT
            else:
                status = AttendanceStatus.INVITED
            attendance.append(Attendance(meeting=m, person=p, status=status))
    items = AgendaItem.objects.bulk_create(items, batch_size=2000)
    Attendance.objects.bulk_create(attendance, batch_size=2000)
    items_by_meeting: dict[int, list[AgendaItem]] = {}
    for it in items:
        items_by_meeting.setdefault(it.meeting_id, []).append(it)

    topics = []
    for board in boards:
        ms = by_board[board.pk]
        for t in range(size.topics):
            topics.append(
                Topic(
                    board=board,
                    title=f"{TOPICS[t % len(TOPICS)]} — proposal {t + 1}",
                    proposed_by=board_people[board.pk][t % 5],
                    proposed_at=ms[max(0, past_count - 1 - t)],
                    proposed_on=ms[max(0, past_count - 1 - t)].date,
                )
            )
    Topic.objects.bulk_create(topics)

    # The big board's action log: raised at its past meetings, oldest first, numbered 1..N.
    past = by_board[big.pk][:past_count]
    seats = board_people[big.pk]
    open_numbers = set(rng.sample(range(1, size.actions + 1), size.open_actions))
    # The bench user answers for every 15th action (see below): make sure a few of those are open,
    # so the small data set's "my actions" lists are not empty (an empty list skips its prefetch
    # queries, and the query counts of the two data sets would differ for no fault of the page).
    mine = set(range(len(seats), size.actions + 1, len(seats)))
    for n in sorted(mine - open_numbers)[: max(0, 3 - len(mine & open_numbers))]:
        open_numbers.discard(max(open_numbers - mine))
        open_numbers.add(n)
    actions, plans = [], []
    for n in range(1, size.actions + 1):
        meeting = past[(n - 1) * len(past) // size.actions]
        item = items_by_meeting[meeting.pk][3 + n % (size.items - 5)]
        final = (
            (Status.OPEN if n % 2 else Status.IN_PROGRESS)
            if n in open_numbers
            else (Status.COMPLETE if n % 3 else Status.CLOSED)
        )
        # Statuses after each update: the last one is the action's status now.
        path = [Status.IN_PROGRESS] * (size.updates - 1) + [final]
        actions.append(
            Action(
                board=big,
                number=n,
                text=_action_text(rng, n),
                whole_board=n % 25 == 0,
                meeting=meeting,
                agenda_item=item,
                issued_on=meeting.date,
                status=final,
                status_note="Moved to the kinship care group" if final == Status.CLOSED and n % 9 == 0 else "",
                due_date=meeting.date + datetime.timedelta(days=56) if n % 4 == 0 else None,
            )
        )
        plans.append((meeting, path))
    actions = Action.objects.bulk_create(actions, batch_size=2000)
    big.next_action_number = size.actions + 1
    Board.objects.filter(pk=big.pk).update(next_action_number=big.next_action_number)

    responsibilities, updates = [], []
    meeting_index = {m.pk: i for i, m in enumerate(past)}
    for action, (meeting, path) in zip(actions, plans):
        # The bench person answers for one action in fifteen, as every member does.
        lead = seats[action.number % len(seats)]
        responsibilities.append(Responsibility(action=action, person=lead, position=0))
        if action.number % 4 == 0:
            responsibilities.append(
                Responsibility(action=action, person=seats[(action.number + 5) % len(seats)], position=1)
            )
        # Updates between meetings, a week apart, all before the next meeting; the last one is
        # recorded at the next meeting when that meeting has been held.
        before, i = Status.OPEN, meeting_index[meeting.pk]
        for u, after in enumerate(path):
            at_meeting = past[i + 1] if u == len(path) - 1 and i + 1 < len(past) else None
            created = timezone.make_aware(
                datetime.datetime.combine(meeting.date + datetime.timedelta(days=2 + 2 * u), datetime.time(10, u))
            )
            if at_meeting is not None:
                created = timezone.make_aware(datetime.datetime.combine(at_meeting.date, datetime.time(17, 0)))
            updates.append(
                ActionUpdate(
                    action=action,
                    meeting=at_meeting,
                    note=NOTES[(action.number + u) % len(NOTES)],
                    status_before=before,
                    status_after=after,
                    created_at=created,
                    created_by=bench_user,
                )
            )
            before = after
    Responsibility.objects.bulk_create(responsibilities, batch_size=2000)
    ActionUpdate.objects.bulk_create(updates, batch_size=2000)

    # The next meeting of the big board: its action-log review lists exactly the open actions.
    review_meeting = by_board[big.pk][past_count]
    open_mine = [a for a in actions if a.number in open_numbers and a.number % len(seats) == seats.index(bench_person)]
    return {
        "size": {k: getattr(size, k) for k in size.__dataclass_fields__},
        "today": today.isoformat(),
        "seed": seed,
        "username": BENCH_USERNAME,
        "board_slug": big.slug,
        "person_id": bench_person.pk,
        "people_ids": [p.pk for p in seats],
        "meeting_ids": [m.pk for m in by_board[big.pk]],
        "review_meeting_id": review_meeting.pk,
        "held_meeting_id": past[-1].pk,
        "action_number": sorted(open_numbers)[len(open_numbers) // 2],
        "search_word": SEARCH_WORD,
        "my_named_open_actions": len(open_mine),
        "counts": {
            "boards": len(boards),
            "people": len(people) + 1,
            "meetings": len(meetings),
            "agenda_items": len(items),
            "attendance": len(attendance),
            "actions": len(actions),
            "action_updates": len(updates),
            "responsibilities": len(responsibilities),
            "open_actions": len(open_numbers),
        },
    }


@transaction.atomic
def add_typical_meeting(*, board_slug: str = "bench-board-02", raised: int = 20, updated: int = 60) -> dict:
    """Give a board without actions a realistic last held meeting: `raised` actions raised at it and
    `updated` actions from the meeting before that had their progress recorded at it.

    The big board's last held meeting raises and updates thousands (50,000 actions spread over
    its 36 past meetings): its minutes are the worst case. These are what a board usually prints.
    Nothing on the big board changes; the bench user sits on this board as a member (its minutes
    are circulated, so a member reads them)."""
    board = Board.objects.get(slug=board_slug)
    held = Meeting.objects.get(board=board, status=MeetingStatus.HELD)
    before = Meeting.objects.filter(board=board, date__lt=held.date).order_by("-date").first()
    people = list(Person.objects.filter(memberships__board=board).order_by("pk"))
    topical = {
        m: list(AgendaItem.objects.filter(meeting=m, is_standing=False).order_by("position")) for m in (held, before)
    }
    bench_user = get_user_model().objects.get(username=BENCH_USERNAME)
    rng = random.Random(7)
    actions, n = [], board.next_action_number
    for k in range(updated + raised):
        meeting = before if k < updated else held
        item = topical[meeting][k % len(topical[meeting])]
        # Of the actions updated at the held meeting: two in three done, the rest still going.
        status = (Status.COMPLETE if k % 3 else Status.IN_PROGRESS) if k < updated else Status.OPEN
        actions.append(
            Action(
                board=board,
                number=n + k,
                text=_action_text(rng, n + k),
                meeting=meeting,
                agenda_item=item,
                issued_on=meeting.date,
                status=status,
                due_date=meeting.date + datetime.timedelta(days=56) if k % 4 == 0 else None,
            )
        )
    actions = Action.objects.bulk_create(actions)
    Board.objects.filter(pk=board.pk).update(next_action_number=n + len(actions))
    Responsibility.objects.bulk_create(
        Responsibility(action=a, person=people[a.number % len(people)], position=0) for a in actions
    )
    at = timezone.make_aware(datetime.datetime.combine(held.date, datetime.time(17, 0)))
    ActionUpdate.objects.bulk_create(
        ActionUpdate(
            action=a,
            meeting=held,
            note=NOTES[a.number % len(NOTES)],
            status_before=Status.OPEN,
            status_after=a.status,
            created_at=at,
            created_by=bench_user,
        )
        for a in actions[:updated]
    )
    return {"board_slug": board.slug, "meeting_id": held.pk, "raised": raised, "updated": updated}
