"""Whatever a clerk types into the entry form, the portal answers with a page, never a 500;
a refused row changes nothing, and nothing is submitted while a row is refused."""

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.demo import DEMO_PASSWORD
from metrics.models import Figure

typed = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["NaN", "Infinity", "-1", "1e400", "1,000", "１２", "98.5%", "0.00001", " ", "9" * 40]
    ),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=st.lists(typed, min_size=2, max_size=2),
    action=st.sampled_from(["save", "submit", "force"]),
)
def test_entry_form_never_fails_on_what_is_typed(client, demo_data, values, action):
    client.login(username="clerk_gaj", password=DEMO_PASSWORD)
    before = _figures()
    response = client.post(
        "/entry/2026/",
        {
            "value-grass_patrol_townships": values[0],
            "value-grass_patrol_min_size": values[1],
            "remark-grass_patrol_townships": values[1],
            "action": action,
        },
    )
    assert response.status_code in (200, 302)
    if response.status_code == 200:  # refused: the page comes back with what was typed
        page = response.content.decode()
        after = _figures()
        if "草稿已保存，但未能报送" not in page:
            # Rows were refused: they are stored as before, the valid one is saved, and
            # nothing is submitted.
            assert re.search(r"已保存 [01] 项；[12] 项未保存，请按提示修改标红的项目", page)
            refused = re.findall(r'<tbody id="row-(\w+)" class="figure-row has-errors', page)
            assert refused
            for code in refused:
                assert {f for f in after if f[0] == code} == {f for f in before if f[0] == code}
            assert not {f for f in after - before if f[2] != "draft"}
    Figure.objects.filter(indicator__department__code="gaj").delete()


def _figures():
    return {
        (code, str(value), status, version)
        for code, value, status, version in Figure.objects.values_list(
            "indicator__code", "value", "status", "version"
        )
    }
