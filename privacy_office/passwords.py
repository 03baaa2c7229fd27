"""A password validator for what Django's own miss: a name padded with digits."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Names shorter than this are not searched for: "li" inside a passphrase is no weakness.
_MIN_NAME_LENGTH = 3
# Letters that must remain once the names, digits and punctuation are taken out.
_MIN_OTHER_LETTERS = 4


class NotBuiltFromNamesValidator:
    """Refuses passwords made of the user's names or the company's name plus digits and symbols.

    Django's UserAttributeSimilarityValidator compares the whole password with each attribute, so
    "staff2staff2" (similarity 0.59 to "staff") and "Aqara12345678" pass it; guessing tools try
    exactly these first.
    """

    def __init__(self, words=()):
        self.words = [word.lower() for word in words]

    def _names(self, user) -> list[str]:
        names = list(self.words)
        if user is not None:
            for attribute in ("username", "first_name", "last_name"):
                names.append(str(getattr(user, attribute, "") or "").lower())
            email = str(getattr(user, "email", "") or "")
            names.append(email.split("@")[0].lower())
        return sorted({name for name in names if len(name) >= _MIN_NAME_LENGTH}, key=len, reverse=True)

    def validate(self, password, user=None):
        remainder = password.lower()
        removed = False
        for name in self._names(user):
            if name in remainder:
                remainder = remainder.replace(name, "")
                removed = True
        other_letters = re.sub(r"[\W\d_]", "", remainder)
        if removed and len(other_letters) < _MIN_OTHER_LETTERS:
            raise ValidationError(
                _("This password is a name (yours or the company's) with digits or symbols added. "
                  "Choose a passphrase of unrelated words."),
                code="password_built_from_names",
            )

    def get_help_text(self):
        return _("Your password can't be your user name, your name or the company's name with digits added.")
