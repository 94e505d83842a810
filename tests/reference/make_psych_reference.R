# Reference reliability statistics for akhlak_levels, computed with R psych and lavaan on
# psych's `bfi` dataset (SAPA project, Revelle; 2800 respondents x 25 Big-Five items).
#
# Run from the repository root:
#     Rscript tests/reference/make_psych_reference.R
# Reads   tests/reference/bfi.csv         (written once by the command in README.md)
# Writes  tests/reference/psych_bfi.json
#
# Needs (Debian): r-base-core r-cran-psych r-cran-lavaan r-cran-jsonlite r-cran-gparotation
# (GPArotation is required by psych::omega). Deterministic: no random numbers are drawn
# (splitHalf enumerates all splits of 5 items; no bootstrap).

suppressPackageStartupMessages({
  library(psych)
  library(lavaan)
  library(jsonlite)
  stopifnot(requireNamespace("GPArotation", quietly = TRUE))
})

in_csv   <- file.path("tests", "reference", "bfi.csv")
out_json <- file.path("tests", "reference", "psych_bfi.json")

bfi <- read.csv(in_csv)
stopifnot(nrow(bfi) == 2800, ncol(bfi) == 28)
items <- bfi[, 1:25]

# Standard bfi keys (as psych's bfi.keys); "-" = reverse keyed.
keys <- list(
  A = c("-A1", "A2", "A3", "A4", "A5"),
  C = c("C1", "C2", "C3", "-C4", "-C5"),
  E = c("-E1", "-E2", "E3", "E4", "E5"),
  N = c("N1", "N2", "N3", "N4", "N5"),
  O = c("O1", "-O2", "O3", "O4", "-O5")
)

# Keyed item matrix: reverse the negatively keyed items as 7 - x (items are scored 1..6), NA kept.
keyed_matrix <- function(key) {
  rev  <- startsWith(key, "-")
  cols <- sub("^-", "", key)
  X <- as.matrix(items[, cols])
  X[, rev] <- 7 - X[, rev]
  storage.mode(X) <- "double"
  X
}

# ---- scoreItems, once for all five scales (psych's own convention: original, unreversed
# items + the keys list; psych reverses as (max + min) - x with min/max over all 25 items = 1, 6).
# The exact calls:
warnings_seen <- character(0)
messages_seen <- character(0)
capture <- function(expr) withCallingHandlers(expr,
  warning = function(w) {
    warnings_seen <<- c(warnings_seen, conditionMessage(w))
    invokeRestart("muffleWarning")
  },
  message = function(m) {
    messages_seen <<- c(messages_seen, trimws(conditionMessage(m)))
    invokeRestart("muffleMessage")
  })
si_median <- capture(psych::scoreItems(keys, bfi[, 1:25], impute = "median"))  # the default
si_none   <- capture(psych::scoreItems(keys, bfi[, 1:25], impute = "none"))

# Extra: the first 10 respondents with at least one missing item on the scale, where the
# imputation matters (the first 10 rows have a single missing answer, E5 in row 9).
incomplete_rows <- function(scale) {
  cols <- sub("^-", "", keys[[scale]])
  head(which(!complete.cases(items[, cols])), 10)
}
si_entry <- function(si, scale) {
  rows <- incomplete_rows(scale)
  list(
    alpha = unname(si$alpha[1, scale]),
    av_r  = unname(si$av.r[1, scale]),
    G6    = unname(si$G6[1, scale]),
    scores_first10 = unname(si$scores[1:10, scale]),
    incomplete_rows_1based = rows,
    scores_incomplete_rows = unname(si$scores[rows, scale])
  )
}

per_item <- function(df, col) as.list(setNames(df[[col]], rownames(df)))

