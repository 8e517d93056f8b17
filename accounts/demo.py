"""Demo users for a fresh site and for benchmarks (see ``manage.py seed_demo``)."""

from django.contrib.auth.hashers import make_password

from accounts.models import User

DEMO_DOMAIN = "demo.inkwell.example"
DEMO_EDITOR_EMAIL = f"editor@{DEMO_DOMAIN}"
_FIRST_NAMES = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Margaret", "Dennis"]
_LAST_NAMES = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "Hamilton"]


def demo_email(index: int) -> str:
    return f"writer{index}@{DEMO_DOMAIN}"


def ensure_demo_users(*, count: int, password: str) -> tuple[list[User], int]:
    """The demo editor and ``count`` writers, creating missing ones: (writers, how many new)."""
    hashed = make_password(password)  # hashing is slow: once for all of them
    wanted = {DEMO_EDITOR_EMAIL: ("Eddie Editor", True)} | {
        demo_email(index): (
            f"{_FIRST_NAMES[index % len(_FIRST_NAMES)]} {_LAST_NAMES[index % len(_LAST_NAMES)]}",
            False,
        )
        for index in range(count)
    }
    existing = set(User.objects.filter(email__in=wanted).values_list("email", flat=True))
    missing = [
        User(email=email, name=name, is_staff=is_staff, is_superuser=is_staff, password=hashed)
        for email, (name, is_staff) in wanted.items()
        if email not in existing
    ]
    User.objects.bulk_create(missing)
    writers = list(User.objects.filter(email__in=[demo_email(i) for i in range(count)]))
    writers.sort(key=lambda user: int(user.email.removeprefix("writer").split("@")[0]))
    return writers, len(missing)
