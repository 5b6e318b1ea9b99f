"""The table rules' numba kernels: repeated keys, text keys, land areas (see :mod:`calib.io._jit`;
importing this module loads numba).

Each kernel has its numpy/Arrow counterpart in :mod:`calib.io.checks` (the reference) and gives
the same result bit for bit: integer and byte logic only, and a land area's value is computed
here only where the division of two exact doubles is the correctly rounded decimal (else the
row is left to Arrow). Outputs are written into preallocated arrays (counts into one-element
arrays), so that :func:`calib._jit.run` can call them.
"""
from __future__ import annotations

import numba
import numpy as np

#: Fibonacci hashing's multiplier (2**64 / golden ratio): spreads consecutive integer codes.
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)


@numba.njit(cache=True, nogil=True)
def _mix(h):
    """A 64-bit finaliser (murmur3's fmix64): every input bit moves the top bits."""
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB93FE1A85EC5)
    h ^= h >> np.uint64(33)
    return h


@numba.njit(cache=True, nogil=True)
def _shift(size):
    """``64 - log2(size)`` for a power of two: the hash's top bits that pick one of ``size`` slots
    (63 for a single slot: the top bit, and the mask keeps slot 0)."""
    bits = 0
    while (1 << bits) < size:
        bits += 1
    return np.uint64(64 - max(bits, 1))


@numba.njit(cache=True, nogil=True)
def first_seen_direct(code, lo, slot, is_first, first):
    """Repeats of integer codes in ``[lo, lo + len(slot))`` by a direct table: ``slot`` (filled
    with -1) takes each value's first position."""
    for i in range(code.size):
        k = code[i] - lo
        p = slot[k]
        if p < 0:
            slot[k] = i
            is_first[i] = True
            first[i] = i
        else:
            is_first[i] = False
            first[i] = p


@numba.njit(cache=True, nogil=True)
def first_seen_hash(code, slot, is_first, first):
    """Repeats of any int64 codes by open addressing (linear probing): ``slot`` (a power of two
    of positions, filled with -1) holds each distinct value's first position; the value itself
    is read back from ``code`` (no second array of keys)."""
    mask = np.uint64(slot.size - 1)
    shift = _shift(slot.size)
    for i in range(code.size):
        v = code[i]
        h = ((np.uint64(v) * _GOLDEN) >> shift) & mask
        while True:
            p = slot[h]
            if p < 0:
                slot[h] = i
                is_first[i] = True
                first[i] = i
                break
            if code[p] == v:
                is_first[i] = False
                first[i] = p
                break
            h = (h + np.uint64(1)) & mask


@numba.njit(cache=True, nogil=True)
def _text_hash(data, a, b):
    """FNV-1a over the bytes ``data[a:b]``, then mixed (the top bits pick the slot)."""
    h = _FNV_OFFSET
    for j in range(a, b):
        h = (h ^ np.uint64(data[j])) * _FNV_PRIME
    return _mix(h ^ np.uint64(b - a))


@numba.njit(cache=True, nogil=True)
def _same(data, a, b, kdata, ka, kb):
    """``data[a:b] == kdata[ka:kb]`` (bytes)."""
    if b - a != kb - ka:
        return False
    for j in range(b - a):
        if data[a + j] != kdata[ka + j]:
            return False
    return True


@numba.njit(cache=True, nogil=True)
def _probe(slot, doff, ddata, data, a, b, shift, mask):
    """The slot of the text ``data[a:b]`` in the dictionary (linear probing from its hash) and
    the code it holds: the text's code, or -1 where the text would go (not in the dictionary)."""
    h = (_text_hash(data, a, b) >> shift) & mask
    while True:
        c = slot[h]
        if c < 0 or _same(data, a, b, ddata, doff[c], doff[c + 1]):
            return h, c
        h = (h + np.uint64(1)) & mask


