#!/usr/bin/env python3
"""Writes one CSV per family, N draws each (default 10^6), for timing `mlesim fit`.

Usage: bench/fit/make_data.py DIR [N]. Python's own `random` (no NumPy), seed
12 per file, so the files are the same on every run. A family's file has a
header `x`, and NAME.known its --known flags; a regression model's has `y,x1,x2`
and NAME.args its flags. The parameters are moderate (what a user's data
would look like).
"""
import math
import random
import sys


def poisson(r, lam):
    # Knuth's product of uniforms; lam is small here.
    limit, k, p = math.exp(-lam), 0, r.random()
    while p > limit:
        k += 1
        p *= r.random()
    return k


def binomial(r, trials, p):
    return sum(r.random() < p for _ in range(trials))


def student_t(r, df):
    return r.gauss(0, 1) / math.sqrt(r.gammavariate(df / 2, 2) / df)


FAMILIES = {
    # name: (draw, --known flags)
    "bernoulli": (lambda r: int(r.random() < 0.3), []),
    "beta": (lambda r: r.betavariate(2.0, 5.0), []),
    "binomial": (lambda r: binomial(r, 12, 0.35), ["trials=12"]),
    "cauchy": (lambda r: 10 + 2 * math.tan(math.pi * (r.random() - 0.5)), []),
    "exponential": (lambda r: r.expovariate(0.5), []),
    "gamma": (lambda r: r.gammavariate(2.5, 1 / 1.5), []),
    "geometric": (lambda r: int(math.log(1 - r.random()) / math.log(1 - 0.2)), []),
    "laplace": (lambda r: 3 + 2 * (1 if r.random() < 0.5 else -1) * r.expovariate(1), []),
    "logistic": (lambda r: (lambda u: 5 + 1.5 * math.log(u / (1 - u)))(r.random() or 0.5), []),
    "lognormal": (lambda r: r.lognormvariate(1, 0.5), []),
    "negative_binomial": (lambda r: poisson(r, r.gammavariate(3, 4 / 3)), []),
    "normal": (lambda r: r.gauss(10, 2), []),
    "pareto": (lambda r: r.paretovariate(3.0), ["x_m=1"]),
    "poisson": (lambda r: poisson(r, 3.2), []),
    "student_t": (lambda r: 10 + 3 * student_t(r, 5), ["df=5"]),
    "uniform": (lambda r: r.uniform(0, 7), []),
    "weibull": (lambda r: r.weibullvariate(3.0, 1.9), []),
}


def regression(r, model):
    x1, x2 = r.gauss(0, 1), float(r.random() < 0.4)
    eta = 0.5 + 0.8 * x1 - 0.6 * x2
    if model == "linear_regression":
        y = eta + r.gauss(0, 1.5)
    elif model == "logistic_regression":
        y = int(r.random() < 1 / (1 + math.exp(-eta)))
    else:
        y = poisson(r, math.exp(eta))
    return f"{y!r},{x1!r},{x2!r}\n"


def main():
    folder = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10**6
    for name, (draw, known) in FAMILIES.items():
        r = random.Random(12)
        with open(f"{folder}/{name}.csv", "w") as f:
            f.write("x\n")
            f.writelines(f"{draw(r)!r}\n" for _ in range(n))
        with open(f"{folder}/{name}.known", "w") as f:
            f.write(" ".join(f"--known {k}" for k in known))
    for model in ("linear_regression", "logistic_regression", "poisson_regression"):
        r = random.Random(12)
        with open(f"{folder}/{model}.csv", "w") as f:
            f.write("y,x1,x2\n")
            f.writelines(regression(r, model) for _ in range(n))
        with open(f"{folder}/{model}.args", "w") as f:
            f.write(f"--model {model} --response y --covariates x1,x2")


if __name__ == "__main__":
    main()
