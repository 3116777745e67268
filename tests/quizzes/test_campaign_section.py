"""The campaign page lists its quizzes: all of them for organisers, the eligible ones for members."""


def test_campaign_page_lists_its_quizzes(client_for, make_staff, make_member, make_unit, make_bank,
                                         make_question, make_quiz, make_campaign):
    bank = make_bank()
    make_question(bank, "judge")
    campaign = make_campaign()
    own_unit, other_unit = make_unit(), make_unit()
    make_quiz(campaign=campaign, banks=[bank], rules=[("judge", 1, 1)], title="全员知识竞赛")
    make_quiz(campaign=campaign, banks=[bank], rules=[("judge", 1, 1)], title="他单位专场",
              eligible_units=[other_unit])
    make_quiz(campaign=campaign, banks=[bank], rules=[("judge", 1, 1)], title="草稿竞赛", published=False)
    make_quiz(banks=[bank], rules=[("judge", 1, 1)], title="别的活动的竞赛")

    member_page = client_for(make_member(unit=own_unit)).get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "全员知识竞赛" in member_page
    assert "他单位专场" not in member_page
    assert "草稿竞赛" not in member_page
    assert "别的活动的竞赛" not in member_page

    organiser_page = client_for(make_staff("organiser")).get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    for title in ("全员知识竞赛", "他单位专场", "草稿竞赛"):
        assert title in organiser_page
    assert "别的活动的竞赛" not in organiser_page
