# Conventions of akhlak_levels' reliability and careless-responding defaults, checked on public
# data with R psych 2.2.9 / psychTools 2.2.9 (issue 10, items 4 and 6).
#
# Run from the repository root:
#     Rscript tests/reference/conventions_make.R
# Reads   tests/reference/bfi.csv (committed earlier; psych::bfi)
# Writes  tests/reference/conventions_epi.csv      psychTools::epi, 3570 x 57 items (0/1)
#         tests/reference/conventions_ability.csv  psychTools::ability, 1525 x 16 items (0/1)
#         tests/reference/conventions_spi.csv.gz   psychTools::spi items q_* (4000 x 135, 1..6)
#         tests/reference/conventions_psych.json   the reference values below
#
# Deterministic: nothing random is drawn.
#
# Per data set and scale (keys: psychTools::epi.keys, psych's bfi keys, the four ICAR-16 item
# types, reversed as (min + max) - x with min/max over the data set's items, as scoreItems does):
#   alpha_pairwise       psych::alpha(X)$total$raw_alpha            (X: every row of the data)
#   feldt_rows           psych::alpha(X)$feldt  lower.ci / upper.ci (n = nrow(X), all rows)
#   feldt_answered       psych::alpha.ci(raw_alpha, n.obs = n_answered, n.var = k)
#                        (n = respondents with at least one answer on the scale)
#   score_items_median   psych::scoreItems(keys, data, impute = "median")$alpha   (all rows)
#   median_answered      psych::scoreItems(keys[scale], data[answered, ], impute = "median")$alpha
#                        (the rows with at least one answer on the scale only)
#   omega_fa             psych::fa(X, nfactors = 1, fm = "minres") loadings l, then
#                        sum(l)^2 / (sum(l)^2 + sum(1 - l^2))           (McDonald's omega total)
#   omega_tot_psych      psych::omega(X, nfactors = 1, fm = "minres", plot = FALSE)$omega.tot
#                        = (sum(R) - sum(u2)) / sum(R): a different estimator (observed-R
#                        denominator)
# Needs (Debian): r-base-core r-cran-psych r-cran-psychtools r-cran-gparotation (JSON is written
# by the small writer below: jsonlite is not installed where this was run).

suppressPackageStartupMessages({
  library(psych)
  library(psychTools)
  stopifnot(requireNamespace("GPArotation", quietly = TRUE))
})

ref <- file.path("tests", "reference")
data(epi, package = "psychTools")
data(ability, package = "psychTools")
data(spi, package = "psychTools")

epi_df <- as.data.frame(epi)
ability_df <- as.data.frame(ability)
spi_items <- as.data.frame(spi[, grepl("^q_", colnames(spi))])
stopifnot(ncol(spi_items) == 135, nrow(spi_items) == 4000)
write.csv(epi_df, file.path(ref, "conventions_epi.csv"), row.names = FALSE, na = "")
write.csv(ability_df, file.path(ref, "conventions_ability.csv"), row.names = FALSE, na = "")
gz <- gzfile(file.path(ref, "conventions_spi.csv.gz"), "w")
write.csv(spi_items, gz, row.names = FALSE, na = "")
close(gz)
# spi's 27 facet scales (every one of the 135 items on exactly one), for the careless fixture
spi_facets <- spi.keys[6:32]
stopifnot(length(unique(sub("^-", "", unlist(spi_facets)))) == 135)

bfi <- read.csv(file.path(ref, "bfi.csv"))
bfi_items <- bfi[, 1:25]
bfi_keys <- list(
  A = c("-A1", "A2", "A3", "A4", "A5"),
  C = c("C1", "C2", "C3", "-C4", "-C5"),
  E = c("-E1", "-E2", "E3", "E4", "E5"),
  N = c("N1", "N2", "N3", "N4", "N5"),
  O = c("O1", "-O2", "O3", "O4", "-O5")
)
ability_keys <- list(
  reason = c("reason.4", "reason.16", "reason.17", "reason.19"),
  letter = c("letter.7", "letter.33", "letter.34", "letter.58"),
  matrix = c("matrix.45", "matrix.46", "matrix.47", "matrix.55"),
  rotate = c("rotate.3", "rotate.4", "rotate.6", "rotate.8")
)

