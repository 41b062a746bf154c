from datetime import date

import pytest

from shared.platforms.loader import PolicyError, load_policies, load_policy
from tests.unit.platforms.policy_files import raw_policy, write_policy


def problems_of(tmp_path, edit, platform_id="limoges"):
    document = raw_policy(platform_id)
    edit(document)
    path = write_policy(tmp_path, platform_id, document)
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    return caught.value.problems


def test_an_unknown_key_is_rejected_with_its_path(tmp_path):
    problems = problems_of(tmp_path, lambda d: d["matching"].update(orient_cout=3))
    assert problems == ["limoges.yaml: matching.orient_cout: unknown key"]


def test_an_unknown_top_level_key_is_rejected(tmp_path):
    problems = problems_of(tmp_path, lambda d: d.update(comission="0.05"))
    assert problems == ["limoges.yaml: comission: unknown key"]


def test_a_percentage_above_one_is_rejected(tmp_path):
    problems = problems_of(tmp_path, lambda d: d["fees"][0]["rules"]["artisan"].update(rate="1.5"))
    assert len(problems) == 1
    assert problems[0].startswith("limoges.yaml: fees[0].rules.artisan.percentage.rate:")
    assert "less than or equal to 1" in problems[0]


def test_a_float_amount_is_rejected_with_advice(tmp_path):
    problems = problems_of(tmp_path, lambda d: d["fees"][0]["rules"]["artisan"].update(rate=0.05))
    assert "entre guillemets" in problems[0]


def test_a_sector_naming_an_unknown_commune_is_rejected(tmp_path):
    problems = problems_of(tmp_path, lambda d: d["sectors"][1]["communes"].append("87999"))
    assert problems == ["limoges.yaml: sectors[1].communes: 87999 ne fait pas partie des communes de la plateforme"]


def test_a_commune_listed_twice_is_rejected(tmp_path):
    problems = problems_of(tmp_path, lambda d: d["communes"].append(dict(d["communes"][0])))
    assert problems == ["limoges.yaml: communes[20].code: 87085 est indiqué deux fois"]


def test_a_commune_in_no_sector_is_rejected(tmp_path):
    problems = problems_of(tmp_path, lambda d: d["sectors"][0]["communes"].remove("87085") or d["sectors"].pop(0))
    assert problems == ["limoges.yaml: sectors: communes dans aucun secteur : 87085"]


def test_overlapping_opening_intervals_are_rejected(tmp_path):
    problems = problems_of(
        tmp_path, lambda d: d["opening_hours"]["weekly"].update(monday=["13:30-17:00", "08:30-12:00"]), "brenne"
    )
    assert problems == [
        "brenne.yaml: opening_hours.weekly.monday[1]: 08:30-12:00 commence avant la fin du créneau précédent 13:30-17:00"
    ]


def test_an_interval_that_closes_before_it_opens_is_rejected(tmp_path):
    problems = problems_of(tmp_path, lambda d: d["opening_hours"]["weekly"].update(friday=["17:00-14:00"]), "brenne")
    assert problems == [
        "brenne.yaml: opening_hours.weekly.friday[0]: créneau 17:00-14:00 : la fermeture doit suivre l'ouverture"
    ]


def test_fee_entries_out_of_order_are_rejected(tmp_path):
    def add_older_entry(document):
        entry = dict(document["fees"][0], effective_from=date(2001, 1, 1))
        document["fees"].append(entry)

    problems = problems_of(tmp_path, add_older_entry)
    assert problems == ["limoges.yaml: fees[1].effective_from: 2001-01-01 doit suivre fees[0].effective_from (2007-01-01)"]


def test_orientation_needs_a_count(tmp_path):
    problems = problems_of(tmp_path, lambda d: d["matching"].pop("orient_count"), "brenne")
    assert problems == ["brenne.yaml: matching: orient_count est obligatoire quand mode vaut orient"]


def test_a_fee_entry_must_cover_every_provider_kind(tmp_path):
    problems = problems_of(tmp_path, lambda d: d["fees"][0]["rules"].pop("company"))
    assert problems == ["limoges.yaml: fees[0].rules: aucune règle de redevance pour company"]


