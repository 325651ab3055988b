"""Plain English: GOV.UK's words and phrases to avoid, reading ease, rules per audience, and the value hint."""

from __future__ import annotations

from conftest import MINI_PROJECT, Mini
from test_figures import survey

from tspdocs import tree as t
from tspdocs.checks.plainenglish import lint_briefing
from tspdocs.project.model import Audience, Lint

WORDY = ("We met in order to agree. Notwithstanding the fact that funds fell, a considerable number of groups "
         "stayed.")
DH = "  dh: {name: Department of Health, short_name: DH, select: {sectors: health}}\n"


def _lines(mini: Mini, code: str) -> list[str]:
    run = mini.run("check")
    assert run.code == 0, run.output
    return [line for line in run.output.splitlines() if f"[{code}]" in line]


def test_govuk_phrases_are_flagged_at_their_column_with_the_plain_words(mini: Mini) -> None:
    mini.finding("F01", "Health partnerships help", body=WORDY)
    lines = _lines(mini, "avoid-word")
    assert lines == [
        "content/findings/f01.md:12:8: warning [avoid-word] “in order to” is on the list of words to avoid; write to",
        "content/findings/f01.md:12:27: warning [avoid-word] “Notwithstanding the fact that” is on the list of words "
        "to avoid; write although",
        "content/findings/f01.md:12:69: warning [avoid-word] “a considerable number of” is on the list of words to "
        "avoid; write many"]


def test_an_audience_changes_the_rules_for_its_briefing(mini: Mini) -> None:
    plain = "Local partnerships helped people find work, and councils paid for the extra support they needed. "
    mini.finding("F01", "Health partnerships help", body=WORDY + " " + plain * 3)  # reading ease 64
    assert not _lines(mini, "hard-to-read"), "over the default minimum of 30"
    mini.write("content/project.yaml", MINI_PROJECT.replace(DH, DH.replace(
        "}}\n", "}, lint: {allow: [in order to], min_reading_ease: 70}}\n")))
    assert [line.split("“")[1].split("”")[0] for line in _lines(mini, "avoid-word")] == \
        ["Notwithstanding the fact that", "a considerable number of"], "dh allows “in order to”"
    (hard,) = _lines(mini, "hard-to-read")
    assert hard.startswith("content/findings/f01.md:12:1: warning [hard-to-read] a paragraph hard to read: "
                           "reading ease ") and "aim for 70 or more" in hard


def test_a_short_paragraph_is_not_scored_and_an_audience_without_rules_keeps_the_documents() -> None:
    text = ("Considerable organisational heterogeneity characterises interorganisational collaboration "
            "internationally, institutionally, constitutionally and operationally.")  # ten words
    document = t.Document(t.Meta(title="T"), [t.Para([t.Text(text)])], set())
    assert lint_briefing(document, Lint(avoid=[], reading_ease_words=10))[0].code == "hard-to-read"
    assert not lint_briefing(document, Lint(avoid=[])), "ten words are too few to score (the default is 30)"
    assert Lint().for_audience(Audience(name="X")) == Lint() and Lint().for_audience(None) == Lint()


def test_the_value_hint_needs_the_same_table_and_rows(mini: Mini) -> None:
    survey(mini, "Of public respondents {{< value happy_public >}} agreed, against 71% of the rest.\n\n"
                 "Private respondents: {{< value happy_private >}} agreed; 71% is high.\n\n"
                 "Some 71% agreed.\n")
    lines = _lines(mini, "typed-number")
    assert [line.split(": warning")[0] for line in lines] == \
        ["content/findings/f01.md:12:66", "content/findings/f01.md:14:58", "content/findings/f01.md:16:6"]
    assert [line.endswith("{{< value happy_private >}} gives 71%") for line in lines] == [False, True, False], \
        "only where the paragraph quotes the same rows (private respondents), not the public ones or nothing"
