"""Realistic long conversations with planted facts, for the checkpoint benchmarks.

``generate(turns, seed)`` writes a conversation between a user planning a software
product launch and an assistant helping them: each user message 20-80 words, each
reply 80-250 words, on one coherent topic (landing page, pricing, press, beta
feedback, onboarding e-mails…), from varied sentence templates and vocabulary. Like
real chat, the filler is full of other names and numbers (colleagues, well-known
companies, ticket counts, percentages), so keeping facts is not just keeping every
capitalised word or digit.

In the first ten turns the user states 8-12 *facts* (a project lead, the budget, the
launch date, a decision…). They are never repeated later and no filler contains their
*needles* (the substrings that must reach a model for the fact to count), so whether a
summary kept a fact is a plain substring test: :func:`facts_present`.

Everything comes from ``random.Random(seed)``: equal arguments give equal text.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["Fact", "GeneratedConversation", "facts_present", "generate"]

USER_WORDS = (20, 80)
REPLY_WORDS = (80, 250)
FACT_TURNS = 10  # facts are planted in turns 0-9 only
FACT_COUNT = (8, 12)
MAX_DRAWS = 1_000


@dataclass(frozen=True)
class Fact:
    """A statement planted in the conversation and the substrings that show it was kept."""

    text: str
    needles: tuple[str, ...]
    turn: int

    def present_in(self, text: str) -> bool:
        return all(needle in text for needle in self.needles)


@dataclass(frozen=True)
class GeneratedConversation:
    """``turns`` are (user message, assistant reply) pairs, in order."""

    turns: list[tuple[str, str]]
    facts: list[Fact]
    seed: int

    def messages(self, start: int = 0, stop: int | None = None) -> list[tuple[str, str]]:
        """Turns ``start:stop`` as (role, content) messages, as the server stores them."""
        result: list[tuple[str, str]] = []
        for user, assistant in self.turns[start:stop]:
            result.append(("user", user))
            result.append(("assistant", assistant))
        return result


def facts_present(context_text: str, facts: Sequence[Fact]) -> float:
    """The fraction of ``facts`` whose needles all appear in ``context_text``."""
    if not facts:
        return 1.0
    return sum(fact.present_in(context_text) for fact in facts) / len(facts)


# ---------------------------------------------------------------------------
# Vocabulary. Planted values and filler values come from disjoint pools.

PLANTED_FIRST = [
    "Priya", "Tomasz", "Ngozi", "Henrik", "Yuki", "Rafael", "Ingrid", "Kwame", "Leonor",
    "Dmitri", "Amara", "Soren", "Valentina", "Haruto", "Beatriz", "Oskar",
]  # fmt: skip
PLANTED_LAST = [
    "Raman", "Kowalczyk", "Adeyemi", "Lindqvist", "Tanaka", "Okafor", "Castellanos",
    "Brennan", "Moreau", "Vasquez", "Lindgren", "Nakamura", "Ferreira", "Quigley",
]  # fmt: skip
PRODUCTS = [
    "Lumen Desk", "Orbitnote", "Tallyflow", "Brightpath CRM", "Quillstack", "Harborline",
    "Nimbus Ledger", "Fernway", "Pocketsprint", "Cobalt Inbox", "Trellisboard", "Waypost",
]  # fmt: skip
PRODUCT_KINDS = [
    "scheduling tool for clinics", "invoicing app for freelancers", "team wiki",
    "CRM for small agencies", "note-taking app", "inventory tracker for cafes",
    "expense tool for nonprofits", "booking system for fitness studios",
]  # fmt: skip
PILOT_COMPANIES = [
    "Northwind Logistics", "Halvorsen Dental Group", "Bluefin Analytics", "Maple & Rowe",
    "Kestrel Foods", "Ostrander Legal", "Pinecrest Clinics", "Greyhaven Studios",
    "Tidewater Outfitters", "Larkspur Bakeries",
]  # fmt: skip
VENUES = [
    ("Foundry Hall", "Lisbon"), ("the Copperworks", "Manchester"), ("Pier 17 Loft", "Seattle"),
    ("Alder House", "Dublin"), ("the Glasshouse", "Rotterdam"), ("Kanal Studios", "Hamburg"),
    ("Saltyard", "Melbourne"), ("the Ropewalk", "Bristol"),
]  # fmt: skip
VENDORS = [
    ("Postmark", "transactional email"), ("Paddle", "billing"), ("Plausible", "analytics"),
    ("Crisp", "live chat support"), ("Render", "hosting"), ("Bunny CDN", "video delivery"),
    ("Tally Forms", "the signup survey"), ("Cal.com", "demo booking"),
]  # fmt: skip
AGENCIES = ["Studio Fathom", "Hollow Pine Design", "Atelier Nord", "Brightwork Collective"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]  # fmt: skip

FILLER_PEOPLE = [
    "Tom", "Sara", "Miguel", "Aisha", "Jonas", "Mei", "Lars", "Fatima", "Ben", "Chloe",
    "Omar", "Hannah", "Diego", "Noor", "Felix", "Grace", "Ivan", "Lena", "Marcus", "Zoe",
]  # fmt: skip
FILLER_ROLES = [
    "our designer", "the support lead", "our sales guy", "the CTO", "my cofounder",
    "one of our engineers", "the marketing intern", "our product manager",
]  # fmt: skip
FILLER_COMPANIES = [
    "Stripe", "Notion", "Figma", "Slack", "Linear", "Basecamp", "Mailchimp", "HubSpot",
    "Intercom", "Zendesk", "Canva", "Shopify", "Airtable", "Loom", "Calendly", "Dropbox",
]  # fmt: skip
FILLER_CITIES = ["Austin", "Toronto", "Berlin", "Amsterdam", "Singapore", "Chicago", "Madrid"]
PERIODS = ["last week", "the past two weeks", "this month", "since Monday", "last sprint"]

# Subtopics: (name, things in it, an adjective users complain with, a metric)
SUBTOPICS = [
    ("landing page", ["hero section", "headline", "screenshots", "call to action"],
     "cluttered", "signups"),
    ("pricing page", ["plan comparison", "annual discount", "FAQ block", "free tier"],
     "confusing", "upgrades"),
    ("press outreach", ["press kit", "embargo", "pitch email", "journalist list"],
     "slow", "replies"),
    ("onboarding emails", ["welcome email", "day-three nudge", "subject lines", "sequence"],
     "generic", "open rates"),
    ("beta feedback", ["bug reports", "feature requests", "survey answers", "interviews"],
     "overwhelming", "responses"),
    ("social media plan", ["launch thread", "teaser posts", "short videos", "posting schedule"],
     "scattered", "impressions"),
    ("help center", ["getting-started guide", "video tutorials", "search", "troubleshooting"],
     "thin", "tickets"),
    ("analytics setup", ["event tracking", "funnel report", "dashboards", "retention cohort"],
     "unreliable", "events"),
    ("integrations", ["calendar sync", "Zapier connector", "API docs", "webhooks"],
     "half-finished", "connections"),
    ("demo video", ["script", "voiceover", "screen recording", "thumbnail"],
     "too long", "views"),
    ("referral program", ["reward tiers", "invite flow", "tracking links", "terms"],
     "complicated", "referrals"),
    ("launch-day checklist", ["rollback plan", "status page", "on-call rota", "announcement"],
     "incomplete", "tasks"),
    ("sales deck", ["case studies", "objection slides", "pricing slide", "demo flow"],
     "dense", "meetings"),
    ("app store listing", ["screenshots", "keywords", "description", "review prompts"],
     "bland", "installs"),
    ("community forum", ["moderation rules", "welcome thread", "categories", "office hours"],
     "quiet", "posts"),
]  # fmt: skip

ACTIONS = [
    "cutting everything that doesn't help a first-time visitor decide",
    "writing down the one outcome you want and working backwards from it",
    "testing two versions with a small group before committing",
    "asking five real customers what confused them",
    "borrowing the structure of something that already works and adapting the details",
    "making a rough version this week and polishing it later",
    "setting a single owner and a deadline for each piece",
    "listing the questions people ask on sales calls and answering those first",
    "keeping the wording plain and specific instead of clever",
    "measuring a baseline now so you can tell whether changes help",
]  # fmt: skip
MISTAKES = [
    "trying to explain every feature at once",
    "polishing details nobody has asked for while the basics are missing",
    "copying a big company's approach without their audience",
    "waiting for perfect data before making any call",
    "leaving the decision to a committee with no clear owner",
    "optimising for internal opinions instead of customer behaviour",
    "launching everything on the same day and not knowing what worked",
]  # fmt: skip
ADVICE_CLOSERS = [
    "That should keep the {sub} focused on what actually matters to buyers.",
    "Once that's in place, the rest of the {sub} usually falls into line.",
    "If it helps, I can sketch a first draft of the {sub} next.",
    "None of this needs to be perfect before launch; it needs to be clear.",
    "I'd revisit the {sub} two weeks after launch with real numbers in hand.",
    "Keep the scope small and you'll have time to react to what people say.",
    "Would you like me to turn this into a short checklist for the team?",
]  # fmt: skip


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _format_amount(value: int) -> str:
    return f"{value:,}"


class _Writer:
    """Sentence templates filled from one ``random.Random``."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def pick(self, options: Sequence[str]) -> str:
        return self.rng.choice(options)

    def person(self) -> str:
        if self.rng.random() < 0.6:
            return self.pick(FILLER_PEOPLE)
        return self.pick(FILLER_ROLES)

    def count(self) -> int:
        return self.rng.choice([3, 4, 5, 6, 8, 12, 15, 20, 25, 30, 40, 60, 75, 120, 200])

    def percent(self) -> str:
        return f"{self.rng.randint(3, 60)}%"

    def money(self) -> str:
        return "$" + _format_amount(self.rng.choice([15, 40, 90, 120, 250, 400, 600, 900, 1500]))

    # -- user -------------------------------------------------------------

    def user_sentences(self, subtopic: tuple, part: str) -> list[str]:
        sub, _, complaint, metric = subtopic
        person = self.person()
        company = self.pick(FILLER_COMPANIES)
        period = self.pick(PERIODS)
        openers = [
            f"Okay, next thing on my list is the {sub}.",
            f"I want to get back to the {sub} for a minute.",
            f"Switching topics: the {sub}.",
            f"Can we talk about the {sub}?",
            f"I've been staring at the {sub} all morning.",
            f"So, the {sub} is still bugging me.",
        ]
        context = [
            f"{_capitalised(person)} thinks the {part} feels {complaint}.",
            f"We got about {self.count()} {metric} from it {period}, which seems low.",
            f"{_capitalised(person)} pointed out that {company} does the {part} really well.",
            f"Right now the {part} is basically a placeholder.",
            f"The {part} took {self.count()} hours last time and I'd rather not repeat that.",
            f"I read that {company} saw a {self.percent()} lift after reworking their {part}.",
            f"Honestly, the {part} is the part I understand least.",
            f"We tried a quick version of the {part} {period} and it was {complaint}.",
            f"A freelancer quoted {self.money()} to redo the {part}.",
            f"Our numbers say {self.percent()} of visitors never get past the {part}.",
            f"{_capitalised(person)} worries the {part} looks {complaint} next to competitors.",
            f"A founder I met in {self.pick(FILLER_CITIES)} said they struggled with this too.",
        ]
        questions = [
            f"What would you change about the {part} first?",
            f"How should we approach the {sub} given the time we have?",
            f"Is it worth spending more on the {part}, or should we keep it simple?",
            f"What does a good {part} look like for a product like ours?",
            f"Any ideas on how to make the {part} less {complaint}?",
            f"How would you prioritise the {sub} work this week?",
        ]
        sentences = [self.pick(openers)] if self.rng.random() < 0.6 else []
        sentences += self.rng.sample(context, self.rng.randint(1, 3))
        sentences.append(self.pick(questions))
        return sentences

    # -- assistant -------------------------------------------------------------

    def reply_sentences(self, subtopic: tuple, part: str) -> list[str]:
        """A reply about ``part`` (what the user asked about) and its neighbours."""
        sub, parts, complaint, metric = subtopic
        a = part
        b, c = self.rng.sample([item for item in parts if item != part], 2)
        company, other = self.rng.sample(FILLER_COMPANIES, 2)
        action, action2, action3 = self.rng.sample(ACTIONS, 3)
        mistake, mistake2 = self.rng.sample(MISTAKES, 2)
        openers = [
            f"Good question, the {sub} is worth getting right.",
            f"That's a common problem with the {sub}, and it's fixable.",
            f"Let's break the {sub} down into smaller pieces.",
            f"Happy to help with the {sub}.",
            f"A {complaint} {a} is usually a symptom of trying to do too much.",
            f"Short answer: simplify the {a} before you add anything else to the {sub}.",
        ]
        body = [
            f"For the {a}, I'd start by {action}.",
            f"A common mistake with the {sub} is {mistake}.",
            f"Teams like {company} and {other} keep their {b} short, and in their case that "
            f"meant roughly {self.percent()} more {metric}.",
            f"Aim for about {self.count()} {metric} a week at first, then raise the bar.",
            f"If you have time, test the {c} with {self.count()} people before committing.",
            f"The {b} matters more than most people think, because it sets expectations.",
            f"I wouldn't spend more than {self.money()} on the {c} until you know it converts.",
            f"One trick that works well is {action2}.",
            f"Don't worry too much about the {c} yet; it's easy to change after launch.",
            f"You could ask {self.pick(FILLER_PEOPLE)} to own the {b} so it doesn't stall.",
            f"In my experience the {a} and the {b} should tell the same story.",
            f"Benchmarks vary a lot, but {self.percent()} is a reasonable target for {metric} "
            f"in the first month.",
            f"When {company} reworked their {a}, the biggest gain came from {action3}.",
            f"Be careful about {mistake2}.",
            f"Plan for about {self.rng.randint(2, 9)} days of work on the {c}, not more.",
        ]
        steps = [
            f"Write down what the {a} must achieve in one sentence.",
            f"Draft the {b} and show it to {self.rng.randint(3, 8)} customers.",
            f"Cut anything in the {c} that nobody mentioned.",
            f"Check the {metric} a week later and adjust.",
            f"Give {self.pick(FILLER_PEOPLE)} the final say on the {b}.",
        ]
        sentences = [self.pick(openers)]
        sentences += self.rng.sample(body, self.rng.randint(5, 10))
        if self.rng.random() < 0.35:
            sentences.append("Here's a simple order to do it in:")
            chosen = self.rng.sample(steps, self.rng.randint(3, 4))
            sentences += [f"{n}. {step}" for n, step in enumerate(chosen, start=1)]
        if self.rng.random() < 0.7:
            sentences.append(self.pick(ADVICE_CLOSERS).format(sub=sub))
        return sentences


