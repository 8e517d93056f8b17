"""Every page carries a strict Content-Security-Policy, and nothing the site serves needs more."""

import re
from pathlib import Path

import pytest

from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parsed = {}
    for directive in header.split(";"):
        name, *sources = directive.split()
        parsed[name] = sources
    return parsed


def test_a_page_allows_only_the_sites_own_scripts_and_styles(client):
    policy = directives(client.get("/"))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:", "https:"]
    assert policy["connect-src"] == ["'self'", "ws://testserver"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]


def test_over_https_the_socket_allowed_is_wss_to_this_host(client):
    response = client.get("/", secure=True)
    assert directives(response)["connect-src"] == ["'self'", "wss://testserver"]


def test_error_pages_carry_the_policy_too(client, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    assert "script-src 'self'" in client.get("/no-such-page")["Content-Security-Policy"]
    bad_host = client.get("/", HTTP_HOST="evil.example")
    assert bad_host.status_code == 400
    assert directives(bad_host)["connect-src"] == ["'self'"]


def test_admin_pages_render_under_the_strict_policy(client, editor):
    post = PostFactory(author=editor)
    client.force_login(editor)
    for path in (
        "/admin/",
        "/admin/blog/post/",
        f"/admin/blog/post/{post.pk}/change/",
        "/admin/blog/post/add/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert directives(response)["script-src"] == ["'self'"], path
        page = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), path
        assert " style=" not in page, path


EMAIL_LAYOUT = '{% extends "mail/layout.html" %}'


def test_no_template_has_inline_script_or_style():
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        # Emails are not pages: mail clients drop style sheets, so email HTML (the layout and
        # what extends it) is styled inline, and no Content-Security-Policy applies to it.
        if template == TEMPLATES / "mail" / "layout.html" or EMAIL_LAYOUT in text:
            continue
        # A JSON-LD block is data, never run: the policy does not apply to it.
        code = text.replace('<script type="application/ld+json">', "")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", code):
            offenders.append(template.name)
    assert offenders == []


def test_the_api_docs_page_may_load_redoc_from_its_cdn_and_nothing_else_is_relaxed(client):
    policy = directives(client.get("/api/docs/"))
    assert policy["script-src"] == ["'self'", "https://cdn.jsdelivr.net"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert policy["frame-ancestors"] == ["'none'"]
