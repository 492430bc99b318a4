"""``truyenthanh receiver``: the program of an IP loudspeaker cluster box (cụm loa, issue 18).

Enrolled to one station and one zone, it keeps its own copy of the zone's schedule and files and airs them on
its own clock through the same playout engine, with or without the link; see :mod:`truyenthanh.domain.fleet`.
"""
