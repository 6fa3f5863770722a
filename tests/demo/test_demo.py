from collections import Counter

from sqlmodel import Session, func, select

from app.demo import has_data, load_demo
from app.models import Guardian, Guardianship, Student


def test_demo_is_a_realistic_small_district(db: Session) -> None:
    assert not has_data(db)
    summary = load_demo(db)
    assert has_data(db)
    students = db.exec(select(func.count()).select_from(Student)).one()
    guardians = db.exec(select(func.count()).select_from(Guardian)).one()
    assert summary["students"] == students and 580 <= students <= 620
    assert 800 <= guardians <= 1000
    schools = set(db.exec(select(Student.school)).all())
    assert len(schools) == 3
    languages = Counter(db.exec(select(Guardian.preferred_language)).all())
    assert set(languages) == {"en", "es", "pt"} and languages["es"] > 50 and languages["pt"] > 30
    # Every student has at least one guardian.
    orphans = db.exec(
        select(func.count()).select_from(Student).where(~Student.id.in_(select(Guardianship.student_id)))
    ).one()
    assert orphans == 0


def test_demo_is_repeatable_for_a_seed(db: Session) -> None:
    from app.demo.people import build_people

    a, _, _ = build_people(7)
    b, _, _ = build_people(7)
    assert [s["first_name"] for s in a] == [s["first_name"] for s in b]


def test_no_two_children_of_a_family_share_a_first_name() -> None:
    from app.demo.people import build_people

    students, _, links = build_people(2026)
    first_name = {s["id"]: s["first_name"] for s in students}
    children: dict[object, list[str]] = {}
    for link in links:
        children.setdefault(link["guardian_id"], []).append(first_name[link["student_id"]])
    assert any(len(names) > 1 for names in children.values())
    for names in children.values():
        assert len(names) == len(set(names)), names


def test_demo_guardian_emails_keep_the_letters_of_accented_names() -> None:
    from app.demo.people import build_people

    _, guardians, _ = build_people(2026)
    accented = [g for g in guardians if g["email"] and not g["first_name"].isascii()]
    assert accented, "the demo roster has accented names (Spanish and Portuguese families)"
    plain = str.maketrans("áàâãéêíóôõúüçñ", "aaaaeeiooouucn")
    for guardian in accented:
        local = guardian["email"].split("@")[0]
        assert local.isascii()
        assert local.startswith(guardian["first_name"].lower().translate(plain) + "."), guardian["email"]