def _fact_makers(rng: random.Random) -> dict[str, Callable[[], Fact]]:
    """One maker per kind of fact; each draws its values when called."""
    first_names = rng.sample(PLANTED_FIRST, 2)
    last_names = rng.sample(PLANTED_LAST, 2)

    def lead() -> Fact:
        name = f"{first_names[0]} {last_names[0]}"
        text = rng.choice(
            [
                f"Our project lead is {name}.",
                f"{name} will be leading the project on our side.",
                f"For the record, {name} is the project lead, so loop them in on anything big.",
            ]
        )
        return Fact(text, (name,), -1)

    def budget() -> Fact:
        amount = _format_amount(rng.randrange(21_000, 96_000, 500))
        text = rng.choice(
            [
                f"The total launch budget is ${amount}.",
                f"Finance approved a launch budget of ${amount} yesterday.",
                f"We have ${amount} to spend on the whole launch, including ads.",
            ]
        )
        return Fact(text, (amount,), -1)

    def launch_date() -> Fact:
        month = rng.choice(MONTHS)
        day = rng.randint(3, 27)
        year = rng.choice([2025, 2026])
        text = rng.choice(
            [
                f"We're aiming to launch on {month} {day}, {year}.",
                f"The launch date is set for {month} {day}, {year}.",
                f"Everything has to be ready by {month} {day}, {year}, which is launch day.",
            ]
        )
        return Fact(text, (f"{month} {day}",), -1)

    def product() -> Fact:
        name = rng.choice(PRODUCTS)
        kind = rng.choice(PRODUCT_KINDS)
        text = rng.choice(
            [
                f"The product is called {name}, a {kind}.",
                f"We're launching {name}, our new {kind}.",
                f"Internally everyone calls it {name}, and that's the name we're keeping.",
            ]
        )
        return Fact(text, (name,), -1)

    def pilot() -> Fact:
        company = rng.choice(PILOT_COMPANIES)
        text = rng.choice(
            [
                f"Our first pilot customer is {company}.",
                f"{company} signed on as the pilot customer last week.",
                f"The pilot is running with {company}, and they seem happy so far.",
            ]
        )
        return Fact(text, (company,), -1)

    def venue() -> Fact:
        place, city = rng.choice(VENUES)
        text = rng.choice(
            [
                f"The launch event will be at {place} in {city}.",
                f"We booked {place} in {city} for the launch party.",
            ]
        )
        needle = place.removeprefix("the ")
        return Fact(text, (needle,), -1)

    def price() -> Fact:
        amount = rng.choice([19, 24, 29, 34, 39, 44, 49, 59, 79])
        text = rng.choice(
            [
                f"Pricing will be ${amount} per seat per month.",
                f"The standard plan costs ${amount} per user per month.",
            ]
        )
        return Fact(text, (f"${amount} per",), -1)

    def decision() -> Fact:
        vendor, service = rng.choice(VENDORS)
        text = rng.choice(
            [
                f"We decided to go with {vendor} for {service}.",
                f"After a long debate we agreed to use {vendor} for {service}.",
                f"Final decision on {service}: we're going with {vendor}.",
            ]
        )
        return Fact(text, (vendor,), -1)

    def beta() -> Fact:
        count = _format_amount(rng.randrange(1_050, 4_950, 50))
        text = rng.choice(
            [
                f"We have {count} beta testers signed up so far.",
                f"The beta waitlist is at {count} people.",
            ]
        )
        return Fact(text, (count,), -1)

    def version() -> Fact:
        number = f"{rng.randint(2, 6)}.{rng.randint(1, 9)}.{rng.randint(1, 9)}"
        text = rng.choice(
            [
                f"We'll ship version {number} on launch day.",
                f"The release candidate is version {number}.",
            ]
        )
        return Fact(text, (number,), -1)

    def conversion() -> Fact:
        rate = f"{rng.randint(4, 12)}.{rng.choice([2, 5, 8])}%"
        text = rng.choice(
            [
                f"Our target is a {rate} trial-to-paid conversion rate.",
                f"Leadership wants {rate} of trials to convert to paid.",
            ]
        )
        return Fact(text, (rate,), -1)

    def designer() -> Fact:
        name = f"{first_names[1]} {last_names[1]}"
        agency = rng.choice(AGENCIES)
        text = f"{name} from {agency} is designing the new brand and the landing page."
        return Fact(text, (name, agency), -1)

    return {
        "lead": lead,
        "budget": budget,
        "launch_date": launch_date,
        "decision": decision,
        "product": product,
        "pilot": pilot,
        "venue": venue,
        "price": price,
        "beta": beta,
        "version": version,
        "conversion": conversion,
        "designer": designer,
    }


