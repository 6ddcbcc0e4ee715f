"""Reads back what Folio serves with parsers nobody on this team wrote, for the integration
tests (tests/api/feeds.rs), and prints what they made of it as JSON.

    check.py feed FILE      # feedparser: version, channel, entries, and whether it was well formed
    check.py sitemap FILE   # libxml2 (lxml): valid against sitemap.xsd, and the addresses
"""

import html
import json
import os
import sys

import feedparser
from lxml import etree

HERE = os.path.dirname(os.path.abspath(__file__))


def text(detail):
    if detail is None:
        return None
    if detail.get("type") == "text/html":
        return html.unescape(detail["value"])
    return detail["value"]


def feed(path):
    parsed = feedparser.parse(path)
    return {
        "version": parsed.version,
        "well_formed": not parsed.bozo,
        "problem": str(parsed.get("bozo_exception", "")),
        "title": parsed.feed.get("title"),
        "link": parsed.feed.get("link"),
        "self": next(
            (l["href"] for l in parsed.feed.get("links", []) if l.get("rel") == "self"), None
        ),
        "language": parsed.feed.get("language"),
        "entries": [
            {
                "title": e.get("title"),
                "link": e.get("link"),
                "id": e.get("id"),
                "published": e.get("published"),
                # As text: RSS gives summaries as HTML, Atom says which.
                "summary": text(e.get("summary_detail")),
                "content": [c.get("value") for c in e.get("content", [])],
                "authors": [a.get("name") for a in e.get("authors", [])],
                "tags": [t.get("term") for t in e.get("tags", [])],
                "media": [m.get("url") for m in e.get("media_content", [])],
            }
            for e in parsed.entries
        ],
    }


def sitemap(path):
    schema = etree.XMLSchema(etree.parse(os.path.join(HERE, "sitemap.xsd")))
    document = etree.parse(path)
    valid = schema.validate(document)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    return {
        "valid": valid,
        "errors": [str(e) for e in schema.error_log],
        "root": etree.QName(document.getroot()).localname,
        "locs": document.xpath("//s:loc/text()", namespaces=ns),
        "lastmods": document.xpath("//s:lastmod/text()", namespaces=ns),
    }


if __name__ == "__main__":
    kind, path = sys.argv[1], sys.argv[2]
    print(json.dumps({"feed": feed, "sitemap": sitemap}[kind](path)))
