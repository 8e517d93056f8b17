"""Images on the pages: the no-JavaScript upload and cover choice in the editor, and covers on
the post page (srcset, size, og:image) and in lists (lazy), at unchanged query counts."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from blog.models import Post
from images import services
from images.models import Image
from tests.factories import PostFactory
from tests.images.conftest import encoded, stored_files, upload, zip_named_png

pytestmark = pytest.mark.django_db


@pytest.fixture
def image_of(django_capture_on_commit_callbacks):
    def make(owner, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return services.upload_image(owner=owner, upload=upload(encoded()), **kwargs)

    return make


def _upload_url(post: Post) -> str:
    return reverse("blog:upload-image", kwargs={"post_id": post.id})


def _editor_url(post: Post) -> str:
    return reverse("blog:edit-post", kwargs={"post_id": post.id})


def test_the_editor_offers_an_upload_form_and_the_posts_images_as_covers(client, author, image_of):
    post = PostFactory(author=author)
    image = image_of(author, alt="The bay", post_id=post.id)
    client.force_login(author)

    page = client.get(_editor_url(post)).content.decode()

    assert 'enctype="multipart/form-data"' in page and "csrfmiddlewaretoken" in page
    assert f'action="{_upload_url(post)}"' in page
    assert f'name="cover_image" value="{image.id}"' in page
    assert 'alt="The bay"' in page
    assert "![The bay](/media/images/" in page  # its Markdown, to copy


def test_an_image_uploaded_without_javascript_is_added_and_made_the_cover(
    client, author, media_root, django_capture_on_commit_callbacks
):
    post = PostFactory(author=author)
    client.force_login(author)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _upload_url(post),
            {"image": upload(encoded()), "alt": "Cliffs", "as_cover": "on"},
            follow=True,
        )

    image = Image.objects.get()
    assert (image.post_id, image.alt) == (post.id, "Cliffs")
    post.refresh_from_db()
    assert post.cover_image_id == image.id
    assert response.redirect_chain[-1][0].endswith(f"{_editor_url(post)}#images")
    assert "Image added. Its Markdown: ![Cliffs](/media/images/" in response.content.decode()
    assert len(stored_files(media_root)) == 1 + len(image.renditions)


def test_a_bad_file_is_shown_beside_the_field_and_nothing_is_kept(
    client, author, media_root, django_capture_on_commit_callbacks
):
    post = PostFactory(author=author)
    client.force_login(author)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _upload_url(post), {"image": upload(zip_named_png(), name="x.png"), "as_cover": "on"}
        )

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_image-errors"' in page
    assert "not a JPEG, PNG, GIF or WebP image" in page
    assert not Image.objects.exists() and stored_files(media_root) == []
    post.refresh_from_db()
    assert post.cover_image_id is None


def test_a_50_megabyte_upload_page_is_refused_with_413(client, author, media_root):
    post = PostFactory(author=author)
    client.force_login(author)
    huge = SimpleUploadedFile("huge.jpg", b"\0" * (50 * 2**20))

    response = client.post(_upload_url(post), {"image": huge})

    assert response.status_code == 413
    assert "Images may be at most 10.0 MB." in response.content.decode()
    assert not Image.objects.exists() and stored_files(media_root) == []
    assert client.get("/").status_code == 200


def test_nobody_uploads_to_someone_elses_post(client, author, stranger):
    post = PostFactory(author=author)
    client.force_login(stranger)

    response = client.post(_upload_url(post), {"image": upload(encoded())})

    assert response.status_code in (403, 404)
    assert not Image.objects.exists()


def test_the_cover_is_chosen_among_the_posts_images_in_the_post_form(client, author, image_of):
    post = PostFactory(author=author)
    image = image_of(author, post_id=post.id)
    client.force_login(author)
    fields = {"title": post.title, "content": post.content, "excerpt": "", "slug": post.slug}

    chosen = client.post(_editor_url(post), {**fields, "cover_image": str(image.id)})
    post.refresh_from_db()
    assert chosen.status_code == 302 and post.cover_image_id == image.id

    removed = client.post(_editor_url(post), {**fields, "cover_image": ""})
    post.refresh_from_db()
    assert removed.status_code == 302 and post.cover_image_id is None


def test_an_image_not_offered_cannot_be_chosen_as_cover(client, author, stranger, image_of):
    post = PostFactory(author=author)
    others = image_of(stranger)
    client.force_login(author)
    fields = {"title": post.title, "content": "", "excerpt": "", "slug": post.slug}

    response = client.post(_editor_url(post), {**fields, "cover_image": str(others.id)})

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    post.refresh_from_db()
    assert post.cover_image_id is None


def test_the_post_page_shows_its_cover_with_srcset_and_size_and_as_og_image(
    client, author, image_of
):
    image = image_of(author, alt="Harbour at dawn")
    post = PostFactory(author=author, cover_image=image)

    page = client.get(post.get_absolute_url()).content.decode()

    picture = re.search(r'<picture class="cover">.*?</picture>', page, re.S).group(0)
    assert '<source type="image/webp" srcset="/media/images/' in picture
    assert 'sizes="(max-width: 46rem) calc(100vw - 2rem), 44rem"' in picture
    assert 'width="640" height="480" alt="Harbour at dawn"' in picture
    assert f"/media/{image.original_name} 640w" in picture
    assert 'loading="lazy"' not in picture  # the first thing a reader sees
    assert (
        f'<meta property="og:image" content="http://testserver/media/{image.original_name}">'
        in page
    )


def test_summaries_show_covers_lazily_at_the_same_query_count(
    client, author, image_of, django_assert_num_queries
):
    image = image_of(author)
    PostFactory.create_batch(12, author=author, cover_image=image)
    PostFactory.create_batch(3, author=author)
    # 1 the live position of the posts channel, 2 the page of posts with authors, covers and
    # comment counts, 3 their tags; for the page's public read key (cached for 30 s after):
    # 4 the usable keys, 5 the first key, made on first use.
    with django_assert_num_queries(5):
        response = client.get(reverse("blog:home"))

    page = response.content.decode()
    assert page.count('loading="lazy"') == 12
    assert page.count("<picture") == 12


def test_markdown_images_keep_working_through_the_sanitiser(client, author, image_of):
    image = image_of(author, alt="Inline")
    markdown = f'![Inline](/media/{image.original_name} "A title") <img src=x onerror=alert(1)>'
    post = PostFactory(author=author)
    client.force_login(author)
    client.post(
        _editor_url(post),
        {
            "title": post.title,
            "content": markdown,
            "excerpt": "",
            "slug": post.slug,
            "cover_image": "",
        },
    )

    page = client.get(Post.objects.get(id=post.id).get_absolute_url()).content.decode()

    assert f'<img src="/media/{image.original_name}" alt="Inline" title="A title"' in page
    assert "onerror" not in page
