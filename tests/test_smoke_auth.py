def test_login_logout(client, make_member):
    member = make_member(name="张三")
    response = client.post("/login", data={"login": member.staff_id, "password": "Passw0rd2026"})
    assert response.status_code == 302
    page = client.get("/")
    assert "张三" in page.get_data(as_text=True)
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302
