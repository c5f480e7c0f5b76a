"""General layout rules found on held-out text (issue 11, round 2).

Each rule comes from a class of real-world layout, not from one file; each test
runs it on a small text written for it here.
"""

from __future__ import annotations

from itunlp.segmenter import LayoutState, split_into_clauses


def texts(text: str) -> list[str]:
    return [c.text for c in split_into_clauses(text)]


# ------------------------------------------------------------- sentence ends


def test_reference_abbreviation_before_a_plain_word_ends_the_sentence() -> None:
    text = "Will the fee rise? No. Several members oppose it."
    assert texts(text) == ["Will the fee rise?", "No.", "Several members oppose it."]


def test_reference_abbreviation_before_a_number_or_code_does_not() -> None:
    assert texts("See No. 5 of the list and Doc. PP22/61 for details.") == [
        "See No. 5 of the list and Doc. PP22/61 for details."
    ]
    assert len(texts("This follows Rec. ITU-T X.1205 closely.")) == 1


def test_month_abbreviation_before_a_name_ends_the_sentence() -> None:
    text = "The next drafting call is in Jan. Maria will chair it."
    assert texts(text) == ["The next drafting call is in Jan.", "Maria will chair it."]


def test_lower_case_docs_before_i_ends_the_sentence() -> None:
    text = "We only received the draft docs. I asked for the annexes."
    assert texts(text) == ["We only received the draft docs.", "I asked for the annexes."]


# ------------------------------------------------------------- connectives


def test_verbless_though_tail_stays_whole() -> None:
    text = "The new index is likely to be more robust, though perhaps less detailed."
    assert texts(text) == [text]


def test_parallel_wh_object_stays_whole() -> None:
    text = "The note reviews what was agreed, and what was deferred, at the last meeting."
    assert texts(text) == [text]


def test_participle_adjective_before_subject_and_verb_splits() -> None:
    text = (
        "Newcomers asked for simpler filing procedures for their small satellites, "
        "while experienced national administrations defended the current queue."
    )
    assert len(texts(text)) == 2
    assert texts(text)[1].startswith("while experienced")


def test_demonstrative_that_with_singular_noun_splits() -> None:
    text = "The budget was agreed on the last day of the session, and that outcome was a relief."
    assert texts(text)[1] == "and that outcome was a relief."


def test_focus_adverb_after_colon_splits() -> None:
    text = (
        "Two readings of the text are possible: only the second one gives the "
        "Bureau a budget line for the work."
    )
    assert texts(text) == [
        "Two readings of the text are possible:",
        "only the second one gives the Bureau a budget line for the work.",
    ]


def test_short_label_in_a_bulleted_note_stays_with_its_item() -> None:
    text = "Notes from Tuesday\n\n- Budget: the committee approved the ceiling, 12 votes to 3.\n"
    assert texts(text) == ["Budget: the committee approved the ceiling, 12 votes to 3."]


def test_short_label_in_prose_still_splits() -> None:
    text = "One surprise: the committee approved the ceiling without a vote."
    assert texts(text) == ["One surprise:", "the committee approved the ceiling without a vote."]


# ------------------------------------------------------------- titles in prose


def test_question_headings_of_an_faq_are_not_clauses() -> None:
    text = (
        "Who runs the registry?\n\n"
        "A small team in the Bureau keeps the registry and answers questions from members.\n\n"
        "How often is it updated?\n\n"
        "The team publishes a new edition every quarter, with a list of the changes made.\n"
    )
    assert texts(text) == [
        "A small team in the Bureau keeps the registry and answers questions from members.",
        "The team publishes a new edition every quarter, with a list of the changes made.",
    ]


def test_a_single_question_put_to_the_reader_is_a_clause() -> None:
    text = (
        "Could you check the figures before Monday?\n\n"
        "I have attached the spreadsheet and the notes from the last call with the Bureau.\n"
    )
    assert texts(text)[0] == "Could you check the figures before Monday?"


def test_numbered_question_subtitle_is_not_a_clause() -> None:
    text = (
        "Training stays popular with the members.\n\n"
        "2. Regional offices: what do they add?\n\n"
        "The offices organise most of the workshops held in the regions.\n"
    )
    assert texts(text) == [
        "Training stays popular with the members.",
        "The offices organise most of the workshops held in the regions.",
    ]


