from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    """Files with no URL: they are only streamed by permission-checked, logged views."""

    def url(self, name):
        raise ValueError("Private files have no public URL; serve them through the admin's logged view.")
