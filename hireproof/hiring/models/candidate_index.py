"""Searching and sorting an opening's candidates without their names in clear.

Names and emails are sealed under each candidate's key, so the database can neither compare
nor order them. Two things stand in for them, both written when a candidate is added
(``hiring.actions.candidates``) and cleared on erasure (``hiring.actions.erasure``):

- **Search tokens** (``CandidateSearchToken``): a blind index. Every word of the name and of
  the email address (lower-cased, accents dropped: ``Zoë`` is ``zoe``), every prefix of 3 or
  more characters of one, and a name part's letters joined (``O'Brien`` also gives
  ``obrien``) becomes ``HMAC-SHA256(index key, opening id, term)``, cut to 96 bits. A search
  for ``ali smi`` finds the candidates holding a token for ``ali`` and one for ``smi``. The
  index key is derived (HKDF) from the key-encryption key, which lives in the keys folder
  outside the data folder: a copy of the database, or of the data folder, cannot test a
  guessed name against the tokens. The opening id in every token keeps equal words of two
  openings apart.
- **A name order key** (``Candidate.name_order``): a fractional index (``fractional_indexing``:
  a string that sorts between any two others) that places the candidate among the opening's
  candidates in name order. A new candidate's place is found by a binary search over the
  names already placed, unsealing about log2(n) of them; an import of many sorts its own names
  and merges them in, unsealing every placed name only when that is cheaper.

What they reveal to someone who holds the database but not the keys folder: which candidates
of one opening share a word or a prefix (never what it is), how many terms each candidate has
(roughly how long their words are), and the order of the opening's candidates by name (never
the names). Nothing about a candidate survives their erasure.
"""

from __future__ import annotations

import hmac
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from itertools import groupby

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.db.models import Q, QuerySet
from fractional_indexing import generate_n_keys_between

from hireproof.audit.keys import kek_bytes
from hireproof.hiring.models.candidates import Candidate, CandidateSearchToken
from hireproof.hiring.models.openings import Opening

MIN_PREFIX = 3
"""The shortest prefix indexed: ``ali`` finds Alice; ``al`` finds only a whole word ``al``."""
MAX_TERM = 20
"""Characters of a word indexed as prefixes; a longer search word is cut to this length."""
MAX_SEARCH_TERMS = 8
"""Words of one search (each must match); a search of more words is refused."""
TOKEN_HEX = 24  # 96 bits: no two terms of an opening collide in practice
LONGEST_ORDER_KEY = 48
"""Bytes of a name order key beyond which the opening's keys are all given afresh: many names
falling one after another into the same gap lengthen the keys there by a byte every few."""

_INDEX_INFO = b"hireproof/candidate-search-index/v1"
_WORD = re.compile(r"[^\W_]+")  # letters and digits; anything else separates words


def fold(text: str) -> str:
    """``text`` as search compares it: accents dropped, case folded (``Zoë`` -> ``zoe``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFKC", bare.casefold())


def words_of(text: str) -> list[str]:
    """The words of ``text``, folded: runs of letters and digits."""
    return _WORD.findall(fold(text))


def index_terms(name: str, email: str) -> set[str]:
    """Every term the candidate is found by: the words of the name and the email, each name
    part's words joined (``o'brien`` -> ``obrien``), and the prefixes of each of 3+ characters
    (words are indexed up to ``MAX_TERM`` characters)."""
    words = set(words_of(email))
    for part in name.split():
        runs = words_of(part)
        words.update(runs)
        if len(runs) > 1:
            words.add("".join(runs))
    terms = set()
    for word in words:
        terms.add(word[:MAX_TERM])
        terms.update(word[:length] for length in range(MIN_PREFIX, min(len(word), MAX_TERM)))
    return terms


def search_terms(text: str) -> list[str]:
    """The terms a search looks for: its words, each cut to ``MAX_TERM`` characters."""
    return list(dict.fromkeys(word[:MAX_TERM] for word in words_of(text)))


@lru_cache(maxsize=4)
def _derive_index_key(kek: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INDEX_INFO).derive(kek)


def index_key() -> bytes:
    """The key of the search tokens: derived from the KEK, never stored."""
    return _derive_index_key(kek_bytes())


def search_token(key: bytes, opening_id: int, term: str) -> str:
    """The blind token of ``term`` in the opening (hex, ``TOKEN_HEX`` characters)."""
    message = f"{opening_id}:{term}".encode()
    return hmac.digest(key, message, "sha256").hex()[:TOKEN_HEX]


def search_filter(opening: Opening, text: str) -> Q:
    """The candidates of ``opening`` found by the search ``text``: every word of it is a word,
    or the prefix of a word, of their name or email."""
    key, found = index_key(), Q()
    for term in search_terms(text):
        holders = CandidateSearchToken.objects.filter(token=search_token(key, opening.pk, term))
        found &= Q(pk__in=holders.values("candidate_id"))
    return found


def search_token_rows(
    opening: Opening, people: Iterable[tuple[Candidate, str, str]]
) -> list[CandidateSearchToken]:
    """The token rows of each (candidate, name, email), for one ``bulk_create``."""
    key = index_key()
    return [
        CandidateSearchToken(candidate=candidate, token=search_token(key, opening.pk, term))
        for candidate, name, email in people
        for term in sorted(index_terms(name, email))
    ]


# --- order by name ----------------------------------------------------------------------------


def name_sort_key(name: str) -> tuple[str, str]:
    """How names sort: folded (case and accents aside), then as written."""
    return (" ".join(words_of(name)), name)


def _placed(opening: Opening) -> QuerySet[Candidate]:
    """The opening's candidates that have a name order key (not erased), in its order."""
    return (
        Candidate.objects.filter(opening=opening)
        .exclude(name_order=b"")
        .order_by("name_order", "pk")
    )


