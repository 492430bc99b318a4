"""Vietnamese text for speech: the administrative normaliser, number reading, legacy encodings, the lexicon.

Pure Python: no engine, no file access. :func:`normalize` is the one entry point every speech engine uses.
"""

from truyenthanh.domain.vietnamese.chunks import split_for_speech
from truyenthanh.domain.vietnamese.lexicon import Lexicon
from truyenthanh.domain.vietnamese.normalizer import normalize

__all__ = ["Lexicon", "normalize", "split_for_speech"]
