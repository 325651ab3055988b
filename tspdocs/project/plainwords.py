"""The words and phrases plain English avoids, each with what to write instead.

From the GOV.UK style guide's "words to avoid" and the plainer alternatives GOV.UK's content design
guidance points to (the Plain English Campaign's A to Z). Only entries that are wrong wherever they
appear are here: GOV.UK's "deliver" (right for services), "agenda" (right for a meeting), "key" and
"impact" need a reader's judgement, not a pattern. Each entry matches the word and its endings
("utilise" finds "utilised"), in any case.
"""

from __future__ import annotations

PLAIN_WORDS: dict[str, str] = {
    # GOV.UK style guide, words to avoid.
    "collaborate": "work with",
    "combat": "solve, fix or stop",
    "countering": "answer, argue against or stop",
    "dialogue": "spoke to, talked with",
    "disincentivise": "discourage",
    "empower": "allow or let",
    "facilitate": "say what you are doing to help",
    "going forward": "from now on, or leave it out",
    "incentivise": "encourage",
    "initiate": "start",
    "leverage": "use, or say what you mean",
    "liaise": "work with, talk to",
    "one-stop shop": "say what it is: a website, a service",
    "overarching": "leave it out, or say what it covers",
    "robust": "strong, or say why it holds",
    "slimming down": "say what is being cut",
    "streamline": "simplify, or say what changes",
    "strengthening": "say what is being done, unless it is a structure",
    "synergy": "working together",
    "tackling": "solve, deal with",
    "transforming": "say how it changes",
    "utilise": "use",
    # Wordy phrases and their plain forms.
    "in order to": "to",
    "notwithstanding the fact that": "although",
    "a considerable number of": "many",
    "a large number of": "many",
    "a majority of": "most",
    "at this point in time": "now",
    "at the present time": "now",
    "due to the fact that": "because",
    "in the event that": "if",
    "in respect of": "about, for",
    "in relation to": "about",
    "with regard to": "about",
    "with a view to": "to",
    "prior to": "before",
    "subsequent to": "after",
    "in excess of": "more than",
    "on a regular basis": "regularly",
    "it is important to note that": "leave it out",
    "commence": "start",
    "endeavour": "try",
    "ascertain": "find out",
}
