"""The trust and tension instruments: fixed wordings, asked the same way (web) every time so that
rounds compare. The thermometer is the ANES feeling thermometer; the trust items are outgroup-trust
items on a five-point Likert scale; escalation is a perceived likelihood in per cent."""

from __future__ import annotations

THERMOMETER_WORDING = (
    "We'd like to get your feelings toward {group} on a scale of 0 to 100, which we call a "
    '"feeling thermometer." Ratings between 50 degrees and 100 degrees mean that you feel '
    "favorable and warm toward the group. Ratings between 0 degrees and 50 degrees mean that you "
    "don't feel favorable toward the group and that you don't care too much for that group. You "
    "would rate the group at the 50 degree mark if you don't feel particularly warm or cold "
    "toward the group."
)  # ANES 2020 time series, feeling thermometer introduction

TRUST_ITEMS = {
    "keeps_word": "The other side's participants will keep the commitments they make here.",
    "good_faith": "The other side's participants negotiate in good faith.",
    "shares_concerns": "I could share my side's real concerns with the other side's participants.",
}
LIKERT = {1: "strongly disagree", 2: "disagree", 3: "neither", 4: "agree", 5: "strongly agree"}
ESCALATION_WORDING = (
    "How likely do you think it is that the dispute escalates into a serious incident in the "
    "next twelve months? (0 % = certainly not, 100 % = certainly)"
)
MEASURES = {
    "thermometer": "warmth toward the other side(s), 0–100",
    "trust": "trust in the other side, 1–5",
    "escalation": "perceived likelihood of escalation, %",
}
