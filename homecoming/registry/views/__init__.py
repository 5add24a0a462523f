"""The registry's pages."""

from homecoming.registry.views.facilities import (
    CustodyCreateView,
    CustodyEditView,
    FacilityCreateView,
    FacilityDetailView,
    FacilityEditView,
    FacilityListView,
)
from homecoming.registry.views.family import (
    FamilyGroupCreateView,
    FamilyGroupLeaveView,
    FamilyLinkCreateView,
    FamilyLinkRemoveView,
)
from homecoming.registry.views.persons import (
    PERSON_TABS,
    PersonCreateView,
    PersonDetailView,
    PersonEditView,
    PersonListView,
    PersonPickView,
    PersonSimilarView,
)
from homecoming.registry.views.records import (
    DocumentDownloadView,
    DocumentUploadView,
    IdentifierCreateView,
    IdentifierRemoveView,
    NationalityCreateView,
    NationalityDecideView,
    PersonNameAddView,
    PersonNamePrimaryView,
    PersonNameRemoveView,
)

__all__ = [
    "PERSON_TABS",
    "CustodyCreateView",
    "CustodyEditView",
    "DocumentDownloadView",
    "DocumentUploadView",
    "FacilityCreateView",
    "FacilityDetailView",
    "FacilityEditView",
    "FacilityListView",
    "FamilyGroupCreateView",
    "FamilyGroupLeaveView",
    "FamilyLinkCreateView",
    "FamilyLinkRemoveView",
    "IdentifierCreateView",
    "IdentifierRemoveView",
    "NationalityCreateView",
    "NationalityDecideView",
    "PersonCreateView",
    "PersonDetailView",
    "PersonEditView",
    "PersonListView",
    "PersonNameAddView",
    "PersonNamePrimaryView",
    "PersonNameRemoveView",
    "PersonPickView",
    "PersonSimilarView",
]
