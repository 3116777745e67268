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