def test_numbered_questions_in_a_list_stay_clauses() -> None:
    text = (
        "Points to raise\n\n"
        "1. Who will pay for the new study group?\n"
        "2. When will the Bureau report on it?\n\n"
        "Next meeting\n\n"
        "- The group meets again in March.\n"
    )
    assert texts(text) == [
        "Who will pay for the new study group?",
        "When will the Bureau report on it?",
        "The group meets again in March.",
    ]


def test_headline_and_standfirst_are_not_clauses() -> None:
    text = (
        "Regulators agree spectrum roadmap after long talks\n"
        "Smaller states win a review clause; operators say the plan is too slow\n\n"
        "The meeting ended late on Friday with a text that all delegations accepted.\n"
    )
    assert texts(text) == [
        "The meeting ended late on Friday with a text that all delegations accepted."
    ]


def test_headline_rule_applies_to_the_first_block_only() -> None:
    state = LayoutState(started=True)
    text = (
        "the working group continues its review of the draft texts and of the comments "
        "received; members send further input on the annex and on the glossary through "
        "the online platform that the secretariat opened for this purpose last week\n\n"
        "It ends in May.\n"
    )
    assert split_into_clauses(text, state=state)[0].text == (
        "the working group continues its review of the draft texts and of the comments received;"
    )


def test_short_label_line_over_a_paragraph_is_a_title() -> None:
    text = (
        "The review is complete.\n\n"
        "Decision needed\n"
        "The committee is asked to approve the revised plan.\n"
    )
    assert texts(text) == [
        "The review is complete.",
        "The committee is asked to approve the revised plan.",
    ]


def test_long_numbered_agenda_title_is_not_a_clause() -> None:
    text = (
        "3\tReview of Resolution 12 – Cooperation among the regional offices of the Union "
        "(Document C/44)\n\n"
        "3.1\tThe Chair opened the discussion of the draft.\n"
    )
    assert texts(text) == ["The Chair opened the discussion of the draft."]


def test_signature_initial_is_not_a_clause() -> None:
    text = "Please send your comments by Thursday.\n\nBest,\n\nK.\n"
    assert texts(text) == ["Please send your comments by Thursday."]


def test_dateline_with_agency_and_without_date() -> None:
    text = (
        "NAIROBI (Wire Desk) – Ministers from the region signed a joint statement on Monday.\n\n"
        "LONDON – The event was followed online by many observers.\n"
    )
    assert texts(text) == [
        "Ministers from the region signed a joint statement on Monday.",
        "The event was followed online by many observers.",
    ]


def test_acronym_with_hyphen_is_no_dateline() -> None:
    text = "ITU-T – the standardization sector – met in Geneva."
    assert texts(text) == [text]


# ------------------------------------------------------------- furniture


def test_byline_refresh_and_email_lines_are_furniture() -> None:
    text = (
        "Refresh for the latest.\n\n"
        "The plenary resumed after the break.\n\n"
        "Questions may be sent to the team.\n"
        "team@example.org\n\n"
        "Additional reporting by Lee Park.\n"
    )
    assert texts(text) == [
        "The plenary resumed after the break.",
        "Questions may be sent to the team.",
    ]


def test_reporting_by_in_a_sentence_is_not_furniture() -> None:
    text = "Reporting by the Member States on this work is voluntary.\n"
    assert texts(text) == [text.strip()]


def test_running_footer_with_page_column_glued_to_text() -> None:
    body = "to keep the\nregister up to date and to publish it every year;\n"
    pages = []
    for n in (7, 8, 9):
        pages.append(
            f"{n}\tto review the item number {n} in detail;\n"
            f"Annual Report 2024                              {n + 40}\n"
        )
    text = "resolves\n\n" + "".join(pages) + "4\t" + body
    got = texts(text)
    assert all("Annual Report" not in t for t in got)
    assert got[-1] == "to keep the\nregister up to date and to publish it every year;"


