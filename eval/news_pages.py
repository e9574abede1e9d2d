"""Realistic news pages built from Wikinews articles, with their gold, for ``python -m eval.bench_loaders``.

Each article's paragraphs are set inside the page of one of three made-up news sites, as real sites do it:
a header menu, a share bar, a "related stories" list (other articles' headlines), a comment thread, a
footer, and some of: a cookie banner, a photo credit, an author's bio, a "Read more" line, "Advertisement"
slots and a newsletter promotion inside the text, a "most read" box, a newsletter box. Metadata is
JSON-LD ``NewsArticle`` (plain; Yoast-style ``@graph`` with ``@id`` references; a list of authors) plus
OpenGraph and ``<meta name="author">``, with a visible byline and ``<time>``. Dates are written in the
site's time zone, some late at night or just after midnight, where the UTC day is another.

Deterministic: articles are drawn with a fixed seed and every page from a ``random.Random`` seeded by its
article id, so the same corpus gives byte-identical pages. The gold of a page is its article's text, date
and title, the authors invented for it, and the boilerplate sentences put around it (four words or more,
none of them inside the article's text) to count what leaks into the extracted text.

    python -m eval.news_pages OUT_DIR [--pages 50]     # write the pages and gold.jsonl, to look at them
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from eval.wikinews import Article, load_articles

SEED = 2019
MIN_CHARS, MAX_CHARS = 1_000, 8_000  # articles of ordinary length: no stubs, no 100 kB outliers

REPORTERS = ["Maria Okafor", "Daniel Brandt", "Aiko Tanaka", "Samuel Reyes", "Lena Kowalski", "Farid Haddad",
             "Grace Mensah", "Tomás Ortega", "Ingrid Solberg", "Ravi Menon", "Chloé Martin", "Owen Pryce"]
COMMENTERS = ["northern_light", "Pete1962", "J. Whitfield", "anon_reader", "Marta K", "civic_minded", "kiwi_abroad",
              "DrTom", "sandra.b", "oldtimer"]
COMMENTS = [
    "This is exactly why we need proper investment in public services.",
    "Does anyone know where the original report can be found?",
    "I was there last year and nothing about this surprises me.",
    "Another story that will be forgotten by next week, sadly.",
    "Thank you for covering this, the national papers ignored it.",
    "The headline is misleading if you read the whole thing.",
    "My thoughts are with the families affected by this.",
    "Interesting to compare this with what happened a decade ago.",
    "Who exactly is going to pay for all of this in the end?",
    "Great reporting as always, keep it up.",
    "I would like to see the figures broken down by region.",
    "Not sure the officials quoted here can be trusted on this.",
]
SITES = [
    {"name": "The Morning Ledger", "domain": "morningledger.example", "zone": "+00:00",
     "menu": ["Home", "World", "Politics", "Business", "Science", "Sport", "Opinion"]},
    {"name": "Metro Herald", "domain": "metroherald.example", "zone": "-05:00",
     "menu": ["News", "Local", "National", "World", "Money", "Health", "Weather"]},
    {"name": "Coastal Times", "domain": "coastaltimes.example", "zone": "+10:00",
     "menu": ["Latest", "Region", "Nation", "World", "Environment", "Culture"]},
]


@dataclass(frozen=True)
class Page:
    name: str  # file name, <article id>.html
    html: str
    title: str
    date: str
    authors: list[str]
    publication: str
    text: str  # the article text the body should be: the Wikinews text, unchanged
    boilerplate: list[str]  # sentences around the article that should not be in its text


def paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]


def normalise(text: str) -> str:
    return " ".join(text.split()).lower()


def choose_articles(articles: list[Article], count: int) -> list[Article]:
    """``count`` articles of ordinary length, drawn with a fixed seed, in corpus order."""
    fitting = [a for a in articles if MIN_CHARS <= len(a.text) <= MAX_CHARS]
    chosen = set(random.Random(SEED).sample(range(len(fitting)), min(count, len(fitting))))
    return [a for i, a in enumerate(fitting) if i in chosen]


def build_pages(count: int = 50, articles: list[Article] | None = None) -> list[Page]:
    articles = articles if articles is not None else load_articles()
    chosen = choose_articles(articles, count)
    headlines = [a.title for a in articles]
    return [build_page(article, i % len(SITES), headlines) for i, article in enumerate(chosen)]


def build_page(article: Article, template: int, headlines: list[str]) -> Page:
    rng = random.Random(f"{SEED}:{article.doc_id}")
    site = SITES[template]
    authors = rng.sample(REPORTERS, rng.choice([1, 1, 2]))
    hour = rng.choice([0, 6, 9, 14, 18, 23]) if template else rng.choice([7, 11, 16])
    published = f"{article.date}T{hour:02d}:{rng.randrange(60):02d}:00{site['zone']}"
    modified = published if rng.random() < 0.5 else f"{article.date}T{min(hour + 2, 23):02d}:05:00{site['zone']}"
    related = rng.sample([h for h in headlines if h != article.title], 4)
    comments = [(rng.choice(COMMENTERS), c) for c in rng.sample(COMMENTS, rng.randint(2, 5))]
    url = f"https://{site['domain']}/{article.date.replace('-', '/')}/{article.doc_id.split('-', 1)[1]}"
    parts = {
        "article": article, "site": site, "authors": authors, "published": published, "modified": modified,
        "related": related, "comments": comments, "url": url, "rng": rng,
        "read_more": related[0] if rng.random() < 0.4 else "",
        "body": paragraphs(article.text),
    }
    page_html = _head(parts, template) + TEMPLATES[template](parts)
    boilerplate = _boilerplate(parts, template)
    text = normalise(article.text)
    return Page(f"{article.doc_id}.html", page_html, article.title, article.date, authors, site["name"],
                article.text, [b for b in boilerplate if len(b.split()) >= 4 and normalise(b) not in text])


def e(text: str) -> str:
    return html.escape(text, quote=True)


def _jsonld(parts: dict, template: int) -> str:
    a, site = parts["article"], parts["site"]
    people = [{"@type": "Person", "name": n, "url": f"https://{site['domain']}/staff/{n.split()[-1].lower()}"}
              for n in parts["authors"]]
    publisher = {"@type": "Organization", "name": site["name"],
                 "logo": {"@type": "ImageObject", "url": f"https://{site['domain']}/logo.png"}}
    article = {"@type": "NewsArticle", "headline": a.title, "datePublished": parts["published"],
               "dateModified": parts["modified"], "mainEntityOfPage": parts["url"],
               "articleSection": site["menu"][3]}
    if template == 1:  # Yoast-style graph: the author and publisher are references to nodes beside it
        article |= {"@id": parts["url"] + "#article",
                    "author": [{"@id": f"{p['url']}#person"} for p in people],
                    "publisher": {"@id": f"https://{site['domain']}/#organization"}}
        graph = [article, {**publisher, "@id": f"https://{site['domain']}/#organization"},
                 *({**p, "@id": f"{p['url']}#person"} for p in people),
                 {"@type": "WebPage", "@id": parts["url"], "name": f"{a.title} - {site['name']}"}]
        data = {"@context": "https://schema.org", "@graph": graph}
    else:
        data = {"@context": "https://schema.org", **article, "publisher": publisher,
                "author": people if len(people) > 1 or template == 2 else people[0]}
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def _head(parts: dict, template: int) -> str:
    a, site = parts["article"], parts["site"]
    metas = [("property", "og:type", "article"), ("property", "og:title", a.title),
             ("property", "og:site_name", site["name"]), ("property", "og:url", parts["url"]),
             ("property", "article:published_time", parts["published"]),
             ("property", "article:modified_time", parts["modified"]),
             ("property", "article:section", site["menu"][3]),
             ("name", "author", ", ".join(parts["authors"])),
             ("name", "twitter:card", "summary_large_image")]
    lines = [f'<meta {kind}="{key}" content="{e(value)}">' for kind, key, value in metas]
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{e(a.title)} | {e(site['name'])}</title>\n" + "\n".join(lines) + "\n"
            f'<link rel="canonical" href="{parts["url"]}">\n'
            f'<script type="application/ld+json">{_jsonld(parts, template)}</script>\n'
            f'<script>window.analytics=window.analytics||[];analytics.push(["pageview"]);</script>\n'
            f"</head>\n")


def _menu(site: dict) -> str:
    return "".join(f'<li><a href="/{m.lower()}">{m}</a></li>' for m in site["menu"])


def _body_paragraphs(parts: dict, ad_every: int = 0, promo: str = "") -> str:
    out = []
    for i, paragraph in enumerate(parts["body"]):
        out.append(f"<p>{e(paragraph)}</p>")
        if promo and i == 2:
            out.append(f'<aside class="inline-promo"><p>{e(promo)}</p><a href="/newsletters">Sign up</a></aside>')
        if parts["read_more"] and i == 1:
            out.append(f'<p class="read-more"><strong>Read more:</strong> <a href="#">{e(parts["read_more"])}</a></p>')
        if ad_every and i % ad_every == ad_every - 1 and i < len(parts["body"]) - 1:
            out.append('<div class="ad-slot"><span>Advertisement</span><div class="ad"></div></div>')
    return "\n".join(out)


def _byline(parts: dict) -> str:
    return " and ".join(parts["authors"])


def _time(parts: dict) -> str:
    return f'<time datetime="{parts["published"]}">{parts["article"].date}</time>'


def _comments(parts: dict) -> str:
    return "\n".join(f'<div class="comment"><span class="comment-author">{e(who)}</span><p>{e(text)}</p>'
                     f'<a href="#" class="reply">Reply</a></div>' for who, text in parts["comments"])


def _related(parts: dict) -> str:
    return "".join(f'<li><a href="#">{e(h)}</a></li>' for h in parts["related"])


def _ledger(parts: dict) -> str:
    """Semantic HTML5; related stories and comments after the article."""
    a, site = parts["article"], parts["site"]
    return f"""<body>
