from __future__ import annotations

from channels.formatting import Span, plain_text, spans, split_text, telegram_html, whatsapp_text


def test_short_text_is_one_part() -> None:
    assert split_text("Kort bericht.", 100) == ["Kort bericht."]


def test_long_text_splits_between_sentences() -> None:
    text = "Eerste zin is hier. Tweede zin staat hier! Derde zin? Vierde en laatste zin."
    parts = split_text(text, 40)
    assert parts == [
        "Eerste zin is hier. Tweede zin staat",
        "hier! Derde zin?",
        "Vierde en laatste zin.",
    ] or all(len(p) <= 40 for p in parts)
    assert all(len(part) <= 40 for part in parts)
    assert all(part.rstrip()[-1] in ".!?" for part in parts)
    assert " ".join(parts).split() == text.split()


def test_an_overlong_sentence_splits_between_words() -> None:
    text = "woord " * 50
    parts = split_text(text.strip(), 32)
    assert all(len(part) <= 32 for part in parts)
    assert " ".join(parts).split() == text.split()


def test_markup_becomes_telegram_html_with_everything_else_escaped() -> None:
    text = "Bel **14 020** of kijk op [de website](https://gemeente.nl/a?b=1&c=2). <b>x</b> & y"
    assert telegram_html(text) == (
        'Bel <b>14 020</b> of kijk op <a href="https://gemeente.nl/a?b=1&amp;c=2">de website</a>.'
        " &lt;b&gt;x&lt;/b&gt; &amp; y"
    )


def test_a_bare_address_is_a_link_without_its_closing_punctuation() -> None:
    assert telegram_html("Zie https://gemeente.nl/afval.") == (
        'Zie <a href="https://gemeente.nl/afval">https://gemeente.nl/afval</a>.'
    )


def test_only_web_addresses_become_links() -> None:
    assert telegram_html("[klik](javascript:alert(1))") == "[klik](javascript:alert(1))"


def test_whatsapp_gets_its_own_bold_and_labels_before_addresses() -> None:
    text = "- Bel **14 020**\n- Kijk op [de website](https://gemeente.nl)"
    assert whatsapp_text(text) == "• Bel *14 020*\n• Kijk op de website: https://gemeente.nl"


def test_plain_text_keeps_the_address_of_a_labelled_link() -> None:
    assert (
        plain_text("**Let op**: [afval](https://g.nl/afval)")
        == "Let op: afval (https://g.nl/afval)"
    )


def test_spans_of_text_without_markup_is_the_text() -> None:
    assert spans("Gewoon een zin.") == [Span("text", "Gewoon een zin.")]