@numba.njit(cache=True, nogil=True)
def encode_text(offsets, data, valid, base, slot, codes, firsts, doff, ddata, n_unique):
    """Dictionary codes of the text cells of one chunk, in the order of first appearance (as
    Arrow's ``dictionary_encode``), continuing the dictionary of the chunks before: ``codes``
    (-1 for a null), each new code's first row (``base`` + its position in the chunk) in
    ``firsts``, its text appended to ``ddata`` at ``doff``, the number of codes in
    ``n_unique[0]``. ``slot`` (a power of two, at least twice the valid cells of all chunks,
    filled with -1) holds codes. The dictionary is its own (no reference to the chunks): it is
    kept to look other text up (:func:`lookup_text`).

    A cell equal to the last valid one takes its code without hashing: a table's rows come
    grouped by their key (a household's members), and a probe of a table larger than the
    cache costs a miss (about 0.2 us here)."""
    mask = np.uint64(slot.size - 1)
    shift = _shift(slot.size)
    k = n_unique[0]
    last = -1
    for i in range(valid.size):
        if not valid[i]:
            codes[i] = -1
            continue
        a, b = offsets[i], offsets[i + 1]
        if last >= 0 and _same(data, a, b, ddata, doff[last], doff[last + 1]):
            codes[i] = last
            continue
        h, c = _probe(slot, doff, ddata, data, a, b, shift, mask)
        if c < 0:  # a new text: the next code, its bytes appended
            slot[h] = c = k
            firsts[k] = base + i
            e = doff[k]
            for j in range(b - a):
                ddata[e + j] = data[a + j]
            doff[k + 1] = e + b - a
            k += 1
        codes[i] = last = c
    n_unique[0] = k


@numba.njit(cache=True, nogil=True)
def lookup_text(slot, doff, ddata, offsets, data, valid, out):
    """Code of each text cell in a dictionary built by :func:`encode_text` (``slot``, ``doff``,
    ``ddata``), -1 when not in it or null (as Arrow's ``index_in`` on distinct keys).

    The last code found and the next one are tried first (two byte comparisons): the tables
    keyed by household list them in the roster's order, a household's rows together, so that
    most cells are found without a probe of the hash table (a cache miss each)."""
    mask = np.uint64(slot.size - 1)
    shift = _shift(slot.size)
    n_keys = doff.size - 1
    last = -1
    for i in range(valid.size):
        out[i] = -1
        if not valid[i]:
            continue
        a, b = offsets[i], offsets[i + 1]
        if last >= 0:
            if _same(data, a, b, ddata, doff[last], doff[last + 1]):
                out[i] = last
                continue
            if last + 1 < n_keys and _same(data, a, b, ddata, doff[last + 1], doff[last + 2]):
                last += 1
                out[i] = last
                continue
        c = _probe(slot, doff, ddata, data, a, b, shift, mask)[1]
        if c >= 0:
            out[i] = last = c


@numba.njit(cache=True, nogil=True)
def id_keys(offsets, data, valid, out):
    """The 17 leading digits of 18-character ID numbers as int64 (-1 when null), as
    :func:`calib.io.checks._id_keys` computes them from the byte matrix."""
    for i in range(valid.size):
        if not valid[i]:
            out[i] = -1
            continue
        a = offsets[i]
        v = np.int64(0)
        for j in range(17):
            v = v * 10 + (np.int64(data[a + j]) - 48)
        out[i] = v


@numba.njit(cache=True, nogil=True)
def any_byte(data, table, found):
    """Whether some byte of ``data`` is marked in ``table`` (``found[0]``); stops at the first."""
    for j in range(data.size):
        if table[data[j]]:
            found[0] = True
            return
    found[0] = False


#: Powers of ten exactly representable as doubles (10**0 .. 10**22).
_POW10 = np.array([10.0 ** k for k in range(23)])


@numba.njit(cache=True, nogil=True)
def _is_space(c):
    return c == 32 or (9 <= c <= 13)


@numba.njit(cache=True, nogil=True)
def _row_at(data, at, table, row, n):
    """Whether the ``n`` bytes of ``data`` from ``at`` are the first ``n`` of ``table[row]``."""
    for j in range(n):
        if data[at + j] != table[row, j]:
            return False
    return True


@numba.njit(cache=True, nogil=True)
def _area_after(data, we, b, unit):
    """Where ``[^0-9]*(?P<v>[0-9.]+)[ \t\n\r\f\v]*(?:unit)`` matches from ``we`` (before
    ``b``): the value's ``(start, end)``, or ``(-1, -1)``. ``unit``: the unit's alternatives as
    rows of bytes of one length (亩, 畝). ``[^0-9]*`` is greedy: its longest run ends at the
    first digit ``d``; shorter ones end at a '.' before ``d`` (the value then starts with that
    '.'), tried from the last."""
    nu = unit.shape[1]
    d = we
    while d < b and not (48 <= data[d] <= 57):
        d += 1
    p = d
    while p >= we:
        if p < b and (data[p] == 46 or (48 <= data[p] <= 57)):
            r = p
            while r < b and (data[r] == 46 or (48 <= data[r] <= 57)):
                r += 1
            q = r
            while q < b and _is_space(data[q]):
                q += 1
            if q + nu <= b:
                for u in range(unit.shape[0]):
                    if _row_at(data, q, unit, u, nu):
                        return p, r
        p -= 1
        while p >= we and data[p] != 46:
            p -= 1
    return -1, -1


