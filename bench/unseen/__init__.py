"""A second, independent source of labelled pages for the recognition benchmark.

Nothing here shares layout, text or degradation code with `scanpipe/paper/kits.py`,
`scansim.py`, `typed.py`, `degrade.py` or `bench/corpus.py`: texts come from
this package's own phrase banks (`phrases`, `compose`), pages from its own
layouts (`layout`) in fonts the samples never use (`fonts`), handwriting from
real manuscript strokes and a pen of its own (`hand`), scans and phone photos
from its own capture (`capture`). Only the printed kit pages that supporters
really receive are drawn by `kits.render_*` (`kitpages`). Real pages nobody here
made come from `../shared/testdata/real-pages/` (`real`). The truth of every
page comes from how it was made (`cases.named_cases` on the text composed, the
QR pasted, the rows signed), never from a recogniser. `corpus` plans, makes and
caches the whole set.
"""
