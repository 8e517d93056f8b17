"""seed_demo fills a fresh site with demo content, and running it again changes nothing."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from blog.models import Comment, Post

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_users_posts_and_threaded_comments(capsys):
    call_command("seed_demo", users=3, posts=20, comments=60)
    assert User.objects.count() == 4  # three writers and the editor
    assert Post.objects.count() == 20
    assert Post.objects.filter(published=False).count() == 2  # every tenth is a draft
    assert Comment.objects.count() == 60
    assert Comment.objects.filter(parent__isnull=False).exists()
    assert not Comment.objects.filter(post__published=False).exists()
    assert "60 comment(s) created" in capsys.readouterr().out


def test_replies_are_on_their_parents_post():
    call_command("seed_demo", users=2, posts=10, comments=80)
    for reply in Comment.objects.filter(parent__isnull=False).select_related("parent"):
        assert reply.parent.post_id == reply.post_id


def test_a_second_run_creates_nothing_and_a_larger_one_tops_up(capsys):
    call_command("seed_demo", users=2, posts=10, comments=10)
    call_command("seed_demo", users=2, posts=10, comments=10)
    assert "0 user(s), 0 post(s), 0 comment(s) created" in capsys.readouterr().out.splitlines()[-1]
    call_command("seed_demo", users=2, posts=15, comments=10)
    assert Post.objects.count() == 15


def test_demo_posts_have_unique_slugs_and_derived_excerpts():
    call_command("seed_demo", users=1, posts=30, comments=0)
    assert Post.objects.values("slug").distinct().count() == 30
    assert not Post.objects.filter(excerpt="").exists()


def test_demo_accounts_can_sign_in(client):
    call_command("seed_demo", users=1, posts=0, comments=0, password="pw-for-test")
    assert client.login(username="WRITER0@demo.inkwell.example", password="pw-for-test")


@pytest.mark.parametrize(
    ("options", "message"),
    [({"users": 0}, "--users must be at least 1"), ({"posts": -1}, "cannot be negative")],
)
def test_bad_sizes_are_refused_with_a_clear_message(options, message):
    with pytest.raises(CommandError, match=message):
        call_command("seed_demo", **options)
    assert not Post.objects.exists()
