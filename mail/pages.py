"""The unsubscribe link's page: a button on GET (a mail scanner fetching links stops
nothing), and the unsubscription itself on POST, from that button or straight from a mail
client's one-click "Unsubscribe" (RFC 8058: a POST without cookies or CSRF token; the signed
link is the authority)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from lib.errors import InvalidInput
from mail import unsubscribe


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe_page(request: HttpRequest, token: str) -> HttpResponse:
    template = "mail/unsubscribe.html"
    try:
        if request.method == "POST":
            named, changed = unsubscribe.leave(token=token)
            context = {"title": named.mailing_list.title, "done": True, "changed": changed}
            return render(request, template, context)
        named = unsubscribe.subscription(token=token)
    except InvalidInput as error:
        return render(request, template, {"error": error.message}, status=400)
    return render(request, template, {"title": named.mailing_list.title})
