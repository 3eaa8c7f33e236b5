"""Write emotune's sample data: synthetic tweets in the SemEval-2018 E-c layout, 11 labels.

Every clause below was written for this project and is dedicated to the public domain (CC0). Texts combine
one or two emotional clauses (labels = the union of their emotions), sometimes a neutral clause, and the
decorations social-media text has (hashtags, mentions, URLs, emoji, elongations). The output is deterministic.

    python tools/make_sample_data.py src/emotune/sample_data
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

LABELS = ("anger", "anticipation", "disgust", "fear", "joy", "love", "optimism", "pessimism", "sadness",
          "surprise", "trust")  # fmt: skip

# clause -> the emotions it expresses
CLAUSES: dict[str, tuple[str, ...]] = {
    "I am so angry they cancelled my flight again": ("anger",),
    "this customer service is a joke and I am furious": ("anger", "disgust"),
    "stop lying to us, we are sick of it": ("anger", "disgust"),
    "my neighbour blasted music all night and I could scream": ("anger",),
    "how dare you talk to my mother like that": ("anger",),
    "the referee ruined the whole match, absolutely livid": ("anger",),
    "rage does not even cover how I feel about this bill": ("anger",),
    "I am fuming, the train left without us": ("anger",),
    "they raised the rent again and I am outraged": ("anger", "pessimism"),
    "who keeps stealing my lunch from the office fridge, unbelievable": ("anger", "surprise"),
    "counting down the days until the concert": ("anticipation", "joy"),
    "can't wait to see what the new season brings": ("anticipation", "optimism"),
    "results come out tomorrow morning": ("anticipation",),
    "waiting for the kickoff like": ("anticipation",),
    "only three more sleeps until the holidays": ("anticipation", "joy"),
    "wondering what the interview will be like next week": ("anticipation", "fear"),
    "the trailer drops tonight and I am ready": ("anticipation",),
    "packing my bags for the trip on friday": ("anticipation", "joy"),
    "that video made me feel sick to my stomach": ("disgust",),
    "the way he treats waiters is disgusting": ("disgust", "anger"),
    "found hair in my soup, gross": ("disgust",),
    "politicians bragging about this mess is revolting": ("disgust", "anger"),
    "the smell in the subway today was vile": ("disgust",),
    "people who litter on the beach make me sick": ("disgust", "anger"),
    "that comment section is a cesspool": ("disgust",),
    "eww, someone left old milk in the sink": ("disgust",),
    "I am terrified of the exam tomorrow": ("fear",),
    "heard a noise downstairs and now I cannot sleep": ("fear",),
    "my hands are shaking before the surgery": ("fear",),
    "so nervous about the job interview": ("fear", "anticipation"),
    "the storm warning has me scared for my family": ("fear",),
    "panic attack on the bus again": ("fear", "sadness"),
    "what if I fail and lose everything": ("fear", "pessimism"),
    "dark roads at night give me the creeps": ("fear",),
    "the news about the layoffs is frightening": ("fear", "pessimism"),
    "best day ever at the beach with friends": ("joy",),
    "we won the final, what a feeling": ("joy", "surprise"),
    "laughing so hard my cheeks hurt": ("joy",),
    "sunshine, coffee and a good book, perfect morning": ("joy",),
    "got the promotion, celebrating tonight": ("joy", "optimism"),
    "my puppy learned to sit and I am delighted": ("joy", "love"),
    "dancing in the kitchen because life is good": ("joy",),
    "finally finished my thesis, so happy": ("joy",),
    "love you to the moon and back": ("love",),
    "my grandma's hugs are the best thing in the world": ("love", "joy"),
    "ten years married to my best friend": ("love", "joy"),
    "I adore this little family of mine": ("love",),
    "forever grateful for my sister": ("love", "trust"),
    "you make every day brighter, my darling": ("love", "joy"),
    "my heart is full when my kids laugh": ("love", "joy"),
    "sending hugs to everyone I cherish": ("love",),
    "tomorrow is a new chance to get it right": ("optimism",),
    "things are going to get better, I can feel it": ("optimism",),
    "keep going, the hard work will pay off": ("optimism", "trust"),
    "every setback is a setup for a comeback": ("optimism",),
    "I believe we can still turn this season around": ("optimism", "trust"),
    "the future looks bright for our town": ("optimism", "joy"),
    "stay positive, good things are coming": ("optimism", "anticipation"),
    "one step at a time and we will make it": ("optimism",),
    "nothing ever changes around here": ("pessimism",),
    "we are doomed, this project will never work": ("pessimism", "fear"),
    "why even try when it always ends badly": ("pessimism", "sadness"),
    "the economy is only going to get worse": ("pessimism",),
    "I give up on finding a decent apartment": ("pessimism", "sadness"),
    "no point voting, they are all the same": ("pessimism", "disgust"),
    "expecting the worst as usual": ("pessimism",),
    "this team will lose again, guaranteed": ("pessimism", "anger"),
    "I miss my dad so much today": ("sadness", "love"),
    "crying in the car after the goodbye": ("sadness",),
    "our old dog passed away this morning": ("sadness",),
    "feeling lonely in a room full of people": ("sadness",),
    "heartbroken after the news": ("sadness",),
    "rainy sunday and a heavy heart": ("sadness",),
    "nobody came to my birthday": ("sadness", "pessimism"),
    "the end of the series left me in tears": ("sadness",),
    "wait, they got engaged?! did not see that coming": ("surprise", "joy"),
    "I can't believe it snowed in may": ("surprise",),
    "plot twist of the year, wow": ("surprise",),
    "no way, my old teacher just followed me": ("surprise", "joy"),
    "shocked that the shop closed overnight": ("surprise", "sadness"),
    "whoa, the price dropped by half": ("surprise", "joy"),
    "unexpected visit from my cousin today": ("surprise", "joy"),
    "what?! the match was cancelled an hour before": ("surprise", "anger"),
    "I know my team has my back": ("trust",),
    "our doctor always tells us the truth": ("trust",),
    "you can count on her, she never lets anyone down": ("trust",),
    "proud to work with people I can rely on": ("trust", "joy"),
    "faith in this community restored": ("trust", "optimism"),
    "my best friend kept my secret for years": ("trust", "love"),
    "we trust the coach and the plan": ("trust", "optimism"),
    "honest people like him are rare": ("trust",),
}
NEUTRAL = (
    "the meeting moved to room 4",
    "bus 12 now stops at the library",
    "reading the minutes from yesterday",
    "the shop opens at nine on weekdays",
    "new episode of the podcast is out",
    "weather update for the weekend",
    "the train to the airport leaves every 20 minutes",
    "posting the schedule for next month",
    "grocery list: eggs, rice, tea",
    "the report is due on the 3rd",
)
DECOR_BEFORE = ("", "", "", "@sam ", "@team_blue ", "Honestly, ", "Ugh, ", "Ok so ", "Today: ")
DECOR_AFTER = (
    "", "", "", " #MondayMood", " #NoFilter", " 😂", " 😭", " ❤️", " 😡", " 😱", " 🙏", " http://t.co/abc",
    " #BlessedLife", " #SoTired", " !!!", " sooooo much", " lol", " &amp; more",
)  # fmt: skip
PAIRS = (("anger", "disgust"), ("joy", "optimism"), ("joy", "love"), ("sadness", "pessimism"),
         ("fear", "pessimism"), ("anticipation", "optimism"), ("trust", "optimism"), ("surprise", "joy"),
         ("fear", "sadness"), ("anger", "sadness"))  # fmt: skip


def make_rows(n: int, rng: random.Random, prefix: str) -> list[tuple[str, str, tuple[str, ...]]]:
    by_label: dict[str, list[str]] = {label: [c for c, e in CLAUSES.items() if label in e] for label in LABELS}
    rows, seen = [], set()
    while len(rows) < n:
        kind = rng.random()
        if kind < 0.05:
            parts, emotions = [rng.choice(NEUTRAL)], set()
        elif kind < 0.45:
            a, b = rng.choice(PAIRS)
            first, second = rng.choice(by_label[a]), rng.choice(by_label[b])
            parts, emotions = [first, second], {*CLAUSES[first], *CLAUSES[second]}
        else:
            clause = rng.choice(list(CLAUSES))
            parts, emotions = [clause], set(CLAUSES[clause])
            if rng.random() < 0.3:
                parts.insert(rng.randrange(2), rng.choice(NEUTRAL))
        text = rng.choice(DECOR_BEFORE) + ". ".join(parts) + rng.choice(DECOR_AFTER)
        if text in seen:
            continue
        seen.add(text)
        rows.append((f"{prefix}-{len(rows) + 1:04d}", text, tuple(sorted(emotions))))
    return rows


def write(path: Path, rows: list[tuple[str, str, tuple[str, ...]]]) -> None:
    lines = ["\t".join(("ID", "Tweet", *LABELS))]
    lines += ["\t".join((rid, text, *("1" if label in emotions else "0" for label in LABELS)))
              for rid, text, emotions in rows]  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(out: str) -> None:
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(2018)
    rows = make_rows(500, rng, "sample")
    write(folder / "2018-E-c-En-train.txt", rows[:400])
    write(folder / "2018-E-c-En-dev.txt", rows[400:])


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "src/emotune/sample_data")
