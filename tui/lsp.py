"""`spillover lsp`: a Language Server (pygls) over stdio — thin glue over engine.authoring.

Live diagnostics (the codes and hints of `lint`, from the unsaved text), completion, hover,
go-to-definition and document symbols. Every answer comes from `engine.authoring` and the
loader; this module only converts to and from the protocol. No Textual here.
"""

from __future__ import annotations

import re
from pathlib import Path

from lsprotocol import types as T
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from engine import __version__
from engine.authoring import queries as Q
from engine.authoring.outline import Outline, outline
from engine.diagnostics import ERROR
from engine.format.loader import check_catalogues, check_scenario_texts
from engine.format.schema import is_catalogue_text, is_spillover_text
from engine.i18n import _, available, set_language

_KINDS = {"key": T.CompletionItemKind.Property, "variable": T.CompletionItemKind.Variable,
          "event": T.CompletionItemKind.Event, "branch": T.CompletionItemKind.Class,
          "option": T.CompletionItemKind.EnumMember, "inject": T.CompletionItemKind.Struct,
          "actor": T.CompletionItemKind.Constant, "source": T.CompletionItemKind.Reference,
          "value": T.CompletionItemKind.EnumMember, "function": T.CompletionItemKind.Function,
          "keyword": T.CompletionItemKind.Keyword}
_SYMBOLS = {"section": T.SymbolKind.Namespace, "variable": T.SymbolKind.Variable,
            "branch": T.SymbolKind.Class, "option": T.SymbolKind.EnumMember,
            "inject": T.SymbolKind.Struct, "event": T.SymbolKind.Event,
            "source": T.SymbolKind.File, "signpost": T.SymbolKind.Constant,
            "actor": T.SymbolKind.Constant, "turn": T.SymbolKind.Number}


class SpilloverServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("spillover", __version__)
        self.outlines: dict[Path, Outline] = {}
        self.owner: dict[Path, Path] = {}      # an include file -> the scenario that read it
        self.published: dict[Path, set[Path]] = {}
        self.lang_given = False    # `spillover lsp --lang L`: the client's locale does not count

    def texts(self) -> dict[Path, str]:
        return {Path(to_fs_path(uri)).resolve(): doc.source
                for uri, doc in self.workspace.text_documents.items()}

    def check(self, uri: str) -> None:
        """Check the scenario this document belongs to and publish every file's diagnostics."""
        path = Path(to_fs_path(uri)).resolve()
        texts = self.texts()
        text = texts.get(path, "")
        if not is_spillover_text(text):
            self.outlines[path] = Outline(())   # some other YAML file: nothing to say
            self.text_document_publish_diagnostics(
                T.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
            return
        if path not in self.owner and not re.search(r"^spillover\s*:", text, re.MULTILINE):
            self.find_owner(path, texts)        # an include part, opened before its scenario
        if is_catalogue_text(text) and path not in self.owner:
            diags, files, paths = check_catalogues([path], texts), [path], {}
            self.outlines[path] = Outline(())
        else:   # a scenario, or a part or catalogue of a scenario already opened
            main = self.owner.get(path, path)
            checked = check_scenario_texts(main, texts)
            diags, paths = checked.diagnostics, checked.paths
            files = [Path(p).resolve() for p, _ in checked.files]
            found = outline(checked)
            for f in files:
                self.outlines[f] = found
                if f != main:
                    self.owner[f] = main
        by_file: dict[Path, list[T.Diagnostic]] = {f: [] for f in files}
        by_file.setdefault(path, [])
        for d in diags:
            target = Path(paths.get(d.file, d.file)).resolve() if d.file else path
            by_file.setdefault(target, []).append(self.diagnostic(d, texts.get(target), target))
        for f in self.published.get(path, set()) - set(by_file):
            by_file[f] = []   # clear what is no longer reported
        self.published[path] = set(by_file)
        for f, items in by_file.items():
            self.text_document_publish_diagnostics(
                T.PublishDiagnosticsParams(uri=from_fs_path(str(f)), diagnostics=items))

    def find_owner(self, path: Path, texts: dict[Path, str]) -> None:
        """Which scenario next to this file, or one folder up, reads it (a few files at most,
        and only those that name it)."""
        candidates = sorted(path.parent.glob("*.y*ml")) + sorted(path.parent.parent.glob("*.y*ml"))
        for candidate in candidates[:50]:
            candidate = candidate.resolve()
            if candidate == path:
                continue
            try:
                head = texts.get(candidate) or candidate.read_text(encoding="utf-8")
            except (OSError, UnicodeError):
                continue
            if path.name not in head or not re.search(r"^spillover\s*:", head, re.MULTILINE):
                continue
            checked = check_scenario_texts(candidate, texts)
            if any(Path(p).resolve() == path for p, _ in checked.files):
                self.owner[path] = candidate
                return

    @staticmethod
    def diagnostic(d, text: str | None, path: Path) -> T.Diagnostic:
        if text is None:    # a file the editor does not hold open: its word from the disk
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeError):
                text = ""
        line, start, end = Q.diagnostic_range(text, d.line or 1, d.col or 1)
        message = d.message + ("\n" + _("hint: {hint}").format(hint=d.hint) if d.hint else "")
        return T.Diagnostic(
            range=T.Range(T.Position(line, start), T.Position(line, end)), message=message,
            severity=T.DiagnosticSeverity.Error if d.severity == ERROR
            else T.DiagnosticSeverity.Warning, code=d.code, source="spillover")

    def outline_for(self, uri: str) -> Outline:
        path = Path(to_fs_path(uri)).resolve()
        if path not in self.outlines:
            self.check(uri)
        return self.outlines.get(path, Outline(()))


