"""Salient terms: the weighted words and phrases that set a group of items apart from the rest."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from journeys.words import STOP_WORDS

# A word: 2+ letters or digits starting with a letter, hyphens inside it allowed.
WORD_PATTERN = re.compile(r"(?u)\b[^\W\d_](?:[^\W_]|-(?=[^\W_]))+\b")
# A hyphenated word stays whole when one of its parts is short, as in set names ("sci-fi",
# "lo-fi", "hip-hop", "x-ray"); one made of full words ("exam-style", "film-noir") is its words.
SHORT_PART = 3


def words(text: str) -> list[str]:
    """The words of a text, as salient terms count them."""
    found: list[str] = []
    for word in WORD_PATTERN.findall(text):
        parts = word.split("-")
        if len(parts) > 1 and all(len(part) > SHORT_PART for part in parts):
            found += parts
        else:
            found.append(word)
    return found


class SalientTerms:
    """Term weighting (tf-idf over one user's items) and the distinctive terms of groups of them."""

    def __init__(self, max_terms: int = 6, ngram_range: tuple[int, int] = (1, 2)):
        self.max_terms = max_terms
        self.ngram_range = ngram_range

    def fit(self, texts: Sequence[str]) -> "SalientTerms":
        """Learn term weights from all the texts of one user's items."""
        self.vectorizer_ = TfidfVectorizer(
            stop_words=STOP_WORDS, ngram_range=self.ngram_range, sublinear_tf=True,
            tokenizer=words, token_pattern=None,
            lowercase=True, min_df=1,
        )
        try:
            self.matrix_ = self.vectorizer_.fit_transform(texts)
        except ValueError:  # only stop words: no vocabulary
            self.matrix_ = None
        return self

    def terms_of(self, members: Sequence[int]) -> list[str]:
        """The most distinctive terms of the items at these positions, strongest first."""
        if self.matrix_ is None or not len(members):
            return []
        inside = np.asarray(self.matrix_[list(members)].mean(axis=0)).ravel()
        rest = np.setdiff1d(np.arange(self.matrix_.shape[0]), members)
        outside = np.asarray(self.matrix_[rest].mean(axis=0)).ravel() if len(rest) else 0.0
        # Terms found in several members count more than one strong hit.
        coverage = np.asarray((self.matrix_[list(members)] > 0).mean(axis=0)).ravel()
        score = (inside - outside) * (0.5 + coverage)
        vocabulary = self.vectorizer_.get_feature_names_out()
        chosen: list[str] = []
        for index in np.argsort(-score):
            if score[index] <= 0 or len(chosen) >= self.max_terms:
                break
            term = vocabulary[index]
            if any(_overlaps(term, other) for other in chosen):
                continue
            chosen.append(term)
        return chosen


def _overlaps(term: str, other: str) -> bool:
    words, other_words = set(term.split()), set(other.split())
    return bool(words & other_words)
