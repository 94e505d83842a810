# Reference latent class fits of psychTools' `ability` (ICAR-16) by flexmix, for
# tests/model/test_latent_class_reference.py. Run from the repository root:
#   Rscript tests/reference/make_lca_reference.R
# Reads tests/reference/lca_ability.csv (1525 x 16, 0/1, empty = NA) and writes
# tests/reference/lca_ability.json.
#
# flexmix's FLXMCmvbinary drops a respondent with any missing answer (model.frame's
# na.omit), so the fits are on the 1248 complete rows; the JSON records which rows.
# Each number of classes K = 3, 4, 5 is fitted from `nrep` random starts
# (stepFlexmix), EM run to a relative tolerance of 1e-13, no class removed (minprior = 0);
# the best start is kept. flexmix counts the parameters as poLCA does:
# (K - 1) + K * 16.
suppressPackageStartupMessages({
  library(flexmix)
  library(jsonlite)
})

data_path <- "tests/reference/lca_ability.csv"
out_path <- "tests/reference/lca_ability.json"
nrep <- 40
seed <- 20261206

ability <- read.csv(data_path, na.strings = "")
stopifnot(nrow(ability) == 1525, ncol(ability) == 16)
complete <- complete.cases(ability)
X <- as.matrix(ability[complete, ])
storage.mode(X) <- "integer"

fits <- list()
for (K in 3:5) {
  set.seed(seed + K)
  all <- stepFlexmix(X ~ 1, k = K, nrep = nrep, model = FLXMCmvbinary(),
                     control = list(minprior = 0, tolerance = 1e-13, iter.max = 20000, verbose = 0),
                     verbose = FALSE)
  # with a single k, stepFlexmix returns the run with the highest log-likelihood of the nrep
  best <- all
  ll <- as.numeric(logLik(best))
  npar <- attr(logLik(best), "df")
  n <- nrow(X)
  centers <- parameters(best)  # 16 x K: P(item = 1 | class)
  fits[[as.character(K)]] <- list(
    n_classes = K,
    log_likelihood = ll,
    n_parameters = npar,
    aic = AIC(best),
    bic = BIC(best),
    aic_by_formula = -2 * ll + 2 * npar,
    bic_by_formula = -2 * ll + npar * log(n),
    iterations = best@iter,
    converged = best@converged,
    class_weights = as.numeric(prior(best)),
    p_yes = unname(lapply(seq_len(K), function(k) as.numeric(centers[, k]))),
    sizes = as.integer(table(factor(clusters(best), levels = seq_len(K))))
  )
}

meta <- list(
  date = format(Sys.time(), "%Y-%m-%dT%H:%M:%SZ", tz = "UTC"),
  r_version = R.version.string,
  flexmix_version = as.character(packageVersion("flexmix")),
  psychTools_version = as.character(packageVersion("psychTools")),
  data = data_path,
  n_rows = nrow(ability),
  n_complete = sum(complete),
  complete_rows_1based = which(complete),
  items = colnames(ability),
  nrep = nrep,
  seed = seed,
  control = "minprior = 0, tolerance = 1e-13, iter.max = 20000",
  call = "stepFlexmix(X ~ 1, k = K, nrep = nrep, model = FLXMCmvbinary(), control = ...)"
)
writeLines(toJSON(list(meta = meta, fits = fits), auto_unbox = TRUE, digits = NA, pretty = TRUE), out_path)
cat("wrote", out_path, "\n")
for (f in fits) cat(sprintf("K=%d logLik %.7f df %d BIC %.4f\n", f$n_classes, f$log_likelihood, f$n_parameters, f$bic))
