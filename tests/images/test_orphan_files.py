"""manage.py prune_image_files: files no image row owns (a deleted user's) go once old; every
other file stays."""

import os
import time

import pytest
from django.core.management import call_command

from images import services
from tests.images.conftest import encoded, stored_files, upload

pytestmark = pytest.mark.django_db


def _age(root, seconds: int) -> None:
    """Make every stored file ``seconds`` old."""
    then = time.time() - seconds
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, (then, then))


def test_a_deleted_users_image_files_are_pruned_once_old_and_others_stay(
    author, stranger, media_root, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        kept = services.upload_image(owner=author, upload=upload(encoded()))
        services.upload_image(owner=stranger, upload=upload(encoded("PNG")))
    stranger.delete()  # the account's rows go by cascade; its files stay behind

    call_command("prune_image_files", "--older-than", "1h")
    assert len(stored_files(media_root)) == 2 * (1 + len(kept.renditions))

    _age(media_root, 2 * 3600)
    call_command("prune_image_files", "--older-than", "1h")

    assert stored_files(media_root) == sorted(kept.storage_names())
    assert "Deleted 5 image file(s) without an image" in capsys.readouterr().out


def test_pruning_with_no_images_at_all_deletes_nothing(media_root, capsys):
    call_command("prune_image_files")

    assert "Deleted 0 image file(s)" in capsys.readouterr().out
