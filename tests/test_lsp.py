"""`spillover lsp` over a real stdio process, driven by pygls's own client (issue 15)."""

import asyncio
import shutil
import sys

import pytest

pytest.importorskip("pygls")
from lsprotocol import types as T
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

from engine.bundled import scenarios_dir, seeds_dir


@pytest.fixture
def project(tmp_path):
    """A copy of the bundled scenario and its catalogue, to edit freely."""
    shutil.copytree(scenarios_dir(), tmp_path / "scenarios")
    shutil.copytree(seeds_dir(), tmp_path / "seeds")
    return tmp_path / "scenarios" / "tutorial.yaml"


async def _client(*args: str, locale: str | None = None):
    client = LanguageClient("spillover-test", "1")
    client.published = {}
    client.arrived = asyncio.Event()

    @client.feature(T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def publish(params: T.PublishDiagnosticsParams):
        client.published[params.uri] = params.diagnostics
        client.arrived.set()

    await client.start_io(sys.executable, "-m", "tui.cli", "lsp", *args)
    await client.initialize_async(T.InitializeParams(capabilities=T.ClientCapabilities(),
                                                     locale=locale))
    client.initialized(T.InitializedParams())
    return client


async def _wait(client, uri, check):
    for _ in range(100):
        if uri in client.published and check(client.published[uri]):
            return client.published[uri]
        client.arrived.clear()
        try:
            await asyncio.wait_for(client.arrived.wait(), 10)
        except TimeoutError:
            break
    raise AssertionError(f"no matching diagnostics for {uri}: {client.published.get(uri)}")


def _at(text: str, needle: str, offset: int = 0) -> T.Position:
    i = text.index(needle) + offset
    return T.Position(text.count("\n", 0, i), i - (text.rfind("\n", 0, i) + 1))


async def test_language_server_over_stdio(project):
    text = project.read_text(encoding="utf-8")
    uri = from_fs_path(str(project))
    doc = T.TextDocumentIdentifier(uri=uri)
    client = await _client()
    try:
        client.text_document_did_open(T.DidOpenTextDocumentParams(
            T.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)))
        await _wait(client, uri, lambda ds: len(ds) == 0)

        # a live diagnostic from the unsaved text, with lint's code, hint and a range
        bad = text.replace("office == negotiating", "ofice == negotiating")
        client.text_document_did_change(T.DidChangeTextDocumentParams(
            T.VersionedTextDocumentIdentifier(uri=uri, version=2),
            [T.TextDocumentContentChangeWholeDocument(text=bad)]))
        [d] = await _wait(client, uri, lambda ds: len(ds) > 0)
        assert d.code == "SP402" and "did you mean 'office'" in d.message
        start = _at(bad, "ofice ==")
        assert d.range == T.Range(start, T.Position(start.line, start.character + 5))
        client.text_document_did_change(T.DidChangeTextDocumentParams(
            T.VersionedTextDocumentIdentifier(uri=uri, version=3),
            [T.TextDocumentContentChangeWholeDocument(text=text)]))
        await _wait(client, uri, lambda ds: len(ds) == 0)

        # hover on an event: date, title, sources
        hover = await client.text_document_hover_async(T.HoverParams(
            doc, _at(text, "occurred(hayashi_cnn_interview)", 12)))
        assert "2023-05-10" in hover.contents.value and "news_liaison_office" in hover.contents.value

        # go to definition: from the precondition to the event's id
        [loc] = await client.text_document_definition_async(T.DefinitionParams(
            doc, _at(text, "occurred(hayashi_cnn_interview)", 12)))
        assert loc.uri == uri and loc.range.start == _at(text, "id: hayashi_cnn_interview", 4)

        # completion inside an expression: event names after occurred(
        line = _at(text, "occurred(hayashi_cnn_interview)", len("occurred("))
        completed = await client.text_document_completion_async(T.CompletionParams(doc, line))
        labels = {i.label for i in completed.items}
        assert {"hayashi_cnn_interview", "nikkei_office_report"} <= labels
        assert "office" not in labels

        # document symbols: sections with their items
        symbols = await client.text_document_document_symbol_async(
            T.DocumentSymbolParams(doc))
        branches = next(s for s in symbols if s.name == "branches")
        assert "press_negotiations" in {c.name for c in branches.children}
    finally:
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()


async def test_catalogue_of_an_open_scenario_is_checked_with_it(project):
    """A catalogue opened after its scenario is checked as part of it: hover works there."""
    scenario = project.parent / "nato-japan-prospects.yaml"
    events = project.parent.parent / "seeds" / "events.yaml"
    text, cat = scenario.read_text(encoding="utf-8"), events.read_text(encoding="utf-8")
    client = await _client()
    try:
        for path, body in ((scenario, text), (events, cat)):
            client.text_document_did_open(T.DidOpenTextDocumentParams(T.TextDocumentItem(
                uri=from_fs_path(str(path)), language_id="yaml", version=1, text=body)))
        await _wait(client, from_fs_path(str(events)), lambda ds: len(ds) == 0)
        first = cat.index("- id: ") + len("- id: ")
        event_id = cat[first:cat.index("\n", first)].strip()
        hover = await client.text_document_hover_async(T.HoverParams(
            T.TextDocumentIdentifier(uri=from_fs_path(str(events))), _at(cat, event_id, 1)))
        assert hover is not None and f"**event** `{event_id}`" in hover.contents.value
    finally:
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()