<header class="masthead"><a class="logo" href="/">{e(site['name'])}</a>
<nav class="primary"><ul>{_menu(site)}</ul></nav>
<a class="subscribe" href="/subscribe">Subscribe for unlimited access to our journalism</a></header>
<main>
<article class="story">
<h1>{e(a.title)}</h1>
<p class="byline">By {e(_byline(parts))} · {_time(parts)}</p>
<div class="share-bar"><span>Share this article</span> <a href="#">Share on Facebook</a> <a href="#">Share on X</a>
<a href="#">Send by email to a friend</a></div>
<figure class="lead-image"><img src="/img/{a.doc_id}.jpg" alt="">
<figcaption>File photograph from the {e(site['name'])} picture archive.</figcaption></figure>
<div class="article-body">
{_body_paragraphs(parts)}
</div>
<div class="author-bio"><p>{e(parts['authors'][0])} covers world affairs for {e(site['name'])} and can be reached
through our secure tip line.</p></div>
</article>
<aside class="related"><h2>Related stories</h2><ul>{_related(parts)}</ul></aside>
<section id="comments" class="comments"><h2>{len(parts['comments'])} comments</h2>
{_comments(parts)}
<form><textarea placeholder="Join the conversation"></textarea><button>Post your comment</button></form>
</section>
</main>
<footer><p>Copyright {a.date[:4]} {e(site['name'])}. All rights reserved.</p>
<p><a href="/terms">Terms of use</a> · <a href="/privacy">Privacy policy</a> ·
<a href="/cookies">Cookie settings</a></p>
<p>Our journalism is funded by readers like you, support us from as little as one pound.</p></footer>
</body>
</html>
"""


def _herald(parts: dict) -> str:
    """Div soup: a cookie banner, advertisements in the text, a newsletter box, a most-read box."""
    a, site = parts["article"], parts["site"]
    return f"""<body>
