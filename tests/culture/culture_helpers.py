"""The tiny vote instrument the culture-map tests work by hand: 8 behaviours of four values and
two limiting ones, three questions (personal 2 picks, current 2-3, desired 2)."""

from akhlak_levels.questionnaire import questionnaire_from_dict

# behaviour: (id, value, polarity, level)
BEHAVIOURS = [
    ("jujur", "akuntabel", "positive", 4),  # 0
    ("disiplin", "akuntabel", "positive", 4),  # 1
    ("ramah", "berorientasi-pelayanan", "positive", 3),  # 2
    ("inovatif", "adaptif", "positive", 5),  # 3
    ("kerja-sama", "kolaboratif", "positive", 3),  # 4
    ("birokratis", None, "limiting", 2),  # 5
    ("menunggu-perintah", None, "limiting", 1),  # 6
    ("ikhlas", None, "positive", 5),  # 7
]


def tiny_questionnaire(limiting=None):
    rows = BEHAVIOURS if limiting is None else [(b, v, "limiting" if i in limiting else "positive", min(lv, 3) if i in limiting else lv)
                                                for i, (b, v, _, lv) in enumerate(BEHAVIOURS)]
    doc = {
        "format": "akhlak-levels/questionnaire", "format_version": 1, "id": "tiny-culture", "version": "0.1",
        "title": {"id": "Peta budaya kecil", "en": "Tiny culture map"}, "languages": ["id", "en"],
        "behaviours": [
            {"id": b, "label": {"id": b, "en": b + " (en)"}, "value": v, "polarity": pol, "level": lv, "area": "governance"}
            for b, v, pol, lv in rows
        ],
        "vote_questions": [
            {"id": "p", "role": "personal", "picks": 2, "text": {"id": "diri", "en": "self"}},
            {"id": "c", "role": "current", "picks": {"min": 2, "max": 3}, "text": {"id": "kini", "en": "now"}},
            {"id": "d", "role": "desired", "picks": 2, "text": {"id": "harap", "en": "wish"}},
        ],
    }
    return questionnaire_from_dict(doc)
