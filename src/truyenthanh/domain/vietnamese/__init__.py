"""Vietnamese text for speech: the administrative normaliser, number reading, legacy encodings, the lexicon.

Pure Python: no engine, no file access. :func:`normalize` is the one entry point every speech engine uses;
:func:`explain` also says which rules changed what, :func:`normalize_document` reads paragraph by paragraph.
"""

from truyenthanh.domain.vietnamese.chunks import split_for_speech
from truyenthanh.domain.vietnamese.lexicon import Lexicon
from truyenthanh.domain.vietnamese.normalizer import CodeLetters, explain, normalize, normalize_document

__all__ = ["CodeLetters", "Lexicon", "explain", "normalize", "normalize_document", "split_for_speech"]
