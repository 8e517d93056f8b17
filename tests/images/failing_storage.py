"""A Django storage whose writes fail after the first few: a full disk or an unreachable bucket."""

from django.core.files.storage import FileSystemStorage


class FailingStorage(FileSystemStorage):
    """Stores ``WRITES_BEFORE_FAILING`` files, then refuses every other."""

    WRITES_BEFORE_FAILING = 2
    writes = 0

    def _save(self, name, content):
        if FailingStorage.writes >= self.WRITES_BEFORE_FAILING:
            raise OSError("No space left on device")
        FailingStorage.writes += 1
        return super()._save(name, content)
