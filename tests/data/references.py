# Reference values for tests/experiments/fit_test.cpp, computed independently of
# mlesim with SciPy 1.10 (Debian python3-scipy): closed forms, or Brent root
# finding on the likelihood equations at 1e-15; run from tests/data with
# /usr/bin/python3 references.py. Not run by the test suite.
import numpy as np
from scipy import stats, special, optimize
def read(f, skip):
    return np.array([float(l.strip().split(',')[-1]) for l in open(f).read().strip().split('\n')[skip:]])
chi = stats.chi2.ppf(0.95, 1)
x = read('gamma.csv', 1); n = len(x)
s = np.log(x.mean()) - np.log(x).mean()
k = optimize.brentq(lambda k: np.log(k) - special.digamma(k) - s, 1e-3, 1e3, xtol=1e-15, rtol=1e-15)
b = k / x.mean()
ll = stats.gamma.logpdf(x, k, scale=1/b).sum()
obs = n*np.array([[special.polygamma(1,k), -1/b],[-1/b, k/b**2]])
cov = np.linalg.inv(obs)
print('gamma', repr(k), repr(b), repr(np.sqrt(cov[0,0])), repr(np.sqrt(cov[1,1])), repr(ll))
fit = stats.gamma.fit(x, floc=0)
print('  scipy.stats.gamma.fit shape', fit[0], 'rate', 1/fit[2])
def lp(k): return stats.gamma.logpdf(x, k, scale=x.mean()/k).sum()
t = ll - chi/2
lo = optimize.brentq(lambda kk: lp(kk)-t, 1e-3, k, xtol=1e-14); hi = optimize.brentq(lambda kk: lp(kk)-t, k, 100, xtol=1e-14)
print('  profile shape', repr(lo), repr(hi))
def lpr(r):
    # for fixed rate the shape solves digamma(k) = log r + mean log x
    kk = optimize.brentq(lambda kk: special.digamma(kk) - np.log(r) - np.log(x).mean(), 1e-6, 1e4, xtol=1e-15)
    return stats.gamma.logpdf(x, kk, scale=1/r).sum()
lo = optimize.brentq(lambda r: lpr(r)-t, 1e-3, b, xtol=1e-14); hi = optimize.brentq(lambda r: lpr(r)-t, b, 50, xtol=1e-14)
print('  profile rate', repr(lo), repr(hi))
y = read('normal.csv', 0); n = len(y)
mu = y.mean(); v = ((y-mu)**2).mean()
ll = stats.norm.logpdf(y, mu, np.sqrt(v)).sum()
print('normal', repr(mu), repr(v), repr(np.sqrt(v/n)), repr(np.sqrt(2*v*v/n)), repr(ll))
d = np.sqrt(v*(np.exp(chi/n)-1))
print('  profile mu', repr(mu-d), repr(mu+d))
e = read('exponential.csv', 1); n=len(e)
lam = n/e.sum(); ll = stats.expon.logpdf(e, scale=1/lam).sum()
t = ll - chi/2
f = lambda l: n*np.log(l) - l*e.sum() - t
print('exponential', repr(lam), repr(lam/np.sqrt(n)), repr(ll), 'profile', repr(optimize.brentq(f, 1e-6, lam, xtol=1e-15)), repr(optimize.brentq(f, lam, 100, xtol=1e-15)))
p = read('poisson.csv', 1); n=len(p)
lam = p.mean(); ll = stats.poisson.logpmf(p, lam).sum()
t = ll - chi/2
f = lambda l: stats.poisson.logpmf(p, l).sum() - t
print('poisson', repr(lam), repr(np.sqrt(lam/n)), repr(ll), 'profile', repr(optimize.brentq(f, 1e-6, lam, xtol=1e-15)), repr(optimize.brentq(f, lam, 100, xtol=1e-15)))
print('bernoulli zeros upper', repr(1-np.exp(-chi/(2*25))))
# weibull: the shape solves 1/k + mean(log x) - sum(x^k log x)/sum(x^k) = 0 (Brent),
# the scale is (mean x^k)^(1/k); SEs from the inverse of the observed information.
w = read('weibull.csv', 1); n = len(w)
g = lambda k: 1/k + np.log(w).mean() - (w**k * np.log(w)).sum() / (w**k).sum()
k = optimize.brentq(g, 0.05, 50, xtol=1e-15)
lam = ((w**k).mean())**(1/k)
ll = stats.weibull_min.logpdf(w, k, scale=lam).sum()
z = np.log(w/lam); p = (w/lam)**k
obs = np.array([[n/k**2 + (p*z*z).sum(), (n - p.sum() - k*(p*z).sum())/lam],
                [(n - p.sum() - k*(p*z).sum())/lam, (-n*k + k*(k+1)*p.sum())/lam**2]])
cov = np.linalg.inv(obs)
print('weibull', repr(k), repr(lam), repr(np.sqrt(cov[0,0])), repr(np.sqrt(cov[1,1])), repr(ll))
print('  scipy.stats.weibull_min.fit', stats.weibull_min.fit(w, floc=0))
# student_t with df = 5 known: BFGS on the sum of scipy.stats.t.logpdf from the
# median, polished by Newton on central differences; SEs from the inverse of a
# central-difference Hessian (h = 1e-4: about 1e-8 relative error).
t = read('student_t.csv', 1); n = len(t)
nll = lambda p: -stats.t.logpdf(t, 5, loc=p[0], scale=p[1]).sum()
p = optimize.minimize(nll, [np.median(t), 1.0], method='Nelder-Mead', options={'xatol': 1e-13, 'fatol': 1e-14, 'maxiter': 100000}).x
def hessian(f, p, h=1e-4):
    k = len(p); H = np.zeros((k, k))
    for i in range(k):
        for j in range(k):
            e = np.zeros(k); e[i] = h; d = np.zeros(k); d[j] = h
            H[i, j] = (f(p+e+d) - f(p+e-d) - f(p-e+d) + f(p-e-d)) / (4*h*h)
    return H
def grad(f, p, h=1e-6):
    return np.array([(f(p+np.eye(2)[i]*h) - f(p-np.eye(2)[i]*h))/(2*h) for i in range(2)])
for _ in range(3): p = p - np.linalg.solve(hessian(nll, p), grad(nll, p))
cov = np.linalg.inv(hessian(nll, p))
print('student_t', repr(p[0]), repr(p[1]), repr(np.sqrt(cov[0,0])), repr(np.sqrt(cov[1,1])), repr(-nll(p)))
print('  scipy.stats.t.fit(fix_df=5)', stats.t.fit(t, fix_df=5)[1:])
# binomial with 12 trials: p-hat = sum / (12 n), SE sqrt(p(1-p)/(12 n)), log-likelihood from scipy.stats.binom.
k = read('binomial.csv', 1); n = len(k)
ph = k.sum() / (12*n)
print('binomial', repr(ph), repr(np.sqrt(ph*(1-ph)/(12*n))), repr(stats.binom.logpmf(k, 12, ph).sum()))
