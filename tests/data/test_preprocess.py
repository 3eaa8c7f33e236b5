from __future__ import annotations

import pytest

from emotune.config import PreprocessConfig
from emotune.data.preprocess import Preprocessor, split_hashtag


def _pre(**options: object) -> Preprocessor:
    return Preprocessor(PreprocessConfig(**options))


def test_defaults_normalise_social_media_text() -> None:
    text = "@bob  sooooo happy!!! #SoHappy &amp; 😂\n see https://t.co/x www.example.com"
    assert _pre()(text) == "@user soo happy!!! so happy & face with tears of joy see http http"


@pytest.mark.parametrize(
    ("tag", "words"),
    [("SoHappy", "so happy"), ("happy", "happy"), ("NBAFinals2024", "nba finals 2024"), ("sad_af", "sad af"),
     ("ОченьСчастлив", "очень счастлив")],
)  # fmt: skip
def test_split_hashtag(tag: str, words: str) -> None:
    assert split_hashtag(tag) == words


def test_emoji_words_follow_the_language() -> None:
    assert _pre(language="it")("che bello 😂") == "che bello faccina con lacrime di gioia"
    assert _pre(language="es")("🔥") == "fuego"
    assert _pre(emoji="keep")("ok 😂") == "ok 😂"
    assert _pre(emoji="remove")("ok 😂") == "ok"


def test_every_emoji_has_a_non_ascii_character() -> None:
    # the premise of the preprocessor's fast path: an ASCII text holds no emoji to replace
    import emoji

    assert emoji.EMOJI_DATA and not [e for e in emoji.EMOJI_DATA if e.isascii()]
    assert _pre()("#1 :) <3") == "1 :) <3"  # keycap-like ASCII is not an emoji
    assert _pre()("#️⃣ 1⃣") == "keycap # keycap 1"


def test_options_keep_or_remove() -> None:
    pre = _pre(urls="remove", mentions="keep", hashtags="keep", html=False, max_repeat=0, lowercase=True)
    assert pre("@Ann Sooo GOOD #Yes http://x.y &amp;") == "@ann sooo good #yes &amp;"
    assert _pre(hashtags="remove")("nice #tag day") == "nice day"


def test_elongation_leaves_numbers_alone() -> None:
    assert _pre(max_repeat=2)("noooo 1000000 !!!!") == "noo 1000000 !!!!"


def test_disabled_is_identity() -> None:
    assert _pre(enabled=False)("  #Raw @text  ") == "  #Raw @text  "


def test_email_is_not_a_mention() -> None:
    assert _pre()("mail me at ann@example.com") == "mail me at ann@example.com"
