"""Bibliography labels in the same author-year form as the citations in the text.

`bibtex_reference_style: author_year` (``_config.yml``) makes sphinxcontrib-bibtex cite
as "[LeCun et al., 1998]", but its formatting styles label the bibliography's entries
alphabetically ("[LBBH98]"), so a reader cannot match the two. This extension registers
the pybtex formatting style ``author_year``: pybtex's ``plain`` (entries sorted by author,
year, title) with labels "LeCun et al., 1998", "Goodfellow and Bengio, 2016",
"Rosenblatt, 1962" (a letter follows the year when two entries would share a label), and
``_config.yml`` selects it with ``bibtex_default_style: author_year``.
"""
from __future__ import annotations

import string
from collections import Counter

from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle


def _last_names(person) -> str:
    return Text.from_latex(" ".join(person.prelast_names + person.last_names)).render_as("text")


def author_year_label(entry) -> str:
    """'A, 1998', 'A and B, 1998' or 'A et al., 1998' (editors when there is no author)."""
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [_last_names(p) for p in persons]
    if not names:
        who = entry.fields.get("key", entry.key)
    elif len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabelStyle(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        sorted_entries = list(sorted_entries)
        labels = [author_year_label(e) for e in sorted_entries]
        count = Counter(labels)
        seen: Counter = Counter()
        for label in labels:
            if count[label] > 1:  # "LeCun et al., 1998a", "..., 1998b"
                seen[label] += 1
                label += string.ascii_lowercase[seen[label] - 1]
            yield label


class AuthorYearStyle(PlainStyle):
    default_label_style = AuthorYearLabelStyle


def setup(app):
    register_plugin("pybtex.style.labels", "author_year", AuthorYearLabelStyle)
    register_plugin("pybtex.style.formatting", "author_year", AuthorYearStyle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
