"""Verification rules, one by one, on sentences a small model really wrote about the seed."""

from __future__ import annotations

import pytest

from rag.types import Evidence
from rag.verify import unsupported_reason, verify_text

MINISTER = ("Defence Minister Khawaja Asif, who also denied hitting Afghan civilians, was blunt in his criticism "
            "of the Taliban. He said Pakistan had “no good hope from them” while noting that it would be "
            "“idiocy” to trust Kabul’s current rulers.")
STRIKES = ("Moreover, strikes inside Afghanistan have failed to deter the TTP, as the banned terrorist outfit is "
           "getting more brazen in its attacks.")


@pytest.mark.parametrize("claim, support, reason", [
    ("Strikes inside Afghanistan have deterred the TTP", STRIKES, "negated"),
    ("The military spokesperson said Pakistan had “no good hope from them”", MINISTER, "words"),
    ("Khawaja Asif said trusting Kabul would be “sheer idiocy”", MINISTER, "not verbatim"),
    ("Khawaja Asif met the Taliban in 2024", MINISTER, "number '2024'"),
    ("Imran Khan said Pakistan had “no good hope from them”", MINISTER, "name 'Khan'"),
    ("Khawaja Asif was blunt in his criticism of the", MINISTER, "cut off"),
    # Gemma 3 270M wrote this one: every word is in the source, whose "idiocy" turns it around.
    ("Asif said he trusted Kabul’s rulers", MINISTER, "'trust' negated ('idiocy trust')"),
    ("He", MINISTER, "states nothing"),  # and this fragment, as a whole answer sentence "He [1]."
    # And this: the quote is verbatim and "Taliban" is in the item, but Pakistan is who had no hope.
    ("Asif said the Taliban had “no good hope from them”", MINISTER, "not put 'taliban' before “no good hope"),
])
def test_unsupported_claims_are_named(claim, support, reason):
    assert reason in (unsupported_reason(claim, support) or "")


@pytest.mark.parametrize("claim, support", [
    ("Strikes inside Afghanistan have failed to deter the TTP", STRIKES),
    ("The Defence Minister said trusting Kabul’s rulers would be “idiocy”", MINISTER),
    ("Khawaja Asif said Pakistan had \"no good hope from them\"", MINISTER),  # straight quotes fold to curly
    ("Asif said that Pakistan had “no good hope from them”", MINISTER),
    ("Asif said it would be “idiocy” to trust Kabul’s current rulers", MINISTER),
    ("He said Kabul’s current rulers could not be trusted, calling that “idiocy”", MINISTER),  # > 4 words
])
def test_faithful_paraphrases_pass(claim, support):
    assert unsupported_reason(claim, support) is None


def test_markers_are_normalised_and_unknown_numbers_recited():
    evidence = [Evidence(1, "d", "d.txt", "", "", "", 0, len(STRIKES), STRIKES, 1.0),
                Evidence(2, "d", "d.txt", "", "", "", 500, 500 + len(MINISTER), MINISTER, 0.9)]
    kept, dropped = verify_text("Strikes have failed to deter the TTP [1][2]. Khawaja Asif was blunt [7].",
                                evidence)
    assert kept == ["Strikes have failed to deter the TTP [1][2].", "Khawaja Asif was blunt [2]."]
    assert dropped == []
