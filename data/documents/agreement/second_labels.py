"""Write second-annotator.csv: the blind second labelling of sample.csv.

Labels were made by reading only sample.csv (the clause, its heading and section,
and the neighbouring clauses' text), by codebook sections 2 and 2.1, labelling the
clause's own words. They are listed here in sample order, keyed by clause_id.
"""

from __future__ import annotations

import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent
ANNOTATOR = "itunlp-second-v1"

LABELS = {
    "academic-council23-openness-paper-006": "stakeholder_participation",
    "academic-council23-openness-paper-010": "institutional_process;stakeholder_participation",
    "academic-council23-openness-paper-020": "institutional_process",
    "academic-gci-res130-brief-001": "cybersecurity;institutional_process",
    "academic-gci-res130-brief-024": "",
    "academic-pp22-citations-brief-009": "",
    "academic-pp22-citations-brief-016": "cybersecurity",
    "academic-pp22-citations-brief-033": "",
    "academic-pp22-citations-brief-035": "stakeholder_participation",
    "academic-wtdc22-paper-excerpt-001": "connectivity;institutional_process",
    "academic-wtdc22-paper-excerpt-008": "stakeholder_participation",
    "academic-wtdc22-paper-excerpt-010": "cybersecurity",
    "delegation-council23-intervention-016": "institutional_process",
    "delegation-council23-intervention-018": "",
    "delegation-pp22-plenary-statement-002": "",
    "delegation-pp22-plenary-statement-011": "cybersecurity",
    "delegation-pp22-written-contribution-005": "stakeholder_participation",
    "delegation-pp22-written-contribution-021": "space_spectrum",
    "delegation-wtdc22-committee-intervention-003": "connectivity",
    "delegation-wtdc22-committee-intervention-005": "connectivity",
    "industry-digital-business-pp22-priorities-003": "institutional_process;telecom_regulation",
    "industry-digital-business-pp22-priorities-018": "",
    "industry-member-newsletter-wtsa24-010": "institutional_process;telecom_regulation",
    "industry-member-newsletter-wtsa24-011": "",
    "industry-mobile-alliance-cwg-consultation-012": "human_rights",
    "industry-mobile-alliance-cwg-consultation-016": "cybersecurity",
    "industry-operators-ott-consultation-response-004": "connectivity",
    "industry-operators-ott-consultation-response-014": "telecom_regulation",
    "industry-sat-alliance-wrc23-position-015": "space_spectrum",
    "industry-sat-alliance-wrc23-position-022": "",
    "journalist-council23-news-010": "institutional_process",
    "journalist-council23-news-018": "internet_governance",
    "journalist-pp22-liveblog-008": "institutional_process",
    "journalist-pp22-liveblog-025": "",
    "journalist-pp22-liveblog-028": "cybersecurity",
    "journalist-pp22-liveblog-035": "institutional_process",
    "journalist-pp22-newsletter-019": "cybersecurity",
    "journalist-pp22-newsletter-021": "institutional_process;telecom_regulation",
    "journalist-pp22-newsletter-022": "",
    "journalist-wrc23-news-article-005": "institutional_process",
    "journalist-wrc23-news-article-013": "connectivity",
    "journalist-wrc23-news-article-016": "space_spectrum",
    "ngo-cwg-consultation-submission-006": "stakeholder_participation",
    "ngo-cwg-consultation-submission-007": "connectivity",
    "ngo-cwg-consultation-submission-012": "connectivity",
    "ngo-fair-share-itrs-blog-009": "telecom_regulation",
    "ngo-fair-share-itrs-blog-016": "connectivity;telecom_regulation",
    "ngo-fair-share-itrs-blog-026": "stakeholder_participation",
    "ngo-pp22-mandate-blog-013": "stakeholder_participation",
    "ngo-pp22-mandate-blog-022": "",
    "ngo-pp22-mandate-blog-028": "cybersecurity;institutional_process",
    "ngo-pp22-mandate-blog-031": "institutional_process",
    "ngo-wrc23-explainer-006": "internet_governance",
    "ngo-wrc23-explainer-007": "connectivity",
    "ngo-wrc23-explainer-015": "space_spectrum",
    "ngo-wrc23-explainer-018": "space_spectrum",
    "regional-apt-wtsa24-prep-outcome-009": "internet_governance",
    "regional-apt-wtsa24-prep-outcome-014": "cybersecurity;institutional_process",
    "regional-atu-common-proposal-res102-012": "connectivity",
    "regional-atu-common-proposal-res102-013": "internet_governance",
    "regional-citel-wrc23-proposals-005": "institutional_process;space_spectrum",
    "regional-citel-wrc23-proposals-015": "space_spectrum;stakeholder_participation",
    "regional-pacific-ministerial-declaration-008": "connectivity",
    "regional-pacific-ministerial-declaration-009": "cybersecurity",
    "secretariat-c23-summary-record-005": "institutional_process",
    "secretariat-c23-summary-record-009": "cybersecurity",
    "secretariat-c23-summary-record-015": "connectivity",
    "secretariat-cwg-internet-info-note-001": "institutional_process;internet_governance",
    "secretariat-cwg-internet-info-note-013": "human_rights",
    "secretariat-res139-progress-report-007": "connectivity",
    "secretariat-res139-progress-report-015": "connectivity",
    "secretariat-wtsa24-com4-summary-006": "institutional_process",
    "secretariat-wtsa24-com4-summary-010": "institutional_process",
    "team-debrief-memo-wtdc22-013": "internet_governance",
    "team-debrief-memo-wtdc22-021": "institutional_process",
    "team-email-c23-prep-tasks-002": "",
    "team-email-c23-prep-tasks-004": "institutional_process",
    "team-email-wrc23-week2-003": "space_spectrum",
    "team-email-wrc23-week2-018": "",
    "team-meeting-notes-pp22-day8-006": "institutional_process;internet_governance",
    "team-meeting-notes-pp22-day8-011": "cybersecurity;institutional_process",
}


def main() -> None:
    with open(HERE / "sample.csv", encoding="utf-8", newline="") as handle:
        sample = list(csv.DictReader(handle))
    assert [r["clause_id"] for r in sample] == list(LABELS), "labels out of step with sample.csv"
    columns = ["doc_id", "clause_id", "start", "end", "text", "themes", "annotator"]
    with open(HERE / "second-annotator.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in sample:
            writer.writerow(
                {
                    **{k: row[k] for k in columns[:5]},
                    "themes": LABELS[row["clause_id"]],
                    "annotator": ANNOTATOR,
                }
            )
    print(f"{len(sample)} clauses -> second-annotator.csv")


if __name__ == "__main__":
    main()
