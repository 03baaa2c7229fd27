"""Every outgoing text (letters, breach notices, reminders) exists in every office language, in the one
layout ``templates/<family>/<kind>.<language>.txt``, and follows its family's subject rule: the first
line is ``Subject: <text>`` in every language, or, for documents, no subject line at all."""

from pathlib import Path

import pytest
from django.conf import settings
from django.template import TemplateDoesNotExist

from breach_app import notices
from privacy_office import exports, outgoing, reminders
from requests_app import letters
from requests_app.models import DraftKind

LANGUAGES = [code for code, _name in settings.LANGUAGES]
AUTOESCAPE_OFF = "{% autoescape off %}"


def kinds_the_code_renders():
    reminders.sweeps()  # registers every app's reminder kinds
    return {
        letters.LETTERS: set(DraftKind.values),
        notices.NOTICES: {*notices.TEMPLATE_FOR_CODE.values(), *notices.TEMPLATE_FOR_RECIPIENT.values(),
                          *notices.TEMPLATE_FOR_CRA_STAGE.values(),
                          *notices.TEMPLATE_FOR_US_STATE_RECIPIENT.values(),
                          *notices.SAMPLE_NOTICE_TEMPLATE.values()},
        exports.EXPORTS: {"export_ready", "export_failed"},
        reminders.REMINDER_TEXTS: set(reminders.CONTEXT_BUILDERS),
    }


def test_every_outgoing_text_exists_in_every_language_and_follows_its_subject_rule():
    for family, rendered_kinds in kinds_the_code_renders().items():
        directory = Path(settings.BASE_DIR) / "templates" / family.directory
        files = sorted(p for p in directory.rglob("*") if p.is_file())
        names = [p.relative_to(directory).as_posix() for p in files]
        shapes = [name.split(".") for name in names]
        assert all(len(s) == 3 and s[1] in LANGUAGES and s[2] == "txt" for s in shapes), (
            f"{family.directory}: not <kind>.<language>.txt: {names}")
        kinds = {s[0] for s in shapes}
        assert rendered_kinds <= kinds, f"{family.directory}: no template for {rendered_kinds - kinds}"
        for kind in sorted(kinds):
            for language in LANGUAGES:
                path = directory / f"{kind}.{language}.txt"
                assert path.is_file(), f"{path} is missing"
                if kind.startswith("_"):
                    continue  # a fragment other templates include, not a text of its own
                first_line = path.read_text(encoding="utf-8").removeprefix(AUTOESCAPE_OFF).partition("\n")[0]
                if family.has_subject:
                    assert first_line.startswith("Subject: "), f"{path} does not open with 'Subject: '"
                else:
                    assert not first_line.startswith("Subject:"), f"{path} has a subject line; its family has none"


def test_a_text_missing_in_a_language_is_an_error_naming_the_file():
    family = outgoing.Family("reminders", has_subject=True)
    with pytest.raises(TemplateDoesNotExist, match=r"templates/reminders/no_such_kind\.en\.txt is missing"):
        outgoing.render_plain_text(family, "no_such_kind", language="en", context={})
