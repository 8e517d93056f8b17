"""A plain DRF ListAPIView over the same query and serializer as post.list (limit 20; the page
after ``?cursor=``)."""

from rest_framework.generics import ListAPIView

from blog import selectors
from blog.models import Post
from blog.serializers import PostSummaryOutput

PAGE_SIZE = 20


class PlainPostList(ListAPIView):
    serializer_class = PostSummaryOutput
    pagination_class = None

    def get_queryset(self) -> list[Post]:
        cursor = self.request.query_params.get("cursor")
        return selectors.post_page(viewer=self.request.user, limit=PAGE_SIZE, cursor=cursor).items