server = SpilloverServer()


def client_language(locale: str | None) -> str | None:
    """The interface language of an editor's `locale` ('ru', 'ru-RU', 'en_GB'), when the
    server has a catalogue for it."""
    code = re.split(r"[-_.@]", locale or "", maxsplit=1)[0].lower()
    return code if code in available() else None


@server.feature(T.INITIALIZE)
def initialize(ls: SpilloverServer, params: T.InitializeParams) -> None:
    lang = None if ls.lang_given else client_language(params.locale)
    if lang:
        set_language(lang)    # before any document is checked: every answer speaks it


@server.feature(T.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: SpilloverServer, params: T.DidOpenTextDocumentParams) -> None:
    ls.check(params.text_document.uri)


@server.feature(T.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: SpilloverServer, params: T.DidChangeTextDocumentParams) -> None:
    ls.check(params.text_document.uri)


@server.feature(T.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: SpilloverServer, params: T.DidSaveTextDocumentParams) -> None:
    ls.check(params.text_document.uri)


def _doc(ls: SpilloverServer, uri: str) -> str:
    return ls.workspace.get_text_document(uri).source


@server.feature(T.TEXT_DOCUMENT_COMPLETION,
                T.CompletionOptions(trigger_characters=["(", ",", " ", "{"]))
def completion(ls: SpilloverServer, params: T.CompletionParams) -> T.CompletionList:
    uri, pos = params.text_document.uri, params.position
    items = Q.completions(_doc(ls, uri), pos.line, pos.character, ls.outline_for(uri))
    return T.CompletionList(is_incomplete=False, items=[
        T.CompletionItem(label=c.label, kind=_KINDS.get(c.kind), detail=c.detail)
        for c in items])


@server.feature(T.TEXT_DOCUMENT_HOVER)
def hover(ls: SpilloverServer, params: T.HoverParams) -> T.Hover | None:
    uri, pos = params.text_document.uri, params.position
    text = Q.hover(_doc(ls, uri), pos.line, pos.character, ls.outline_for(uri))
    if text is None:
        return None
    return T.Hover(contents=T.MarkupContent(kind=T.MarkupKind.Markdown, value=text))


@server.feature(T.TEXT_DOCUMENT_DEFINITION)
def definition(ls: SpilloverServer, params: T.DefinitionParams) -> list[T.Location]:
    uri, pos = params.text_document.uri, params.position
    return [T.Location(uri=from_fs_path(str(loc.path)),
                       range=T.Range(T.Position(loc.line, loc.start),
                                     T.Position(loc.line, loc.end)))
            for loc in Q.definition(_doc(ls, uri), pos.line, pos.character, ls.outline_for(uri))]


@server.feature(T.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def document_symbol(ls: SpilloverServer,
                    params: T.DocumentSymbolParams) -> list[T.DocumentSymbol]:
    def convert(s: Q.Symbol) -> T.DocumentSymbol:
        rng = T.Range(T.Position(s.line, s.start), T.Position(s.line, s.end))
        return T.DocumentSymbol(name=s.name, kind=_SYMBOLS.get(s.kind, T.SymbolKind.Object),
                                range=rng, selection_range=rng, detail=s.detail or None,
                                children=[convert(c) for c in s.children])
    uri = params.text_document.uri
    return [convert(s) for s in Q.symbols(_doc(ls, uri), to_fs_path(uri) or uri)]


def main(lang_given: bool = False) -> int:
    """Serve over stdio in the current language (`--lang`, the saved setting, the
    environment); unless `lang_given`, an editor's `locale` we have a catalogue for wins."""
    server.lang_given = lang_given
    server.start_io()
    return 0
