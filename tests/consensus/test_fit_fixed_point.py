"""The robust crossed fit converges to a fixed point that does not depend on the schedule."""
import numpy as np
import pytest

from _support import crossed_programme
from calib.consensus.fit import crossed_fit
from calib.consensus.graph import components


_programme = crossed_programme


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


def _psi_residuals(h, r, y, fit, c=1.345):
    """Largest |sum psi| per household and per rater (one component): 0 at a fixed point."""
    from calib.consensus.fit import MAD

    e = y - fit.a[h] - fit.b[r]
    t = c * MAD * np.median(np.abs(e))
    psi = np.clip(e, -t, t)
    return max(np.abs(np.bincount(h, psi)).max(), np.abs(np.bincount(r, psi)).max())


def test_newton_reaches_the_backfitting_fixed_point():
    """Newton's root equals the backfitting's fixed point (run to a tight tolerance) in every
    component where Newton is used; the others are the backfitting's own result."""
    from calib.consensus.fit import AMBIGUOUS

    assert AMBIGUOUS == "backfit"
    h, r, y, H, R = _programme(seed=5, villages=40)
    cmp = components(h, r, H, R, np.arange(H))
    tight = crossed_fit(h, r, y, cmp, tol=1e-11, max_iter=5000, se=False, solver="backfit")
    back = crossed_fit(h, r, y, cmp, se=False, solver="backfit")
    new = crossed_fit(h, r, y, cmp, se=False)
    assert tight.converged and new.converged
    ch = cmp.c_h
    # per component: Newton's (exact root) or the default backfitting's result
    by_newton = 0
    for c in range(cmp.n):
        hh, rr = ch == c, cmp.c_r == c
        if np.array_equal(new.a[hh], back.a[hh]):
            continue                                   # left to the backfitting: identical
        by_newton += 1
        np.testing.assert_allclose(new.a[hh], tight.a[hh], atol=1e-8, rtol=0)
        np.testing.assert_allclose(new.b[rr], tight.b[rr], atol=1e-8, rtol=0)
    assert by_newton > cmp.n / 2
    np.testing.assert_allclose(new.a, back.a, atol=1e-5, rtol=0)   # the default tol's accuracy
    # the se and the scale follow the same fixed point
    full_new = crossed_fit(h, r, y, cmp)
    full_back = crossed_fit(h, r, y, cmp, solver="backfit")
    np.testing.assert_allclose(full_new.se_b, full_back.se_b, rtol=1e-4)
    np.testing.assert_allclose(full_new.scale, full_back.scale, rtol=1e-5)


def test_newton_solves_most_components_and_midpoint_is_a_root():
    """Newton settles most components by itself (the speed), and ``ambiguous="midpoint"`` gives
    a root of the estimating equations in every component, flat households included."""
    from calib.consensus import newton
    from calib.consensus.fit import MAD

    h, r, y, H, R = _programme(seed=7, villages=60, households=30)
    cmp = components(h, r, H, R, np.arange(H))
    n_r = np.bincount(r, minlength=R)
    a0 = np.bincount(h, y, H) / np.bincount(h, minlength=H)
    _, _, solved, _ = newton.solve(h, r, y, cmp.c_h, cmp.c_r, cmp.n, cmp.identified(),
                                   (n_r > 0) & (cmp.c_r >= 0), 1.345 * MAD, a0)
    assert solved.mean() > 0.8
    mid = crossed_fit(h, r, y, cmp, se=False, ambiguous="midpoint", tol=1e-11, max_iter=5000)
    assert mid.converged
    for c in range(cmp.n):
        sel = cmp.c_h[h] == c
        assert _psi_residuals(h[sel], r[sel], y[sel], mid) < 1e-6


@pytest.mark.parametrize("compiled", [False, True])
def test_cycle_detection_changes_nothing(monkeypatch, compiled):
    """Components whose Newton iterates cycle are dropped at the first repeat; the solver's
    output (roots, solved flags, thresholds) is the same as running them to max_iter."""
    from calib.consensus import newton
    from calib.consensus.fit import MAD

    h, r, y, H, R = _programme(seed=4, villages=60)
    cmp = components(h, r, H, R, np.arange(H))
    args = (h, r, y, cmp.c_h, cmp.c_r, cmp.n, cmp.identified(), np.bincount(r, minlength=R) > 0,
            1.345 * MAD, np.bincount(h, y, H) / np.bincount(h, minlength=H))
    a, b, solved, t = newton.solve(*args, compiled=compiled)
    monkeypatch.setattr(newton, "CYCLE_FROM", 10**9)
    a0, b0, solved0, t0 = newton.solve(*args, compiled=compiled)
    assert (~solved0).any() and solved0.any()      # some components are left unsolved
    np.testing.assert_array_equal(solved, solved0)
    np.testing.assert_array_equal(t, t0)
    sh = solved[np.maximum(cmp.c_h, 0)] & (cmp.c_h >= 0)
    np.testing.assert_array_equal(a[sh], a0[sh])
    sr = solved[np.maximum(cmp.c_r, 0)] & (cmp.c_r >= 0)
    np.testing.assert_array_equal(b[sr], b0[sr])
