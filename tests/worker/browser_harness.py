"""Headless Chromium as the judge of sanitized text: pages, the in-page harness, the results.

A local HTTP server hands Chromium one page at a time. The page defines a canary,
`window.__pwned(id)`, that the vectors call; holds the texts (set with `innerHTML`, or pasted raw
into the body as a careless template would); fires the usual events at every element; checks the
DOM for handlers, script URLs, foreign content and loading attributes; and records what it found.
Vectors point their resources at the same server, so any request other than the page itself is
seen, and a navigation replaces the page, losing the record.
"""

from __future__ import annotations

import base64
import json
import random
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.worker.sanitize_corpus import entries
from worker.sanitize import Policy, sanitize

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

_CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--no-default-browser-check",
    "--mute-audio",
    "--virtual-time-budget=5000",
    "--dump-dom",
)

# Runs after the vectors are in the page: fires events, inspects the DOM, records the findings.
_HARNESS_JS = r"""
(function () {
  const EVENTS = ["click", "dblclick", "mousedown", "mouseup", "mouseover", "mouseenter",
    "mousemove", "mouseout", "pointerdown", "pointerover", "focus", "focusin", "blur",
    "keydown", "keyup", "input", "change", "submit", "toggle", "animationstart",
    "animationend", "transitionend", "load", "error", "begin", "scroll", "wheel", "copy"];
  const FORBIDDEN = new Set(["script", "style", "iframe", "frame", "frameset", "applet", "form",
    "portal", "fencedframe", "template", "noscript", "xmp", "plaintext", "noembed", "noframes"]);
  // Elements that act only through these attributes.
  const ACTING = { base: ["href", "target"], link: ["rel"],
    meta: ["http-equiv", "content", "charset"] };
  const LOADING = new Set(["src", "srcset", "imagesrcset", "poster", "background", "data",
    "action", "formaction", "ping", "srcdoc", "lowsrc", "dynsrc", "codebase", "manifest"]);
  const findings = [];
  const ours = (el) => el.closest("[data-harness]") !== null;
  const owner = (el) => {
    const holder = el.closest("[data-vector]");
    return holder ? holder.dataset.vector : "?";
  };
  const note = (el, what) => findings.push(owner(el) + ": " + what);
  const elements = Array.from(document.querySelectorAll("body *, head *")).filter((e) => !ours(e));
  for (const el of elements) {
    const tag = el.localName;
    if (el.namespaceURI !== "http://www.w3.org/1999/xhtml") note(el, "foreign element " + tag);
    if (FORBIDDEN.has(tag)) note(el, "element " + tag);
    for (const name of ACTING[tag] || []) if (el.hasAttribute(name)) note(el, tag + " " + name);
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      const value = attr.value;
      if (name.startsWith("on")) note(el, "handler " + name);
      if (LOADING.has(name) && (name !== "data" || tag === "object"))
        note(el, "loading attribute " + name);
      if (name === "style" && /url\(|image|expression|@import|\\|behavior|binding/i.test(value))
        note(el, "style " + value);
      try {
        const protocol = new URL(value.trim(), location.href).protocol;
        if (["javascript:", "vbscript:", "data:"].includes(protocol)) note(el, name + "=" + value);
      } catch (e) { /* not a URL */ }
    }
    for (const type of EVENTS) {
      try { el.dispatchEvent(new Event(type)); } catch (e) { /* ignore */ }
    }
  }
  setTimeout(function () {
    const record = document.createElement("div");
    record.id = "harness-record";
    record.setAttribute("data-harness", "");
    const json = JSON.stringify({ hits: window.__hits, findings: findings });
    record.setAttribute("data-record", btoa(unescape(encodeURIComponent(json))));
    document.body.appendChild(record);
  }, 1500);
})();
"""

HEAD = """<!doctype html><html><head><meta charset="utf-8" data-harness>
<link rel="icon" href="data:," data-harness>
<script data-harness>
window.__hits = [];
window.__pwned = function (id) { window.__hits.push(String(id)); };
</script></head><body>
"""
_RECORD = re.compile(r'id="harness-record"[^>]*data-record="([A-Za-z0-9+/=]*)"')


@dataclass
class Server:
    """Serves the test pages on 127.0.0.1 and remembers every other path it is asked for."""

    pages: dict[str, bytes] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    port: int = 0

    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def serving() -> Iterator[Server]:
    """The test server on 127.0.0.1 for as long as the block runs."""
    state = Server()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = state.pages.get(self.path)
            if body is None:
                state.requests.append(self.path)
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@dataclass(frozen=True)
class Outcome:
    recorded: bool
    hits: list[str]
    findings: list[str]
    requests: list[str]