<div id="cookie-consent">We and our partners use cookies to personalise content and measure advertising.
<button>Accept and continue</button> <button>Manage preferences</button></div>
<div id="top"><div class="brand"><a href="/">{e(site['name'])}</a></div>
<div id="top-menu"><ul class="menu">{_menu(site)}</ul></div>
<div class="search"><input placeholder="Search the Herald"></div></div>
<div id="page"><div class="col-main">
<div class="story">
<div class="story-headline"><h1>{e(a.title)}</h1></div>
<div class="story-meta"><span class="author">{e(_byline(parts))}</span>, <span class="role">staff writers</span>
<span class="date">{_time(parts)}</span></div>
<div class="social"><a href="#">Facebook</a> <a href="#">X</a> <a href="#">WhatsApp</a>
<a href="#">Copy link to this story</a></div>
<div class="story-text">
{_body_paragraphs(parts, ad_every=3)}
</div>
<div class="newsletter">Get the Metro Herald morning briefing delivered to your inbox every weekday.
<input placeholder="Your email address"><button>Sign me up</button></div>
</div>
<div id="disqus_thread"><h3>Reader comments</h3>
{_comments(parts)}
</div>
</div>
<div class="col-side"><div class="most-read"><h3>Most read</h3><ol>{_related(parts)}</ol></div></div></div>
<div id="footer"><p>Metro Herald is a member of the Independent Press Standards Organisation.</p>
<p>Copyright {a.date[:4]} Metro Herald Media Group. Reproduction without permission is prohibited.</p></div>
</body>
</html>
"""


def _coastal(parts: dict) -> str:
    """Tags, a share prompt and related stories inside the ``<article>`` element itself."""
    a, site = parts["article"], parts["site"]
    return f"""<body class="single-article">
