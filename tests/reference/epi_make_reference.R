# Reference scale scores, reliability and item statistics for keys per scale (issue 10, item 3),
# computed with R psych on psychTools' `epi` data (Eysenck Personality Inventory, 3570
# respondents x 57 items), keyed with psychTools' own `epi.keys`. Those keys give one item two
# directions: V11 ("Do you suddenly feel shy when you want to talk to an attractive stranger?")
# is keyed + in N and - in Soc, which is what a questionnaire's per-scale keys must reproduce.
#
# Run from the repository root:
#     Rscript tests/reference/epi_make_reference.R
# Reads   tests/reference/conventions_epi.csv (psychTools::epi, the 57 items, NA as empty cells;
#         written by conventions_make.R, shared with it; checked here to equal psychTools::epi)
# Writes  tests/reference/epi_psych.json      (the reference values)
#
# Needs: R psych and psychTools (2.2.9 here). No JSON package: the small writer below prints
# every number with 17 significant digits (round-trips a double exactly). Deterministic: no
# random numbers are drawn; two runs give byte-identical output apart from meta.date.

suppressPackageStartupMessages({
  library(psych)
  library(psychTools)
})

in_csv   <- file.path("tests", "reference", "conventions_epi.csv")
out_json <- file.path("tests", "reference", "epi_psych.json")

data(epi, package = "psychTools", envir = environment())
data(epi.dictionary, package = "psychTools", envir = environment())
stopifnot(nrow(epi) == 3570, ncol(epi) == 57, identical(colnames(epi), paste0("V", 1:57)))
items <- read.csv(in_csv)  # the committed file is what is scored
stopifnot(identical(colnames(items), colnames(epi)))
stopifnot(isTRUE(all.equal(as.matrix(items), as.matrix(epi), check.attributes = FALSE)))

# psychTools' epi.keys, exactly as the package ships them (the list on its ?epi help page).
keys <- psychTools::epi.keys
stopifnot(identical(names(keys), c("E", "N", "L", "Imp", "Soc")))
stopifnot("V11" %in% keys$N, "-V11" %in% keys$Soc)  # the item keyed both ways

lo <- min(as.matrix(items), na.rm = TRUE)
hi <- max(as.matrix(items), na.rm = TRUE)
stopifnot(lo == 1, hi == 2)  # two answer codes; a reversed answer is (hi + lo) - x = 3 - x

# Keyed item matrix of one scale: negatively keyed items as 3 - x, NA kept, in key order.
keyed_matrix <- function(key) {
  rev  <- startsWith(key, "-")
  cols <- sub("^-", "", key)
  X <- as.matrix(items[, cols])
  X[, rev] <- (hi + lo) - X[, rev]
  storage.mode(X) <- "double"
  X
}

warnings_seen <- character(0)
capture <- function(expr) withCallingHandlers(expr, warning = function(w) {
  warnings_seen <<- c(warnings_seen, conditionMessage(w))
  invokeRestart("muffleWarning")
})

# The exact scoreItems calls (psych's own keying of the unreversed items).
si_none   <- capture(psych::scoreItems(keys, items, impute = "none"))
si_median <- capture(psych::scoreItems(keys, items, impute = "median"))  # psych's default

per_item <- function(df, col) as.list(setNames(df[[col]], rownames(df)))

scale_result <- function(scale) {
  key <- keys[[scale]]
  X <- keyed_matrix(key)
  a <- capture(psych::alpha(X))  # pairwise-complete covariances
  # The same alpha from psych's own keying (check.keys off, keys = the reversed items).
  a_keys <- capture(psych::alpha(as.data.frame(items[, sub("^-", "", key)]),
                                 keys = sub("^-", "", key[startsWith(key, "-")])))
  stopifnot(abs(a$total$raw_alpha - a_keys$total$raw_alpha) < 1e-12)
  ist <- a$item.stats
  list(
    keys = key,
    items = colnames(X),
    alpha = list(
      raw_alpha = a$total$raw_alpha,
      std_alpha = a$total$std.alpha,
      G6_smc = a$total[["G6(smc)"]],
      average_r = a$total$average_r,
      item = list(
        r_drop = per_item(ist, "r.drop"),
        raw_r = per_item(ist, "raw.r"),
        alpha_if_dropped = per_item(a$alpha.drop, "raw_alpha"),
        mean = per_item(ist, "mean"),
        sd = per_item(ist, "sd"),
        n = per_item(ist, "n")
      )
    ),
    scoreItems = list(
      impute_none = list(
        alpha = unname(si_none$alpha[1, scale]),
        scores = unname(si_none$scores[, scale])  # mean of the answered keyed items; NA if none
      ),
      impute_median = list(
        alpha = unname(si_median$alpha[1, scale]),
        G6 = unname(si_median$G6[1, scale])
      )
    )
  )
}

scales <- lapply(setNames(names(keys), names(keys)), scale_result)

# ---- a minimal JSON writer (base R): named list -> object, list -> array, vectors -> arrays
# (length-1 atomic -> scalar), NA/NaN -> null, numbers with 17 significant digits.
json_string <- function(s) {
  s <- gsub("\\\\", "\\\\\\\\", s)
  s <- gsub("\"", "\\\\\"", s)
  s <- gsub("\n", "\\\\n", s)
  s <- gsub("\t", "\\\\t", s)
  s <- gsub("\r", "\\\\r", s)
  paste0("\"", s, "\"")
}
json_atom <- function(v) {
  if (is.character(v)) return(ifelse(is.na(v), "null", json_string(v)))
  if (is.logical(v)) return(ifelse(is.na(v), "null", ifelse(v, "true", "false")))
  out <- sprintf("%.17g", as.double(v))
  out[is.na(v)] <- "null"
  out
}
to_json <- function(x, indent = "") {
  inner <- paste0(indent, "  ")
  if (is.list(x)) {
    if (!is.null(names(x))) {
      body <- vapply(names(x), function(n) paste0(inner, json_string(n), ": ", to_json(x[[n]], inner)), "")
      return(paste0("{\n", paste(body, collapse = ",\n"), "\n", indent, "}"))
    }
    body <- vapply(x, function(e) paste0(inner, to_json(e, inner)), "")
    return(paste0("[\n", paste(body, collapse = ",\n"), "\n", indent, "]"))
  }
  atoms <- json_atom(unname(x))
  if (length(x) == 1 && is.null(names(x))) return(atoms)
  paste0("[", paste(atoms, collapse = ", "), "]")
}

doc <- list(
  meta = list(
    what = "psych::scoreItems and psych::alpha on psychTools::epi with psychTools::epi.keys (keys per scale)",
    r = R.version.string,
    psych = as.character(packageVersion("psych")),
    psychTools = as.character(packageVersion("psychTools")),
    date = format(Sys.time(), "%Y-%m-%d", tz = "UTC"),
    calls = c("psych::scoreItems(epi.keys, epi, impute = \"none\")",
              "psych::scoreItems(epi.keys, epi, impute = \"median\")",
              "psych::alpha(X) per scale, X = the scale's items with the negatively keyed ones as 3 - x"),
    n = nrow(items),
    warnings = as.list(unique(warnings_seen))
  ),
  items = as.list(setNames(as.character(epi.dictionary$Content), rownames(epi.dictionary))),
  scales = scales
)
writeLines(to_json(doc), out_json, useBytes = TRUE)
cat("wrote", out_json, "\n")
