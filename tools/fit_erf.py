"""Regenerate the polynomial tables in ``ember/ops/_erf.py`` (needs mpmath; dev-only).

Each table is the Chebyshev interpolant of a smooth function on one interval, computed at
60 digits and written in the monomial basis of the interval mapped onto [-1, 1]:

- ``SMALL``: erf(x)/x as a polynomial in u = 2x^2 - 1, for |x| < 1;
- ``MID``: erfcx(x) = exp(x^2) erfc(x) in u = x - 2, for 1 <= x < 3;
- ``FAR``: x erfcx(x) in u = 18/x^2 - 1, for x >= 3.

Degrees (11, 20, 16) reach float64's rounding error (about 2e-16 relative); the ``*_COARSE``
tables, (6, 11, 7), reach 1.5e-9, far below float32's rounding, for float32 and float16 inputs.

Run ``python tools/fit_erf.py`` and paste its output over the tables.
"""
import mpmath as mp

mp.mp.dps = 60


def monomial_interpolant(f, a, b, degree):
    """Coefficients (lowest first) in u of the Chebyshev interpolant of f(x), x = a..b as u = -1..1."""
    n = degree + 1
    nodes = [mp.cos(mp.pi * (2 * k + 1) / (2 * n)) for k in range(n)]
    values = [f((mp.mpf(b) - a) / 2 * u + (mp.mpf(b) + a) / 2) for u in nodes]
    cheb = [mp.fsum(v * mp.cos(j * mp.pi * (2 * k + 1) / (2 * n)) for k, v in enumerate(values))
            * (2 if j else 1) / n for j in range(n)]
    basis = [[mp.mpf(1)], [mp.mpf(0), mp.mpf(1)]]
    while len(basis) < n:
        t = [mp.mpf(0)] + [2 * c for c in basis[-1]]
        for i, c in enumerate(basis[-2]):
            t[i] -= c
        basis.append(t)
    mono = [mp.mpf(0)] * n
    for c, t in zip(cheb, basis):
        for i, tc in enumerate(t):
            mono[i] += c * tc
    return [float(m) for m in mono]


def _erf_over_x(t):
    return mp.erf(mp.sqrt(t)) / mp.sqrt(t) if t else 2 / mp.sqrt(mp.pi)


def _erfcx(x):
    return mp.erfc(x) * mp.exp(x * x)


def _x_erfcx(s):
    if not s:
        return 1 / mp.sqrt(mp.pi)
    x = 1 / mp.sqrt(s)
    return x * _erfcx(x)


def main() -> None:
    regions = (("SMALL", _erf_over_x, 0, 1, 11, 6), ("MID", _erfcx, 1, 3, 20, 11),
               ("FAR", _x_erfcx, 0, mp.mpf(1) / 9, 16, 7))
    tables = [(name, f, a, b, fine) for name, f, a, b, fine, _ in regions] + \
        [(name + "_COARSE", f, a, b, coarse) for name, f, a, b, _, coarse in regions]
    for name, f, a, b, degree in tables:
        coefs = monomial_interpolant(f, a, b, degree)
        print(f"_{name} = (")
        for i in range(0, len(coefs), 3):
            print("    " + " ".join(f"{c!r}," for c in coefs[i:i + 3]))
        print(")")


if __name__ == "__main__":
    main()
