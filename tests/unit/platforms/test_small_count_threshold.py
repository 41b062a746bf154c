"""A platform's small-count threshold (issue 21): a field of its policy, 5 unless the policy says otherwise, never
under 3 (a "< 2" would say the hidden count is 1); the exports may raise it, never lower it."""

from __future__ import annotations

import pytest

from shared.platforms.loader import PolicyError, load_policy
from shared.privacy.suppression import raised_threshold
from tests.unit.platforms.policy_files import edited_policy, raw_policy, write_policy


def test_the_threshold_is_5_unless_the_policy_says_otherwise() -> None:
    assert edited_policy("limoges", lambda document: None).small_count_threshold == 5
    assert edited_policy("limoges", lambda d: d.update(small_count_threshold=10)).small_count_threshold == 10


@pytest.mark.parametrize("threshold", [0, 2])
def test_a_threshold_under_3_is_refused_in_french(tmp_path, threshold: int) -> None:
    document = raw_policy("limoges")
    document["small_count_threshold"] = threshold
    with pytest.raises(PolicyError) as refused:
        load_policy(write_policy(tmp_path, "limoges", document))
    assert len(refused.value.problems) == 1
    assert "small_count_threshold" in refused.value.problems[0] and "au moins 3" in refused.value.problems[0]


def test_an_override_may_raise_the_policys_threshold_never_lower_it() -> None:
    assert raised_threshold(5, None) == 5
    assert raised_threshold(5, 8) == 8
    assert raised_threshold(5, 5) == 5
    with pytest.raises(ValueError, match=r"demandé \(3\) est sous celui de la politique de la plateforme \(5\)"):
        raised_threshold(5, 3)
