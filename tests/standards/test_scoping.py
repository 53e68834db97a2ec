from standards.models import Trust, Ward
from standards.selectors import user_overview


def test_ward_for_user_gives_ward_members_only_their_own_ward(ward, ward_staff, other_trust_ward):
    assert list(Ward.objects.for_user(ward_staff)) == [ward]


def test_ward_for_user_gives_trust_roles_every_ward_of_their_trust(
    ward, qi_lead, board_member, le_leader, other_trust_ward
):
    sibling = type(ward).objects.create(site=ward.site, name="Oak Ward", service_type="picu")
    for person in (qi_lead, board_member, le_leader):
        assert set(Ward.objects.for_user(person)) == {ward, sibling}


def test_user_of_one_trust_sees_nothing_of_another(ward, outsider, trust):
    assert not Ward.objects.for_user(outsider).filter(pk=ward.pk).exists()
    assert not Trust.objects.for_user(outsider).filter(pk=trust.pk).exists()
    overview = user_overview(user=outsider)
    assert ward not in [item.ward for item in overview.wards]


def test_trust_for_user_includes_trusts_of_a_users_wards(trust, ward_staff):
    assert list(Trust.objects.for_user(ward_staff)) == [trust]
    assert not Trust.objects.with_trust_role(ward_staff).exists()


def test_user_with_several_roles_sees_each(ward, other_trust_ward, ward_staff):
    from tests.factories import WardMembershipFactory

    WardMembershipFactory(user=ward_staff, ward=other_trust_ward, role="le-partner")
    overview = user_overview(user=ward_staff)
    assert {item.ward for item in overview.wards} == {ward, other_trust_ward}
