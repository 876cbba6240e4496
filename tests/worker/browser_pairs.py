"""Pages that show every ordered pair of stored texts side by side, and the checks they run."""

from __future__ import annotations

import base64
import json

from tests.worker.browser_harness import HEAD

# Side by side: every ordered pair of texts is adjacent once, so the texts cannot be given an
# element each; the checks look at the whole page instead, and compare the characters the page
# shows with those the texts show alone (one swallowed into another would lose some).
_PAIRS_JS = r"""
(function () {
  const FORBIDDEN = new Set(["script", "style", "iframe", "frame", "frameset", "applet", "form",
    "portal", "fencedframe", "template", "noscript", "xmp", "plaintext", "noembed", "noframes"]);
  const ACTING = { base: ["href", "target"], link: ["rel"],
    meta: ["http-equiv", "content", "charset"] };
  const LOADING = new Set(["src", "srcset", "imagesrcset", "poster", "background", "data",
    "action", "formaction", "ping", "srcdoc", "lowsrc", "dynsrc", "codebase", "manifest"]);
  const findings = new Set();
  const harness = document.currentScript;
  for (const el of document.querySelectorAll("body *")) {
    if (el === harness || el.id.startsWith("sentinel")) continue;
    const tag = el.localName;
    if (el.namespaceURI !== "http://www.w3.org/1999/xhtml") findings.add("foreign element " + tag);
    if (FORBIDDEN.has(tag)) findings.add("element " + tag);
    for (const name of ACTING[tag] || []) if (el.hasAttribute(name)) findings.add(tag + " " + name);
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      if (/^on[a-z]+$/.test(name)) findings.add("handler " + name);
      if (LOADING.has(name) && (name !== "data" || tag === "object"))
        findings.add("loading attribute " + name);
      if (name === "form") findings.add("a control joined to a form by id");
      const value = attr.value;
      if (name === "style" && /url\(|image|expression|@import|\\|behavior|binding/i.test(value))
        findings.add("style " + value);
      if (value.indexOf(":") !== -1) try {
        const protocol = new URL(value.trim(), location.href).protocol;
        if (["javascript:", "vbscript:", "data:"].includes(protocol))
          findings.add(name + " " + protocol);
      } catch (e) { /* not a URL */ }
    }
  }
  const sentinel = document.getElementById("sentinel");
  if (!sentinel) findings.add("the page after the texts was swallowed");
  else {
    if (sentinel.textContent !== "after") findings.add("the page's text changed");
    if (sentinel.closest("a[href], select, template") || sentinel.querySelector("a[href]"))
      findings.add("the page's text was taken into a link or a select");
  }
  const input = document.getElementById("sentinel-input");
  if (!input || !input.form || input.form.id !== "sentinel-form")
    findings.add("the page's form was dropped or its field taken");
  // Characters shown, whitespace aside (a newline after <pre> is the parser's to drop), as
  // counts per UTF-16 code unit.
  const tally = (text, times, into) => {
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code > 32 && code !== 160) into[code] += times;
    }
  };
  const expected = new Float64Array(65536);
  const probe = document.createElement("div");
  for (const [text, times] of window.__texts) {
    probe.innerHTML = text;
    tally(probe.textContent, times, expected);
  }
  tally(window.__separatorText, window.__separators, expected);
  tally("after", 1, expected);
  harness.remove();
  const shown = new Float64Array(65536);
  tally(document.body.textContent, 1, shown);
  const differing = [];
  for (let code = 0; code < 65536; code++)
    if (expected[code] !== shown[code])
      differing.push(String.fromCharCode(code) + ": " + expected[code] + " shown " + shown[code]);
  if (differing.length)
    findings.add("characters lost or gained: " + differing.slice(0, 5).join(", "));
  const json = JSON.stringify({ hits: window.__hits, findings: Array.from(findings) });
  setTimeout(function () {
    document.body.innerHTML = "";
    const record = document.createElement("div");
    record.id = "harness-record";
    record.setAttribute("data-record", btoa(unescape(encodeURIComponent(json))));
    document.body.appendChild(record);
  }, 500);
})();
"""
# A page lays texts shown side by side out in a block, or in the cells of a table row.
_LAYOUTS = {"</td><td>": ("<table><tr><td>", "</td></tr></table>")}
SEPARATORS = ("", "\n", " ", "<br>", "</td><td>")
_PAGE_AFTER = (
    '<p id="sentinel">after</p>'
    '<form id="sentinel-form" action="/sentinel"><input id="sentinel-input" name="q"></form>'
)


def every_pair_in_turn(count: int) -> list[int]:
    """Indexes in an order where every ordered pair (i, j), i == j included, is adjacent once:
    an Euler circuit of the complete directed graph with a loop at each node (count**2 + 1)."""
    if count == 0:
        return []
    taken = [0] * count
    path, circuit = [0], []
    while path:
        node = path[-1]
        if taken[node] < count:
            path.append(taken[node])
            taken[node] += 1
        else:
            circuit.append(path.pop())
    return circuit[::-1]


def pairs_page(texts: list[str], separator: str) -> bytes:
    """Every ordered pair of `texts` side by side with `separator` between, in one page."""
    order = every_pair_in_turn(len(texts))
    opening, closing = _LAYOUTS.get(separator, ("<div>", "</div>"))
    chain = separator.join(texts[index] for index in order)
    times = [0] * len(texts)
    for index in order:
        times[index] += 1
    shown_separator = separator if "<" not in separator else ""
    data = base64.b64encode(
        json.dumps([[text, times[i]] for i, text in enumerate(texts)]).encode()
    ).decode()
    script = (
        f"window.__texts = JSON.parse(decodeURIComponent(escape(atob('{data}'))));\n"
        f"window.__separatorText = {json.dumps(shown_separator)};\n"
        f"window.__separators = {max(len(order) - 1, 0)};\n"
    )
    body = (
        f"{opening}{chain}{closing}{_PAGE_AFTER}"
        f"<script data-harness>{script}{_PAIRS_JS}</script></body></html>"
    )
    # Nothing is laid out: the checks read the document, and a table of 200,000 cells takes
    # longer to lay out than to parse.
    head = HEAD.replace("</head>", "<style data-harness>html { display: none }</style></head>")
    return (head + body).encode("utf-8", "surrogatepass")
