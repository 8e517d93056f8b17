"""Whatever bytes arrive, processing answers with an image or a clear refusal, never another
error (which would be a 500): random bytes, and real images with bytes changed."""

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from images.processing import Refused, process
from tests.images.conftest import encoded

SAMPLES = [encoded(image_format, (48, 32)) for image_format in ("JPEG", "PNG", "GIF", "WEBP")]


def _processed_or_refused(data: bytes) -> None:
    try:
        result = process(io.BytesIO(data), max_pixels=1_000_000, widths=[16])
    except Refused as refusal:
        assert refusal.message
    else:
        assert result.original.data and result.original.width * result.original.height <= 1_000_000


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_random_bytes_are_refused_or_taken(data):
    _processed_or_refused(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(SAMPLES),
    st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1, max_size=8),
    st.integers(min_value=0),
)
def test_damaged_images_are_refused_or_taken(sample, changes, cut):
    data = bytearray(sample)
    for position, value in changes:
        data[position % len(data)] = value
    _processed_or_refused(bytes(data[: len(data) - cut % 64]))
