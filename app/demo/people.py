"""Demo students and guardians: three schools, about 600 students and 900 guardians.

Families share a surname and a preferred language; about a quarter of them prefer Spanish or
Portuguese, as in many Massachusetts districts.
"""

from __future__ import annotations

import random
import unicodedata
import uuid
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from app import clock
from app.models import EnrollmentStatus, Guardian, Guardianship, Student

SCHOOLS: list[tuple[str, list[str]]] = [
    ("Maple Street Elementary School", ["K", "1", "2", "3", "4", "5"]),
    ("Lincoln Middle School", ["6", "7", "8"]),
    ("Riverbend High School", ["9", "10", "11", "12"]),
]

FIRST_NAMES = {
    "en": [
        "Olivia",
        "Liam",
        "Emma",
        "Noah",
        "Ava",
        "Oliver",
        "Sophia",
        "Elijah",
        "Mia",
        "James",
        "Amelia",
        "William",
        "Harper",
        "Benjamin",
        "Evelyn",
        "Lucas",
        "Abigail",
        "Henry",
        "Emily",
        "Jack",
        "Ella",
        "Owen",
        "Grace",
        "Ryan",
        "Chloe",
        "Nathan",
        "Nora",
        "Caleb",
        "Lily",
        "Aiden",
    ],
    "es": [
        "Sofía",
        "Mateo",
        "Valentina",
        "Santiago",
        "Camila",
        "Sebastián",
        "Isabella",
        "Diego",
        "Lucía",
        "Alejandro",
        "Mariana",
        "Daniel",
        "Gabriela",
        "Emiliano",
        "Ximena",
        "Javier",
    ],
    "pt": [
        "Ana",
        "João",
        "Beatriz",
        "Pedro",
        "Larissa",
        "Gabriel",
        "Fernanda",
        "Rafael",
        "Júlia",
        "Thiago",
        "Mariana",
        "Lucas",
        "Camila",
        "Matheus",
        "Letícia",
        "Gustavo",
    ],
}
LAST_NAMES = {
    "en": [
        "Smith",
        "Johnson",
        "Williams",
        "Brown",
        "Murphy",
        "Sullivan",
        "O'Brien",
        "Walsh",
        "Kelly",
        "Nguyen",
        "Chen",
        "Patel",
        "Miller",
        "Davis",
        "Wilson",
        "Anderson",
        "Taylor",
        "Thomas",
        "Moore",
        "Martin",
        "Jackson",
        "Thompson",
        "White",
        "Harris",
        "Clark",
        "Lewis",
        "Robinson",
        "Walker",
        "Young",
        "King",
        "Wright",
        "Scott",
        "Green",
        "Baker",
        "Adams",
        "Nelson",
    ],
    "es": [
        "García",
        "Rodríguez",
        "Martínez",
        "Hernández",
        "López",
        "González",
        "Pérez",
        "Sánchez",
        "Ramírez",
        "Torres",
        "Flores",
        "Rivera",
        "Gómez",
        "Díaz",
        "Reyes",
        "Cruz",
        "Morales",
    ],
    "pt": [
        "Silva",
        "Santos",
        "Oliveira",
        "Souza",
        "Pereira",
        "Costa",
        "Ferreira",
        "Almeida",
        "Carvalho",
        "Gomes",
        "Ribeiro",
        "Martins",
        "Rocha",
        "Barbosa",
        "Araújo",
        "Cardoso",
    ],
}
ADULT_NAMES = {
    "en": [
        "Sarah",
        "Michael",
        "Jennifer",
        "David",
        "Jessica",
        "Christopher",
        "Ashley",
        "Matthew",
        "Amanda",
        "Joshua",
        "Megan",
        "Andrew",
        "Lauren",
        "Kevin",
        "Rachel",
        "Brian",
        "Nicole",
    ],
    "es": [
        "María",
        "José",
        "Carmen",
        "Luis",
        "Rosa",
        "Carlos",
        "Ana",
        "Jorge",
        "Patricia",
        "Miguel",
    ],
    "pt": [
        "Maria",
        "José",
        "Antônia",
        "Francisco",
        "Adriana",
        "Paulo",
        "Márcia",
        "Carlos",
        "Sandra",
    ],
}
STUDENT_TARGET = 600


def _family_language(rng: random.Random) -> str:
    roll = rng.random()
    return "es" if roll < 0.15 else "pt" if roll < 0.25 else "en"


def _email(first: str, last: str, n: int) -> str:
    # Márcia -> marcia: decompose the accents, then drop the marks.
    decomposed = unicodedata.normalize("NFKD", (first + "." + last).lower())
    ascii_name = decomposed.encode("ascii", "ignore").decode()
    return f"{ascii_name.replace(chr(39), '')}{n}@example.net"


def build_people(
    seed: int,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    rng = random.Random(seed)
    now = clock.now()
    students: list[dict[str, Any]] = []
    guardians: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    family = 0
    while len(students) < STUDENT_TARGET:
        family += 1
        lang = _family_language(rng)
        surname = rng.choice(LAST_NAMES[lang])
        adults = []
        # Within a family every first name differs (no two children called Grace Robinson).
        adult_names = rng.sample(ADULT_NAMES[lang], rng.choices([1, 2, 3], weights=[15, 65, 20])[0])
        for n, first in enumerate(adult_names):
            guardian = {
                "id": uuid.uuid4(),
                "sis_id": f"G{100000 + len(guardians)}",
                "first_name": first,
                "last_name": surname,
                "preferred_language": lang,
                "email": None if rng.random() < 0.04 else _email(first, surname, family * 10 + n),
                "created_at": now,
                "updated_at": now,
            }
            guardians.append(guardian)
            adults.append(guardian)
        for first in rng.sample(FIRST_NAMES[lang], rng.choices([1, 2, 3], weights=[70, 25, 5])[0]):
            school, grades = rng.choice(SCHOOLS)
            student = {
                "id": uuid.uuid4(),
                "sis_id": f"S{200000 + len(students)}",
                "first_name": first,
                "last_name": surname,
                "school": school,
                "grade": rng.choice(grades),
                "enrollment_status": (
                    EnrollmentStatus.unenrolled if rng.random() < 0.02 else EnrollmentStatus.enrolled
                ),
                "created_at": now,
                "updated_at": now,
            }
            students.append(student)
            for i, adult in enumerate(adults):
                links.append(
                    {
                        "id": uuid.uuid4(),
                        "student_id": student["id"],
                        "guardian_id": adult["id"],
                        # A third adult is a step-parent without educational rights
                        # (M.G.L. c.71 §34H): Steward shows them no child page.
                        "relationship": "parent" if i < 2 else "stepparent",
                        "has_educational_rights": i < 2,
                    }
                )
    return students, guardians, links


def load_people(session: Session, *, seed: int) -> dict[str, int]:
    students, guardians, links = build_people(seed)
    session.execute(insert(Student), students)
    session.execute(insert(Guardian), guardians)
    session.execute(insert(Guardianship), links)
    return {"students": len(students), "guardians": len(guardians), "guardianships": len(links)}
