"""Sentence ends the segmenter misses in lower-cased text (an archive's normalised copy)."""

from newsdesk.text.sentences import cased, sentence_spans


def _split(text: str) -> list[str]:
    return [text[s.start : s.end] for s in sentence_spans(text)]


def test_a_quotation_closed_on_a_full_stop_ends_the_sentence_in_lower_cased_text():
    text = (
        'the calder council called the old plan "a costly mistake. " it voted on tuesday to drop it, '
        'and the mayor said the pier would reopen "by the spring. " " we owe the harbour that, " she said.'
    )
    assert not cased(text)
    assert _split(text) == [
        'the calder council called the old plan "a costly mistake. "',
        'it voted on tuesday to drop it, and the mayor said the pier would reopen "by the spring. "',
        '" we owe the harbour that, " she said.',
    ]


def test_words_that_go_on_with_the_sentence_keep_it_whole():
    text = 'the harbour master told the crew "stay ashore. " and the crew stayed. he called it "wise. " said one sailor.'
    assert _split(text) == [
        'the harbour master told the crew "stay ashore. " and the crew stayed.',
        'he called it "wise. " said one sailor.',
    ]


def test_a_full_stop_with_no_space_after_it_ends_a_sentence_but_a_web_address_does_not():
    text = "the ferry left norland at noon.the crossing took two hours, the operator told calderpost.com, and nobody was hurt."
    assert _split(text) == [
        "the ferry left norland at noon.",
        "the crossing took two hours, the operator told calderpost.com, and nobody was hurt.",
    ]


def test_cased_text_is_left_to_the_segmenter():
    # With capitals the segmenter finds the ends itself; a lower-case word after a closed
    # quotation is the same sentence going on.
    text = 'Mayor Ilse Brandt called it "a costly mistake." she told the Calder council on Tuesday.'
    assert cased(text)
    assert _split(text) == [text]


def test_a_quotation_mark_after_a_full_stop_that_opens_the_next_quotation_goes_with_it():
    # An archive's copy cut off inside a quotation: the mark after "friday." opens it.
    text = 'the ferry was meant to sail on friday. " the harbour was closed and we'
    assert _split(text) == ["the ferry was meant to sail on friday.", '" the harbour was closed and we']