warnings_seen <- character(0)
# A minimal JSON writer: named lists -> objects, vectors of length != 1 -> arrays, numbers with
# 17 significant digits (round-trip exact), NA -> null.
to_json <- function(x, indent = "") {
  inner <- paste0(indent, "  ")
  scalar <- function(v) {
    if (is.na(v)) return("null")
    if (is.logical(v)) return(if (v) "true" else "false")
    if (is.numeric(v)) return(sprintf("%.17g", v))
    paste0('"', gsub('"', '\\\\"', gsub("\\\\", "\\\\\\\\", v)), '"')
  }
  if (is.list(x) && !is.null(names(x))) {
    parts <- vapply(names(x), function(n) paste0(inner, '"', n, '": ', to_json(x[[n]], inner)), "")
    return(paste0("{\n", paste(parts, collapse = ",\n"), "\n", indent, "}"))
  }
  if (is.list(x)) return(paste0("[", paste(vapply(x, to_json, "", indent = inner), collapse = ", "), "]"))
  if (inherits(x, "AsIs") || length(x) != 1) {
    return(paste0("[", paste(vapply(unclass(x), scalar, ""), collapse = ", "), "]"))
  }
  scalar(x)
}

capture <- function(expr) withCallingHandlers(expr,
  warning = function(w) {
    warnings_seen <<- c(warnings_seen, conditionMessage(w))
    invokeRestart("muffleWarning")
  },
  message = function(m) invokeRestart("muffleMessage"))

keyed <- function(items, key) {
  lo <- min(items, na.rm = TRUE)
  hi <- max(items, na.rm = TRUE)
  rev <- startsWith(key, "-")
  X <- as.matrix(items[, sub("^-", "", key)])
  storage.mode(X) <- "double"
  X[, rev] <- (lo + hi) - X[, rev]
  X
}

one_data_set <- function(name, items, keys) {
  si_all <- capture(psych::scoreItems(keys, items, impute = "median"))
  lapply(setNames(names(keys), names(keys)), function(s) {
    key <- keys[[s]]
    X <- keyed(items, key)
    k <- ncol(X)
    answered <- rowSums(!is.na(X)) > 0
    a <- capture(psych::alpha(X, check.keys = FALSE, warnings = FALSE))
    raw <- a$total$raw_alpha
    ci_ans <- psych::alpha.ci(raw, n.obs = sum(answered), n.var = k)
    si_ans <- capture(psych::scoreItems(keys[s], items[answered, ], impute = "median"))
    f <- capture(psych::fa(X, nfactors = 1, fm = "minres"))
    l <- unname(f$loadings[, 1])
    if (sum(l) < 0) l <- -l
    om <- capture(psych::omega(X, nfactors = 1, fm = "minres", plot = FALSE))
    list(
      keys = key,
      items = sub("^-", "", key),
      n_rows = nrow(X),
      n_answered = sum(answered),
      alpha_pairwise = raw,
      feldt_rows = c(unname(unlist(a$feldt$lower.ci)), unname(unlist(a$feldt$upper.ci))),
      feldt_answered = c(unname(unlist(ci_ans$lower.ci)), unname(unlist(ci_ans$upper.ci))),
      score_items_median = unname(si_all$alpha[1, s]),
      median_answered = unname(si_ans$alpha[1, 1]),
      fa_loadings = l,
      omega_fa = sum(l)^2 / (sum(l)^2 + sum(1 - l^2)),
      omega_tot_psych = om$omega.tot
    )
  })
}

out <- list(
  meta = list(
    R_version = R.version.string,
    psych_version = as.character(packageVersion("psych")),
    psychTools_version = as.character(packageVersion("psychTools")),
    GPArotation_version = as.character(packageVersion("GPArotation")),
    date = format(Sys.Date()),
    calls = c(
      'psych::alpha(X)$total$raw_alpha and $feldt (n = nrow(X))',
      'psych::alpha.ci(raw_alpha, n.obs = <respondents with an answer on the scale>, n.var = k)',
      'psych::scoreItems(keys, data, impute = "median")$alpha (all rows)',
      'psych::scoreItems(keys[scale], data[answered, ], impute = "median")$alpha',
      'psych::fa(X, nfactors = 1, fm = "minres"); omega = sum(l)^2 / (sum(l)^2 + sum(1 - l^2))',
      'psych::omega(X, nfactors = 1, fm = "minres", plot = FALSE)$omega.tot'
    ),
    spi_facets = spi_facets,
    warnings = I(unique(warnings_seen))
  ),
  epi = one_data_set("epi", epi_df, epi.keys),
  ability = one_data_set("ability", ability_df, ability_keys),
  bfi = one_data_set("bfi", bfi_items, bfi_keys)
)
out$meta$warnings <- I(unique(warnings_seen))

writeLines(to_json(out), file.path(ref, "conventions_psych.json"))
cat("wrote", file.path(ref, "conventions_psych.json"), "\n")
