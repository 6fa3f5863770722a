"""The controlled catalogue of student data elements, after the Schedule of Data of the
Student Data Privacy Consortium's agreements. Vendors, DPAs, consent requests and disclosures
all name data elements from this one list."""

from __future__ import annotations

DATA_ELEMENTS: dict[str, str] = {
    "student_name": "Student name",
    "student_id": "Student ID (local or state)",
    "school": "School",
    "grade": "Grade level",
    "class_roster": "Classes, teachers and rosters",
    "student_email": "Student school email address",
    "login_credentials": "Usernames and passwords for the tool",
    "guardian_name": "Parent or guardian name",
    "guardian_contact": "Parent or guardian email, phone or address",
    "assessment": "Assessment and test results",
    "grades_transcript": "Grades and transcripts",
    "attendance": "Attendance",
    "schedule": "Course schedule",
    "student_work": "Student work (assignments, files, recordings)",
    "behavior": "Conduct and discipline records",
    "special_education": "Special education and 504 information",
    "english_learner": "English learner status",
    "demographics": "Demographics (race, ethnicity, language)",
    "health": "Health information",
    "device_usage": "Device, app usage and IP address data",
    "location": "Precise location",
    "photo_video": "Photos, video or voice",
    "messages": "Messages and communications",
}

GRADE_BANDS: dict[str, str] = {
    "pk_2": "Pre-K to grade 2",
    "3_5": "Grades 3 to 5",
    "6_8": "Grades 6 to 8",
    "9_12": "Grades 9 to 12",
}
