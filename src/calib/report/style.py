"""Matplotlib for the reports: a CJK font, a colour-blind-safe palette, axes fitted to the data.

:func:`use` (called by :func:`calib.report.open_run`) finds a Noto/Source Han CJK font installed
on the machine (Debian's ``fonts-noto-cjk``, which ``make install`` installs) and makes it the
first sans-serif font, so that village names and Chinese titles render without a
"Glyph missing" warning. The palette is Okabe & Ito's (2008), readable with every common form
of colour blindness. :func:`fit_axis` fits an axis to the data instead of a fixed 0-1 range.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from calib.errors import CalibError

__all__ = ["PALETTE", "PASS", "FAIL", "WARN", "CJK_FAMILIES", "cjk_font", "use", "fit_axis", "percent_axis",
           "count_axis", "amount_axis", "words"]

#: Okabe-Ito colours: black, orange, sky blue, bluish green, yellow, blue, vermilion, purple.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]
PASS, FAIL, WARN = "#009E73", "#D55E00", "#E69F00"
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
                "Noto Serif CJK SC", "WenQuanYi Zen Hei", "Droid Sans Fallback")
_FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto",
              "/usr/share/fonts/opentype/source-han-sans", "/usr/share/fonts")


def cjk_font() -> str:
    """The family name of an installed CJK font matplotlib can use.

    Raises
    ------
    CalibError
        When none is installed (install Debian's ``fonts-noto-cjk``: ``make install`` does).
    """
    from matplotlib import font_manager as fm

    names = {f.name for f in fm.fontManager.ttflist}
    for fam in CJK_FAMILIES:
        if fam in names:
            return fam
    for d in _FONT_DIRS:
        for f in sorted(Path(d).rglob("*CJK*")) if Path(d).is_dir() else []:
            if f.suffix.lower() in (".ttc", ".otf", ".ttf"):
                fm.fontManager.addfont(str(f))
        names = {f.name for f in fm.fontManager.ttflist}
        for fam in CJK_FAMILIES:
            if fam in names:
                return fam
    raise CalibError("no CJK font found for the report plots: install Debian's fonts-noto-cjk "
                     "(apt-get install -y fonts-noto-cjk; `make install` does it)")


def use() -> str:
    """Set the report style (CJK font, palette, readable sizes); returns the font family used."""
    import matplotlib as mpl
    from cycler import cycler

    fam = cjk_font()
    mpl.rcParams.update({
        "font.family": "sans-serif",
        "font.sans-serif": [fam, "DejaVu Sans"],
        "axes.unicode_minus": False,
        "axes.prop_cycle": cycler(color=PALETTE),
        "axes.spines.top": False, "axes.spines.right": False,
        "figure.dpi": 100, "savefig.bbox": "tight", "axes.titlesize": 12,
    })
    _no_idle_redraw()
    return fam


def _no_idle_redraw() -> bool:
    """In an IPython kernel on the inline backend, stop pyplot's redraw of every changed figure
    after each cell (its ``post_execute`` hook ``_draw_all_if_interactive``).

    On the inline backend that redraw is a full Agg rendering nobody sees: the figure reaches
    the notebook as the PNG the backend's own hook prints (a rendering of its own) and is then
    closed. Agg's ``draw_idle`` draws at once (matplotlib PR 5800), so the hook cost a third of
    each figure's drawing. Other backends (a window, ipympl) keep it: there it is what updates a
    figure on screen.

    Returns
    -------
    bool
        Whether the hook was removed (False outside IPython, on another backend, or when it was
        not registered).
    """
    import sys

    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return False
    import matplotlib
    import matplotlib.pyplot as plt

    backend = matplotlib.get_backend()
    if "matplotlib_inline" not in backend and backend != "inline":
        return False
    if not plt.get_fignums():
        # pyplot installs its hook when it loads the backend (at the first figure otherwise);
        # switching closes every figure: none is open here
        plt.switch_backend(backend)
    hook = getattr(plt, "_draw_all_if_interactive", None)
    callbacks = shell.events.callbacks.get("post_execute", [])
    if hook is None or hook not in callbacks:
        return False
    shell.events.unregister("post_execute", hook)
    return True


def fit_axis(ax, values: Iterable[float], *, axis: str = "y", pad: float = 0.08,
             include: Iterable[float] = (), floor: float | None = None) -> tuple[float, float]:
    """Fit an axis to the finite ``values`` (plus the points in ``include``) with a margin.

    Parameters
    ----------
    ax : matplotlib Axes
    values : array-like
        The data shown on that axis.
    axis : {"x", "y"}
    pad : float
        Margin as a share of the data range.
    include : iterable of float
        Reference values that must stay visible (a threshold, the policy).
    floor : float, optional
        Lower bound never crossed (0 for rates).

    Returns
    -------
    (low, high)
    """
    v = np.asarray([*np.ravel(np.asarray(list(values), dtype=float)), *include], dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return (ax.get_ylim() if axis == "y" else ax.get_xlim())
    lo, hi = float(v.min()), float(v.max())
    span = hi - lo or abs(hi) or 1.0
    lo, hi = lo - pad * span, hi + pad * span
    if floor is not None:
        lo = max(lo, floor)
    (ax.set_ylim if axis == "y" else ax.set_xlim)(lo, hi)
    return lo, hi


def _percent_formatter():
    from matplotlib.ticker import Formatter

    from calib.report.fmt import exact_digits, pct

    class _Percent(Formatter):
        """Shares as percentages (:func:`calib.report.fmt.pct`) with the fewest decimals that
        write every tick exactly (``0%``, ``2%``, ``4%``; ``2.5%``, ``5.0%``): one number of
        decimals on the axis."""

        def __call__(self, x, pos=None):
            return pct(x, exact_digits(float(x) * 100))

        def format_ticks(self, values):
            d = exact_digits(np.asarray(values, dtype=float) * 100)
            return [pct(v, d) for v in values]

    return _Percent()


def percent_axis(axis) -> None:
    """Tick labels of a share or rate axis (values 0-1) as percentages, as the tables write the
    same figures (``2%``, ``2.5%``; never ``0.025``).

    Parameters
    ----------
    axis : matplotlib Axis (``ax.yaxis``, ``ax.xaxis``)
    """
    axis.set_major_formatter(_percent_formatter())


def count_axis(axis) -> None:
    """Whole-number ticks on an axis of counts (villages, households, replicates), thousands
    separated as the tables separate them (``2,000``): a histogram's 2.5 villages is not a
    thing a reader can have.

    Parameters
    ----------
    axis : matplotlib Axis (``ax.yaxis``, ``ax.xaxis``)
    """
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    from calib.report import fmt

    axis.set_major_locator(MaxNLocator(integer=True))
    axis.set_major_formatter(FuncFormatter(lambda v, _: fmt.count(v)))


def amount_axis(axis) -> None:
    """A log-scaled axis of amounts in yuan written as bankers write them (``3,000``,
    ``10,000``, ``30,000``, ``100,000``) instead of powers of ten (10⁴): ticks at 1 and 3 of
    each decade, thousands separated as the tables separate them (:func:`calib.report.fmt.number`).

    Parameters
    ----------
    axis : matplotlib Axis of a log-scaled Axes
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    from calib.report import fmt

    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 3.0)))
    axis.set_major_formatter(FuncFormatter(lambda v, _: fmt.number(v, 0)))
    axis.set_minor_formatter(NullFormatter())


