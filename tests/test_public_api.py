"""The public surface is exactly what __all__ lists, sorted, and every name is documented."""

import inspect

import akhlak_levels as al


def test_all_is_sorted_and_complete():
    public = {n for n in dir(al) if not n.startswith("_") and not inspect.ismodule(getattr(al, n))}
    assert list(al.__all__) == sorted(set(al.__all__), key=lambda n: (n.casefold(), n))  # sorted, no duplicates
    assert public | {"__version__"} == set(al.__all__)


def test_version_is_a_string_like_the_wheel():
    assert isinstance(al.__version__, str) and al.__version__.count(".") == 2


def test_every_public_callable_has_a_docstring_with_an_example():
    for name in al.__all__:
        obj = getattr(al, name)
        if callable(obj) and not isinstance(obj, type) or name in {"Assessment", "LevelModel", "ResponseSet", "Questionnaire", "Level", "Flags"}:
            doc = inspect.getdoc(obj) or ""
            assert "Examples" in doc, f"{name} has no Examples section"


def test_every_error_is_an_akhlak_levels_error_and_a_value_error():
    for cls in (al.SchemaError, al.QuestionnaireError, al.ResponseError, al.ModelError, al.StoreError):
        assert issubclass(cls, al.AkhlakLevelsError)
        assert issubclass(cls, ValueError)
