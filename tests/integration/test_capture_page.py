"""Finding the media a page references: every kind of reference, bad markup, huge pages."""

from __future__ import annotations

from ncii_desk.capture.page import (
    css_urls,
    decode_page,
    looks_like_media_address,
    parse_page,
    parse_srcset,
)

PAGE = "https://site.example.invalid/gallery/post.html"


def _urls(html: str | bytes, max_links: int = 500) -> list[tuple[str, str]]:
    data = html.encode() if isinstance(html, str) else html
    return [(link.url, link.via) for link in parse_page(data, PAGE, None, max_links).links]


def test_every_kind_of_media_reference_is_found_and_resolved() -> None:
    html = """<!DOCTYPE html><html><head>
      <meta property="og:image" content="https://cdn.example.invalid/og.jpg">
      <meta name="twitter:image" content="/tw.png">
      <meta property="og:video:secure_url" content="https://cdn.example.invalid/clip.mp4">
      <link rel="image_src" href="thumb.jpg">
      <style>.hero { background: url('/hero.webp') no-repeat; }</style>
    </head><body>
      <img src="a.jpg" srcset="a-1x.jpg 1x, a-2x.jpg 2x" alt="x">
      <img data-src="lazy.jpg" data-srcset="lazy-640.jpg 640w">
      <picture><source srcset="p.avif" type="image/avif"><img src="p.jpg"></picture>
      <video src="v.webm" poster="poster.jpg"><source src="v.mp4" type="video/mp4"></video>
      <div style="background-image: url(&quot;div-bg.png&quot;)"></div>
      <a href="full-size.JPEG?download=1">full size</a>
      <a href="next-page.html">next</a>
      <input type="image" src="button.gif">
    </body></html>"""
    found = _urls(html)
    base = "https://site.example.invalid/gallery/"
    assert found == [
        ("https://cdn.example.invalid/og.jpg", "meta og:image"),
        ("https://site.example.invalid/tw.png", "meta twitter:image"),
        ("https://cdn.example.invalid/clip.mp4", "meta og:video:secure_url"),
        (base + "thumb.jpg", "link image_src"),
        ("https://site.example.invalid/hero.webp", "style block url()"),
        (base + "a.jpg", "img src"),
        (base + "a-1x.jpg", "img srcset"),
        (base + "a-2x.jpg", "img srcset"),
        (base + "lazy.jpg", "img data-src"),
        (base + "lazy-640.jpg", "img data-srcset"),
        (base + "p.avif", "source srcset"),
        (base + "p.jpg", "img src"),
        (base + "v.webm", "video src"),
        (base + "poster.jpg", "video poster"),
        (base + "v.mp4", "source src"),
        (base + "div-bg.png", "div style url()"),
        (base + "full-size.JPEG?download=1", "a href"),
        (base + "button.gif", "input src"),
    ]


def test_base_href_non_web_schemes_fragments_and_duplicates() -> None:
    html = """<base href="https://other.example.invalid/files/">
      <img src="one.png#frag"><img src="one.png">
      <img src="data:image/png;base64,iVBORw0KGgo="><img src="javascript:alert(1)">
      <img src="blob:https://x/1"><img src="  two.png  "><img src="">
      <a href="mailto:x@example.invalid">mail</a>"""
    assert _urls(html) == [
        ("https://other.example.invalid/files/one.png", "img src"),
        ("https://other.example.invalid/files/two.png", "img src"),
    ]


def test_srcset_descriptors_and_commas_inside_addresses() -> None:
    value = "a.jpg 1x, https://cdn.invalid/w_100,h_50/b.jpg 2x,c.jpg, d.jpg 100w (x, y), e.jpg"
    assert parse_srcset(value) == [
        "a.jpg",
        "https://cdn.invalid/w_100,h_50/b.jpg",
        "c.jpg",
        "d.jpg",
        "e.jpg",
    ]
    assert parse_srcset("  ,, ") == []
    assert css_urls("background: url(a.png), url( 'b c.png' ), url(\"d.png\")") == [
        "a.png",
        "b c.png",
        "d.png",
    ]
    assert looks_like_media_address("https://x.invalid/a/B.WebP?x=1")
    assert not looks_like_media_address("https://x.invalid/jpg/page")


def test_malformed_html_still_yields_its_images_and_text() -> None:
    html = (
        b"<html><head><title>Broken & odd</title><body><div><p>text <b>bold<img src=ok1.png "
        b"src=ignored.png><table><tr><td><img src='ok2.png' width=10 height>"
        b'</div></span></html></html> < << >>> <img src="ok3.png"/><p <img src=lost.png>'
        b"<IMG SRC=ok4.png><!-- a comment never closed <img src=hidden.png>"
    )
    urls = [u.rsplit("/", 1)[1] for u, _ in _urls(html)]
    assert urls == ["ok1.png", "ok2.png", "ok3.png", "ok4.png"]
    info = parse_page(html, PAGE, None)
    assert info.title == "Broken & odd"
    assert "text bold" in info.text
    assert parse_page(b"\x00\xff\xfe<<<\x80<img src=x.png>", PAGE, None).found == 1
    assert parse_page(b"", PAGE, None).links == []


def test_thousands_of_links_are_capped_with_the_rest_counted() -> None:
    html = "".join(f'<img src="/img/{i}.png">' for i in range(3000))
    html += '<img src="/img/7.png">' * 50  # duplicates do not count twice
    info = parse_page(html.encode(), PAGE, None, max_links=120)
    assert len(info.links) == 120
    assert info.found == 3000 and info.discarded == 2880
    assert info.links[0].url.endswith("/img/0.png") and info.links[-1].url.endswith("/img/119.png")


def test_charsets_are_honoured_and_removal_notices_found() -> None:
    latin = "<html><title>Caf\xe9</title><body>This content is no longer available</body>"
    body = latin.encode("latin-1")
    assert decode_page(body, "text/html; charset=ISO-8859-1").startswith("<html><title>Café")
    meta = b'<meta charset="windows-1252"><title>\x93quoted\x94</title>'
    assert "\u201cquoted\u201d" in decode_page(meta, None)
    assert "<title>" in decode_page(b"<title>x</title>", "text/html; charset=no-such-charset")
    info = parse_page(body, PAGE, "text/html; charset=ISO-8859-1")
    assert info.title == "Café"
    assert "content is no longer available" in info.removal_signals()
    script = b"<script>var s='has been removed';</script><p>All fine here</p>"
    assert parse_page(script, PAGE, None).removal_signals() == []
