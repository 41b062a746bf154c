"""The operator console in headless Chromium, as an operator uses it: log a call, see the provider by name."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from shared.runtime.demo_data import demo_providers
from tests.e2e.processes import DemoStack

pytestmark = pytest.mark.e2e


def test_an_operator_logs_a_call_and_sees_the_assigned_provider(demo: DemoStack, browser) -> None:
    wait = WebDriverWait(browser, 30)
    browser.get(f"{demo.urls['intake']}/console")
    wait.until(expected_conditions.visibility_of_element_located((By.ID, "login-form")))
    browser.find_element(By.ID, "platform").send_keys("limoges")
    browser.find_element(By.ID, "token").send_keys(demo.credentials["limoges"]["lim-ecoutante-2"], Keys.ENTER)

    activity = wait.until(expected_conditions.visibility_of_element_located((By.ID, "activity")))
    assert browser.switch_to.active_element == activity, "the console puts the cursor in the first field"
    activity.send_keys("gardening", Keys.TAB, "87085")
    browser.find_element(By.ID, "name").send_keys("Jeanne Console")
    browser.find_element(By.ID, "phone").send_keys("05 36 49 00 77", Keys.ENTER)

    outcome = browser.find_element(By.ID, "outcome")
    wait.until(lambda _: "Prestataire désigné" in outcome.text or "Erreur" in outcome.text)
    named = {provider["name"] for provider in demo_providers("limoges")}
    assert any(f"Prestataire désigné : {name}." in outcome.text for name in named), outcome.text
    assert "assigned" in outcome.get_attribute("class")

    request_id = outcome.get_attribute("data-request")
    row = (By.CSS_SELECTOR, f'#requests tr[data-id="{request_id}"]')
    wait.until(expected_conditions.element_to_be_clickable(row)).click()
    wait.until(lambda _: browser.find_element(By.ID, "timeline-id").text == request_id)
    timeline = browser.find_element(By.ID, "timeline-events")
    wait.until(lambda _: "Confiée à" in timeline.text)


def test_a_wrong_token_is_refused_with_a_message(demo: DemoStack, browser) -> None:
    wait = WebDriverWait(browser, 30)
    browser.get(f"{demo.urls['intake']}/console")
    wait.until(expected_conditions.visibility_of_element_located((By.ID, "login-form")))
    browser.find_element(By.ID, "platform").send_keys("limoges")
    browser.find_element(By.ID, "token").send_keys("rls_0000000000000000_wrong", Keys.ENTER)
    error = browser.find_element(By.ID, "login-error")
    wait.until(lambda _: error.text)
    assert "invalid API token" in error.text


def test_a_coordinator_sees_the_directory_and_the_fairness_of_the_turn(demo: DemoStack, browser) -> None:
    wait = WebDriverWait(browser, 30)
    browser.get(f"{demo.urls['intake']}/console")
    wait.until(expected_conditions.visibility_of_element_located((By.ID, "login-form")))
    browser.find_element(By.ID, "platform").send_keys("limoges")
    browser.find_element(By.ID, "token").send_keys(demo.credentials["limoges"]["lim-coordination"], Keys.ENTER)
    wait.until(expected_conditions.visibility_of_element_located((By.ID, "activity")))

    browser.find_element(By.CSS_SELECTOR, 'nav button[data-view="directory"]').click()
    directory = browser.find_element(By.ID, "directory")
    wait.until(lambda _: "Jardins Solidaires du Limousin" in directory.text)
    assert "expiré" in directory.text and "valide" in directory.text

    browser.find_element(By.CSS_SELECTOR, 'nav button[data-view="fairness"]').click()
    fairness = browser.find_element(By.ID, "fairness")
    wait.until(lambda _: "gardening" in fairness.text)
