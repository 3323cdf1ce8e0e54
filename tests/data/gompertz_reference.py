# Reference for tests/estimators/formula_test.cpp's Gompertz, independent of
# mlesim: writes gompertz.csv (300 draws at eta = 0.4, b = 1.5 by the inverse
# CDF, NumPy's seed 2026) and prints SciPy's MLE of (eta, b). SciPy's
# gompertz(c, scale) is the formula model's density with c = eta, scale = 1/b.
# Run from tests/data with /usr/bin/python3 gompertz_reference.py (Debian
# python3-scipy, SciPy 1.10); not run by the test suite.
import numpy as np
from scipy import stats, optimize
rng = np.random.default_rng(2026)
u = rng.random(300)
x = np.log1p(-np.log1p(-u) / 0.4) / 1.5
with open('gompertz.csv', 'w') as f:
    f.write('x\n')
    for v in x:
        f.write(repr(float(v)) + '\n')
x = np.array([float(l) for l in open('gompertz.csv').read().split('\n')[1:] if l])
nll = lambda p: -stats.gompertz.logpdf(x, np.exp(p[0]), scale=np.exp(-p[1])).sum()
c, loc, scale = stats.gompertz.fit(x, floc=0)
best = optimize.minimize(nll, [np.log(c), -np.log(scale)], method='Nelder-Mead',
                         options={'xatol': 1e-13, 'fatol': 1e-15, 'maxiter': 100000})
best = optimize.minimize(nll, best.x, method='BFGS', options={'gtol': 1e-12})
eta, b = np.exp(best.x)
print('gompertz eta', repr(eta), 'b', repr(b), 'log-likelihood', repr(-best.fun))
print('  scipy.stats.gompertz.fit eta', repr(c), 'b', repr(1 / scale))
