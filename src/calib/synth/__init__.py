"""Generated programmes with known ground truth, deterministic by seed.

The generator follows the Fogang figures (seed 000): 6 townships and 90 villages, about 6,000
credited households with limits averaging about 29,000 yuan (cap 500,000), loans drawn by about
30% of credited households. It writes the tables of the data contract (``data/README.md``) and,
in ``truth/``, what produced them:

- ``truth/households.csv``: each household's true log limit (``true_log_limit``), latent
  business, integrity, civic and bureau factors, true points, default probability ``true_pd``;
- ``truth/reviewers.csv``: each reviewer's true leniency (log scale), noise, and whether they
  favour related households (``partial``) and by how much (``favour``, log scale);
- ``truth/villages.csv``: village wealth, default shock, model bias, point inflation;
- ``truth/parameters.json``: the coefficients of the default model and the true risk-justified
  points discount per 100 points;
- ``truth/dirty_rows.csv``: rows deliberately broken to exercise the quarantine
  (``table, row, column, kind``).

Reviewers recuse themselves from their own household's review (回避) except for about 6% of
such cases, which the ``relations`` register (``self``) lets the consensus catch.

The model of a review (log scale): ``log(proposed) = true_log_limit + leniency_reviewer
(+ favour when related) + noise``; declines are rare and concentrated on low-integrity
households. Default: ``logit(p) = a + b_bus*business + b_int*integrity + b_bureau*bureau
+ b_points*(points-300)/100 + village_shock``.

Modules: ``generate`` (the reference generator of ``data/sample``, :func:`generate`, :func:`write`,
:func:`build_programme`), ``tables`` (one ``make_<table>`` per table), ``dirt`` (broken rows),
``_names`` (character pools), ``fast`` (the vectorised generator for county and province sizes:
:func:`generate_fast`, :func:`write_fast` streaming chunks to Parquet or CSV; it draws from
another random stream, so the sample keeps the reference path).

"""
from calib.synth._names import ROSTER_FORM_HEADERS
from calib.synth.fast import generate_fast, province_chunks, write_fast
from calib.synth.snapshots import quarter_ends, quarterly_snapshots, write_snapshot, write_snapshots
from calib.synth.generate import (
    LGD,
    SAMPLE_SEED,
    TRUE_COEF,
    SynthResult,
    build_programme,
    generate,
    write,
)

__all__ = ["SynthResult", "generate", "write", "build_programme", "SAMPLE_SEED", "TRUE_COEF",
           "LGD", "ROSTER_FORM_HEADERS", "generate_fast", "write_fast", "province_chunks",
           "quarter_ends", "quarterly_snapshots", "write_snapshot", "write_snapshots"]