def test_no_sentence_cut_inside_furniture_a_clause_spans() -> None:
    text = (
        "instructs the Secretary-General\n\n"
        "1\tto submit to the Council a yearly report on the activities carried out,\n"
        "__________\n"
        "1 Including small island developing states.\n"
        "Final Acts                                   31\n\n"
        "and to publish that report;\n"
        "2\tto inform the Members.\n"
    )
    got = texts(text)
    assert got[0].startswith("to submit") and got[0].endswith("and to publish that report;")
    assert got[1] == "to inform the Members."


# ------------------------------------------------------------- items and provisions


def test_unmarked_to_line_after_semicolon_is_a_new_item() -> None:
    text = (
        "instructs the Director\n\n"
        "1 to support the regional\n"
        "initiatives on this subject;\n"
        "to report each year on the progress made;\n"
        "to cooperate with the other Bureaux.\n"
    )
    assert texts(text) == [
        "to support the regional\ninitiatives on this subject;",
        "to report each year on the progress made;",
        "to cooperate with the other Bureaux.",
    ]


def test_provision_numbers_of_an_inserted_article() -> None:
    text = (
        "ARTICLE 4bis\n"
        "Emergency services\n\n"
        "4bis.1\tOperating agencies shall give priority to emergency calls.\n"
        "4bis.2\tMember States should share alerts across borders.\n"
    )
    rows = [(c.text, c.section) for c in split_into_clauses(text)]
    assert rows == [
        ("Operating agencies shall give priority to emergency calls.", "Article 4bis"),
        ("Member States should share alerts across borders.", "Article 4bis"),
    ]


def test_margin_provision_number_before_paragraph_numbers() -> None:
    text = (
        "ARTICLE 9\n"
        "Use of the spectrum\n\n"
        "95  1  (1)  Each Member State shall keep its stations efficient.\n"
        "96     (2)  Stations shall use the least power needed.\n"
        "240  1  Members shall report cases of interference.\n"
    )
    assert texts(text) == [
        "Each Member State shall keep its stations efficient.",
        "Stations shall use the least power needed.",
        "Members shall report cases of interference.",
    ]


def test_paragraph_number_in_a_margin_before_an_item_number() -> None:
    text = (
        "resolves\n\n7   1  that the offices shall meet yearly;\n8   2  that they shall report.\n"
    )
    assert texts(text) == ["that the offices shall meet yearly;", "that they shall report."]


def test_a_number_after_a_marker_with_one_space_stays() -> None:
    text = "resolves\n\n1  20 per cent of the fund shall go to the regions;\n"
    assert texts(text) == ["20 per cent of the fund shall go to the regions;"]


def test_running_head_with_a_prefix_is_furniture() -> None:
    text = (
        "CV/Art. 12\n"
        "112  1  The Board shall meet twice a year.\n"
        "CV/Art. 13\n"
        "113  1  The Board shall elect its chair.\n"
    )
    assert texts(text) == [
        "The Board shall meet twice a year.",
        "The Board shall elect its chair.",
    ]


def test_cookie_banner_and_last_updated_lines_are_furniture() -> None:
    text = (
        "We use cookies to give you the best experience. Accept all cookies\n"
        "Last reviewed 2 May 2024\n\n"
        "The workshop takes place in Lima.\n"
        "Page last updated: 3 May 2024\n"
    )
    assert texts(text) == ["The workshop takes place in Lima."]


def test_short_paragraph_keeps_its_sentence_before_an_unterminated_last_line() -> None:
    text = "The committee endorsed the plan.\nPosted by the communications team\n"
    assert texts(text) == ["The committee endorsed the plan."]


def test_footnote_without_a_rule_at_the_foot_of_a_page() -> None:
    text = (
        "resolves\n\n"
        "1 to support small states2 in their planning;\n"
        "2 to report to the Council.\n\n"
        "2 Including small island developing states.\n\n"
        "- 7 -\n"
    )
    assert texts(text) == [
        "to support small states2 in their planning;",
        "to report to the Council.",
    ]


def test_numbered_line_without_a_glued_mark_is_no_footnote() -> None:
    text = "Results\n\nThe vote was close.\n\n2 Delegations abstained in the final vote.\n\n- 7 -\n"
    assert texts(text)[-1].endswith("Delegations abstained in the final vote.")