scale_result <- function(scale) {
  key <- keys[[scale]]
  X <- keyed_matrix(key)
  k <- ncol(X)
  item_names <- colnames(X)

  # ---- psych::alpha on pairwise-complete covariances (its only mode)
  a  <- capture(psych::alpha(X))
  tot <- a$total
  ist <- a$item.stats
  rf  <- a$response.freq

  # ---- listwise alpha: complete cases only
  Xc <- X[complete.cases(X), ]
  n_complete <- nrow(Xc)
  a_lw <- capture(psych::alpha(Xc))
  raw_alpha_listwise <- a_lw$total$raw_alpha

  # ---- Feldt (1965) 95% interval as pingouin computes it, on the listwise alpha
  n <- n_complete
  df1 <- n - 1
  df2 <- (n - 1) * (k - 1)
  feldt_lw <- c(1 - (1 - raw_alpha_listwise) * qf(0.975, df1, df2),
                1 - (1 - raw_alpha_listwise) * qf(0.025, df1, df2))
  # Extra: the same interval on the pairwise alpha with n = all rows (pingouin's count when
  # it keeps incomplete rows; akhlak_levels' nan_policy="pairwise").
  n_all <- nrow(X)
  feldt_pw <- c(1 - (1 - tot$raw_alpha) * qf(0.975, n_all - 1, (n_all - 1) * (k - 1)),
                1 - (1 - tot$raw_alpha) * qf(0.025, n_all - 1, (n_all - 1) * (k - 1)))

  # ---- omega total from a one-factor model
  # (a) MINRES on the pairwise correlation matrix; model-implied denominator
  f <- capture(psych::fa(X, nfactors = 1, fm = "minres"))
  l <- unname(f$loadings[, 1])
  if (sum(l) < 0) l <- -l
  omega_fa <- sum(l)^2 / (sum(l)^2 + sum(1 - l^2))
  # (b) psych::omega: omega.tot = (sum(R) - sum(u2)) / sum(R), observed-R denominator
  om <- capture(psych::omega(X, nfactors = 1, fm = "minres", plot = FALSE))
  # (c) lavaan one-factor CFA, ML with full-information ML for missing data, factor variance
  # fixed to 1 (std.lv = TRUE) so every loading is free; unstandardized estimates.
  model <- paste("f =~", paste(item_names, collapse = " + "))
  fit <- capture(lavaan::cfa(model, data = as.data.frame(X), estimator = "ML",
                             missing = "ml", std.lv = TRUE))
  pe <- lavaan::parameterEstimates(fit)
  lam <- pe$est[pe$op == "=~"]
  if (sum(lam) < 0) lam <- -lam
  theta <- pe$est[pe$op == "~~" & pe$lhs == pe$rhs & pe$lhs %in% item_names]
  omega_lavaan <- sum(lam)^2 / (sum(lam)^2 + sum(theta))
  fm_lav <- lavaan::fitMeasures(fit, c("chisq", "df", "cfi", "rmsea"))
  stopifnot(lavaan::lavInspect(fit, "converged"))

  # ---- odd-even split half (items 1,3,5 vs 2,4 of the keyed matrix), complete cases only.
  # rowSums(..., na.rm = FALSE) is NA for any incomplete row; use = "complete.obs" drops them.
  half_odd  <- rowSums(X[, c(1, 3, 5)], na.rm = FALSE)
  half_even <- rowSums(X[, c(2, 4)], na.rm = FALSE)
  r_oe <- cor(half_odd, half_even, use = "complete.obs")
  split_half_odd_even <- 2 * r_oe / (1 + r_oe)
  # psych::splitHalf on R = cov2cor(pairwise covariances); each split's rab = 4 R_AB / sum(R).
  # NOTE: for an odd number of items psych (2.2.9) enumerates only round(choose(n, n %/% 2)) / 2
  # splits: for 5 items the first 5 of the 10 two-vs-three splits in combn order
  # ({1,2}, {1,3}, {1,4}, {1,5}, {2,3} vs the rest). meanr/maxrb/minrb are over those 5.
  sh <- capture(psych::splitHalf(X))
  # Extra, by hand: the same rab over all 10 distinct splits (combn(5, 2) vs the rest).
  Rsh <- cov2cor(cov(X, use = "pairwise"))
  rab_all <- apply(combn(k, k %/% 2), 2, function(idx) {
    a <- as.numeric(seq_len(k) %in% idx)
    4 * drop(t(a) %*% Rsh %*% (1 - a)) / sum(Rsh)
  })

  list(
    keys = key,
    items = item_names,
    n = nrow(X),
    n_complete = n_complete,
    alpha = list(
      raw_alpha = tot$raw_alpha,
      std_alpha = tot$std.alpha,
      G6_smc    = tot[["G6(smc)"]],
      average_r = tot$average_r,
      mean      = tot$mean,
      sd        = tot$sd,
      item = list(
        r_drop          = per_item(ist, "r.drop"),
        raw_r           = per_item(ist, "raw.r"),
        std_r           = per_item(ist, "std.r"),
        r_cor           = per_item(ist, "r.cor"),
        alpha_if_dropped = per_item(a$alpha.drop, "raw_alpha"),
        mean            = per_item(ist, "mean"),
        sd              = per_item(ist, "sd"),
        n               = per_item(ist, "n")
      ),
      response_freq = lapply(setNames(seq_len(nrow(rf)), rownames(rf)),
                             function(i) as.list(rf[i, ]))
    ),
    raw_alpha_listwise = raw_alpha_listwise,
    feldt_ci_listwise = feldt_lw,
    feldt_ci_pairwise_all_rows = feldt_pw,
    scoreItems = list(
      impute_median = si_entry(si_median, scale),
      impute_none   = si_entry(si_none, scale)
    ),
    omega = list(
      fa_loadings = as.list(setNames(l, item_names)),
      omega_fa = omega_fa,
      omega_tot_psych = om$omega.tot,
      omega_h_psych = om$omega_h,
      lavaan_loadings = as.list(setNames(lam, item_names)),
      lavaan_residual_variances = as.list(setNames(theta, item_names)),
      omega_lavaan = omega_lavaan,
      lavaan_n_used = lavaan::lavInspect(fit, "ntotal"),
      lavaan_fit = as.list(unclass(fm_lav))
    ),
    split_half_odd_even = split_half_odd_even,
    split_half_r = r_oe,
    splitHalf = list(meanr = sh$meanr, maxrb = sh$maxrb, minrb = sh$minrb, av_r = sh$av.r),
    split_half_all_splits_by_hand = list(meanr = mean(rab_all), maxrb = max(rab_all),
                                         minrb = min(rab_all), n_splits = length(rab_all))
  )
}

