# Reference values for the regression fits in tests/experiments/fit_test.cpp,
# computed with R 4.2 (Debian r-base-core): glm with epsilon = 1e-15, and
# profile bounds by uniroot (tol 1e-14) on the log-likelihood of the refit
# with the coefficient moved into an offset. lm's SEs use RSS/(n - p); the
# MLE's use RSS/n, so they are lm's times sqrt((n - p)/n). Run from anywhere
# with Rscript tests/data/references.R. Not run by the test suite.
# The data: R's datasets cars and mtcars (am, hp, wt), and Dobson's (1990)
# randomized controlled trial from R's ?glm, with its factors as 0/1 columns.
options(digits = 17)
d <- file.path(dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))), "")
ctl <- glm.control(epsilon = 1e-15, maxit = 100)
profile_bounds <- function(loglik, estimate, lower, upper) {
  threshold <- loglik(estimate) - qchisq(0.95, 1) / 2
  f <- function(b) loglik(b) - threshold
  c(uniroot(f, c(lower, estimate), tol = 1e-14)$root, uniroot(f, c(estimate, upper), tol = 1e-14)$root)
}

mt <- read.csv(paste0(d, "mtcars.csv"))
g <- glm(am ~ hp + wt, data = mt, family = binomial, control = ctl)
cat("mtcars logistic", format(coef(g)), "\n  se", format(sqrt(diag(vcov(g)))), "\n  loglik", format(logLik(g)), "\n")
cat("  profile hp", format(profile_bounds(function(b) as.numeric(logLik(glm(am ~ wt + offset(b * hp), data = mt,
    family = binomial, control = ctl))), coef(g)[["hp"]], 0, 0.2)), "\n")

dob <- read.csv(paste0(d, "dobson.csv"))
p <- glm(counts ~ outcome2 + outcome3 + treatment2 + treatment3, data = dob, family = poisson, control = ctl)
cat("dobson poisson", format(coef(p)), "\n  se", format(sqrt(diag(vcov(p)))), "\n  loglik", format(logLik(p)), "\n")
cat("  profile outcome2", format(profile_bounds(function(b) as.numeric(logLik(glm(counts ~ outcome3 + treatment2 +
    treatment3 + offset(b * outcome2), data = dob, family = poisson, control = ctl))), coef(p)[["outcome2"]], -2, 1)), "\n")

cars <- read.csv(paste0(d, "cars.csv"))
m <- lm(dist ~ speed, data = cars); n <- nrow(cars); s2 <- sum(resid(m)^2) / n
cat("cars linear", format(c(coef(m), s2)), "\n  se", format(c(sqrt(diag(vcov(m)) * (n - 2) / n), sqrt(2 * s2^2 / n))),
    "\n  loglik", format(logLik(m)), "\n")
cat("  profile speed", format(profile_bounds(function(b) {
  r <- resid(lm(I(dist - b * speed) ~ 1, data = cars)); -n / 2 * log(2 * pi * sum(r^2) / n) - n / 2
}, coef(m)[["speed"]], 0, 10)), "\n")

# Families against MASS::fitdistr (Nelder-Mead/BFGS at reltol 1e-14, SEs from optim's numerical
# Hessian: good to about 1e-7 and 1e-5 relative), on student_t.csv.
library(MASS)
r <- read.csv(paste0(d, "student_t.csv"))$return
for (family in c("cauchy", "logistic")) {
  f <- suppressWarnings(fitdistr(r, family, control = list(reltol = 1e-14)))
  cat(family, format(f$estimate), "\n  se", format(f$sd), "\n")
}
f <- fitdistr(r, "t", df = 5, control = list(reltol = 1e-14))
cat("t, df = 5", format(f$estimate), "\n  se", format(f$sd), "\n")
