from accounts.demo import DEMO_PASSWORD


def test_login_page_is_chinese(client, db):
    response = client.get("/login/")
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_wrong_password_says_so_in_chinese(client, demo_data):
    response = client.post("/login/", {"username": "leader", "password": "wrong"})
    assert "用户名或密码不正确" in response.content.decode()


def test_home_requires_login(client, db):
    response = client.get("/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_clerk_home_shows_what_is_left_to_fill(client, demo_data):
    assert client.login(username="clerk_sfj", password=DEMO_PASSWORD)
    page = client.get("/").content.decode()
    assert "区司法局 · 2026年度" in page
    assert "待填 2 项" in page  # edu_culture_signs, edu_publicity_panels
    assert "2026年12月15日" in page


def test_clerk_home_shows_only_own_department(client, demo_data):
    assert client.login(username="clerk_gaj", password=DEMO_PASSWORD)
    page = client.get("/").content.decode()
    assert "组建专职巡逻队的乡镇" in page
    assert "受理行政复议案件" not in page


def test_leader_lands_on_the_dashboard(client, demo_data):
    assert client.login(username="leader", password=DEMO_PASSWORD)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/dashboard/"


def test_admin_home_shows_progress_by_department(client, demo_data, django_assert_max_num_queries):
    assert client.login(username="admin", password=DEMO_PASSWORD)
    with django_assert_max_num_queries(12):
        page = client.get("/").content.decode()
    for name in ("区司法局", "公安分局", "区委宣传部"):
        assert name in page


def test_admin_lists_catalogue_and_figures(client, demo_data):
    assert client.login(username="admin", password=DEMO_PASSWORD)
    assert "biz_review_cases_received" in client.get("/admin/metrics/indicator/").content.decode()
    assert client.get("/admin/metrics/figure/?period__id__exact=1").status_code == 200
    page = client.get("/admin/metrics/figure/").content.decode()
    assert "受理行政复议案件" in page


def test_admin_has_every_model_with_chinese_names(client, demo_data):
    from django.apps import apps
    from django.contrib import admin

    assert client.login(username="admin", password=DEMO_PASSWORD)
    for app_label in ("metrics", "reports"):
        for model in apps.get_app_config(app_label).get_models():
            if model.__name__.startswith("Historical"):
                continue  # shown through each model's history page
            assert model in admin.site._registry, model
            name = str(model._meta.verbose_name)
            assert any("\u4e00" <= ch <= "\u9fff" for ch in name), model
            url = f"/admin/{app_label}/{model._meta.model_name}/"
            assert client.get(url).status_code == 200, url
