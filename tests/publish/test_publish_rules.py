"""The server rules of the static site (Apache, w3id.org, nginx), checked against the built files.

A small interpreter runs the generated mod_rewrite rules (the subset they use: RewriteCond on an environment
variable or the Accept header, RewriteRule with the E, R and L flags) and the nginx map, for every document IRI
and Accept header; each answer must be a 303 to a file the build wrote, in the form the header asks for.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jpmg.publish.model import SiteModel

ACCEPTS = {
    "text/turtle": "ttl",
    "application/ld+json": "jsonld",
    "application/n-triples": "nt",
    "application/rdf+xml": "rdf",
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8": "html",
    "": "html",
    "*/*": "html",
    "text/turtle;q=0, text/html": "html",
    "image/png": None,
}


def run_htaccess(text: str, path: str, accept: str) -> tuple[int, str | None]:
    """(status, target) for a request of ``path`` (relative to the folder) under these mod_rewrite rules."""
    env: dict[str, str] = {}
    conditions: list[tuple[str, str, bool]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("RewriteCond "):
            _, test, pattern, *flags = line.split()
            conditions.append((test, pattern, bool(flags) and "NC" in flags[0]))
            continue
        if not line.startswith("RewriteRule "):
            continue
        _, pattern, substitution, *rest = line.split()
        flags = rest[0].strip("[]").split(",") if rest else []
        match = re.search(pattern, path)
        ok = match is not None
        for test, cond, nocase in conditions:
            value = env.get("JPMG_DOC", "") if test == "%{ENV:JPMG_DOC}" else accept
            negate = cond.startswith("!")
            found = re.search(cond.lstrip("!"), value, re.IGNORECASE if nocase else 0) is not None
            ok = ok and (found != negate)
        conditions = []
        if not ok:
            continue
        for flag in flags:
            if flag.startswith("E="):
                name, _, value = flag[2:].partition(":")
                env[name] = value.replace("$1", match.group(1) if match.groups() else "")
        status = next((int(f[2:]) for f in flags if f.startswith("R=")), None)
        if status is not None:
            target = None if substitution == "-" else substitution.replace("%{ENV:JPMG_DOC}", env.get("JPMG_DOC", ""))
            if target is not None and "$1" in target:
                target = target.replace("$1", match.group(1))
            return status, target
    return 200, None


def _cases(model: SiteModel) -> list[str]:
    paths = ["ontology", "ontology/0.1.0", "shapes", "dataset", "graph/data"]
    by_kind: dict[str, str] = {}
    for resource in model.resources:
        by_kind.setdefault(model.kind(resource), str(resource).split("/jpmg/", 1)[1])
    return paths + sorted(by_kind.values())


def test_the_apache_rules_lead_to_built_files(site: Path, model: SiteModel) -> None:
    text = (site / ".htaccess").read_text()
    assert "RewriteBase /jpmg/" in text and "ErrorDocument 404 /jpmg/404.html" in text
    for path in _cases(model):
        for accept, form in ACCEPTS.items():
            status, target = run_htaccess(text, path, accept)
            if form is None:
                assert status == 406, (path, accept)
                continue
            assert status == 303, (path, accept, status)
            assert target is not None and target.endswith("." + form), (path, accept, target)
            assert (site / target).is_file(), target
    assert run_htaccess(text, "dumps/jpmg.ttl", "text/turtle") == (200, None)
    assert run_htaccess(text, "id/session/jpmg-48.ttl", "text/html") == (200, None)


def test_the_w3id_rules_redirect_to_the_host(site: Path, model: SiteModel) -> None:
    text = (site / "server/w3id.org/jpmg/.htaccess").read_text()
    host = "https://publisher.example/jpmg/"
    for path in _cases(model):
        for accept, form in ACCEPTS.items():
            status, target = run_htaccess(text, path, accept)
            if form is None:
                assert status == 406
                continue
            assert status == 303 and target is not None and target.startswith(host), (path, accept, target)
            assert (site / target[len(host) :]).is_file(), target
    assert run_htaccess(text, "dumps/jpmg.nt.gz", "*/*") == (302, host + "dumps/jpmg.nt.gz")
    assert run_htaccess(text, "context.jsonld", "*/*") == (302, host + "context.jsonld")


def test_the_nginx_map_and_locations(site: Path, model: SiteModel) -> None:
    text = (site / "server/nginx.conf").read_text()
    rules = re.findall(r'^\s+"~\*(.+)"\s+(\w+);$', text, re.MULTILINE)
    assert [ext for _, ext in rules] == ["ttl", "jsonld", "nt", "rdf", "html"]
    locations = re.findall(r"^location ~ (\S+) \{\n(?:.*\n)*?\s+return 303 (\S+);", text, re.MULTILINE)
    assert len(locations) == 3

    def answer(path: str, accept: str) -> str | None:
        ext = next((e for pattern, e in rules if re.search(pattern, accept, re.IGNORECASE)), "")
        for pattern, target in locations:
            match = re.match(pattern.replace("?<", "?P<"), "/jpmg/" + path)
            if match:
                if not ext:
                    return "406"
                return target.replace("$jpmg_doc", match.groupdict().get("jpmg_doc") or "").replace("$jpmg_ext", ext)
        return None

    for path in _cases(model):
        for accept, form in ACCEPTS.items():
            target = answer(path, accept)
            if form is None:
                assert target == "406", (path, accept)
                continue
            assert target is not None and target.endswith("." + form), (path, accept, target)
            assert (site / target[len("/jpmg/") :]).is_file(), target


@pytest.mark.parametrize("name", [".htaccess", "server/nginx.conf", "server/w3id.org/jpmg/.htaccess"])
def test_rules_name_every_media_type(site: Path, name: str) -> None:
    text = (site / name).read_text()
    for media in ("text/turtle", "application/ld\\+json", "application/n-triples", "application/rdf\\+xml"):
        assert media in text or media.replace("\\", "") in text, media