def vectors(server: Server) -> list[tuple[str, str]]:
    """(id, vector) pairs with the placeholders filled in for this server."""
    out = []
    for number, entry in enumerate(entries("attack_vectors.txt"), start=1):
        vector_id = f"{number}-{entry.name}"
        text = (
            entry.text.replace("{PWN}", f"__pwned({number})")
            .replace("{ID}", str(number))
            .replace("{LEAK}", f"{server.base()}/leak/{number}")
        )
        out.append((vector_id, text))
    # Characters no text file holds well: NUL, lone surrogates, C0 and C1 controls.
    extra = [
        f"<img src=x on\x00error=__pwned({len(out) + 1})>",
        f'<a href="\x01\x02javascript:__pwned({len(out) + 2})">x</a>',
        f"<img src=x onerror=__pwned({len(out) + 3})\ud800>",
        f"<img\x85src=x onerror=__pwned({len(out) + 4})>",
    ]
    out.extend((f"{len(out) + i}-controls", text) for i, text in enumerate(extra, start=1))
    return out


def inner_html_page(items: list[tuple[str, str]]) -> bytes:
    payload = base64.b64encode(json.dumps(items).encode()).decode()
    script = (
        f"const items = JSON.parse(decodeURIComponent(escape(atob('{payload}'))));\n"
        "const box = document.getElementById('vectors');\n"
        "for (const [id, text] of items) {\n"
        "  const holder = document.createElement('div');\n"
        "  holder.dataset.vector = id;\n"
        "  holder.innerHTML = text;\n"
        "  box.appendChild(holder);\n"
        "}\n"
    )
    body = (
        '<div id="vectors"></div>\n'
        f"<script data-harness>{script}{_HARNESS_JS}</script></body></html>"
    )
    return (HEAD + body).encode("utf-8")


def raw_page(items: list[tuple[str, str]]) -> bytes:
    """The stored texts pasted into the body as a careless template would, one div each.

    The wrapper has no quotes, so a quote one text leaves open runs on into the next text.
    """
    pasted = "".join(f"<div data-vector={vector_id}>{text}</div>\n" for vector_id, text in items)
    body = f"{pasted}<script data-harness>{_HARNESS_JS}</script></body></html>"
    return (HEAD + body).encode("utf-8", "surrogatepass")


def load(server: Server, path: str, page: bytes) -> Outcome:
    assert CHROMIUM is not None
    server.pages[path] = page
    server.requests.clear()
    with tempfile.TemporaryDirectory(prefix="sanitize-chromium-") as profile:
        completed = subprocess.run(
            [CHROMIUM, *_CHROMIUM_FLAGS, f"--user-data-dir={profile}", server.base() + path],
            capture_output=True,
            timeout=90,
            check=False,
        )
    dom = completed.stdout.decode("utf-8", "replace")
    requests = [r for r in server.requests if r != "/favicon.ico"]
    record = _RECORD.search(dom)
    if record is None:
        return Outcome(False, [], [], requests)
    data = json.loads(base64.b64decode(record[1]).decode("utf-8"))
    return Outcome(True, data["hits"], data["findings"], requests)


def sanitized(items: list[tuple[str, str]], policy: Policy) -> list[tuple[str, str]]:
    return [(vector_id, sanitize(text, policy=policy).text) for vector_id, text in items]


def generated(server: Server, count: int = 300, seed: int = 20241125) -> list[tuple[str, str]]:
    """Random splices of markup fragments, the same on every run (a fixed seed)."""
    leak = f"{server.base()}/leak/generated"
    fragments = [
        *("<", ">", "</", "<!--", "-->", "<!", "<?", "<![CDATA[", "]]>", "/", "=", '"', "'"),
        *("`", " ", "\n", "\t", "\f", "&", "&lt;", "&#x6a;", "&#106", "&Tab;", "&colon;", ";"),
        *(":", "<script>", "</script>", "<img", " src=x", f" src={leak}", "<svg", "<math"),
        *(" onerror=__pwned(1)", " onmouseover=__pwned(2)", " onfocus=__pwned(4)", "<title>"),
        *("</title>", "<textarea>", "<noscript>", "</noscript>", "<a href=", "javascript:"),
        *("__pwned(3)", "java", "script", "<div", " style=", f"background:url({leak})", "<b>"),
        *("<p ", "x", "<style>", "</style>", "<iframe", "<object", " data=", "<form>"),
        *("<button", " formaction=", "<base", " href=", "<meta", " http-equiv=refresh"),
        *(f" content=0;url={leak}", "<link", " rel=stylesheet", "<video", " poster=", "<input"),
        *(" autofocus", "<x", " tabindex=1", "<template", "<xmp>", "<plaintext>", "<select>"),
        *("<table>", "<body", " background=", "<details open ontoggle=__pwned(5)>", "<image"),
        *("<source", " srcset="),
    ]
    rnd = random.Random(seed)
    return [
        (f"{number}-generated", "".join(rnd.choice(fragments) for _ in range(rnd.randint(1, 25))))
        for number in range(1, count + 1)
    ]
