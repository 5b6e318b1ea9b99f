"""The loader's text kernels (numba; see :mod:`calib.io._jit`; importing this module loads numba).

:func:`clean_scan` is :func:`calib.io.read._clean_chunk`'s look at every cell of a chunk in one
pass over its offsets and bytes: whether a cell may need its whitespace trimmed, and which cells
are blank (no bytes, or a blank word of :data:`calib.io.specs.BLANKS`, compared byte for byte as
``pc.is_in`` compares), written straight into a validity bitmap. The numpy path gathers each
cell's first and last three bytes by fancy indexing, then its length and the short cells' first
byte, then packs a boolean mask: about 13 ns a cell, 1.3-1.5 CPU s over the 1003 chunks (98
million cells) of a 1M-household programme, where the kernel path takes 0.4 s (the pass reads
every offset and touches every cache line of the text: 0.26 s of it without the trim test, about
the memory's speed). The first call in a process costs about 0.6 CPU s (importing numba, loading
the cached kernel), shared with the loader's other kernels. Byte logic only: the same decision
and the same bitmap bit for bit (``tests/io/test_text_kernels.py`` compares both).

:func:`text_scan` serves :func:`calib.io._text.nfkc_arrow` (the parsers' first step on every
column they read): the same whitespace test, and whether any character may change under NFKC,
so that text already trimmed (all the loader's) is not copied by a trim and ASCII or Chinese
text is not normalised (0.6-0.7 -> 0.18 CPU s over the 34 calls, 40M cells, of a 1M-household
load).
"""
from __future__ import annotations

import numba
import numpy as np

__all__ = ["clean_scan", "text_scan", "warm"]


@numba.njit(cache=True, nogil=True)
def clean_scan(offs, data, check, ws_first, ws_last, ws_lead3, words, wlens, wfirst,
               validity, voff, bits, out):
    """Look at every cell of a string array once: trim candidates, blank cells, validity bits.

    Parameters
    ----------
    offs : int32 or int64 array (n + 1)
        The cells' offsets into ``data`` (already shifted by the array's offset).
    data : uint8 array
        The text bytes.
    check : bool
        Look for cells that may need trimming (whitespace at either end) first: when one is
        found, ``out[0] = -1`` and nothing else is written (the caller trims, then calls again
        with ``check=False``).
    ws_first, ws_last, ws_lead3 : bool arrays (256)
        Bytes that may begin a cell with whitespace, end one, or lead a 3-byte whitespace
        character ending one (``calib.io._text.WS_FIRST`` and so on; ``0xC2`` second-last
        catches the 2-byte ones).
    words : uint8 array (k, w), wlens : int64 array (k), wfirst : bool array (256)
        The non-empty blank words as bytes (row ``i``, its first ``wlens[i]`` bytes), and the
        bytes that begin one.
    validity : uint8 array
        The array's validity bitmap, or empty when it has no nulls.
    voff : int
        The array's offset (its first cell's bit in ``validity`` and ``bits``).
    bits : uint8 array, zeroed, ``(voff + n + 7) // 8`` bytes
        Written: bit ``voff + i`` set for a cell that is valid and not blank.
    out : int64 array (1)
        Written: the number of blank cells (null or not), or -1 (see ``check``).
    """
    n = offs.size - 1
    wmin = wlens.min() if wlens.size else 1
    wmax = wlens.max() if wlens.size else 0
    has_nulls = validity.size > 0
    blanks = 0
    acc = 0  # the bits of the current byte of ``bits``, written when it is full (or at the end)
    for i in range(n):
        s = offs[i]
        e = offs[i + 1]
        m = e - s
        if check and m > 0 and (ws_first[data[s]] or ws_last[data[e - 1]]
                                or (m >= 2 and data[e - 2] == 0xC2)
                                or (m >= 3 and ws_lead3[data[e - 3]])):
            out[0] = -1
            return
        blank = m == 0
        if not blank and m >= wmin and m <= wmax and wfirst[data[s]]:
            for w in range(wlens.size):
                if wlens[w] == m:
                    same = True
                    for j in range(m):
                        if data[s + j] != words[w, j]:
                            same = False
                            break
                    if same:
                        blank = True
                        break
        b = voff + i
        if blank:
            blanks += 1
        elif not has_nulls or (validity[b >> 3] >> (b & 7)) & 1:
            acc |= 1 << (b & 7)
        if (b & 7) == 7 or i == n - 1:
            bits[b >> 3] = acc
            acc = 0
    out[0] = blanks


@numba.njit(cache=True, nogil=True)
def text_scan(offs, data, form_too, ws_first, ws_last, ws_lead3, found):
    """Whether a string array holds a character that NFKC might change, and a cell that may
    start or end with whitespace (the test of :func:`clean_scan`).

    ``found[0]`` is set to 1 when ``form_too`` and a character of the cells (``data[offs[0]:
    offs[-1]]``, null cells' bytes included: the answer only chooses whether to normalise) is
    neither ASCII nor a CJK unified ideograph U+4E00-U+9FFF: text of those alone is its own NFKC
    form (each is a starter whose quick check is Yes, and no composition pairs two of them), and
    it is most of what a roster's Chinese columns hold (names, villages, addresses, 汉族, 是).
    Bytes that are not well-formed UTF-8 count as such a character. ``found[1]`` is set to 1 at
    the first cell that may need trimming. Nothing is ever reset: the caller runs it over its
    chunks.
    """
    n = offs.size - 1
    for i in range(n):
        s = offs[i]
        e = offs[i + 1]
        m = e - s
        if m > 0 and (ws_first[data[s]] or ws_last[data[e - 1]]
                      or (m >= 2 and data[e - 2] == 0xC2) or (m >= 3 and ws_lead3[data[e - 3]])):
            found[1] = 1
            break
    if form_too:
        j = offs[0]
        end = offs[n]
        while j < end:
            b = data[j]
            if b < 0x80:
                j += 1
                continue
            # U+4E00-U+9FFF: E4 B8-BF xx, or E5-E9 xx xx (xx continuation bytes 80-BF)
            if (b < 0xE4 or b > 0xE9 or j + 2 >= end
                    or (data[j + 1] & 0xC0) != 0x80 or (data[j + 2] & 0xC0) != 0x80
                    or (b == 0xE4 and data[j + 1] < 0xB8)):
                found[0] = 1
                return
            j += 3


def warm() -> bool:
    """Compile the kernels for the arrays the loader passes (32- and 64-bit offsets, read-only
    Arrow buffers) into the on-disk cache, through the loader's own calls; whether they compiled."""
    import pyarrow as pa

    from calib import _jit
    from calib.io._text import TEXT_NB, _nfkc_compiled
    from calib.io.read import _clean_chunk

    for t in (pa.string(), pa.large_string()):
        for cells in ([" a", "nan", "b"], ["x", None, "NULL", "y"]):
            _clean_chunk(pa.array(cells, t), compiled=True)
    _nfkc_compiled(pa.chunked_array([pa.array(["ａ ", "b"], pa.large_string())]))
    return _jit.loaded(TEXT_NB)