REQUIRED_FACTS = ("lead", "budget", "launch_date", "decision")
FACT_LEADS = [
    "A few details before we dig in.",
    "Some context you should have.",
    "Also, so you have it:",
    "Oh, and one more thing.",
    "Quick update from our side.",
]  # fmt: skip


def _plant(rng: random.Random, turns: int) -> list[Fact]:
    makers = _fact_makers(rng)
    optional = [kind for kind in makers if kind not in REQUIRED_FACTS]
    count = rng.randint(*FACT_COUNT)
    kinds = [*REQUIRED_FACTS, *rng.sample(optional, count - len(REQUIRED_FACTS))]
    rng.shuffle(kinds)
    span = min(FACT_TURNS, turns)
    if span <= 0:
        return []
    # One fact per early turn first, then the rest wherever.
    positions = list(range(min(span, len(kinds))))
    positions += sorted(rng.randrange(span) for _ in kinds[span:])
    facts = []
    for kind, turn in zip(kinds, positions, strict=True):
        fact = makers[kind]()
        facts.append(Fact(fact.text, fact.needles, turn))
    return sorted(facts, key=lambda fact: fact.turn)


def _words(sentences: Sequence[str]) -> int:
    return sum(len(sentence.split()) for sentence in sentences)


def _render(sentences: Sequence[str]) -> str:
    """Sentences as a message; numbered steps each start a line, as models write them."""
    text = ""
    for sentence in sentences:
        is_step = sentence[:1].isdigit() and sentence[1:3] == ". "
        if not text:
            text = sentence
        elif is_step:
            text += "\n" + sentence
        elif text.endswith(":") or text.split("\n")[-1][:1].isdigit():
            text += "\n\n" + sentence
        else:
            text += " " + sentence
    return text


