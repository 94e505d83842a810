"""Every fixed text of the reports, in Indonesian and English, in one place.

The templates hold no words of their own: they print ``t.key`` from :data:`TEXT` in the chosen
language (``lang="id"`` by default). A key missing in one language is a test failure
(``tests/report/test_report_text.py``), never a silent English fallback.
"""

from __future__ import annotations

from typing import Mapping

__all__ = ["LANGS", "TEXT", "texts"]

LANGS = ("id", "en")

#: key -> {"id": ..., "en": ...}
TEXT: dict[str, dict[str, str]] = {
    # titles and sections
    "agency_title": {"id": "Laporan Budaya Kerja Instansi", "en": "Agency Work Culture Report"},
    "personal_title": {"id": "Laporan Pribadi", "en": "Personal Report"},
    "culture_title": {"id": "Laporan Peta Budaya", "en": "Culture Map Report"},
    "summary": {"id": "Ringkasan", "en": "Summary"},
    "overall": {"id": "Keseluruhan", "en": "Overall"},
    "values": {"id": "Nilai-nilai", "en": "Values"},
    "units": {"id": "Unit kerja", "en": "Units"},
    "unit": {"id": "Unit", "en": "Unit"},
    "heatmap": {"id": "Peta unit x nilai", "en": "Units x values"},
    "profile": {"id": "Profil nilai", "en": "Value profile"},
    "trend": {"id": "Tren indeks", "en": "Index trend"},
    "ranking": {"id": "Peringkat", "en": "Ranking"},
    "change": {"id": "Perubahan dari gelombang sebelumnya", "en": "Change from the previous wave"},
    "weakest": {"id": "Nilai terlemah per unit", "en": "Weakest value per unit"},
    "levels": {"id": "Sebaran level per unit", "en": "Level distribution per unit"},
    "transitions": {"id": "Perpindahan level antar gelombang", "en": "Level moves between waves"},
    "reliable_change": {"id": "Perubahan yang dapat diandalkan", "en": "Reliable change"},
    "methods": {"id": "Lampiran metode", "en": "Methods appendix"},
    # column heads
    "n": {"id": "Responden", "en": "Respondents"},
    "index": {"id": "Indeks", "en": "Index"},
    "score": {"id": "Skor", "en": "Score"},
    "interval": {"id": "Interval", "en": "Interval"},
    "category": {"id": "Kategori", "en": "Category"},
    "rank": {"id": "Peringkat", "en": "Rank"},
    "rank_interval": {"id": "Interval peringkat", "en": "Rank interval"},
    "p_first": {"id": "Peluang peringkat 1", "en": "Chance of rank 1"},
    "difference": {"id": "Selisih", "en": "Difference"},
    "p_value": {"id": "Nilai p", "en": "p-value"},
    "verdict": {"id": "Kesimpulan", "en": "Verdict"},
    "value": {"id": "Nilai", "en": "Value"},
    "wave": {"id": "Gelombang", "en": "Wave"},
    "level": {"id": "Level", "en": "Level"},
    "undetermined": {"id": "Belum dapat ditentukan", "en": "Undetermined"},
    "expected_level": {"id": "Level harapan (rata-rata)", "en": "Expected level (mean)"},
    "share": {"id": "Persentase", "en": "Share"},
    "count": {"id": "Jumlah", "en": "Count"},
    "from": {"id": "Dari", "en": "From"},
    "to": {"id": "Ke", "en": "To"},
    "your_score": {"id": "Skor Anda", "en": "Your score"},
    "unit_mean": {"id": "Rata-rata unit", "en": "Unit mean"},
    "probability": {"id": "Peluang", "en": "Probability"},
    # states and verdicts
    "suppressed": {"id": "disembunyikan (kelompok kecil)", "en": "suppressed (small group)"},
    "not_shown": {"id": "tidak ditampilkan", "en": "not shown"},
    "beyond_noise": {"id": "melampaui galat acak", "en": "beyond noise"},
    "within_noise": {"id": "dalam batas galat acak", "en": "within noise"},
    "no_previous": {"id": "belum ada gelombang sebelumnya", "en": "no previous wave"},
    "improved": {"id": "meningkat", "en": "improved"},
    "declined": {"id": "menurun", "en": "declined"},
    "no reliable change": {"id": "tidak ada perubahan yang dapat diandalkan", "en": "no reliable change"},
    "unmatched": {"id": "tidak berpasangan", "en": "unmatched"},
    "not_tested": {"id": "tidak diuji", "en": "not tested"},
    # explanations
    "intro_agency": {
        "id": "Angka-angka di bawah ini adalah rata-rata skor 0-100 dengan interval kepercayaan {conf}%. "
              "Unit dengan kurang dari {mgs} responden (atau yang dapat dihitung dari selisih) disembunyikan.",
        "en": "The figures below are mean 0-100 scores with {conf}% confidence intervals. Units with fewer "
              "than {mgs} respondents (or that could be worked out by difference) are suppressed.",
    },
    "intro_levels": {
        "id": "Angka-angka di bawah ini adalah persentase responden per level dan rata-rata level harapan (1-5), "
              "dengan interval kepercayaan {conf}%. Unit dengan kurang dari {mgs} responden (atau yang dapat "
              "dihitung dari selisih) disembunyikan.",
        "en": "The figures below are shares of respondents per level and the mean expected level (1-5), with "
              "{conf}% confidence intervals. Units with fewer than {mgs} respondents (or that could be worked "
              "out by difference) are suppressed.",
    },
    "levels_all": {"id": "Sebaran level seluruh responden per gelombang", "en": "Level distribution of everyone, by wave"},
    "rank_note": {
        "id": "Interval peringkat: kuantil peringkat unit dalam {draws} tarikan bootstrap parametrik "
              "(normal, dengan galat baku rata-rata unit); unit yang disembunyikan tidak diberi peringkat.",
        "en": "Rank interval: quantiles of the unit's rank over {draws} parametric bootstrap draws "
              "(normal, with the standard error of the unit's mean); suppressed units are not ranked.",
    },
    "change_note": {
        "id": "Perubahan dianggap melampaui galat acak bila nilai p di bawah {alpha}.",
        "en": "A change is beyond noise when its p-value is below {alpha}.",
    },
    "levels_note": {
        "id": "Persentase responden per level dengan interval Wilson {conf}%.",
        "en": "Share of respondents at each level with {conf}% Wilson intervals.",
    },
    "transitions_note": {
        "id": "Jumlah responden yang sama di kedua gelombang, dari level (baris) ke level (kolom); {n} berpasangan.",
        "en": "Respondents present in both waves, from level (row) to level (column); {n} matched.",
    },
    "advisory": {
        "id": "Hasil ini adalah perkiraan dengan ketidakpastian dan bersifat saran, bukan keputusan. "
              "Keputusan tentang Anda tidak boleh didasarkan semata-mata pada pemrosesan otomatis ini; "
              "Anda berhak mengajukan keberatan (UU No. 27 Tahun 2022 tentang Pelindungan Data Pribadi, Pasal 10).",
        "en": "This result is an estimate with uncertainty and is advisory, not a decision. No decision "
              "about you may rest solely on this automated processing; you have the right to object "
              "(Indonesian Personal Data Protection Law No. 27/2022, Article 10).",
    },
    "your_level": {"id": "Level Anda yang paling mungkin", "en": "Your most likely level"},
    "your_probabilities": {"id": "Peluang setiap level", "en": "Probability of each level"},
    "level_meaning": {"id": "Arti level ini", "en": "What this level means"},
    "your_scores": {"id": "Skor Anda dan rata-rata unit", "en": "Your scores and your unit's mean"},
    "your_change": {"id": "Perubahan sejak gelombang sebelumnya", "en": "Change since the last wave"},
    "no_change_data": {"id": "Anda tidak tercatat pada gelombang sebelumnya.", "en": "You are not in the previous wave."},
    "unit_suppressed": {"id": "Rata-rata unit tidak ditampilkan: unit terlalu kecil.",
                        "en": "The unit mean is not shown: the unit is too small."},
    "respondent": {"id": "Responden", "en": "Respondent"},
    "expected_level_sd": {"id": "Level harapan ± simpangan baku", "en": "Expected level ± standard deviation"},
    # culture map
    "top_lists": {"id": "Sepuluh perilaku teratas", "en": "Top ten behaviours"},
    "matches": {"id": "Kecocokan", "en": "Matches"},
    "hindering": {"id": "Faktor penghambat", "en": "Hindering factors"},
    "entropy": {"id": "Entropi budaya", "en": "Cultural entropy"},
    "band": {"id": "Pita", "en": "Band"},
    "value_indices": {"id": "Indeks nilai", "en": "Value indices"},
    "implementation": {"id": "Indeks implementasi", "en": "Implementation index"},
    "votes": {"id": "Suara", "en": "Votes"},
    "behaviour": {"id": "Perilaku", "en": "Behaviour"},
    "group": {"id": "Kelompok", "en": "Group"},
    "all": {"id": "(semua)", "en": "(all)"},
    "personal": {"id": "Nilai pribadi", "en": "Personal values"},
    "current": {"id": "Budaya saat ini", "en": "Current culture"},
    "desired": {"id": "Budaya yang diinginkan", "en": "Desired culture"},
    "personal-current": {"id": "Pribadi - saat ini", "en": "Personal - current"},
    "current-desired": {"id": "Saat ini - diinginkan", "en": "Current - desired"},
    "personal-desired": {"id": "Pribadi - diinginkan", "en": "Personal - desired"},
    "alignment": {"id": "Keselarasan (saat ini - diinginkan)", "en": "Alignment (current - desired)"},
    "excellent": {"id": "sangat baik", "en": "excellent"},
    "good": {"id": "baik", "en": "good"},
    "fair": {"id": "cukup", "en": "fair"},
    "poor": {"id": "kurang", "en": "poor"},
    "limiting": {"id": "membatasi", "en": "limiting"},
    "matched_mark": {"id": "* ada juga di daftar lain", "en": "* also in another list"},
    "intro_culture": {
        "id": "Peta budaya dari pilihan perilaku (pilihan pribadi, budaya saat ini, budaya yang diinginkan). "
              "Indeks 0-100 dengan interval kepercayaan {conf}%. Kelompok dengan kurang dari {mgs} responden disembunyikan.",
        "en": "The culture map of behaviour votes (personal values, current culture, desired culture). "
              "Indices 0-100 with {conf}% confidence intervals. Groups with fewer than {mgs} respondents are suppressed.",
    },
    "culture_change_note": {
        "id": "Selisih dengan interval {conf}% (kedua gelombang sebagai sampel bebas: interval konservatif); "
              "melampaui galat acak bila interval tidak memuat 0.",
        "en": "Differences with {conf}% intervals (the waves taken as independent samples: conservative intervals); "
              "beyond noise when the interval excludes 0.",
    },
    "groups_details": {"id": "Daftar teratas per kelompok", "en": "Top lists per group"},
    "level_profile": {"id": "Profil level suara", "en": "Level profile of the votes"},
    "value_jumps": {"id": "Lompatan nilai (diinginkan - saat ini)", "en": "Value jumps (desired - current)"},
    "healthy": {"id": "sehat", "en": "healthy"},
    "minor issues": {"id": "masalah ringan", "en": "minor issues"},
    "significant issues": {"id": "masalah berarti", "en": "significant issues"},
    "serious issues": {"id": "masalah serius", "en": "serious issues"},
    "critical issues": {"id": "masalah kritis", "en": "critical issues"},
    # workbook
    "suppressed_col": {"id": "Disembunyikan", "en": "Suppressed"},
    "yes": {"id": "ya", "en": "yes"},
    "low": {"id": "batas bawah", "en": "lower"},
    "high": {"id": "batas atas", "en": "upper"},
    "sheet_units": {"id": "Unit x nilai", "en": "Units x values"},
    "sheet_levels": {"id": "Level per unit", "en": "Levels per unit"},
    "sheet_people": {"id": "Skor per orang", "en": "Scores per person"},
    "sheet_change": {"id": "Perubahan", "en": "Change"},
    "sheet_top": {"id": "Sepuluh teratas", "en": "Top ten"},
    "position": {"id": "Urutan", "en": "Position"},
    # methods appendix
    "instrument": {"id": "Instrumen", "en": "Instrument"},
    "version": {"id": "versi", "en": "version"},
    "content_hash": {"id": "hash isi", "en": "content hash"},
    "model": {"id": "Model level", "en": "Level model"},
    "theory_prior": {"id": "prior teoretis (bukan kalibrasi empiris)", "en": "theory prior (not an empirical calibration)"},
    "calibrated": {"id": "terkalibrasi", "en": "calibrated"},
    "no_model": {"id": "tidak ada (instrumen tanpa level)", "en": "none (an instrument without levels)"},
    "reliability": {"id": "Reliabilitas skala", "en": "Scale reliability"},
    "alpha": {"id": "alfa Cronbach", "en": "Cronbach's alpha"},
    "omega": {"id": "omega total", "en": "omega total"},
    "sem": {"id": "galat baku pengukuran", "en": "standard error of measurement"},
    "reliability_not_stored": {
        "id": "Reliabilitas tidak dapat dihitung: penyimpanan hanya menyimpan hasil, bukan jawaban butir.",
        "en": "Reliability cannot be computed: the store keeps results, not item answers.",
    },
    "reliability_no_responses": {
        "id": "Reliabilitas tidak dihitung: laporan dibuat dari hasil penilaian, bukan dari jawaban butir.",
        "en": "Reliability is not computed: the report was made from assessments, not from item answers.",
    },
    "source_python": {"id": "hasil penilaian (Python)", "en": "assessments (Python)"},
    "reliability_from_wave": {
        "id": "Dihitung dari jawaban gelombang {wave} (gelombang awal); galat baku pengukurannya juga dipakai untuk "
              "perubahan yang dapat diandalkan pada laporan pribadi.",
        "en": "Computed from the answers of wave {wave} (the baseline); its standard errors of measurement are also "
              "those of the reliable change in personal reports.",
    },
    "reliability_votes": {
        "id": "Reliabilitas skala tidak berlaku untuk instrumen pilihan perilaku.",
        "en": "Scale reliability does not apply to a behaviour-vote instrument.",
    },
    "suppression_rule": {"id": "Aturan penyembunyian", "en": "Suppression rule"},
    "suppression_text": {
        "id": "Kelompok dengan kurang dari {mgs} responden disembunyikan, begitu pula kelompok terkecil "
              "yang dapat dihitung dari selisih dengan total (penyembunyian sekunder). Ukuran kelompok tetap ditampilkan.",
        "en": "Groups with fewer than {mgs} respondents are suppressed, and so are the smallest groups "
              "that could be worked out from the total by difference (secondary suppression). Group sizes stay shown.",
    },
    "date": {"id": "Tanggal", "en": "Date"},
    "library": {"id": "Pustaka", "en": "Library"},
    "source": {"id": "Sumber data", "en": "Data source"},
    "waves": {"id": "Gelombang", "en": "Waves"},
    "confidence": {"id": "Tingkat kepercayaan", "en": "Confidence level"},
    "page_of": {"id": "Halaman pribadi", "en": "Personal page"},
}


class _Texts:
    """Attribute access to one language's texts (``t.summary``), for the templates."""

    def __init__(self, lang: str) -> None:
        self._lang = lang

    def __getattr__(self, key: str) -> str:
        try:
            return TEXT[key][self._lang]
        except KeyError:
            raise AttributeError(f"No report text {key!r} in language {self._lang!r}.") from None

    def get(self, key: str, default: str | None = None) -> str:
        """The text of ``key``, or ``default`` (``key`` itself when None) where there is none."""
        entry: Mapping[str, str] | None = TEXT.get(key)
        if entry is None:
            return key if default is None else default
        return entry[self._lang]


def texts(lang: str) -> _Texts:
    """The texts of one language, for a template (``t.summary``, ``t.get(verdict)``)."""
    if lang not in LANGS:
        raise ValueError(f"The 'lang' parameter of report must be one of {list(LANGS)}. Got {lang!r} instead.")
    return _Texts(lang)
