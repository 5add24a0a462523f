"""Every write of the registry. Each service validates, calls ``full_clean()``, saves, and writes
its audit entry in the same transaction. Access is the caller's business (views and the API call
``core.access`` first); ``person_create`` checks that the user may register persons for the
owner agency.

Import from here: ``from homecoming.registry import services``; ``services.person_create(...)``.
"""

from homecoming.registry.services.documents import document_add
from homecoming.registry.services.facilities import (
    CUSTODY_FIELDS,
    FACILITY_FIELDS,
    CustodyInput,
    custody_bulk_create,
    custody_create,
    custody_update,
    facility_create,
    facility_update,
)
from homecoming.registry.services.family import (
    family_group_create,
    family_group_member_add,
    family_group_member_remove,
    family_link_add,
    family_link_remove,
)
from homecoming.registry.services.persons import (
    PERSON_FIELDS,
    BulkItemError,
    IdentifierInput,
    NameInput,
    PersonInput,
    identifier_add,
    identifier_remove,
    identifier_value_key,
    identifiers_bulk_add,
    name_keys_rebuild,
    nationality_claim_add,
    nationality_claim_decide,
    person_create,
    person_name_add,
    person_name_remove,
    person_name_set_primary,
    person_name_update,
    person_names_index_unchecked,
    person_share,
    person_update,
    persons_bulk_create,
)

__all__ = [
    "CUSTODY_FIELDS",
    "FACILITY_FIELDS",
    "PERSON_FIELDS",
    "BulkItemError",
    "CustodyInput",
    "IdentifierInput",
    "NameInput",
    "PersonInput",
    "custody_bulk_create",
    "custody_create",
    "custody_update",
    "document_add",
    "facility_create",
    "facility_update",
    "family_group_create",
    "family_group_member_add",
    "family_group_member_remove",
    "family_link_add",
    "family_link_remove",
    "identifier_add",
    "identifier_remove",
    "identifier_value_key",
    "identifiers_bulk_add",
    "name_keys_rebuild",
    "nationality_claim_add",
    "nationality_claim_decide",
    "person_create",
    "person_name_add",
    "person_name_remove",
    "person_name_set_primary",
    "person_name_update",
    "person_names_index_unchecked",
    "person_share",
    "person_update",
    "persons_bulk_create",
]