scales <- lapply(setNames(names(keys), names(keys)), scale_result)

out <- list(
  meta = list(
    dataset = "psych::bfi (SAPA project, Revelle); tests/reference/bfi.csv",
    n_rows = nrow(bfi),
    R_version = R.version.string,
    psych_version = as.character(packageVersion("psych")),
    lavaan_version = as.character(packageVersion("lavaan")),
    jsonlite_version = as.character(packageVersion("jsonlite")),
    GPArotation_version = as.character(packageVersion("GPArotation")),
    date = format(Sys.Date()),
    keying = "reverse-keyed items recoded as 7 - x before every statistic except scoreItems, which gets raw items + keys",
    scoreItems_calls = c(
      'psych::scoreItems(keys, bfi[, 1:25], impute = "median")',
      'psych::scoreItems(keys, bfi[, 1:25], impute = "none")'
    ),
    warnings = I(unique(warnings_seen)),
    messages = I(unique(messages_seen))
  ),
  scales = scales
)

writeLines(jsonlite::toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"),
           out_json)
cat("wrote", out_json, "\n")
if (length(warnings_seen)) cat("warnings:\n", paste(" -", unique(warnings_seen), collapse = "\n"), "\n")
if (length(messages_seen)) cat("messages:\n", paste(" -", unique(messages_seen), collapse = "\n"), "\n")
