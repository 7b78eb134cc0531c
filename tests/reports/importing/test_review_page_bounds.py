"""Case 4 of issue 21: pasting 281,000 characters into the import and opening its review page
took 120 s and 515 MB of HTML on every load. The page lists the figures a page at a time with
their clauses cut short, so its size follows the document's (the generated template shown
once), not the number of figures times the indicators or the clause."""

import re

from reports.import_views import REVIEW_PAGE_ROWS
from reports.models import DocumentImport


def pasted(characters: int) -> str:
    """A paste of about `characters` characters: one long run-on paragraph of figures (the
    worst case: every figure's clause is the whole paragraph)."""
    sentence = "全年受理行政复议案件12件，办结11件，"
    return "关于法治政府建设情况的报告\n\n" + sentence * (characters // len(sentence))


def _review(client, text):
    start = client.post("/reports/import/", {"text": text, "period": "2025", "name": "长文"})
    assert start.status_code == 302, start.content.decode()[-1500:]
    page = client.get(start.url)
    assert page.status_code == 200
    return start.url, page


def test_a_281k_paste_makes_a_page_the_size_of_the_document(reviewer_client):
    text = pasted(281_000)
    url, page = _review(reviewer_client, text)
    html = page.content.decode()
    # The rows of one page only, each clause cut to its surroundings.
    assert html.count('<tr id="figure-') == REVIEW_PAGE_ROWS
    assert len(page.content) < 12 * len(text.encode())  # was 1,800 times the paste
    last = reviewer_client.get(f"{url}?page=9999")
    assert last.status_code == 200 and '<tr id="figure-' in last.content.decode()
    assert reviewer_client.get(f"{url}?page=abc").status_code == 200


def test_the_page_grows_with_the_document_not_with_figures_times_clause(reviewer_client):
    _, small = _review(reviewer_client, pasted(10_000))
    _, large = _review(reviewer_client, pasted(40_000))
    # Four times the document (and the figures, and every clause): at most about four times
    # the page (the template text shown once); the unbounded page grew sixteen times.
    assert len(large.content) / len(small.content) < 4.2


def test_a_save_from_the_second_page_keeps_the_first_pages_figures(reviewer_client):
    url, page = _review(reviewer_client, pasted(6_000))
    second = reviewer_client.get(f"{url}?page=2").content.decode()
    numbers = [int(n) for n in re.findall(r'<tr id="figure-(\d+)"', second)]
    assert numbers and min(numbers) == REVIEW_PAGE_ROWS
    saved = reviewer_client.post(f"{url}?page=2", {"action": "save", f"bind_{numbers[0]}": "-"})
    assert saved.status_code == 302
    record = DocumentImport.objects.get(pk=int(url.rstrip("/").split("/")[-1]))
    assert record.edits == [["unbind", numbers[0]]]
