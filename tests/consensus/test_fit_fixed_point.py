"""The robust crossed fit converges to a fixed point that does not depend on the schedule."""
import numpy as np

from calib.consensus.fit import crossed_fit
from calib.consensus.graph import components


def _programme(seed: int = 3, villages: int = 30, households: int = 40, panel: int = 6, k: int = 3):
    rng = np.random.default_rng(seed)
    H, R = villages * households, villages * panel
    v = np.repeat(np.arange(villages), households)
    level = np.log(50_000) + 0.5 * rng.standard_normal(H)
    b = 0.25 * rng.standard_normal(R)
    seats = np.argsort(rng.random((H, panel)), axis=1)[:, :k]
    h = np.repeat(np.arange(H), k)
    r = (v[:, None] * panel + seats).ravel()
    e = 0.15 * rng.standard_normal(h.size)
    out = rng.random(h.size) < 0.05            # gross errors: many reviews get weight < 1
    e[out] += rng.choice([-1.0, 1.0], out.sum())
    return h, r, level[h] + b[r] + e, H, R


def test_schedule_and_start_do_not_move_the_fixed_point():
    h, r, y, H, R = _programme()
    cmp = components(h, r, H, R, np.arange(H))
    base = crossed_fit(h, r, y, cmp, tol=1e-9, max_iter=2000, se=False)
    assert base.converged
    assert (base.w < 1).mean() > 0.05          # the weights matter in this programme
    rng = np.random.default_rng(1)
    start = base.a + 0.3 * rng.standard_normal(H)
    for every, a0 in [(1, start), (4, None), (7, start)]:
        alt = crossed_fit(h, r, y, cmp, tol=1e-9, max_iter=2000, se=False,
                          reweight_every=every, start=a0)
        assert alt.converged
        np.testing.assert_allclose(alt.a, base.a, atol=1e-6, rtol=0)
        np.testing.assert_allclose(alt.b, base.b, atol=1e-6, rtol=0)
        np.testing.assert_allclose(alt.w, base.w, atol=1e-5, rtol=0)
