# ruff: noqa: E501  (letter prose: the paragraphs read better unbroken than re-wrapped)
"""The fixed paragraphs of the resident notice in English, Spanish and Portuguese (93H §3(b), §3A).

They carry the statutory items, so every language says all of them. Nothing here describes the
breach or counts the people affected: 93H §3(b) forbids both in a resident notice.
"""

from __future__ import annotations

from datetime import date

BUREAUS = (
    "Equifax: www.equifax.com/personal/credit-report-services, 1-888-298-0045; "
    "Experian: www.experian.com/freeze, 1-888-397-3742; "
    "TransUnion: www.transunion.com/credit-freeze, 1-888-909-8872."
)

RESIDENT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Notice about your personal information",
        "greeting": "Dear Parent, Guardian or Employee,",
        "intro": (
            "We are writing to let you know about an incident that may involve your personal information "
            "held by {entity}, and about steps you can take to protect yourself."
        ),
        "police_report": (
            "You have the right to obtain a police report about this incident. If you are the victim of "
            "identity theft, you also have the right to file a police report and obtain a copy of it."
        ),
        "freeze_how": (
            "Massachusetts law gives you the right to place a security freeze on your consumer reports. A "
            "freeze stops a consumer reporting agency from releasing your credit report without your "
            "permission. There is no charge to place, lift or remove a security freeze. To place one, contact "
            "each of the three major consumer reporting agencies online, by phone or by mail: " + BUREAUS
        ),
        "freeze_information": (
            "To request a security freeze you may need to provide: your full name, with middle initial and "
            "any suffix; your Social Security number; your date of birth; the addresses where you have lived "
            "in the past five years; proof of your current address, such as a utility or telephone bill; a "
            "copy of a government-issued identity card; and, if you are a victim of identity theft, a copy of "
            "the police report, investigative report or complaint to a law enforcement agency."
        ),
        "credit": (
            "We are offering you {months} months of credit monitoring at no cost, through {provider}. "
            "To enrol: {enrollment}"
        ),
        "contact": "If you have questions, please contact: {contact}",
        "parent": "This notice is sent by {entity}, part of {parent}.",
        "closing": "Sincerely,",
    },
    "es": {
        "title": "Aviso sobre su información personal",
        "greeting": "Estimado padre, madre, tutor o empleado:",
        "intro": (
            "Le escribimos para informarle de un incidente que puede afectar a su información personal en "
            "poder de {entity}, y de las medidas que puede tomar para protegerse."
        ),
        "police_report": (
            "Usted tiene derecho a obtener un informe policial sobre este incidente. Si es víctima de robo de "
            "identidad, también tiene derecho a presentar una denuncia policial y a obtener una copia."
        ),
        "freeze_how": (
            "La ley de Massachusetts le da derecho a solicitar un congelamiento de seguridad de sus informes "
            "de crédito. El congelamiento impide que una agencia de informes de crédito divulgue su informe "
            "sin su permiso. Colocar, levantar o eliminar un congelamiento de seguridad no tiene ningún costo. "
            "Para solicitarlo, comuníquese con cada una de las tres principales agencias de informes de "
            "crédito, por internet, por teléfono o por correo: " + BUREAUS
        ),
        "freeze_information": (
            "Para solicitar un congelamiento de seguridad es posible que deba proporcionar: su nombre completo, "
            "con la inicial del segundo nombre y cualquier sufijo; su número de Seguro Social; su fecha de "
            "nacimiento; las direcciones donde ha vivido en los últimos cinco años; un comprobante de su "
            "dirección actual, como una factura de servicios o de teléfono; una copia de un documento de "
            "identidad oficial; y, si es víctima de robo de identidad, una copia del informe policial, del "
            "informe de investigación o de la denuncia ante las autoridades."
        ),
        "credit": (
            "Le ofrecemos {months} meses de monitoreo de crédito sin costo, a través de {provider}. "
            "Para inscribirse: {enrollment}"
        ),
        "contact": "Si tiene preguntas, comuníquese con: {contact}",
        "parent": "Este aviso lo envía {entity}, que forma parte de {parent}.",
        "closing": "Atentamente,",
    },
    "pt": {
        "title": "Aviso sobre as suas informações pessoais",
        "greeting": "Prezado pai, mãe, responsável ou funcionário,",
        "intro": (
            "Escrevemos para informar sobre um incidente que pode envolver as suas informações pessoais "
            "mantidas por {entity}, e sobre as medidas que pode tomar para se proteger."
        ),
        "police_report": (
            "Você tem o direito de obter um boletim de ocorrência policial sobre este incidente. Se for "
            "vítima de roubo de identidade, também tem o direito de registrar uma ocorrência e obter uma cópia."
        ),
        "freeze_how": (
            "A lei de Massachusetts dá a você o direito de solicitar um bloqueio de segurança dos seus "
            "relatórios de crédito. O bloqueio impede que uma agência de crédito divulgue o seu relatório sem "
            "a sua autorização. Não há custo para colocar, suspender ou remover um bloqueio de segurança. Para "
            "solicitá-lo, entre em contato com cada uma das três principais agências de crédito, pela "
            "internet, por telefone ou por correio: " + BUREAUS
        ),
        "freeze_information": (
            "Para solicitar um bloqueio de segurança, poderá ser necessário fornecer: o seu nome completo, com "
            "a inicial do nome do meio e qualquer sufixo; o seu número de Seguro Social; a sua data de "
            "nascimento; os endereços onde morou nos últimos cinco anos; um comprovante do endereço atual, como "
            "uma conta de luz ou de telefone; uma cópia de um documento de identidade oficial; e, se for vítima "
            "de roubo de identidade, uma cópia do boletim de ocorrência, do relatório de investigação ou da "
            "queixa apresentada às autoridades."
        ),
        "credit": (
            "Oferecemos {months} meses de monitoramento de crédito sem custo, por meio de {provider}. "
            "Para se inscrever: {enrollment}"
        ),
        "contact": "Em caso de dúvidas, entre em contato com: {contact}",
        "parent": "Este aviso é enviado por {entity}, parte de {parent}.",
        "closing": "Atenciosamente,",
    },
}
LANGUAGES = tuple(RESIDENT)

MONTHS = {
    "es": (
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ),
    "pt": (
        "janeiro",
        "fevereiro",
        "março",
        "abril",
        "maio",
        "junho",
        "julho",
        "agosto",
        "setembro",
        "outubro",
        "novembro",
        "dezembro",
    ),
}


def letter_date(day: date, language: str) -> str:
    """The date as a reader of that language writes it: March 2, 2026 / 2 de marzo de 2026."""
    if language in MONTHS:
        return f"{day.day} de {MONTHS[language][day.month - 1]} de {day.year}"
    return f"{day:%B} {day.day}, {day.year}"
