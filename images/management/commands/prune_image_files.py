"""manage.py prune_image_files: delete image files that no image row owns any more, once old
(cron-safe)."""

from images.services import delete_orphan_files
from lib.cleanup_command import CleanupCommand


class Command(CleanupCommand):
    help = (
        "Delete the files of image folders without an image row (a deleted user's images, or "
        "deletions interrupted by a crash) last written longer ago than --older-than (default 1h)."
    )
    default_age = "1h"
    noun = "image file(s) without an image, written more than"

    delete = staticmethod(delete_orphan_files)
