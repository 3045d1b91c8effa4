"""The source catalogue in seeds/: complete, consistent, and traceable to the article."""

import yaml

from engine.bundled import seeds_dir
from engine.format.loader import check_catalogues
from engine.format.schema import DATE_RE, ID_RE

SOURCES = seeds_dir() / "sources.yaml"
EVENTS = seeds_dir() / "events.yaml"


def load(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_catalogue_has_no_diagnostics_at_all():
    # errors include an event citing an undefined source (SP304); warnings include a source
    # that no event cites (SP505): neither may occur.
    assert [d.format() for d in check_catalogues([SOURCES, EVENTS])] == []


def test_every_event_cites_an_existing_source_and_every_source_is_cited():
    sources = {s["id"] for s in load(SOURCES)["sources"]}
    cited = set()
    for event in load(EVENTS)["events"]:
        refs = [c["source"] for c in event.get("sources", [])]
        assert refs, f"event {event['id']} cites no source"
        assert set(refs) <= sources, f"event {event['id']} cites {set(refs) - sources}"
        cited |= set(refs)
    assert cited == sources, f"never cited: {sorted(sources - cited)}"


def test_every_footnote_of_the_article_is_catalogued():
    footnotes = {n for s in load(SOURCES)["sources"] for n in s.get("footnotes", [])}
    assert set(range(1, 50)) <= footnotes, sorted(set(range(1, 50)) - footnotes)


def test_the_article_and_the_news_item_are_there():
    by_kind = {}
    for s in load(SOURCES)["sources"]:
        by_kind.setdefault(s["kind"], []).append(s)
    assert any("Trunov" in s.get("issuer", "") for s in by_kind["article"])
    assert any(str(s.get("published")) == "2023-05-10" for s in by_kind["news"])


def test_events_are_many_dated_and_ordered():
    events = load(EVENTS)["events"]
    assert len(events) > 30
    for e in events:
        assert ID_RE.match(e["id"]) and DATE_RE.match(str(e["date"])), e["id"]
    last_day = [str(e["date"]) + {4: "-12-31", 7: "-31", 10: ""}[len(str(e["date"]))]
                for e in events]
    assert last_day == sorted(last_day)


def test_each_article_footnote_an_event_gives_is_backed_by_the_source_it_cites():
    # An event that cites footnote N of the article must also cite the source footnote N
    # names: a footnote attached to the wrong fact in a sentence shows up as a bare number.
    # Footnote 9 is the author's own note, listed under the article itself.
    by_footnote = {}
    for s in load(SOURCES)["sources"]:
        for n in s.get("footnotes", []):
            by_footnote.setdefault(n, set()).add(s["id"])
    for e in load(EVENTS)["events"]:
        cited = {c["source"] for c in e.get("sources", [])}
        for c in e.get("sources", []):
            if c["source"] != "trunov_article":
                continue
            for n in c.get("footnotes", []):
                assert by_footnote[n] & cited, f"{e['id']}: footnote {n} without {by_footnote[n]}"


def test_literature_titles_give_author_year_and_pages_not_placeholders():
    for s in load(SOURCES)["sources"]:
        assert "not in the extracted text" not in s["title"], s["id"]
        if s.get("cites_as"):
            year = s["cites_as"].strip("[]").split()[-1]
            assert s["title"].startswith(s["issuer"]) and year in s["title"], s["id"]


def test_title_ru_is_russian_and_german_titles_have_their_own_field():
    import re
    cyrillic = re.compile("[А-Яа-яЁё]")
    sources = load(SOURCES)["sources"]
    for s in sources:
        assert "title_ru" not in s or cyrillic.search(s["title_ru"]), s["id"]
        assert "title_de" not in s or not cyrillic.search(s["title_de"]), s["id"]
    german = [s["id"] for s in sources if "title_de" in s]
    assert len(german) == 8 and "germany_indo_pacific_guidelines_2020" in german