@numba.njit(cache=True, nogil=True)
def land_area(offsets, data, valid, words, wlen, unit, pow10, start, end, status, value):
    """The area written after one of ``words`` (rows of bytes, ``wlen`` long) and before
    one of ``unit`` (rows of bytes of one length) in each cell, as Arrow's ``extract_regex``
    finds it with ``(?:words)[^0-9]*(?P<v>[0-9.]+)[ \\t\\n\\r\\f\\v]*(?:units)`` (leftmost match; the greedy
    ``[^0-9]*`` tried from the longest). Per row: ``start``/``end`` of the value's bytes and
    ``status`` 0 (no match: null), 1 (a whole number, in ``value``), 4 (a number with a fraction,
    in ``value``), 2 (not a number: NaN), 3 (a number of more than 15 digits: left to Arrow).
    A number of at most 15 digits is its digits as an integer (exact in a double) divided by a
    power of ten (exact up to 10**22): one correctly rounded division, the double nearest to the
    decimal, as Arrow's parser gives."""
    for i in range(valid.size):
        status[i] = 0
        start[i] = -1
        end[i] = -1
        value[i] = np.nan
        if not valid[i]:
            continue
        a, b = offsets[i], offsets[i + 1]
        done = False
        s = a
        while s < b and not done:
            for w in range(words.shape[0]):  # the alternatives in order (leftmost-first)
                L = wlen[w]
                if s + L > b:
                    continue
                if _row_at(data, s, words, w, L):
                    p, r = _area_after(data, s + L, b, unit)
                    if p >= 0:
                        start[i], end[i], done = p, r, True
                        break
            s += 1
        if not done:
            continue
        # the value: digits with at most one dot and at least one digit, else NaN
        p, r = start[i], end[i]
        m = np.int64(0)
        nd = 0
        dots = 0
        frac = 0
        for j in range(p, r):
            c = data[j]
            if c == 46:
                dots += 1
            else:
                nd += 1
                if nd <= 15:
                    m = m * 10 + (c - 48)
                if dots:
                    frac += 1
        if dots > 1 or nd == 0:
            status[i] = 2
        elif nd > 15 or frac > 22:
            status[i] = 3
        else:
            status[i] = 4 if dots else 1
            value[i] = np.float64(m) / pow10[frac]


def _bytes(text: str) -> np.ndarray:
    """UTF-8 bytes as a writable array (as the kernels get Arrow's buffers: one compiled
    version each)."""
    return np.array(bytearray(text.encode()), dtype=np.uint8)


def warm() -> bool:
    """Compile every kernel on a tiny input (into the on-disk cache), with the argument types
    of :mod:`calib.io.checks`' calls."""
    code = np.array([3, 1, 3, -2], np.int64)
    is_first, first = np.empty(4, np.bool_), np.empty(4, np.int64)
    for dt in (np.int32, np.int64):
        first_seen_direct(code, np.int64(-2), np.full(6, -1, dt), is_first, first)
        first_seen_hash(code, np.full(8, -1, dt), is_first, first)
    offsets = np.array([0, 2, 2, 4], np.int64)
    data = _bytes("abab")
    valid = np.array([True, False, True])
    codes, firsts = np.empty(3, np.int64), np.empty(3, np.int64)
    for dt in (np.int32, np.int64):
        slot, nu = np.full(8, -1, dt), np.zeros(1, np.int64)
        doff, ddata = np.zeros(4, np.int64), np.empty(4, np.uint8)
        encode_text(offsets, data, valid, np.int64(0), slot, codes, firsts, doff, ddata, nu)
        lookup_text(slot, doff, ddata, offsets, data, valid, codes)
    id_keys(np.array([0, 18], np.int64), _bytes("110101199001011234"),
            np.array([True]), np.empty(1, np.int64))
    any_byte(data, np.zeros(256, np.bool_), np.zeros(1, np.bool_))
    words = np.zeros((1, 3), np.uint8)
    words[0] = _bytes("田")
    text = _bytes("田1.5亩")
    o = np.array([0, text.size], np.int64)
    land_area(o, text, np.array([True]), words, np.array([3], np.int64),
              _bytes("亩").reshape(1, -1), _POW10, np.empty(1, np.int64),
              np.empty(1, np.int64), np.empty(1, np.int8), np.empty(1))
    return True
