"""The committed topics and AsyncAPI documents are up to date with the contracts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from shared.contracts import docs
from shared.contracts.base import catalogue
from shared.contracts.topics import TOPICS


def test_committed_documents_are_up_to_date() -> None:
    assert docs.stale_documents() == [], "run: python -m shared.contracts.docs"
    assert docs.main(["--check"]) == 0


def test_check_fails_when_a_document_is_missing_or_edited(tmp_path: Path) -> None:
    assert docs.main(["--check", "--docs-dir", str(tmp_path)]) == 1
    assert docs.main(["--docs-dir", str(tmp_path)]) == 0
    assert docs.main(["--check", "--docs-dir", str(tmp_path)]) == 0
    topics_md = tmp_path / docs.TOPICS_FILE
    topics_md.write_text(topics_md.read_text(encoding="utf-8") + "edited by hand\n", encoding="utf-8")
    assert docs.stale_documents(tmp_path) == [topics_md]
    assert docs.main(["--check", "--docs-dir", str(tmp_path)]) == 1


def test_topics_document_lists_every_topic_and_event_version() -> None:
    text = docs.render_topics()
    for topic in TOPICS:
        assert f"## {topic.name}" in text
        assert f"- Partition key: {topic.key}" in text
    for cls in catalogue().values():
        assert f"| `{cls.event_type}` | {cls.schema_version} | {cls.aggregate_type} |" in text


def test_asyncapi_has_one_channel_per_topic_carrying_its_envelopes() -> None:
    document = json.loads(docs.render_asyncapi())
    assert document["asyncapi"].startswith("3.")
    assert set(document["channels"]) == {topic.name for topic in TOPICS}
    schemas = document["components"]["schemas"]
    messages = document["components"]["messages"]
    for topic in TOPICS:
        events = [cls for cls in catalogue().values() if cls.topic == topic.name]
        payload_ref = messages[f"{topic.name}:Message"]["payload"]["$ref"]
        if len(events) == 1:
            assert payload_ref == f"#/components/schemas/{events[0].event_type}Envelope"
        elif events:
            union = schemas[payload_ref.rsplit("/", 1)[1]]["anyOf"]
            assert union == [{"$ref": f"#/components/schemas/{cls.event_type}Envelope"} for cls in events]
    for cls in catalogue().values():
        envelope = schemas[f"{cls.event_type}Envelope"]
        assert envelope["properties"]["payload"]["$ref"] == f"#/components/schemas/{cls.event_type}"
        assert f"schema version {cls.schema_version}" in envelope["description"]


def test_faststream_cli_generates_the_same_document(tmp_path: Path) -> None:
    out = tmp_path / "asyncapi.json"
    faststream = Path(sys.executable).with_name("faststream")
    subprocess.run([str(faststream), "docs", "gen", "shared.contracts.asyncapi_app:app", "-o", str(out)],
                   check=True, capture_output=True, cwd=docs.DOCS_DIR.parent, timeout=120)
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(docs.render_asyncapi())
