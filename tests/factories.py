"""factory-boy factories for every model."""

import uuid

import factory
from django.utils import timezone

from accounts.models import User
from blog.models import Comment, Post
from chunking.models import MessageChunk
from sessions_app.models import ClientSession


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    title = factory.Sequence(lambda n: f"Post number {n}")
    slug = factory.Sequence(lambda n: f"post-number-{n}")
    content = factory.Faker("paragraph")
    excerpt = factory.LazyAttribute(lambda post: post.content[:100])
    published = True
    # As the services set it: the time of first publication, none for a draft.
    published_at = factory.LazyAttribute(lambda post: timezone.now() if post.published else None)
    author = factory.SubFactory(UserFactory)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    content = factory.Faker("sentence")
    post = factory.SubFactory(PostFactory)
    author = factory.SubFactory(UserFactory)


class ClientSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientSession

    session_id = factory.LazyFunction(lambda: str(uuid.uuid4()))
    user = factory.SubFactory(UserFactory)
    client_uuid = factory.LazyFunction(uuid.uuid4)
    last_used_at = factory.LazyFunction(timezone.now)


class MessageChunkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MessageChunk

    session = factory.SubFactory(ClientSessionFactory)
    message_id = factory.LazyFunction(lambda: str(uuid.uuid4()))
    chunk_index = 0
    total_chunks = 2
    chunk_data = "aGVsbG8="
