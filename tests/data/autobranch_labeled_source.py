# ruff: noqa: E501
"""Source of ``autobranch_labeled.jsonl``: texts with their branch points marked inline.

``[[k|…]]`` marks one expected branch point of kind ``k``; the generator strips the
marks, records each span's character offsets (end exclusive) and its text, and puts
one text in three in the held-out split by a hash of the text (not by choice).
Regenerate with ``python -m tests.data.autobranch_labeled_source``.

Kinds: e enumeration, d disjunction, c comparison, i conditional, x directive,
q question (a message asking two or more real questions: each one), m multi-intent.

Span conventions:
- d: from "whether"/"either" when present, else the first option, to the end of the
  last option's phrase (without a trailing purpose like "for my blog").
- c: "X vs Y" is X…Y; otherwise from the trigger ("compare", "difference between",
  "torn between", …) to the end of the last option.
- i: from "If"/"What if"/"Unless" to the end (punctuation included) of the sentence
  holding the last case.
- x, q, m: the whole sentence, punctuation included, without a list marker. A question
  holding a more specific construct is labelled by that construct instead.
- e: from the first item's marker to the end of the last item; prose alternatives from
  the first option's sentence to the end of the last.
A single intent, a procedure's steps, idioms ("or so", "more or less"), rhetorical tags,
code and URLs carry no branch point.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

KINDS = {
    "e": "enumeration",
    "d": "disjunction",
    "c": "comparison",
    "i": "conditional",
    "x": "directive",
    "q": "question",
    "m": "multi_intent",
}

TEXTS: list[str] = [
    # ---- disjunctions
    "Should I use [[d|Postgres or MySQL]] for a small inventory app?",
    "Is it better to learn [[d|Python or JavaScript]] as a first language?",
    "Should I [[d|buy or lease]] my next car? I drive about 20k km a year.",
    "We're trying to decide [[d|whether to refinance the mortgage now or wait until next spring]].",
    "Do you think I should take [[d|the train or a domestic flight]] from Madrid to Barcelona?",
    "For the wedding cake, would guests prefer [[d|chocolate, lemon, or red velvet]]?",
    "I can't decide [[d|whether to repaint the kitchen myself or hire a painter]].",
    "Would you like me to [[d|write the unit tests first, or start with the database migration]]?",
    "My daughter is choosing between electives. Should she take [[d|Spanish or Mandarin]] next year?",
    "[[d|Either we cut the marketing budget or we delay the product launch]]; we can't do both.",
    "Should our team go with [[d|a monorepo or separate repositories]] for the three services?",
    "For my thesis defense, should I present [[d|the full derivation or just the key results]]?",
    "Honestly, is it smarter to pay off [[d|the student loan or the credit card]] first?",
    "Thinking about dinner tonight: [[d|tacos or a mushroom risotto]]?",
    "Should the onboarding email go out [[d|immediately after signup or after the first login]]?",
    "I'm not sure [[d|whether to accept the counteroffer or leave for the startup]].",
    "Do you recommend [[d|hardwood or laminate]] for a kitchen with a dog?",
    "Would it make more sense to rent [[d|a cabin or a hotel room]] for the ski weekend?",
    "Should we cache this at [[d|the CDN or in Redis]]?",
    "Which is better for long-term savings here, [[d|an index fund or a high-yield savings account]]?",
    "For the logo, should I go with [[d|serif or sans-serif]] type?",
    "You could store the sessions in [[d|Redis or directly in Postgres]]; both work at your scale.",
    "Should I stay in [[d|Kyoto or Osaka]] for the second half of the trip?",
    "Do we ship [[d|the feature behind a flag or wait for the redesign]]?",
    "Would you rather have [[d|a quick summary or a detailed line-by-line review]] of the contract?",
    "Should I plant [[d|tomatoes or peppers]] in the shady corner of the garden?",
    "Is [[d|intermittent fasting or calorie counting]] easier to stick with long term?",
    "I keep going back and forth: [[d|MacBook Air or a Linux laptop]] for development?",
    "Should the API return [[d|a 404 or an empty list]] when the user has no projects?",
    'We need to choose a name. [[d|Either "Northwind" or "Bluefin"]] feels right to me.',
    # ---- comparisons
    "[[c|React vs Vue]] for a small internal dashboard?",
    "Can you [[c|compare Kafka and RabbitMQ]] for event sourcing?",
    "What's the [[c|difference between a Roth IRA and a traditional IRA]]?",
    "I'm [[c|torn between the offer in Berlin and staying in Lisbon]].",
    "[[c|Renting versus buying]] in a city where prices keep climbing: what should I consider?",
    "Please [[c|compare the Pixel 9 with the iPhone 16]] on camera quality.",
    "Give me the [[c|pros and cons of remote work and hybrid work]] for a team of twelve.",
    "How does [[c|Rust vs Go]] look for a high-throughput proxy?",
    "We're [[c|deciding between Stripe and Paddle]] for subscriptions.",
    "[[c|Yoga vs pilates]] for lower back pain, which would you start with?",
    "Could you [[c|compare term life insurance to whole life insurance]]?",
    "What are the main [[c|differences between TCP and UDP]]?",
    "[[c|Electric vs hybrid]] for someone who mostly drives in the city?",
    "I'd like to [[c|compare SvelteKit and Next.js]] before we commit.",
    "My manager asked me to [[c|compare AWS against GCP]] for our ML workloads.",
    # ---- conditionals
    "[[i|If the test suite passes on CI, merge it tonight; otherwise revert the commit and we'll look tomorrow.]]",
    "[[i|If it rains on Saturday we'll do the museum. Otherwise, let's hike the coastal trail.]]",
    "[[i|What if we moved the launch to March instead of January?]]",
    "[[i|If the landlord accepts the lower rent, I'll sign for two years. If not, I'll keep looking.]]",
    "[[i|If you have more than six months of runway, keep building; if you have less, start fundraising now.]]",
    "[[i|What if the Romans had never left Britain?]]",
    "[[i|If the dough is still sticky, add a spoon of flour. If it feels dry, add a little water.]]",
    "[[i|If the client signs by Friday we start Monday, else we push everything a month.]]",
    "[[i|What if I quit my job to freelance full time?]]",
    "[[i|If the biopsy comes back benign, we monitor yearly; otherwise we discuss surgery.]]",
    "[[i|If the query is slow because of the join, add an index. If it's slow because of the sort, paginate.]]",
    "[[i|What if the server is behind a corporate proxy?]]",
    # ---- directives
    "[[x|Can you brainstorm some names for my bakery?]] It's in a small coastal town.",
    "[[x|Help me explore a few different approaches to onboarding new hires remotely.]]",
    "[[x|What are some alternatives to Jira for a five-person team?]]",
    "[[x|I'd like to explore options for financing a used tractor.]]",
    "[[x|Let's brainstorm themes for the company offsite.]]",
    "[[x|What are my options for getting a work visa in Canada?]]",
    "[[x|Suggest a few ways to cut our AWS bill without downtime.]]",
    "[[x|Can you come up with some ideas for a tenth anniversary gift?]]",
    "[[x|Give me some alternatives to sugar for baking.]]",
    "We launched last week and retention is weak. [[x|Can we explore different strategies to improve week-one retention?]]",
    "[[x|Are there other ways to structure this essay?]] The chronological order feels flat.",
    "[[x|List some ideas for a science fair project about plants.]]",
    "[[x|Brainstorm opening lines for a mystery novel set in Lagos.]]",
    "[[x|What are the options for hosting a static site for free?]]",
    # ---- multiple questions
    "[[q|How do I reset my router to factory settings?]] [[q|And is there a way to keep my Wi-Fi name afterwards?]]",
    "[[q|What's the capital of Australia?]] [[q|And how many people live in Sydney?]]",
    "[[q|When is the tax filing deadline this year?]] [[q|Can I deduct my home office as a contractor?]]",
    "[[q|How long should I rest a steak after grilling?]] [[q|Also, what internal temperature is medium-rare?]]",
    "[[q|Why is my sourdough starter not rising?]] [[q|And how often should I feed it in a warm kitchen?]]",
    "[[q|How do I convert a Word file to PDF on a Mac?]] [[q|Is there also a way to password-protect it?]]",
    "[[q|What vaccines do I need for a trip to Ghana?]] [[q|How far in advance should I get them?]]",
    "[[q|Where can I find my invoice history?]] [[q|And why was I charged twice in March?]]",
    "[[q|What does HTTP 429 mean?]] [[q|How should a client back off when it gets one?]]",
    "[[q|How many hours of sleep does a teenager need?]] [[q|What's the best way to get them off their phones at night?]]",
    "Quick ones:\n1. [[q|How do I rename a git branch locally?]]\n2. [[q|How do I push the renamed branch to origin?]]",
    "[[q|Can a landlord keep my deposit for normal wear and tear?]] [[q|What counts as normal wear?]]",
    # ---- multi-intent
    "[[m|I need help with billing and also have a technical question about the API.]] Can you help with both?",
    "[[m|I have two questions: one about my refund and one about changing my shipping address.]]",
    "[[m|We need a new logo as well as a landing page for the spring campaign.]]",
    "[[m|I want to cancel my gym membership and also ask about the personal training package.]]",
    # ---- enumerations (alternatives)
    "Here are a few options:\n[[e|1. Flask - lightweight and simple\n2. FastAPI - async and typed\n3. Django - batteries included]]\nWhich one fits your team best?",
    "You have three realistic paths:\n[[e|- Keep the current vendor and renegotiate\n- Switch to a cheaper regional supplier\n- Bring production in-house]]",
    "Options for the holiday:\n[[e|* Lisbon for food and tiles\n* Reykjavik for the northern lights\n* Marrakech for the markets]]\nWhich would you pick?",
    "For state management you could consider:\n[[e|1. Redux Toolkit\n2. Zustand\n3. Jotai]]",
    "We have a few alternatives for the migration:\n[[e|- Option A: a big-bang cutover on a weekend\n- Option B: dual writes for a month\n- Option C: migrate tenant by tenant]]",
    "[[e|One option is to raise prices by ten percent. Another option is to introduce a premium tier. Alternatively, we could cut the free plan entirely.]]",
    "Possible approaches to the flaky test:\n[[e|1. Retry it up to three times\n2. Mock the network call\n3. Rewrite it as an integration test against a local server]]\nWhat do you think?",
    "Which of these would you go with for the team outing?\n[[e|- Escape room\n- Cooking class\n- Go-karting]]",
    "Candidates for the database:\n[[e|• PostgreSQL\n• CockroachDB\n• PlanetScale]]",
    "[[e|The first approach is to hire a contractor for the backend. The second approach is to train our frontend developers.]] Both take about three months.",
    "Ideas for the newsletter name:\n[[e|1. The Weekly Sprout\n2. Green Thumb Notes\n3. Soil & Sun]]\nLet me know which one you like.",
    "Three ways we could price the workshop:\n[[e|- Flat fee per company\n- Per seat\n- Pay what you want]]",
    # ---- mixed (several constructs)
    "Should I learn [[d|Rust or Go]] next? [[x|Also, can you suggest a few project ideas to practice with?]]",
    "[[c|Kayak vs canoe]] for a beginner? [[i|If I go with a kayak, should it be sit-on-top? If I go with a canoe, do I need a partner?]]",
    "[[q|What's a good budget for a week in Portugal?]] And should we base ourselves in [[d|Lisbon or Porto]]?",
    "Our churn doubled. [[x|Can you help me explore possible causes?]] [[i|If it's pricing, we can run a discount test; otherwise we need user interviews.]]",
    "Options for the backend:\n[[e|1. Node with Express\n2. Python with FastAPI]]\n[[x|Also brainstorm some names for the project.]]",
    "[[q|Is it safe to run the dishwasher overnight?]] [[q|Does it actually save money on an off-peak tariff?]]",
    "I'm planning a garden bed. [[d|Raised beds or in-ground rows]]? [[q|And when should I start seeds indoors in zone 6?]]",
    "Hi! [[q|How do I export my contacts from the app?]] [[q|Also, can I import them into Outlook?]] Thanks!",
    "For the conference talk, [[d|a live demo or pre-recorded video]]? If the Wi-Fi is unreliable, the demo could fail badly.",
    "[[x|What are some alternatives to a traditional mortgage?]] [[c|Rent-to-own vs shared ownership]] especially.",
    # ---- assistant-side messages with branch points
    "There are two ways to fix this. [[e|You could add a composite index on (user_id, created_at). Alternatively, you could denormalize the count into the users table.]]",
    "The error comes from a missing environment variable. [[i|If you're running locally, add it to your .env file; otherwise set it in the deployment settings.]]",
    "It depends on your goals. [[d|Either focus on strength training three times a week or combine two strength days with two runs]].",
    "I can take this in a few directions:\n[[e|1. A formal report for the board\n2. A short slide deck\n3. A one-page memo]]\nWhich would be most useful?",
    "Would you prefer [[d|a gentle reminder email or a firmer final notice]] for the overdue invoice?",
    "Here are two possible openings for your cover letter:\n[[e|- Start with the project you are proudest of\n- Start with why this company specifically]]\nWhich tone fits you better?",
    "Great question. [[c|Index funds versus individual stocks]] comes down to time, risk and fees.",
    "[[i|If your priority is battery life, the Air is the better pick. If you need more ports and a brighter screen, go for the Pro.]]",
    "[[x|Shall we explore a few alternative titles for the chapter?]]",
    "I'd suggest one of these frameworks:\n[[e|- Jest for a fast setup\n- Vitest if you already use Vite\n- Mocha if you want full control]]",
    # ---- negatives: single intent, no branch point
    "How do I reset my password?",
    "Please place the order for 40 units by Thursday.",
    "The meeting should take an hour or so.",
    "It costs more or less the same as last year.",
    "It's a beautiful day, isn't it?",
    "To install the CLI:\n1. Download the installer from the website\n2. Run it and accept the license\n3. Restart your terminal",
    "Run `git pull --rebase || git rebase --abort` before pushing.",
    "See https://example.com/docs/or-operator for the details on the syntax.",
    "Let me know if you have any questions or concerns.",
    "I don't eat meat or fish, so please plan a vegetarian menu.",
    "The recipe:\n- 200 g flour\n- 2 eggs\n- 100 ml milk\n- a pinch of salt",
    "Thanks, that fixed it! The build is green now.",
    "Wait a day or two before watering the succulents again.",
    "Can you summarize this article in three sentences?",
    "The function returns true if the value is greater than or equal to zero.",
    "Sooner or later we will have to upgrade the server.",
    "Write a haiku about autumn in Kyoto.",
    "Translate this paragraph into French, please.",
    "What time does the pharmacy on Main Street close?",
    "Our forecast assumes five or six new hires next quarter.",
    "Steps to bake the bread:\n1. Mix the flour, water and yeast\n2. Knead for ten minutes\n3. Let it rise for an hour\n4. Bake at 220 C for 30 minutes",
    "I'm going to the store for milk. Do you need anything?",
    "Please format the output as JSON, with no extra keys.",
    "The invoice includes hosting, support, and/or consulting as agreed in the contract.",
    "You need either a passport or a national ID card at the border.",
    "In the code, `if x or y:` evaluates y only when x is falsy.",
    "Summary of the call:\n- Budget approved\n- Launch moved to May\n- Anna owns the press release",
    "That's the best pizza in town, don't you think?",
    "Remind me to call the dentist tomorrow morning.",
    "The forest was quiet; neither birds nor wind could be heard.",
    "What's a good name for a golden retriever puppy?",
    "He explored the old quarter yesterday and loved it.",
    "Fix the typo in the second paragraph where it says 'teh'.",
    "Use snake_case for variables, for consistency with the rest of the codebase.",
    "I'd like a table for four at seven, please.",
    "You can reach support by email at help@example.com.",
    "Our record is more or less unchanged, and shipping takes a week or so.",
    "The new policy applies whether or not you are a full-time employee.",
    "Could you proofread my essay for grammar mistakes?",
    "Set the thermostat to 21 degrees for the night.",
    "Is the museum open on Mondays?",
    "No sugar or milk in my coffee, thanks.",
    "We'll need roughly 10 or 12 chairs for the event.",
    "Please explain how a heat pump works.",
]


def parse(marked: str) -> tuple[str, list[dict[str, object]]]:
    text_parts: list[str] = []
    spans: list[dict[str, object]] = []
    pos = 0
    cursor = 0
    for match in re.finditer(r"\[\[(\w)\|(.*?)\]\]", marked, re.S):
        before = marked[cursor : match.start()]
        text_parts.append(before)
        pos += len(before)
        inner = match.group(2)
        spans.append(
            {"start": pos, "end": pos + len(inner), "trigger": inner, "kind": KINDS[match.group(1)]}
        )
        text_parts.append(inner)
        pos += len(inner)
        cursor = match.end()
    text_parts.append(marked[cursor:])
    text = "".join(text_parts)
    if "[[" in text or "]]" in text:
        raise ValueError(f"unbalanced marks in {marked!r}")
    return text, spans


def split_of(text: str) -> str:
    return "heldout" if hashlib.sha256(text.encode()).digest()[0] % 3 == 0 else "dev"


def records() -> list[dict[str, object]]:
    out = []
    for index, marked in enumerate(TEXTS):
        text, spans = parse(marked)
        out.append({"id": f"ab{index:03d}", "split": split_of(text), "text": text, "spans": spans})
    return out


def main() -> None:
    target = Path(__file__).with_name("autobranch_labeled.jsonl")
    lines = [json.dumps(r, ensure_ascii=False) for r in records()]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} texts to {target}")


if __name__ == "__main__":
    main()