def name_orders_for(
    opening: Opening, names: Sequence[str], *, longest: int = LONGEST_ORDER_KEY
) -> list[bytes]:
    """An order key for each new candidate of ``opening`` named ``names`` (in that order): each
    falls after the opening's candidates whose name sorts before or equal to theirs, and before
    the others; among themselves, in name order, ties in the order given.

    The caller holds the opening's lock (no other key of the opening can appear meanwhile).
    Unseals about ``len(names) * log2(n)`` of the ``n`` names already placed, or all ``n`` in
    one query when that is fewer. A key longer than ``longest`` bytes renumbers the opening
    instead (``_renumber``).
    """
    placed = _placed(opening)
    count = placed.count()
    if len(names) * max(1, count.bit_length()) >= count:
        everyone = list(placed.select_related("subject"))
        keys = [bytes(candidate.name_order).decode("ascii") for candidate in everyone]
        sort_keys = [name_sort_key(candidate.name) for candidate in everyone]
        sort_key_at: Callable[[int], tuple[str, str]] = sort_keys.__getitem__
    else:
        rows = list(placed.values_list("pk", "name_order"))
        keys = [bytes(order).decode("ascii") for _, order in rows]
        sort_key_at = _unsealing([pk for pk, _ in rows])
    new = sorted(range(len(names)), key=lambda index: name_sort_key(names[index]))
    positions, low = {}, 0
    for index in new:
        low = _after_equals(sort_key_at, name_sort_key(names[index]), low, len(keys))
        positions[index] = low
    orders = [b""] * len(names)
    for position, group in groupby(new, key=positions.__getitem__):
        members = list(group)
        before = keys[position - 1] if position > 0 else None
        after = keys[position] if position < len(keys) else None
        for index, key in zip(
            members, generate_n_keys_between(before, after, len(members)), strict=True
        ):
            orders[index] = key.encode("ascii")
    if max(map(len, orders), default=0) > longest:
        return _renumber(opening, names)
    return orders


def _renumber(opening: Opening, names: Sequence[str]) -> list[bytes]:
    """Give every placed candidate of ``opening`` a new, short order key, the new ones (named
    ``names``) merged in, and return the new ones' keys. Unseals every placed name once."""
    everyone = list(_placed(opening).select_related("subject"))
    merged = sorted(
        [(name_sort_key(candidate.name), 0, candidate.pk) for candidate in everyone]
        + [(name_sort_key(name), 1, index) for index, name in enumerate(names)]
    )
    keys = [key.encode("ascii") for key in generate_n_keys_between(None, None, len(merged))]
    by_pk = {candidate.pk: candidate for candidate in everyone}
    orders = [b""] * len(names)
    for (_, is_new, which), key in zip(merged, keys, strict=True):
        if is_new:
            orders[which] = key
        else:
            by_pk[which].name_order = key
    Candidate.objects.bulk_update(everyone, ["name_order"], batch_size=500)
    return orders


def _unsealing(pks: list[int]) -> Callable[[int], tuple[str, str]]:
    """The sort key of the ``i``-th placed candidate, each unsealed once, when first asked."""
    cache: dict[int, tuple[str, str]] = {}

    def sort_key_at(position: int) -> tuple[str, str]:
        if position not in cache:
            candidate = Candidate.objects.select_related("subject").get(pk=pks[position])
            cache[position] = name_sort_key(candidate.name)
        return cache[position]

    return sort_key_at


def _after_equals(
    sort_key_at: Callable[[int], tuple[str, str]], key: tuple[str, str], low: int, high: int
) -> int:
    """The first position in ``[low, high)`` whose name sorts after ``key`` (a bisection)."""
    while low < high:
        middle = (low + high) // 2
        if key < sort_key_at(middle):
            high = middle
        else:
            low = middle + 1
    return low


def index_existing_candidates() -> int:
    """Write the search tokens and name order keys of every candidate not erased, opening by
    opening (for a database from before they existed); returns how many were indexed.

    Reads only the columns it needs, so it keeps working when the tables gain others.
    """
    indexed = 0
    for opening in Opening.objects.only("pk").order_by("pk"):
        people = [
            (candidate, candidate.name, candidate.email)
            for candidate in Candidate.objects.filter(opening=opening, erased_at__isnull=True)
            .select_related("subject")
            .only(
                "pk",
                "opening_id",
                "erased_at",
                "name_sealed",
                "email_sealed",
                "subject__pseudonym",
                "subject__data_key_wrapped",
                "subject__erased_at",
            )
        ]
        people.sort(key=lambda person: (name_sort_key(person[1]), person[0].pk))
        keys = generate_n_keys_between(None, None, len(people))
        for (candidate, _, _), key in zip(people, keys, strict=True):
            Candidate.objects.filter(pk=candidate.pk).update(name_order=key.encode("ascii"))
        CandidateSearchToken.objects.filter(candidate__opening=opening).delete()
        CandidateSearchToken.objects.bulk_create(search_token_rows(opening, people))
        indexed += len(people)
    return indexed