async def test_errors_in_a_file_not_open_are_published_for_it(project):
    scenario = project.parent / "nato-japan-prospects.yaml"
    events = project.parent.parent / "seeds" / "events.yaml"
    cat = events.read_text(encoding="utf-8").replace(
        "source: trunov_article", "source: trunov_artcle", 1)
    events.write_text(cat, encoding="utf-8")
    client = await _client()
    try:
        client.text_document_did_open(T.DidOpenTextDocumentParams(T.TextDocumentItem(
            uri=from_fs_path(str(scenario)), language_id="yaml", version=1,
            text=scenario.read_text(encoding="utf-8"))))
        [d] = await _wait(client, from_fs_path(str(events)), lambda ds: len(ds) > 0)
        start = _at(cat, "trunov_artcle")
        assert d.code == "SP304" and d.range == T.Range(
            start, T.Position(start.line, start.character + len("trunov_artcle")))
    finally:
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()


async def test_an_include_part_opened_first_is_checked_with_its_scenario(project):
    main = project
    text = main.read_text(encoding="utf-8")
    main.write_text(text.replace("spillover: 2", "spillover: 2\ninclude: [parts/extra.yaml]", 1),
                    encoding="utf-8")
    part = main.parent / "parts" / "extra.yaml"
    part.parent.mkdir()
    body = ("branches:\n  - id: extra\n    title: Extra\n    when: ofice == agreed\n"
            "    options:\n      - {id: go, label: Go}\n")
    part.write_text(body, encoding="utf-8")
    other = main.parent / "compose.yaml"          # some other YAML file: left alone
    other.write_text("services:\n  web: {image: x}\n", encoding="utf-8")
    client = await _client()
    try:
        for path, content in ((part, body), (other, other.read_text(encoding="utf-8"))):
            client.text_document_did_open(T.DidOpenTextDocumentParams(T.TextDocumentItem(
                uri=from_fs_path(str(path)), language_id="yaml", version=1, text=content)))
        [d] = await _wait(client, from_fs_path(str(part)), lambda ds: len(ds) > 0)
        assert d.code == "SP402" and "did you mean 'office'" in d.message
        assert len(await _wait(client, from_fs_path(str(other)), lambda ds: True)) == 0
        done = await client.text_document_completion_async(T.CompletionParams(
            T.TextDocumentIdentifier(uri=from_fs_path(str(part))), _at(body, "ofice", 0)))
        assert "office" in {i.label for i in done.items}
    finally:
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()


@pytest.mark.parametrize("args, locale, russian", [
    (("--lang", "ru"), None, True),          # the command line's language
    ((), "ru-RU", True),                     # the editor's locale, when we have it
    ((), "de", False),                       # one we have no catalogue for: the usual rule
    (("--lang", "en"), "ru", False),         # --lang wins over the editor
])
async def test_the_server_speaks_the_authors_language(project, args, locale, russian):
    text = project.read_text(encoding="utf-8")
    uri = from_fs_path(str(project))
    doc = T.TextDocumentIdentifier(uri=uri)
    client = await _client(*args, locale=locale)
    try:
        bad = text.replace("office == negotiating", "ofice == negotiating")
        client.text_document_did_open(T.DidOpenTextDocumentParams(
            T.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=bad)))
        [d] = await _wait(client, uri, lambda ds: len(ds) > 0)
        hover = await client.text_document_hover_async(T.HoverParams(
            doc, _at(text, "occurred(hayashi_cnn_interview)", 12)))
        value = hover.contents.value
        if russian:
            assert value.startswith("**событие** `hayashi_cnn_interview` — 2023-05-10")
            assert "источники:" in value and "sources:" not in value
            assert "\nподсказка: " in d.message and "hint:" not in d.message
        else:
            assert value.startswith("**event** `hayashi_cnn_interview` — 2023-05-10")
            assert "sources:" in value and "\nhint: " in d.message
        line = _at(bad, "ofice ==", 0)
        done = await client.text_document_completion_async(T.CompletionParams(doc, line))
        details = {i.label: i.detail for i in done.items}
        assert details["occurred"] == ("occurred(событие): произошло ли событие" if russian
                                       else "occurred(event): whether the event has occurred")
        # a key's documentation, where a branch's key is being written
        line = _at(bad, "title: Japan presses for an agreement")
        done = await client.text_document_completion_async(T.CompletionParams(doc, line))
        details = {i.label: i.detail for i in done.items}
        assert details["title"] == ("Краткое название в списке ветвей." if russian
                                    else "Short title shown in the branch list.")
    finally:
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