def test_second_that_clause_of_a_list_stays_whole() -> None:
    text = "The delegate argued that the fund was too small, and that support is still needed."
    assert texts(text) == [text]


def test_requests_in_an_email_are_not_question_headings() -> None:
    text = (
        "Could you share the final list of speakers?\n\n"
        "The organisers asked for it twice this week and the programme goes to print soon.\n\n"
        "And can you confirm the room booking?\n\n"
        "Last year the room was given away because nobody confirmed it in time.\n"
    )
    got = texts(text)
    assert "Could you share the final list of speakers?" in got
    assert "And can you confirm the room booking?" in got


def test_dateline_with_an_abbreviated_month() -> None:
    text = "NAIROBI, 9 Mar. 2024 – The regional forum opened with a call for investment.\n"
    assert texts(text) == ["The regional forum opened with a call for investment."]


def test_capitalised_heading_with_addressee_before_a_blank_line_and_items() -> None:
    text = (
        "RESOLUTION 9 (REV. LIMA, 2024)\n\nRegional offices\n\nThe Council,\n\n"
        "Instructs the Director of the Bureau, in consultation with the regional offices,\n\n"
        "1 to review the staffing;\n\n2 to report.\n"
    )
    functions = {c.function for c in split_into_clauses(text)}
    assert functions == {
        "instructs the director of the bureau, in consultation with the regional offices"
    }


def test_new_heading_words_from_the_data_file() -> None:
    text = (
        "RESOLUTION 9 (REV. LIMA, 2024)\n\nRegional offices\n\nThe Council,\n\n"
        "keeping in mind\n\na) that the offices are small;\n\n"
        "expresses its appreciation\n\nto the host country.\n"
    )
    rows = [(c.function, c.part) for c in split_into_clauses(text)]
    assert rows == [("keeping in mind", "preamble"), ("expresses its appreciation", "operative")]


def test_title_case_section_line_with_revision_tag_and_dash_title() -> None:
    text = (
        "Resolution 48 (Rev. Lima, 2024) – Training for regional staff\n\n"
        "The Council,\n\nresolves\n\n1 to fund the courses.\n"
    )
    rows = [(c.section, c.section_title) for c in split_into_clauses(text)]
    assert rows == [("Resolution 48", "Training for regional staff")]


def test_title_case_resolution_in_a_commentary_heading_is_no_section() -> None:
    text = "Resolution 48: modest, but welcome\n\nThe text asks for more courses.\n"
    assert [c.section for c in split_into_clauses(text)] == [""]


def test_numbered_question_title_over_its_own_sub_title() -> None:
    text = (
        "3. Who pays for the offices?\n\n"
        "3.1 The budget lines\n\n"
        "The offices are paid from the regular budget of the Union.\n"
    )
    assert texts(text) == ["The offices are paid from the regular budget of the Union."]


def test_markdown_heading_lines_are_titles() -> None:
    text = (
        "## Who chairs the group?\n\n"
        "The chair is elected for four years.\n\n"
        "### Background\n"
        "The group was set up in 2010.\n"
    )
    assert texts(text) == ["The chair is elected for four years.", "The group was set up in 2010."]


def test_numbered_label_glued_to_its_paragraph_is_a_title() -> None:
    text = "1. Purpose\nThis note explains the new fee.\n\n2. Next steps\nMembers may comment.\n"
    assert texts(text) == ["This note explains the new fee.", "Members may comment."]


def test_page_number_inside_an_item_does_not_drop_its_first_part() -> None:
    text = (
        "resolves\n\n1 to help the countries in closing the\n\n14\n\n"
        "gap in skills;\n\n2 to report.\n"
    )
    got = texts(text)
    assert got[0].startswith("to help the countries") and got[0].endswith("gap in skills;")
    assert got[1] == "to report."


def test_footnote_mark_after_a_bracket() -> None:
    text = (
        "The Board adopted the plan (see the annex)1 and the budget2.\n\n"
        "1 The annex is on the website.\n"
        "2 For two years.\n\n"
        "Page 2 of 5\n"
    )
    assert texts(text) == ["The Board adopted the plan (see the annex)1 and the budget2."]
