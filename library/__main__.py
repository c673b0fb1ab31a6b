"""`python -m library`: check all content files, of every region, after an edit."""

from __future__ import annotations

from library.catalogue import ContentLibrary, region_problems
from library.parse import unfilled_facts


def main() -> int:
    """`python -m library`: check all content files, of every region, after an edit."""
    library = ContentLibrary()
    errors = library.errors()
    problems = [f"{name}: {message}" for name, message in sorted(errors.items())] + region_problems(library)
    for problem in problems:
        print(f"FOUT  {problem}")
    for name in unfilled_facts(library.facts()):
        print(f"LET OP  regio.yml: '{name}' is nog niet ingevuld")
    today = library.today()
    for region in library.regions():
        topics = library.topics(region)
        where = "" if region == library.default_region else f"[{region}] "
        for topic in sorted(topics.values(), key=lambda t: t.id):
            if not topic.related and (not where or topic.region):
                print(f"LET OP  {where}{topic.id}: noemt geen verwante onderwerpen ('related')")
        for topic in sorted(topics.values(), key=lambda t: t.review_by):
            if topic.is_overdue(today) and (not where or (topic.region and topic.regional_parts)):
                print(
                    f"VERLOPEN  {where}{topic.id}: review_by {topic.review_by} is voorbij; wordt niet getoond"
                )
        regional = sum(1 for topic in topics.values() if topic.regional_parts)
        print(
            f"{where or '[landelijk] '}{len(topics)} onderwerpen in orde"
            + (f", waarvan {regional} met regionale tekst" if where else "")
        )
    print(f"{len(library.regions())} regio's, {len(problems)} fouten.")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
