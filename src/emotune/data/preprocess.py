"""Social-media text normalisation, language-aware, configured by :class:`~emotune.config.PreprocessConfig`.

The same config is saved in the model bundle and re-applied at prediction time, so a model never sees text
prepared differently from its training data.

>>> from emotune.config import PreprocessConfig
>>> Preprocessor(PreprocessConfig())("@bob sooooo happy!!! #SoHappy &amp; 😂 https://t.co/x")
'@user soo happy!!! so happy & face with tears of joy http'
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

import emoji

from emotune.config import PreprocessConfig

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@])@\w+")
_HASHTAG = re.compile(r"(?<![\w#])#(\w+)")
_SPACE = re.compile(r"\s+")


def split_hashtag(tag: str) -> str:
    """Split a hashtag body into lower-cased words at case, digit and underscore boundaries.

    >>> split_hashtag("SoHappy"), split_hashtag("NBAFinals2024"), split_hashtag("sad_af")
    ('so happy', 'nba finals 2024', 'sad af')
    """
    words: list[str] = []
    current = ""
    for i, ch in enumerate(tag):
        prev = tag[i - 1] if i else ""
        nxt = tag[i + 1] if i + 1 < len(tag) else ""
        boundary = ch == "_" or (
            current
            and (
                (prev.islower() and ch.isupper())
                or (prev.isupper() and ch.isupper() and nxt.islower())
                or (prev.isdigit() != ch.isdigit())
            )
        )
        if boundary and current:
            words.append(current)
            current = ""
        if ch != "_":
            current += ch
    if current:
        words.append(current)
    return " ".join(words).lower()


class Preprocessor:
    """Callable text normaliser. ``Preprocessor(cfg).transform(texts)`` maps a list of texts."""

    def __init__(self, config: PreprocessConfig | None = None) -> None:
        self.config = config or PreprocessConfig()
        if self.config.language == "auto":  # no preset to ask (EmotionClassifier resolves it from the preset)
            self.config = self.config.model_copy(update={"language": "en"})
        if self.config.emoji == "words":
            emoji.config.load_language(self.config.language)  # the package loads non-English names lazily
        self._elongation = re.compile(rf"([^\W\d_])\1{{{self.config.max_repeat},}}") if self.config.max_repeat else None

    def _emoji_word(self, chars: str, data: dict[str, str]) -> str:
        name = data.get(self.config.language) or data.get("en") or ""
        return f" {name.strip(':').replace('_', ' ')} "

    def __call__(self, text: str) -> str:
        cfg = self.config
        if not cfg.enabled:
            return text
        if cfg.html:
            text = html.unescape(text)
        if cfg.urls != "keep":
            text = _URL.sub(f" {cfg.url_token} " if cfg.urls == "placeholder" else " ", text)
        if cfg.mentions != "keep":
            text = _MENTION.sub(f" {cfg.user_token} " if cfg.mentions == "placeholder" else " ", text)
        if cfg.hashtags == "split":
            text = _HASHTAG.sub(lambda m: f" {split_hashtag(m.group(1))} ", text)
        elif cfg.hashtags == "remove":
            text = _HASHTAG.sub(" ", text)
        if cfg.emoji != "keep" and not text.isascii():  # every emoji has a non-ASCII character
            text = emoji.replace_emoji(text, replace=self._emoji_word if cfg.emoji == "words" else " ")
        if self._elongation is not None:
            repeat = cfg.max_repeat
            text = self._elongation.sub(lambda m: m.group(1) * repeat, text)
        if cfg.lowercase:
            text = text.lower()
        return _SPACE.sub(" ", text).strip()

    def transform(self, texts: Iterable[str]) -> list[str]:
        """Apply to every text; returns a new list of the same length."""
        return [self(t) for t in texts]
