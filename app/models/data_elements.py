"""The controlled catalogue of student data elements, after the Schedule of Data of the
Student Data Privacy Consortium's agreements. Vendors, DPAs, consent requests and disclosures
all name data elements from this one list."""

from __future__ import annotations


def N_(message: str) -> str:
    """Marks a label for the page catalogues (pages show it with the ``t`` filter)."""
    return message


DATA_ELEMENTS: dict[str, str] = {
    "student_name": N_("Student name"),
    "student_id": N_("Student ID (local or state)"),
    "school": N_("School"),
    "grade": N_("Grade level"),
    "class_roster": N_("Classes, teachers and rosters"),
    "student_email": N_("Student school email address"),
    "login_credentials": N_("Usernames and passwords for the tool"),
    "guardian_name": N_("Parent or guardian name"),
    "guardian_contact": N_("Parent or guardian email, phone or address"),
    "assessment": N_("Assessment and test results"),
    "grades_transcript": N_("Grades and transcripts"),
    "attendance": N_("Attendance"),
    "schedule": N_("Course schedule"),
    "student_work": N_("Student work (assignments, files, recordings)"),
    "behavior": N_("Conduct and discipline records"),
    "special_education": N_("Special education and 504 information"),
    "english_learner": N_("English learner status"),
    "demographics": N_("Demographics (race, ethnicity, language)"),
    "health": N_("Health information"),
    "device_usage": N_("Device, app usage and IP address data"),
    "location": N_("Precise location"),
    "photo_video": N_("Photos, video or voice"),
    "messages": N_("Messages and communications"),
}

GRADE_BANDS: dict[str, str] = {
    "pk_2": "Pre-K to grade 2",
    "3_5": "Grades 3 to 5",
    "6_8": "Grades 6 to 8",
    "9_12": "Grades 9 to 12",
}

# The same catalogue in the families' languages (consent emails and paper forms).
DATA_ELEMENTS_ES: dict[str, str] = {
    "student_name": "Nombre del estudiante",
    "student_id": "Número de estudiante (local o estatal)",
    "school": "Escuela",
    "grade": "Grado",
    "class_roster": "Clases, maestros y listas de clase",
    "student_email": "Correo electrónico escolar del estudiante",
    "login_credentials": "Usuarios y contraseñas de la herramienta",
    "guardian_name": "Nombre del padre, madre o tutor",
    "guardian_contact": "Correo, teléfono o dirección del padre, madre o tutor",
    "assessment": "Resultados de evaluaciones y exámenes",
    "grades_transcript": "Calificaciones y expedientes académicos",
    "attendance": "Asistencia",
    "schedule": "Horario de clases",
    "student_work": "Trabajos del estudiante (tareas, archivos, grabaciones)",
    "behavior": "Registros de conducta y disciplina",
    "special_education": "Información de educación especial y plan 504",
    "english_learner": "Condición de estudiante de inglés",
    "demographics": "Datos demográficos (raza, etnia, idioma)",
    "health": "Información de salud",
    "device_usage": "Datos de uso de dispositivos y aplicaciones, y dirección IP",
    "location": "Ubicación precisa",
    "photo_video": "Fotos, video o voz",
    "messages": "Mensajes y comunicaciones",
}
DATA_ELEMENTS_PT: dict[str, str] = {
    "student_name": "Nome do aluno",
    "student_id": "Número do aluno (local ou estadual)",
    "school": "Escola",
    "grade": "Série",
    "class_roster": "Turmas, professores e listas de alunos",
    "student_email": "E-mail escolar do aluno",
    "login_credentials": "Usuários e senhas da ferramenta",
    "guardian_name": "Nome do pai, mãe ou responsável",
    "guardian_contact": "E-mail, telefone ou endereço do pai, mãe ou responsável",
    "assessment": "Resultados de avaliações e provas",
    "grades_transcript": "Notas e históricos escolares",
    "attendance": "Frequência",
    "schedule": "Horário das aulas",
    "student_work": "Trabalhos do aluno (tarefas, arquivos, gravações)",
    "behavior": "Registros de conduta e disciplina",
    "special_education": "Informações de educação especial e plano 504",
    "english_learner": "Situação de aluno aprendendo inglês",
    "demographics": "Dados demográficos (raça, etnia, idioma)",
    "health": "Informações de saúde",
    "device_usage": "Dados de uso de dispositivos e aplicativos, e endereço IP",
    "location": "Localização precisa",
    "photo_video": "Fotos, vídeo ou voz",
    "messages": "Mensagens e comunicações",
}


def data_element_labels(language: str) -> dict[str, str]:
    """The catalogue in ``language`` (English for a language we do not write)."""
    return {"es": DATA_ELEMENTS_ES, "pt": DATA_ELEMENTS_PT}.get(language, DATA_ELEMENTS)
