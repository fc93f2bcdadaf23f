"""Every weight, share and limit the extractive summarizer is tuned by."""

MAX_OPEN_QUESTIONS = 5
SHORT_QUESTION_WORDS = 3  # a question with no more keywords is listed with its lead-in
OPEN_QUESTIONS_SHARE = 0.25  # of the budget, at most
FILLER_SHARE = 0.4  # sentences without any fact only while the summary is this full

# Weights. A sentence's gain is the sum of its uncovered facts' weights times its
# multiplier; sentences are picked by gain per token.
USER_WEIGHT = 1.0
ASSISTANT_WEIGHT = 0.6
OTHER_ROLE_WEIGHT = 0.8
PREVIOUS_BONUS = 1.6
# Decisions ("we decided…", "let's go with…") and the user's constraints ("we need
# to…", "has a shellfish allergy") count as a fact of their own and raise the rest.
KIND_BONUS = {"strong": 1.5, "weak": 1.25, "constraint": 1.2}
KIND_FACT = {"strong": 1.0, "weak": 0.5, "constraint": 0.6}
OPENING_BONUS = 1.3  # the first thing the user said usually states the purpose
ANSWERED_QUESTION_FACTOR = 0.7
HEDGE_FACTOR = 0.75  # opinions, hearsay and examples state facts less firmly
# A sentence's facts count in full for the first, then less and less, so a
# sentence stating one thing precisely beats one listing several in passing.
FACT_DECAY = (1.0, 0.75, 0.6, 0.5)
REDUNDANCY_PENALTY = 0.6  # times the likeness to a chosen sentence (Jaccard of words)
NEW_WORD_WEIGHT = 0.06
NEW_WORDS_CAP = 0.5
TOKEN_SMOOTHING = 6  # added to a sentence's cost, so fragments are no bargain
LONG_SENTENCE_TOKENS = 60
