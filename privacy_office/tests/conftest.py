import pytest


@pytest.fixture
def reminder_mail(settings):
    """Reminders sent at once into the test outbox: Celery tasks run eagerly, mail goes to memory,
    the office is in Shanghai and reminders go out at 09:00."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://privacy.example"
    settings.REMINDER_TIME_ZONE = "Asia/Shanghai"
    settings.REMINDER_DAY_HOUR = 9
    from privacy_office.celery import app

    app.conf.task_always_eager = True
    yield settings
    app.conf.task_always_eager = False
