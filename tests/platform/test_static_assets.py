"""Static files: versioned URLs in pages, cached by browsers for a year under that URL."""
import hashlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_pages_link_css_and_js_with_their_content_hash(app):
    page = app.test_client().get("/login").get_data(as_text=True)
    digest = hashlib.sha256((ROOT / "static/css/app.css").read_bytes()).hexdigest()[:12]

    assert f'href="/static/css/app.css?v={digest}"' in page


def test_a_versioned_file_is_cached_for_a_year_and_an_unversioned_one_revalidates(app):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    url = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]{12})"', page).group(1)

    versioned = client.get(url)
    assert versioned.status_code == 200
    assert versioned.cache_control.max_age == 365 * 24 * 3600
    assert versioned.cache_control.public and versioned.cache_control.immutable

    for other in ("/static/css/app.css", "/static/css/app.css?v=000000000000"):
        response = client.get(other)
        assert response.status_code == 200 and not response.cache_control.immutable
        assert (response.cache_control.max_age or 0) < 3600


def test_the_stylesheet_closes_every_block_it_opens():
    """A block left open (easily done when two features' sections meet) swallows every rule after it
    into a print-only or narrow-screen query: the pages below it lose their layout."""
    import re
    from pathlib import Path

    css = re.sub(r"/\*.*?\*/", "", (Path(__file__).parents[2] / "static/css/app.css").read_text(), flags=re.S)
    depth = 0
    for number, line in enumerate(css.splitlines(), 1):
        depth += line.count("{") - line.count("}")
        assert depth >= 0, f"app.css closes a block it never opened at line {number}"
    assert depth == 0, "app.css leaves a block open"
