"""The library's hints in the words of the command line.

The library's messages say what to do in Python ("pass ignore_columns=[...] or
unknown_columns='ignore'", "pass replace=True", "Use progress() ..."). When the command line
prints one, :func:`cli_hints` rewrites each such phrase into the flag or the subcommand that does
the same (``--ignore-column COLUMN or --ignore-unknown-columns``, ``--replace``,
``akhlak-levels growth``), or, where no command offers the choice, into plain words. The library's
messages are left as they are; ``tests/cli/test_cli_hints.py`` scans the library's source and
fails when a Python phrase in a message has no translation here.
"""

from __future__ import annotations

import re

#: ``(Python phrase as a regular expression, what the command line says instead)``, applied in
#: order (``re.sub``; ``\\1`` refers to a group of the phrase). A phrase about a Python-only
#: function says so in words, without Python syntax.
HINTS: tuple[tuple[str, str], ...] = (
    # reading (read_responses / read_votes): validate, score, calibrate, quality, culture-map, report
    (r"pass ignore_columns=\[\.\.\.\]\s+or unknown_columns='ignore'",
     "add --ignore-column COLUMN or --ignore-unknown-columns"),
    (r"pass unknown_columns='ignore'", "add --ignore-unknown-columns"),
    (r"pass missing_items='missing'", "add --allow-missing-items"),
    (r"source_format='(\w+)' reads", r"The \1 source format reads"),
    (r"pass on_invalid='missing'", "add --on-invalid missing"),
    (r"pass dayfirst=True (\([^)]*\)) or dayfirst=False (\([^)]*\))(?:; on the command line --dayfirst or --monthfirst)?",
     r"add --dayfirst \1 or --monthfirst \2"),
    (r"; pass format=(?:'?[a-z-]*'?)?$", "; keep either the question columns or the behaviour columns"),
    (r"\(id_column=; by default ('[^']*')\)", r"(--id-column COLUMN; by default \1)"),
    (r"\(question_column=, behaviour_column=; by default ('[^']*' and '[^']*')\)",
     r"(named \1; other names only from Python)"),
    (r"\(read_responses\(\.\.\., wave_column=\.\.\.\)\)", "(--wave-column COLUMN)"),
    (r"read_responses\(\.\.\., unit_column=\.\.\., group_columns=\.\.\.\)",
     "--unit-column COLUMN and --group-column COLUMN when scoring"),
    (r"Pass group_columns=\[[^\]]*\] to read_responses, or pass the \S+ as an array",
     "Name it with --group-column COLUMN (or --unit-column COLUMN)"),
    # calibrate
    (r"read it with group_columns=\[[^\]]*\]", "name it with --labels COLUMN"),
    (r"([Uu])se method='logistic' or 'latent-class'", r"\1se --method logistic or --method latent-class"),
    (r"use method='latent-class'", "use --method latent-class"),
    (r"\(calibrate\(\.\.\., n_classes=([^)]*)\)\)", r"(akhlak-levels calibrate --classes \1)"),
    (r"calibrate without n_classes", "calibrate without --classes"),
    (r"\bn_classes=K fits K latent classes", "--classes K fits K latent classes"),
    (r"\bor n_classes\.", "or --classes."),
    (r"latent classes fitted with n_classes", "latent classes fitted with --classes"),
    (r"leave out prior \(", "leave out --prior ("),
    (r"\bn_classes=(\S+) asks for latent classes, which method=(\S+) does not fit",
     r"\1 latent classes were asked for, which the \2 method does not fit"),
    (r"Leave out the labels \(method='latent-class'\)", "Leave out the labels (--method latent-class)"),
    (r"^prior= sets the probabilities", "--prior sets the probabilities"),
    (r"with labels \(method='logistic' or 'ordinal'\)", "with labels (--labels COLUMN, --method logistic or ordinal)"),
    (r"LevelClassifier with method=(\S+) requires", r"LevelClassifier (Python) with the \1 method requires"),
    (r"pass questionnaire=\.\.\. to load_model \(--questionnaire on the command line\) with the questionnaire's file",
     "give the questionnaire's file with --questionnaire FILE"),
    (r"; pass model=\.\.\. to simulate\.", "; choose one that has (see: akhlak-levels list)."),
    # store: score --store, culture-map --store
    (r"pass replace=True", "add --replace"),
    (r"(?:[Oo]pen the store again|open it) with pseudonymize_key=\.\.\.",
     "give its key with --pseudonymize-key-env VAR"),
    (r"with pseudonymize_key=\.\.\.", "with --pseudonymize-key-env VAR"),
    (r"Call store\.upgrade\(\) once", "Upgrade it once (from Python: the store's upgrade method)"),
    (r"Score that wave's responses again with assess\(\) and store it again with store\.add\(assessment, "
     r"wave=\.\.\., replace=True\); method='levels' does not need them",
     "Score that wave's responses again and store them again (score FILE -q ID --store STORE --wave WAVE --replace)"),
    # growth, transitions, report
    (r"Use progress\(\) for scale and index scores", "Use akhlak-levels growth for scale and index scores"),
    (r"\(pass questionnaire=\)", "(its questionnaire could not be loaded)"),
    (r"\(pass model= or prior=\)", "(the command line cannot name the model; Python's transitions can)"),
    (r"; pass prior= \(the training level shares\) for a better correction",
     "; Python's transitions takes the training level shares for a better correction"),
    (r"pass dates=\[\.\.\.\] \(one date or decimal year per wave\)",
     "store each wave under its year (--wave 2025) or with its dates (--date-column COLUMN)"),
    (r"pass it alone to split it by wave, or pass waves=\[\.\.\.\]",
     "store each wave under its own label (score --store STORE --wave WAVE)"),
    (r"pass waves=\[\.\.\.\] \(one label per assessment\) or a mapping \{label: assessment\}",
     "store each wave under its own label (score --store STORE --wave WAVE)"),
    (r"Pass the questionnaire they were scored on, or score both waves again with assess\(\)",
     "Score both waves again with the same questionnaire (akhlak-levels score)"),
    (r"method='levels' needs", "Reliable change on levels needs"),
    (r"method='scales' needs", "Reliable change on scales needs"),
    (r"method='scales' is refused", "Reliable change on scales is refused"),
    (r"Use method='scales' with sem= or reliability=\.", "Use reliable change on scales with their reliability."),
    (r"Use method='levels'\.", "Use reliable change on levels."),
    (r"pass sem= or reliability= \(e\.g\. reliability=akhlak_levels\.reliability\(q, baseline_responses\)\)",
     "give the scales' reliability (akhlak-levels quality on the baseline wave)"),
    # quality
    (r"; pass model=\.\.\. or use matching='rest'", "; match on rest scores instead"),
    (r"matching='expected_level' needs", "Matching on the expected level needs"),
    (r"use matching='expected_level'", "match on the expected level instead"),
    (r"has no level model; pass model=\.\.\.$", "has no level model, which this check needs"),
    # export-form
    (r"'units' were given but unit=False", "units (--unit) were given with --no-unit"),
    (r"pass to= one of", "give --to, one of"),
    # the scorer (the HTTP service, Python)
    (r"is a vote instrument: use assess\(\)", "is a vote instrument: use akhlak-levels score"),
)

_COMPILED = tuple((re.compile(pattern, re.M), replacement) for pattern, replacement in HINTS)


def cli_hints(message: str) -> str:
    """``message`` with each Python hint of :data:`HINTS` in the words of the command line.

    Examples
    --------
    >>> cli_hints("Wave '2025' is already in the store hr.sqlite (40 respondents); a wave is stored once: "
    ...           "pass replace=True to replace it.")
    "Wave '2025' is already in the store hr.sqlite (40 respondents); a wave is stored once: add --replace to replace it."
    """
    for pattern, replacement in _COMPILED:
        message = pattern.sub(replacement, message)
    return message
