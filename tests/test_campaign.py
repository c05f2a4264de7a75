"""The campaign file: the sample loads, and every error names its field."""

import pytest

from scanpipe.domain.campaign import CampaignError, parse_campaign, postcard_destination


def test_sample_campaign_has_the_ten_cases_of_2021(campaign):
    assert campaign.id == "MDL2021"
    people = " | ".join(c.person for c in campaign.cases)
    for name in ["Bernardo Caal Xol", "Ciham Ali Ahmed", "Janna Jihad", "Imoleayo Adeyeun Michael",
                 "Mohamed Baker", "Zhang Zhan", "Mikita Zalatarou", "Wendy Galarza",
                 "Anna Charyhina", "Sithijirawattanakul"]:
        assert name in people
    assert len(campaign.cases) == 10
    # Janna Jihad is in the occupied Palestinian territories; her letters go to Israel.
    assert campaign.case("JANNA").embassy == "IL"
    assert all(campaign.embassy(c.embassy) for c in campaign.cases)


def test_postcard_destinations(campaign):
    assert postcard_destination(campaign.case("CAAL")) == "partner:AIIS"
    assert postcard_destination(campaign.case("WENDY")) == "person:WENDY"
    assert postcard_destination(campaign.case("BAKER")) == "relatives:BAKER"


def _broken(text, old, new):
    assert old in text
    with pytest.raises(CampaignError) as error:
        parse_campaign(text.replace(old, new, 1))
    return str(error.value)


@pytest.mark.parametrize("old,new,field,hint", [
    ('code = "CAAL"', 'code = "caal"', "cases[0].code", "capital letters"),
    ('embassy = "GT"', 'embassy = "XX"', "cases[0].embassy", "'XX' is not the code"),
    ('deadline = 2022-01-11', 'deadline = "next week"', "deadline", ""),
    ('id = "MDL2021"', 'identifier = "MDL2021"', "id", "missing"),
    ('code = "CIHAM"', 'code = "CAAL"', "cases[1].code", "used twice"),
    ('to = "relatives"\nname = "La famille de Mohamed Baker"', 'to = "relatives"',
     "cases[4].postcards", "needs a name and an address"),
    ('partner = "AIIS"', 'partner = "NOPE"', "cases[0].postcards.partner", "not the code"),
    ('language = "fr"', 'language = "de"', "language", ""),
    ('summary = "Enseignant', 'sumary = "Enseignant', "cases[0].sumary", "not a known field"),
])
def test_errors_name_the_field(campaign_text, old, new, field, hint):
    message = _broken(campaign_text, old, new)
    assert field in message
    assert hint in message


def test_not_toml_at_all():
    with pytest.raises(CampaignError, match="not valid TOML"):
        parse_campaign("id = = 3")


def test_check_key_uses_the_secret_when_set(campaign_text):
    public = parse_campaign(campaign_text)
    secret = parse_campaign(campaign_text.replace('# qr_key = "a long random secret"',
                                                  'qr_key = "s3cret"'))
    assert public.check_key != secret.check_key


def test_the_changes_of_a_new_version_of_the_campaign_file(campaign_text):
    """What a new version changes is named, and a case whose letters go to another embassy
    says from where to where; the same file changes nothing."""
    from scanpipe.domain.campaign import campaign_changes

    old = parse_campaign(campaign_text)
    assert campaign_changes(old, old) == []
    changed_text = (campaign_text
                    .replace('embassy = "GT"\nkeywords = ["Bernardo Caal Xol", "Caal Xol"',
                             'embassy = "ER"\nkeywords = ["Bernardo Caal Xol", "Bernardo Caal"', 1)
                    .replace("deadline = 2022-01-11", "deadline = 2022-01-31", 1))
    new = parse_campaign(changed_text)
    changes = campaign_changes(old, new)
    said = [(c.subject, c.what) for c in changes]
    assert ("campaign", "the deadline changed") in said
    moved = [c for c in changes if c.route]
    assert [(c.case, c.route, c.before, c.after) for c in moved] == [
        ("CAAL", "letters", "embassy:GT", "embassy:ER")]
    assert ("case CAAL", "keywords changed: added Bernardo Caal; removed Caal Xol") in said
    fewer = parse_campaign(campaign_text.replace('code = "CAAL"', 'code = "CAAL2"', 1))
    gone = [(c.subject, c.what.split(" (")[0].split(":")[0]) for c in campaign_changes(old, fewer)]
    assert ("case CAAL2", "added") in gone and ("case CAAL", "removed") in gone
