"""An image's files follow its row: written when it commits, gone when its deletion (or its
post's) commits, and a failed write leaves neither row nor file."""

import pytest

from blog import services as blog_services
from images import services
from images.models import Image
from lib.errors import ServiceUnavailable
from tests.factories import PostFactory
from tests.images.conftest import encoded, stored_files, upload
from tests.images.failing_storage import FailingStorage

pytestmark = pytest.mark.django_db


def test_files_are_written_only_when_the_row_commits(
    author, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        image = services.upload_image(owner=author, upload=upload(encoded()))
    assert stored_files(media_root) == []

    for callback in callbacks:
        callback()

    assert len(stored_files(media_root)) == 1 + len(image.renditions)


def test_a_storage_failure_after_commit_removes_the_row_and_the_files_written(
    author, settings, media_root, django_capture_on_commit_callbacks
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "tests.images.failing_storage.FailingStorage"},
    }
    FailingStorage.writes = 0

    with pytest.raises(ServiceUnavailable), django_capture_on_commit_callbacks(execute=True):
        services.upload_image(owner=author, upload=upload(encoded()))

    assert FailingStorage.writes == 2  # two files were written before the failure
    assert not Image.objects.exists()
    assert stored_files(media_root) == []


def test_deleting_an_image_deletes_its_files_after_commit_and_uncovers_its_post(
    author, media_root, django_capture_on_commit_callbacks
):
    post = PostFactory(author=author)
    with django_capture_on_commit_callbacks(execute=True):
        image = services.upload_image(owner=author, upload=upload(encoded()), post_id=post.id)
        blog_services.update_post(post=post, cover_image_id=image.id)
    assert stored_files(media_root)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.delete_image(image=image)
    assert stored_files(media_root), "files stay until the deletion commits"
    for callback in callbacks:
        callback()

    assert stored_files(media_root) == []
    post.refresh_from_db()
    assert post.cover_image_id is None


def test_deleting_a_post_deletes_its_images_and_their_files(
    author, media_root, django_capture_on_commit_callbacks
):
    post = PostFactory(author=author)
    other = PostFactory(author=author)
    with django_capture_on_commit_callbacks(execute=True):
        services.upload_image(owner=author, upload=upload(encoded()), post_id=post.id)
        kept = services.upload_image(owner=author, upload=upload(encoded("PNG")), post_id=other.id)
    kept_files = sorted(kept.storage_names())

    with django_capture_on_commit_callbacks(execute=True):
        blog_services.delete_post(post=post)

    assert list(Image.objects.values_list("id", flat=True)) == [kept.id]
    assert stored_files(media_root) == kept_files
