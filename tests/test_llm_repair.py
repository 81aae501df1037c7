"""The LLM writer writes to be checked: numbered evidence sentences and the facts read from them
in the prompt, a citation per evidence sentence, and one repair of what verification would hold
for wording (issue 22, item 4). Against the loopback OpenAI-compatible server."""

import json

import pytest

from newsdesk.pipeline import run
from openai_server import ScriptedOpenAI, sources_in
from test_llm_writer import BRIDGE, newsroom


@pytest.fixture
def llm(monkeypatch):
    monkeypatch.setenv("NEWSDESK_TEST_LLM_KEY", "sk-test-secret")
    with ScriptedOpenAI(key="sk-test-secret") as server:
        yield server


WORDY = "The Tallin river bridge reopened on Friday with fanfare after a 14-month rebuild."
FIXED = "The Tallin river bridge reopened on Friday after a 14-month rebuild."
HELD_AGAIN = "The Tallin river bridge reopened on Friday after a lavish 14-month rebuild."


def article(n, dek_text, evidence=None):
    dek = {"text": dek_text, "sources": [n["Harbor Ledger"]]}
    if evidence:
        dek["evidence"] = evidence
    return {
        "headline": "Tallin river bridge reopens after 14-month rebuild",
        "dek": dek,
        "sections": [
            {
                "heading": "The rebuild",
                "paragraphs": [
                    {
                        "sentences": [
                            {"text": "The rebuild cost $62 million.", "sources": [n["Harbor Ledger"], n["Meridian Daily"]]},
                            {
                                "text": "The city engineer Oskar Lind said the new deck carries 30% more traffic.",
                                "sources": [n["Harbor Ledger"]],
                                "evidence": [f"{n['Harbor Ledger']}.2"],
                            },
                        ]
                    }
                ],
            }
        ],
    }


def writer(rewrite):
    """First call: an article whose dek has a word no source has; a repair call: ``rewrite``."""

    def reply(request):
        prompt = next(m["content"] for m in request["messages"] if m["role"] == "user")
        if prompt.startswith("Some sentences of your article cannot be verified"):
            return {"content": json.dumps({"sentences": [{"id": 1, "text": rewrite, "sources": [1]}]})}
        return {"content": json.dumps(article(sources_in(prompt), WORDY))}

    return reply


def test_the_prompt_numbers_evidence_sentences_and_lists_the_facts_read_from_them(tmp_path, llm):
    def reply(request):
        n = sources_in(next(m["content"] for m in request["messages"] if m["role"] == "user"))
        return {"content": json.dumps(article(n, FIXED, [f"{n['Harbor Ledger']}.1"]))}

    llm.default = reply
    room = newsroom(tmp_path, llm, stories=(BRIDGE,))
    run(room, ("write", "verify"))
    prompt = llm.requests[0]["messages"][1]["content"]
    h = sources_in(prompt)["Harbor Ledger"]
    assert f"[{h}.1] The Tallin river bridge reopened on Friday after a 14-month rebuild costing $62 million." in prompt
    assert f"[{h}.2] The city engineer Oskar Lind said the new deck carries 30% more traffic." in prompt
    facts = prompt.split("Figures read from the sources", 1)[1]
    assert f"[{h}.1] $62 million" in facts and f"[{h}.2] 30%" in facts
    (written,) = room.store.latest_articles()
    items = room.store.items_by_id(c.item_id for s in written.sentences() for c in s.citations)
    # The citation's span is the evidence sentence the model named, not merely the closest one.
    lind = next(s for s in written.sentences() if "Oskar Lind" in s.text)
    c = lind.citations[0]
    assert items[c.item_id].text[c.start : c.end] == "The city engineer Oskar Lind said the new deck carries 30% more traffic."
    assert written.usage["calls"] == 1  # nothing to repair: no second call
    room.close()


def test_a_sentence_held_for_wording_is_repaired_once_naming_the_word_and_the_nearest_evidence(tmp_path, llm):
    llm.default = writer(FIXED)
    room = newsroom(tmp_path, llm, stories=(BRIDGE,))
    report = run(room, ("write", "verify"))
    assert len(llm.requests) == 2 and report.write.usage["calls"] == 2
    repair = llm.requests[1]["messages"][-1]["content"]
    assert f"Sentence 1: {WORDY}" in repair and "Not in the cited sentences: fanfare" in repair
    assert "Nearest evidence [1.1]: The Tallin river bridge reopened on Friday" in repair
    assert llm.requests[1]["response_format"]["json_schema"]["name"] == "repair"
    (written,) = room.store.latest_articles()
    assert written.dek.text == FIXED
    checked = room.store.verification_of(written.story_id, written.version)
    assert checked.status == "publish" and checked.summary["REVIEW"] == 0 and checked.summary["FAIL"] == 0
    room.close()


def test_a_repair_the_verifier_would_still_hold_is_not_taken_and_nothing_is_asked_twice(tmp_path, llm):
    llm.default = writer(HELD_AGAIN)
    room = newsroom(tmp_path, llm, stories=(BRIDGE,))
    run(room, ("write", "verify"))
    assert len(llm.requests) == 2  # one repair round, never a third call
    (written,) = room.store.latest_articles()
    assert written.dek.text == WORDY  # the first answer stands; verification decides as before
    checked = room.store.verification_of(written.story_id, written.version)
    held = next(c for c in checked.claims if c.text == WORDY)
    assert held.verdict == "REVIEW" and held.unaccounted == ["fanfare"]
    # The record names the failed atom and the nearest evidence (issue 22, item 5).
    (atom,) = held.atoms
    assert atom["atom"] == "fanfare" and atom["family"] == "wording"
    assert atom["evidence"]["text"].startswith("The Tallin river bridge reopened on Friday")
    room.close()


def test_the_repair_can_be_turned_off(tmp_path, llm):
    llm.default = writer(FIXED)
    room = newsroom(tmp_path, llm, extra="repair_wording = false\n", stories=(BRIDGE,))
    run(room, ("write",))
    assert len(llm.requests) == 1
    room.close()
