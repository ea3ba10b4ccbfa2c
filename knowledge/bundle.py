"""Every catalogue the bot loads at start, validated together so a bad file stops the start."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from knowledge.cases import CaseCatalog, load_cases
from knowledge.evaluation import EvaluationRules, load_evaluation
from knowledge.faq import Faq, load_faq
from knowledge.forms_of_address import FormsOfAddress, load_forms_of_address
from knowledge.record_rules import RecordRules, load_record_rules
from knowledge.record_templates import TemplateCatalog, load_record_templates
from knowledge.referrals import Referrals, load_referrals
from knowledge.reminders import ReminderSchedule, default_schedule, load_reminders
from knowledge.request_rules import RequestRules, load_request_rules
from knowledge.served_groups import ServedGroup, load_served_groups
from knowledge.services import ServiceCatalog, load_services
from knowledge.stations import StationCatalog, load_stations
from knowledge.supervision_topics import SupervisionTopic, load_supervision_topics
from knowledge.typed_answers import TypedAnswers, load_typed_answers
from knowledge.volunteer_hours import (
    VolunteerHoursRules,
    default_volunteer_hours,
    load_volunteer_hours,
)
from knowledge.volunteer_skills import SkillCatalog, load_volunteer_skills


@dataclass(frozen=True)
class Knowledge:
    stations: StationCatalog
    # Defaults (the shipped files) so code that builds a Knowledge by hand keeps working.
    services: ServiceCatalog = field(default_factory=load_services)
    volunteer_skills: SkillCatalog = field(default_factory=load_volunteer_skills)
    request_rules: RequestRules = field(default_factory=load_request_rules)
    record_templates: TemplateCatalog = field(default_factory=load_record_templates)
    record_rules: RecordRules = field(default_factory=load_record_rules)
    served_groups: tuple[ServedGroup, ...] = field(default_factory=load_served_groups)
    supervision_topics: tuple[SupervisionTopic, ...] = field(
        default_factory=load_supervision_topics
    )
    evaluation: EvaluationRules = field(default_factory=load_evaluation)
    reminders: ReminderSchedule = field(default_factory=default_schedule)
    faq: Faq = field(default_factory=lambda: load_faq(None, load_stations()))
    cases: CaseCatalog = field(default_factory=lambda: load_cases(None, load_record_templates()))
    volunteer_hours: VolunteerHoursRules = field(default_factory=default_volunteer_hours)
    forms_of_address: FormsOfAddress = field(default_factory=load_forms_of_address)
    typed_answers: TypedAnswers = field(default_factory=load_typed_answers)
    referrals: Referrals = field(default_factory=load_referrals)


def load_knowledge(directory: Path | None = None) -> Knowledge:
    """Raises `knowledge.loading.CatalogError` naming the file, entry and problem."""
    stations = load_stations(directory)
    templates = load_record_templates(directory)
    return Knowledge(
        stations=stations,
        services=load_services(directory),
        volunteer_skills=load_volunteer_skills(directory),
        request_rules=load_request_rules(directory),
        record_templates=templates,
        record_rules=load_record_rules(directory),
        served_groups=load_served_groups(directory),
        supervision_topics=load_supervision_topics(directory),
        evaluation=load_evaluation(directory),
        reminders=load_reminders(directory),
        faq=load_faq(directory, stations),
        cases=load_cases(directory, templates),
        volunteer_hours=load_volunteer_hours(directory, catalog=templates),
        forms_of_address=load_forms_of_address(directory),
        typed_answers=load_typed_answers(directory),
        referrals=load_referrals(directory),
    )