def _twins(ax) -> list:
    """The other Axes that share ``ax``'s x axis (a right axis drawn with ``twinx``)."""
    return [o for o in ax.figure.axes if o is not ax and ax.get_shared_x_axes().joined(ax, o)]


def words(ax, *, title: str | None = None, xlabel: str | None = None, ylabel: str | None = None,
          legend: dict[str, str] | None = None, y2label: str | None = None, ticks: bool = False):
    """Put a plot drawn elsewhere into the reader's words: title, axis labels, legend entries.

    Parameters
    ----------
    ax : matplotlib Axes
    title, xlabel, ylabel : str, optional
        Texts already in the reader's language (from the catalogue).
    legend : dict, optional
        Replacements applied to every legend entry (``{"partial": "偏袒"}``); the legend is
        redrawn in place.
    y2label : str, optional
        The label of the right-hand axis the plot drew with ``twinx`` (e.g. a default rate
        beside a WoE).
    ticks : bool
        Put the x axis's written tick labels (categories, bins such as ``[-inf, 570.19)`` or
        ``Missing``) into words through the report's catalogue
        (:func:`calib.report.labels.value_label`).

    Returns
    -------
    ax
    """
    ax.set(**{k: v for k, v in (("title", title), ("xlabel", xlabel), ("ylabel", ylabel)) if v is not None})
    if y2label is not None:
        for other in _twins(ax):
            other.set_ylabel(y2label)
    if ticks:  # the formatter wrapped: the labels' rotation and size stay the plot's
        from matplotlib.ticker import FuncFormatter

        from calib.report.labels import value_label

        written = ax.xaxis.get_major_formatter()
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, pos=None: str(value_label(written(x, pos)))))
    leg = ax.get_legend()
    if leg is not None and legend:
        for txt in leg.get_texts():
            s = txt.get_text()
            for old, new in legend.items():
                s = s.replace(old, new)
            txt.set_text(s)
    return ax
