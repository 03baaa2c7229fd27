"""PIPL Art. 55: when an impact assessment is required."""

import datetime

from inventory_app.models import ActivityField, DataField, ProcessingActivity, Recipient, Transfer, pia_triggers


def test_no_trigger_no_assessment():
    assert pia_triggers(has_sensitive=False, has_recipients=False, has_cross_border=False, automated_decision=False) == []


def test_each_trigger_is_named():
    reasons = pia_triggers(has_sensitive=True, has_recipients=True, has_cross_border=True, automated_decision=True)
    assert len(reasons) == 4
    assert any("55(1)" in r for r in reasons) and any("55(4)" in r for r in reasons)


def test_queryset_follows_the_data(seeded):
    profile = ProcessingActivity.objects.get(code="cn-profile")
    assert not ProcessingActivity.objects.pia_required().filter(pk=profile.pk).exists()
    # re-flagging a field as sensitive elsewhere makes the assessment required at once
    field = DataField.objects.get(name_zh="个人简介")
    field.sensitive = True
    field.save()
    assert ProcessingActivity.objects.pia_missing().filter(pk=profile.pk).exists()
    profile.pia_completed_on = datetime.date(2025, 12, 1)
    profile.save()
    assert not ProcessingActivity.objects.pia_missing().filter(pk=profile.pk).exists()
    assert ProcessingActivity.objects.pia_required().filter(pk=profile.pk).exists()


def test_transfer_without_mechanism_is_not_cross_border(seeded):
    profile = ProcessingActivity.objects.get(code="cn-profile")
    Transfer.objects.create(activity=profile, destination_country="CN", mechanism=Transfer.Mechanism.NONE)
    assert not ProcessingActivity.objects.with_cross_border().filter(pk=profile.pk).exists()
    Transfer.objects.filter(activity=profile).update(mechanism=Transfer.Mechanism.PIPL_CONTRACT)
    assert ProcessingActivity.objects.with_cross_border().filter(pk=profile.pk).exists()
    assert ProcessingActivity.objects.get(pk=profile.pk).pia_reasons()


def test_using_field(seeded):
    yunpian = Recipient.objects.get(code="yunpian")
    phone = DataField.objects.get(name_zh="手机号码")
    codes = set(ProcessingActivity.objects.using_field(phone).values_list("code", flat=True))
    assert codes == set(ActivityField.objects.filter(field=phone).values_list("activity__code", flat=True))
    assert yunpian.activities.exists()
