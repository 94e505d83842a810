"""The readable summary of a calibrated model (or of latent classes fitted for research)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from ..levels import N_LEVELS

if TYPE_CHECKING:
    from ._latent_classes import LatentClasses
    from ._model import LevelModel

__all__ = ["fit_report"]


def fit_report(model: LevelModel | LatentClasses) -> str:
    """A readable summary of how a calibrated model was fitted and how well it classifies.

    Latent class: the log-likelihood, AIC, BIC and entropy R2 at the maximum likelihood (what
    poLCA, stepmix and flexmix report), then the log-likelihood, BIC and entropy R2 at the
    smoothed estimates the model scores with.

    Examples
    --------
    >>> from akhlak_levels import calibrate, fit_report, simulate
    >>> responses, _ = simulate("socio-emotional-levels", 2000, random_state=3)
    >>> print(fit_report(calibrate("socio-emotional-levels", responses, random_state=0)))  # doctest: +ELLIPSIS
    latent-class model of socio-emotional-levels 1.0.0, fitted on 2,000 respondents (0.0% answers missing)
    at the maximum likelihood: log-likelihood ...
    """
    from ._latent_classes import LatentClasses

    prov = dict(model.provenance)
    fit = prov.get("fit", {})
    if isinstance(model, LatentClasses):
        plural = "class" if model.n_classes == 1 else "classes"
        what, names = f"{model.n_classes} latent {plural} (for research, not levels)", model.class_names
    else:
        what, names = f"{model.kind} model", None
    lines = [
        f"{what} of {model.questionnaire_id} {model.questionnaire_version}, fitted on "
        f"{prov.get('n_respondents', 0):,} respondents ({100 * prov.get('share_missing', 0):.1f}% answers missing)"
    ]
    if isinstance(model, LatentClasses) or model.kind == "latent-class":
        lines += _latent_class_lines(fit, prov, names)
    elif "accuracy" in fit:
        lines.append(
            f"cross-validated ({prov['settings'].get('cv')} folds): accuracy {fit['accuracy']:.3f}, balanced accuracy "
            f"{fit['balanced_accuracy']:.3f}, quadratic weighted kappa {fit['quadratic_weighted_kappa']:.3f}, "
            f"log loss {fit['log_loss']:.3f}, Brier {fit['brier']:.3f}, calibration error {fit['calibration_error']:.3f}"
        )
        lines.append("confusion matrix (rows: labelled level 1-5, columns: predicted 1-5):")
        for k, row in enumerate(fit["confusion_matrix"]):
            lines.append(f"  {k + 1}: " + " ".join(f"{v:6d}" for v in row))
    for w in fit.get("warnings", []):
        lines.append(f"warning: {w}")
    return "\n".join(lines)


def _r2(value: Any) -> str:
    return "undefined (one class)" if value is None or not np.isfinite(value) else f"{value:.3f}"


def _latent_class_lines(fit: Mapping[str, Any], prov: Mapping[str, Any], class_names: Any) -> list[str]:
    lines = []
    if "log_likelihood_smoothed" in fit:
        lines.append(
            f"at the maximum likelihood: log-likelihood {fit['log_likelihood']:,.3f}; parameters {fit['n_parameters']}; "
            f"AIC {fit['aic']:,.2f}; BIC {fit['bic']:,.2f}; entropy R2 {_r2(fit['entropy_r2'])}"
        )
        smoothing = prov.get("settings", {}).get("smoothing")
        lines.append(
            f"at the smoothed estimates (posterior mode, smoothing {smoothing}): log-likelihood "
            f"{fit['log_likelihood_smoothed']:,.3f}; BIC {fit['bic_smoothed']:,.2f}; entropy R2 {_r2(fit['entropy_r2_smoothed'])}"
        )
    else:  # a model saved before the maximum-likelihood statistics were recorded
        lines.append(
            f"at the smoothed estimates: log-likelihood {fit['log_likelihood']:,.2f}; parameters {fit['n_parameters']}; "
            f"AIC {fit['aic']:,.1f}; BIC {fit['bic']:,.1f}; entropy R2 {fit['entropy_r2']:.3f}"
        )
    starts = np.asarray(fit["start_log_likelihoods"])
    reached = int(np.sum(starts >= starts.max() - 0.01 * max(1.0, prov.get("n_respondents", 0) / 1000)))
    lines.append(
        f"EM: {fit['iterations']} iterations, {'converged' if fit['converged'] else 'NOT converged'}; "
        f"{reached} of {len(starts)} starts reached the best log-likelihood "
        f"(the others ended up to {starts.max() - starts.min():,.2f} lower)"
    )
    if class_names is not None:
        lines.append("class            size (ML)  size (smoothed)  modal count (ML)")
        for j, name in enumerate(class_names):
            lines.append(
                f"  {name:<12}{fit['class_sizes_ml'][j]:12.3f}  {fit['class_sizes'][j]:15.3f}  {fit['modal_class_counts_ml'][j]:11d}"
            )
        return lines
    lines.append("level            class size  modal count  match margin")
    for k in range(N_LEVELS):
        lines.append(
            f"  {k + 1}              {fit['class_sizes'][k]:10.3f}  {fit['modal_class_counts'][k]:11d}  "
            f"{fit['match_margin_nats_per_item'][k]:12.3f}"
        )
    c = fit["classification"]
    lines.append(
        f"expected classification accuracy {c['accuracy']:.3f}, consistency {c['consistency']:.3f} "
        f"(kappa {c['kappa']:.3f}), under the fitted model"
    )
    return lines