def test_the_file_name_must_be_the_platform_id(tmp_path):
    path = write_policy(tmp_path, "brenne", raw_policy("limoges"))
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert caught.value.problems == ["brenne.yaml: platform_id: 'limoges' does not match the file name 'brenne'"]


def test_invalid_yaml_names_the_file(tmp_path):
    (tmp_path / "limoges.yaml").write_text("platform_id: [limoges\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"limoges\.yaml: not valid YAML"):
        load_policy(tmp_path / "limoges.yaml")


def test_load_policies_reports_the_problems_of_every_file(tmp_path):
    limoges, brenne = raw_policy("limoges"), raw_policy("brenne")
    limoges["matching"]["orient_cout"] = 3
    brenne["fees"][0]["rules"]["artisan"] = {"type": "percentage", "rate": "-0.1"}
    write_policy(tmp_path, "limoges", limoges)
    write_policy(tmp_path, "brenne", brenne)
    with pytest.raises(PolicyError) as caught:
        load_policies(tmp_path)
    files = [problem.split(":")[0] for problem in caught.value.problems]
    assert files == ["brenne.yaml", "limoges.yaml"]
    assert "brenne.yaml" in str(caught.value) and "limoges.yaml" in str(caught.value)


def test_a_missing_or_empty_folder_is_an_error(tmp_path):
    with pytest.raises(PolicyError, match="not a folder"):
        load_policies(tmp_path / "nowhere")
    with pytest.raises(PolicyError, match="no platform policy file"):
        load_policies(tmp_path)


@pytest.mark.parametrize("country", ["XX", "fr", "FRA"])
def test_an_unknown_public_holiday_country_is_rejected(tmp_path, country):
    problems = problems_of(tmp_path, lambda d: d["opening_hours"].update(public_holidays={"country": country}))
    assert problems == [
        f"limoges.yaml: opening_hours.public_holidays.country: aucun calendrier de jours fériés pour le pays {country!r} ; "
        "donnez un code ISO 3166-1 alpha-2 en capitales, par exemple FR ou BE"
    ]


def test_an_unknown_public_holiday_subdivision_is_rejected(tmp_path):
    problems = problems_of(tmp_path, lambda d: d["opening_hours"].update(public_holidays={"country": "FR", "subdivision": "99"}))
    assert len(problems) == 1
    assert problems[0].startswith("limoges.yaml: opening_hours.public_holidays.subdivision: FR n'a pas de subdivision '99' (connues : 57, 6AE,")


def test_a_subdivision_written_by_name_is_rejected_with_its_code(tmp_path):
    problems = problems_of(
        tmp_path, lambda d: d["opening_hours"].update(public_holidays={"country": "FR", "subdivision": "Moselle"})
    )
    assert problems == ["limoges.yaml: opening_hours.public_holidays.subdivision: FR n'a pas de subdivision 'Moselle' (écrivez son code 57)"]


def test_an_extra_closed_day_listed_twice_is_rejected(tmp_path):
    problems = problems_of(tmp_path, lambda d: d["opening_hours"].update(holidays=["2030-05-31", "2030-05-31"]))
    assert problems == ["limoges.yaml: opening_hours.holidays: une date est indiquée deux fois"]


def test_public_holidays_of_another_country_are_rejected(tmp_path):
    problems = problems_of(tmp_path, lambda d: d["opening_hours"].update(public_holidays={"country": "BE"}))
    assert problems == ["limoges.yaml: opening_hours.public_holidays.country: BE n'est pas le pays de la plateforme (FR)"]


def test_a_rule_of_the_whole_policy_is_told_in_french_with_its_field(tmp_path):
    document = raw_policy("limoges")
    document["matching"]["mode"] = "assigner"
    document["survey"]["satisfaction_alert_threshold"] = "1.5"
    write_policy(tmp_path, "limoges", document)
    with pytest.raises(PolicyError) as caught:
        load_policy(tmp_path / "limoges.yaml")
    assert caught.value.french_line() == (
        "politique de plateforme invalide : limoges.yaml, champ matching.mode : valeur non prévue ; valeurs "
        "possibles : assign ou orient (et 1 autre(s) problème(s) : `relais platforms check` les liste tous)")
    assert caught.value.found[1].french() == (
        "limoges.yaml, champ survey.satisfaction_alert_threshold : doit être inférieur ou égal à 1")