def generate(turns: int, seed: int = 0) -> GeneratedConversation:
    """A ``turns``-turn conversation (user message, assistant reply) with planted facts."""
    if turns < 0:
        raise ValueError("turns must not be negative")
    rng = random.Random(seed)
    writer = _Writer(rng)
    facts = _plant(rng, turns)
    needles = [needle for fact in facts for needle in fact.needles]

    def draw(
        make: Callable[[tuple, str], list[str]],
        topic: tuple,
        part: str,
        bounds: tuple[int, int],
        keep_last: int | None = None,
    ) -> list[str]:
        """Sentences within ``bounds`` words and free of planted needles, by rejection."""
        for _ in range(MAX_DRAWS):
            sentences = make(topic, part)
            if keep_last is not None:
                sentences = sentences[-keep_last:]
            text = " ".join(sentences)
            if bounds[0] <= _words(sentences) <= bounds[1] and not any(
                needle in text for needle in needles
            ):
                return sentences
        return []  # only when the planted facts leave almost no room

    result: list[tuple[str, str]] = []
    subtopic = rng.choice(SUBTOPICS)
    for index in range(turns):
        if index > 0 and rng.random() < 0.45:
            subtopic = rng.choice([item for item in SUBTOPICS if item is not subtopic])
        topic, part = subtopic, rng.choice(subtopic[1])
        planted = [fact.text for fact in facts if fact.turn == index]
        if index == 0:
            lead = ["Hi! I'm planning the launch of our new product and could use a hand."]
        elif planted and rng.random() < 0.5:
            lead = [rng.choice(FACT_LEADS)]
        else:
            lead = []
        if planted:
            # The facts come first; the rest of the message moves on to the topic.
            used = _words([*lead, *planted])
            low, high = max(0, USER_WORDS[0] - used), USER_WORDS[1] - used
            if high >= 12:
                filler = draw(writer.user_sentences, topic, part, (low, high), keep_last=2)
            else:
                filler = []
            user = [*lead, *planted, *filler]
        else:
            user = draw(writer.user_sentences, topic, part, USER_WORDS)
        reply = draw(writer.reply_sentences, topic, part, REPLY_WORDS)
        result.append((_render(user), _render(reply)))
    return GeneratedConversation(turns=result, facts=facts, seed=seed)