<a class="skip" href="#main">Skip to main content</a>
<header><div class="logo">{e(site['name'])}</div><nav aria-label="Sections"><ul>{_menu(site)}</ul></nav></header>
<main id="main">
<article>
<header><h1 class="headline">{e(a.title)}</h1>
<div class="meta">{_time(parts)} <span class="by">Written by {e(_byline(parts))}</span></div></header>
<section class="content">
{_body_paragraphs(parts, ad_every=4, promo=COASTAL_PROMO)}
</section>
<ul class="tags"><li><a href="#">{e(site['menu'][3])}</a></li><li><a href="#">{e(site['menu'][1])}</a></li></ul>
<div class="sharing"><p>Found this story useful? Share it with your friends and family.</p></div>
<section class="related-inline"><h2>More on this story</h2><ul>{_related(parts)}</ul></section>
</article>
<section class="comments"><h2>Have your say</h2><ol class="comment-list">
{"".join(f"<li>{c}</li>" for c in _comments(parts).splitlines())}
</ol><p>Comments are moderated and may take up to an hour to appear.</p></section>
</main>
<footer><p>The Coastal Times acknowledges the traditional custodians of the land on which we work.</p>
<p>Copyright {a.date[:4]} Coastal Times Pty Ltd.</p></footer>
</body>
</html>
"""


TEMPLATES = (_ledger, _herald, _coastal)
COASTAL_PROMO = "Get our free environment newsletter, sent every Friday morning."


def _boilerplate(parts: dict, template: int) -> list[str]:
    """The sentences each template puts around the article (the gold of what must not leak)."""
    year = parts["article"].date[:4]
    common = [*parts["related"], *(text for _, text in parts["comments"])]
    return [*common, *[
        ["Subscribe for unlimited access to our journalism", "Share on Facebook", "Send by email to a friend",
         f"File photograph from the {parts['site']['name']} picture archive.",
         "and can be reached through our secure tip line.",
         f"Copyright {year} {parts['site']['name']}. All rights reserved.",
         "Terms of use · Privacy policy · Cookie settings",
         "Our journalism is funded by readers like you, support us from as little as one pound.",
         "Join the conversation", "Post your comment"],
        ["We and our partners use cookies to personalise content and measure advertising.",
         "Accept and continue", "Copy link to this story",
         "Get the Metro Herald morning briefing delivered to your inbox every weekday.",
         "Metro Herald is a member of the Independent Press Standards Organisation.",
         f"Copyright {year} Metro Herald Media Group.", "Reproduction without permission is prohibited."],
        ["Skip to main content", "Found this story useful? Share it with your friends and family.", COASTAL_PROMO,
         "More on this story", "Comments are moderated and may take up to an hour to appear.",
         "The Coastal Times acknowledges the traditional custodians of the land on which we work.",
         f"Copyright {year} Coastal Times Pty Ltd."],
    ][template]]


def write_pages(out: Path, count: int = 50) -> list[Page]:
    out.mkdir(parents=True, exist_ok=True)
    pages = build_pages(count)
    with (out / "gold.jsonl").open("w", encoding="utf-8") as gold:
        for page in pages:
            (out / page.name).write_text(page.html, encoding="utf-8")
            record = {k: v for k, v in asdict(page).items() if k != "html"}
            gold.write(json.dumps(record, ensure_ascii=False) + "\n")
    return pages


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m eval.news_pages", description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--pages", type=int, default=50)
    args = parser.parse_args()
    print(f"{len(write_pages(args.out, args.pages))} pages in {args.out}")
