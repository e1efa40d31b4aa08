"""BERT's uncased WordPiece tokenizer in plain Python, read from a ``tokenizer.json``.

all-MiniLM-L6-v2 ships its tokenizer as a Hugging Face ``tokenizer.json`` (BertNormalizer, BertPreTokenizer,
WordPiece). The ``tokenizers`` package reads it, but brings an HTTP stack and a hub client with it; the
algorithm is forty lines, and a pure-Python version costs well under a millisecond per abstract beside the
model's ~30 ms. It reproduces ``tokenizers`` exactly (checked on every dev-mixture text, and on hand-made edge
cases in tests/embeddings/test_embeddings.py): clean text (control characters dropped, whitespace made a space),
spaces around CJK ideographs, lower case, accents stripped (NFD without combining marks), split on whitespace
and on every punctuation character, then greedy longest-match-first word pieces with the ``##`` prefix.
"""

from __future__ import annotations

import json
import re
import unicodedata

CLS, SEP, UNK = "[CLS]", "[SEP]", "[UNK]"
_CJK = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F), (0x2B740, 0x2B81F),
        (0x2B920, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))


class WordPiece:
    """Token ids for texts, as the model was trained to read them: ``[CLS] pieces [SEP]``."""

    def __init__(self, vocab: dict[str, int], *, max_chars_per_word: int = 100, prefix: str = "##"):
        self.vocab = vocab
        self.max_chars = max_chars_per_word
        self.prefix = prefix
        self.cls, self.sep, self.unk = vocab[CLS], vocab[SEP], vocab[UNK]
        self._cache: dict[str, list[int]] = {}

    @classmethod
    def from_json(cls, data: bytes | str) -> WordPiece:
        """From the bytes of a Hugging Face ``tokenizer.json`` whose model is WordPiece (KeyError/ValueError
        when it is not one)."""
        spec = json.loads(data)
        model = spec["model"]
        if model.get("type") != "WordPiece":
            raise ValueError(f"not a WordPiece tokenizer: {model.get('type')!r}")
        return cls(dict(model["vocab"]), max_chars_per_word=int(model.get("max_input_chars_per_word", 100)),
                   prefix=model.get("continuing_subword_prefix", "##"))

    def encode(self, text: str, max_tokens: int) -> list[int]:
        """``[CLS]`` + the first ``max_tokens - 2`` word pieces of ``text`` + ``[SEP]``."""
        room = max_tokens - 2
        ids = [self.cls]
        for word in pre_tokenize(normalize(text)):
            pieces = self._cache.get(word)
            if pieces is None:
                pieces = self._pieces(word)
                if len(self._cache) < 200_000:
                    self._cache[word] = pieces
            ids.extend(pieces[: room - (len(ids) - 1)])
            if len(ids) - 1 >= room:
                break
        ids.append(self.sep)
        return ids

    def _pieces(self, word: str) -> list[int]:
        if len(word) > self.max_chars:
            return [self.unk]
        out, start = [], 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else self.prefix + word[start:end]
                found = self.vocab.get(piece)
                if found is not None:
                    break
                end -= 1
            if found is None:
                return [self.unk]
            out.append(found)
            start = end
        return out


_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ASCII_WORDS = re.compile(r"[a-z0-9]+|[!-/:-@\[-`{-~]")


def normalize(text: str) -> str:
    """BertNormalizer(clean_text, handle_chinese_chars, lowercase, strip_accents = lowercase)."""
    if text.isascii():  # the common case, and 5x faster: no accents, no CJK, no Unicode categories
        return _ASCII_CONTROL.sub("", text).lower()
    out = []
    for char in text:
        code = ord(char)
        if code == 0 or code == 0xFFFD or _is_control(char):
            continue
        if _is_whitespace(char):
            out.append(" ")
        elif any(low <= code <= high for low, high in _CJK):
            out.append(f" {char} ")
        else:
            out.append(char)
    text = unicodedata.normalize("NFD", "".join(out))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return text.lower()


def pre_tokenize(text: str) -> list[str]:
    """BertPreTokenizer: split on whitespace, and every punctuation character is a word of its own."""
    if text.isascii():
        return _ASCII_WORDS.findall(text)
    words: list[str] = []
    current: list[str] = []
    for char in text:
        if char.isspace():
            if current:
                words.append("".join(current))
                current = []
        elif _is_punctuation(char):
            if current:
                words.append("".join(current))
                current = []
            words.append(char)
        else:
            current.append(char)
    if current:
        words.append("".join(current))
    return words


def _is_whitespace(char: str) -> bool:
    return char in " \t\n\r" or unicodedata.category(char) == "Zs"


def _is_control(char: str) -> bool:
    if char in "\t\n\r":
        return False
    return unicodedata.category(char) in ("Cc", "Cf", "Cn", "Co")


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")
