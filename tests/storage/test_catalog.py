"""The catalog on both databases: SQLite (a file in tmp_path) and PostgreSQL (a schema of
its own per test in a database made for the session; skipped only if no server)."""

from __future__ import annotations

import json
import secrets
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from sohoa.storage.catalog import (
    Catalog,
    CatalogConflict,
    catalog_url,
    head_revision,
)
from sohoa.storage.catalog.database import alembic_config
from sohoa.storage.catalog.indexing import name_key
from sohoa.storage.catalog.models import Base

from ..postgres import SERVER, fresh_database
from .catalog_data import (
    ALL,
    APPLICATION,
    BIRTH,
    DOSSIER_A,
    DUC_ID,
    HOUSEHOLD,
    ID_CARD,
    LAND,
    MARRIAGE,
    NHUNG,
    NHUNG_ID,
    OLD_CARD,
    RESIDENCE,
    record,
)

DIALECTS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh database for this test session, dropped at its end."""
    with fresh_database() as url:
        yield url


@contextmanager
def _empty_catalog_url(dialect: str, request: pytest.FixtureRequest, folder: Path) -> Iterator[str]:
    """A URL naming an empty catalog: a SQLite file in ``folder``, or a PostgreSQL
    schema of its own (dropped afterwards) in the session's database."""
    if dialect == "sqlite":
        yield f"sqlite:///{folder}/catalog.sqlite"
        return
    database = request.getfixturevalue("pg_database")
    schema = f"t_{secrets.token_hex(4)}"
    engine = create_engine(database, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{database}?options=-csearch_path%3D{schema},public"
    finally:
        with engine.connect() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


@pytest.fixture(params=DIALECTS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL naming an empty catalog on each database."""
    with _empty_catalog_url(request.param, request, tmp_path) as empty:
        yield empty


@pytest.fixture
def catalog(url: str) -> Iterator[Catalog]:
    """An empty catalog."""
    with Catalog.open(url) as opened:
        yield opened


@pytest.fixture
def filled(catalog: Catalog) -> Catalog:
    """The catalog with the test dossiers' documents, for a test that changes it."""
    for document in ALL:
        assert catalog.record_document(document)
    return catalog


@pytest.fixture(scope="module", params=DIALECTS)
def searchable(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Catalog]:
    """The test dossiers' documents, filled once a module per database, for the tests
    that only read (most of them: it keeps the module fast)."""
    folder = tmp_path_factory.mktemp("searchable")
    with (
        _empty_catalog_url(request.param, request, folder) as empty,
        Catalog.open(empty) as opened,
    ):
        for document in ALL:
            opened.record_document(document)
        yield opened


def _ids(hits: list) -> list[str]:
    return [hit.document_id for hit in hits]


@pytest.mark.parametrize(
    "query", ["nguyen thi hong nhung", NHUNG.title(), NHUNG, "NGUYEN THI HONG NHUNG"]
)
def test_name_found_with_or_without_diacritics_in_any_case(searchable: Catalog, query: str) -> None:
    ids = _ids(searchable.search(query))
    assert set(ids[:2]) == {BIRTH.document_id, MARRIAGE.document_id}


@pytest.mark.parametrize("query", ["ĐỖ THỊ THU HÀ", "do thi thu ha", "Đỗ Thị Thu Hà", "DO THI THU"])
def test_unique_name_found_first(searchable: Catalog, query: str) -> None:
    assert _ids(searchable.search(query))[0] == RESIDENCE.document_id


def test_a_whole_name_finds_that_persons_documents_and_words_find_the_rest(
    searchable: Catalog,
) -> None:
    """Her own documents by the name index; the application where she only witnesses
    (her name stands in its OCR text, in no name field) by its words."""
    hits = searchable.search("nguyễn thị hồng nhung")
    assert {h.document_id: h.match for h in hits} == {
        BIRTH.document_id: "name",
        MARRIAGE.document_id: "name",
    }
    witnessed = searchable.search("nguyễn thị hồng nhung làm chứng")
    assert _ids(witnessed)[0] == APPLICATION.document_id
    assert witnessed[0].match == "text"


def test_the_named_persons_documents_come_before_documents_with_her_words(
    searchable: Catalog,
) -> None:
    """A whole name, alone or with other words, finds that person's documents first."""
    for query in ("nguyen thi hong nhung", "NGUYỄN THỊ HỒNG NHUNG đông hưng thái bình"):
        hits = searchable.search(query)
        named = [h.document_id for h in hits if h.match == "name"]
        assert named and set(named) <= {BIRTH.document_id, MARRIAGE.document_id}
        assert _ids(hits)[: len(named)] == named
    (born,) = [h for h in searchable.search("đông hưng nguyen thi hong nhung") if h.match == "name"]
    assert born.document_id == BIRTH.document_id  # her name, and her birthplace's words


def test_last_word_matches_as_a_prefix(searchable: Catalog) -> None:
    assert BIRTH.document_id in _ids(searchable.search("nguyen thi hong nhu"))


def test_every_word_must_match(searchable: Catalog) -> None:
    """For a text hit; PostgreSQL's fallback may still offer the nearest names, marked."""
    hits = searchable.search("nguyen thi hong nhung khoa")
    assert [hit for hit in hits if hit.match != "fuzzy"] == []
    assert hits == [] or searchable.dialect == "postgresql"


def test_address_words_find_addresses(searchable: Catalog) -> None:
    ids = _ids(searchable.search("pho hue hai ba trung"))
    assert set(ids[:2]) == {ID_CARD.document_id, LAND.document_id}


@pytest.mark.parametrize("query", ["nguyen nhu", "Nguyễn Nh", "NGUYEN NHUNG", "nguyen hong nhu"])
def test_family_name_and_given_name_prefix_find_the_person(searchable: Catalog, query: str) -> None:
    """The name-key index: family name, then the given name whole or half typed, any
    words between also in the name."""
    hits = searchable.search(query)
    assert {h.document_id for h in hits if h.match == "name"} == {
        BIRTH.document_id,
        MARRIAGE.document_id,
    }
    assert _ids(hits)[:2] == sorted([BIRTH.document_id, MARRIAGE.document_id])


def test_family_and_given_names_come_in_the_names_order(searchable: Catalog) -> None:
    """The last word is the given name's start: "nguyen h" is NGUYỄN VĂN HÙNG (a
    father), not NGUYỄN THỊ HỒNG NHUNG, whose "hồng" is a middle name. Words between
    family and given name must stand in the name: "nguyen van hu" is him alone."""
    assert _ids(searchable.search("nguyen h"))[:1] == [BIRTH.document_id]
    assert [h.document_id for h in searchable.search("nguyen van hu") if h.match == "name"] == [
        BIRTH.document_id
    ]
    names = [h for h in searchable.search("le n") if h.match == "name"]
    assert [h.document_id for h in names] == [HOUSEHOLD.document_id]


def test_family_and_given_name_with_filters(searchable: Catalog) -> None:
    hits = searchable.search("nguyen nhu", doc_type="marriage_certificate")
    assert _ids(hits) == [MARRIAGE.document_id]


def test_a_place_is_searched_as_one_phrase(searchable: Catalog) -> None:
    """Known places ("hai ba trung", "ha noi") are asked for as their tokens; where no
    document holds them as places, the words are searched one by one: "ha noi" stands
    in the name of a hospital, not as a place, on the birth certificate."""
    assert set(_ids(searchable.search("hai ba trung ha noi"))) == {
        ID_CARD.document_id,
        LAND.document_id,
    }
    assert _ids(searchable.search("phu san ha noi")) == [BIRTH.document_id]
    assert _ids(searchable.search("ben thanh ho chi minh")) == [RESIDENCE.document_id]


def test_household_members_are_searchable(searchable: Catalog) -> None:
    assert _ids(searchable.search("le minh khoa")) == [HOUSEHOLD.document_id]


def test_personal_id_number_is_an_exact_lookup(searchable: Catalog) -> None:
    assert set(_ids(searchable.search(NHUNG_ID))) == {BIRTH.document_id, MARRIAGE.document_id}
    assert _ids(searchable.search(OLD_CARD)) == [APPLICATION.document_id]
    assert set(_ids(searchable.search(id_number=DUC_ID))) == {
        ID_CARD.document_id,
        MARRIAGE.document_id,
    }
    assert searchable.search("001195012346") == []


def test_dossier_code_is_an_exact_lookup(searchable: Catalog) -> None:
    in_a = {d.document_id for d in ALL if d.dossier_code == DOSSIER_A}
    assert set(_ids(searchable.search(DOSSIER_A, limit=50))) == in_a
    assert set(_ids(searchable.search(DOSSIER_A.lower(), limit=50))) == in_a
    assert set(_ids(searchable.search(dossier_code=DOSSIER_A, limit=50))) == in_a
    assert _ids(searchable.search(f"{DOSSIER_A} do thi thu ha")) == [RESIDENCE.document_id]


def test_doc_type_and_key_date_range_filter_and_combine_with_words(searchable: Catalog) -> None:
    births = searchable.search(doc_type="birth_certificate")
    assert _ids(births) == [BIRTH.document_id]
    in_2020 = {"date_from": date(2020, 1, 1), "date_to": date(2020, 12, 31)}
    assert _ids(searchable.search(**in_2020)) == [MARRIAGE.document_id]
    assert _ids(searchable.search("nhung", **in_2020)) == [MARRIAGE.document_id]
    assert searchable.search("nhung", doc_type="citizen_id_card") == []
    # the key date is the registration date (1995-03-20), else the date of birth
    march_1995 = searchable.search(date_from=date(1995, 3, 15), date_to=date(1995, 3, 31))
    assert _ids(march_1995) == [BIRTH.document_id]


def test_results_are_deterministic_and_paged(searchable: Catalog) -> None:
    everything = searchable.search(limit=100)
    assert _ids(everything) == _ids(searchable.search(limit=100))
    assert len(everything) == len(ALL)
    assert _ids(searchable.search(limit=3, offset=3)) == _ids(everything)[3:6]
    text_hits = searchable.search("pho hue", limit=100)
    assert _ids(searchable.search("pho hue", limit=2, offset=1)) == _ids(text_hits)[1:3]


def test_one_misread_letter_in_a_name(searchable: Catalog) -> None:
    """PostgreSQL finds the person by trigram similarity on names, after every exact
    hit; SQLite has no fuzzy matching and finds nothing (docs/catalog.md)."""
    hits = searchable.search("nguyen thi hong nhunh")
    if searchable.dialect == "postgresql":
        assert set(_ids(hits)[:2]) == {BIRTH.document_id, MARRIAGE.document_id}
        assert {hit.match for hit in hits} == {"fuzzy"}
        assert 0.6 <= hits[0].score <= 1.0
    else:
        assert hits == []


def test_hits_give_the_contract_object_and_a_snippet(searchable: Catalog) -> None:
    hit = searchable.search("do thi thu ha")[0]
    obj = json.loads(json.dumps(hit.to_contract(), ensure_ascii=False))
    assert obj["document_id"] == RESIDENCE.document_id
    assert obj["doc_type"] == "residence_confirmation"
    assert obj["dossier_code"] == DOSSIER_A
    assert obj["fields"] == RESIDENCE.fields
    assert hit.snippet is not None and "ĐỖ THỊ THU HÀ" in hit.snippet


def test_strings_are_nfc_at_the_boundary(catalog: Catalog) -> None:
    nfd = unicodedata.normalize("NFD", NHUNG)
    catalog.record_document(replace(BIRTH, fields={**BIRTH.fields, "full_name": nfd}))
    assert catalog.document(BIRTH.document_id).fields["full_name"] == NHUNG
    assert _ids(catalog.search(unicodedata.normalize("NFD", "Hồng Nhung"))) == [BIRTH.document_id]


def test_document_round_trips(searchable: Catalog) -> None:
    for document in ALL:
        assert searchable.document(document.document_id) == document
    assert searchable.document("no-such-document") is None
    assert searchable.count() == len(ALL)


def test_recording_the_same_version_again_changes_nothing(filled: Catalog) -> None:
    trail = filled.audit_trail(BIRTH.document_id)
    assert filled.record_document(BIRTH) is False
    assert filled.audit_trail(BIRTH.document_id) == trail
    assert len(filled.versions(BIRTH.document_id)) == 1
    with pytest.raises(CatalogConflict):
        filled.record_document(replace(BIRTH, sha256="0" * 64))


def test_a_new_version_becomes_current(filled: Catalog) -> None:
    fields = {**BIRTH.fields, "full_name": "NGUYỄN THỊ HỒNG NHUNG", "mother_name": "TRẦN THỊ HOA"}
    corrected = record(BIRTH.document_id, BIRTH.doc_type, fields, BIRTH.text, version=2, minute=9)
    assert filled.record_document(corrected, actor="clerk:lan")
    assert filled.document(BIRTH.document_id) == corrected
    versions = filled.versions(BIRTH.document_id)
    assert [(v.version, v.sha256) for v in versions] == [(1, BIRTH.sha256), (2, corrected.sha256)]
    assert versions[1].storage_key == corrected.storage_key
    assert _ids(filled.search("tran thi hoa")) == [BIRTH.document_id]
    old = filled.search("tran thi lan", doc_type="birth_certificate")
    assert [hit for hit in old if hit.match != "fuzzy"] == []
    trail = filled.audit_trail(BIRTH.document_id)
    assert [(e.action, e.actor) for e in trail] == [("stored", "sohoa"), ("corrected", "clerk:lan")]
    # an older version met later (a rebuild out of order) is listed, not made current
    assert filled.record_document(replace(BIRTH, document_id="doc-late", version=1)) is True
    late_v2 = replace(corrected, document_id="doc-late")
    filled.record_document(late_v2)
    assert filled.document("doc-late").version == 2


def test_audit_log_is_append_only_in_the_database(url: str, filled: Catalog) -> None:
    filled.audit("read", BIRTH.document_id, actor="officer:hung", detail={"ip": "10.0.0.7"})
    filled.audit("shared", BIRTH.document_id, actor="officer:hung")
    with pytest.raises(ValueError, match="unknown audit action"):
        filled.audit("deleted", BIRTH.document_id, actor="x")
    trail = filled.audit_trail(BIRTH.document_id)
    assert [e.action for e in trail] == ["stored", "read", "shared"]
    assert trail[1].detail == {"ip": "10.0.0.7"} and trail[1].at.tzinfo is not None
    engine = create_engine(url)
    try:
        for statement in ("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"):
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
                connection.execute(text(statement))
    finally:
        engine.dispose()
    assert filled.audit_trail(BIRTH.document_id) == trail


def test_clear_empties_the_catalog_and_keeps_the_audit_log(filled: Catalog) -> None:
    filled.clear(actor="admin")
    assert filled.count() == 0
    assert filled.search("nguyen") == [] and filled.search() == []
    assert filled.document(BIRTH.document_id) is None
    assert [e.action for e in filled.audit_trail(BIRTH.document_id)] == ["stored"]
    assert filled.record_document(BIRTH) is True
    assert _ids(filled.search("hong nhung")) == [BIRTH.document_id]


def test_iter_documents_streams_all(searchable: Catalog) -> None:
    streamed = list(searchable.iter_documents(batch=3))
    assert [d.document_id for d in streamed] == sorted(d.document_id for d in ALL)
    assert {d.document_id: d for d in streamed} == {d.document_id: d for d in ALL}


def test_opening_again_is_a_no_op_at_the_head_revision(url: str, filled: Catalog) -> None:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert heads == [head_revision()] == [filled.schema_revision()]
    with Catalog.open(url) as again:
        assert again.schema_revision() == head_revision()
        assert again.count() == len(ALL)


def test_migrations_0003_0004_index_the_documents_catalogued_before_them(
    url: str, filled: Catalog
) -> None:
    """Down to 0002 (no name keys, no phrase tokens, no known places) and up again: the
    rows already there get the same keys as new ones, their names and places become
    phrase tokens, and the searches that need them find them."""
    engine = create_engine(url)
    config = alembic_config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0002")
        with Catalog.open(url) as again:
            assert again.schema_revision() == head_revision()
            assert BIRTH.document_id in _ids(again.search("nguyen nhu"))
            assert set(_ids(again.search("pho hue hai ba trung"))[:2]) == {
                ID_CARD.document_id,
                LAND.document_id,
            }
            hits = again.search("nguyen thi hong nhung dong hung")
            assert [h.document_id for h in hits if h.match == "name"] == [BIRTH.document_id]
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT folded, name_key FROM fields WHERE kind = 'name'")
            ).all()
            places = set(connection.execute(text("SELECT phrase FROM phrases")).scalars())
    finally:
        engine.dispose()
    assert len(rows) > 10
    assert all(key == name_key(folded) and key for folded, key in rows)
    assert {"hai ba trung", "pho hue", "ha noi"} <= places


def test_models_agree_with_the_migration(url: str, catalog: Catalog) -> None:
    """Autogenerate finds nothing to change, apart from what only the migration makes."""
    only_in_migration = {"search_fts", "tsv", "ix_search_rows_tsv", "ix_fields_name_trgm"}
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    names = [_diff_name(entry) for entry in diff]
    assert [n for n in names if not n.startswith(tuple(only_in_migration))] == []


def _diff_name(entry: object) -> str:
    """The table, column or index an autogenerate diff entry is about."""
    entry = entry[0] if isinstance(entry, list) else entry
    target = entry[-1] if entry[0] in {"remove_column", "add_column"} else entry[1]
    return str(getattr(target, "name", target))


def test_concurrent_opens_migrate_once(url: str) -> None:
    errors: list[BaseException] = []

    def open_it() -> None:
        try:
            Catalog.open(url).close()
        except BaseException as error:  # collected, asserted below
            errors.append(error)

    threads = [threading.Thread(target=open_it) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Catalog.open(url) as opened:
        assert opened.schema_revision() == head_revision()


def test_the_url_comes_from_the_environment(tmp_path: Path) -> None:
    assert catalog_url(tmp_path, {}) == f"sqlite:///{tmp_path}/catalog.sqlite"
    assert catalog_url(tmp_path, {"SOHOA_DATABASE_URL": SERVER + "/x"}) == SERVER + "/x"
    with Catalog.for_home(tmp_path / "home", {}) as catalog:
        assert catalog.dialect == "sqlite"
        assert (tmp_path / "home" / "catalog.sqlite").exists()


def test_sqlite_connections_are_set_up_for_concurrency(tmp_path: Path) -> None:
    with Catalog.for_home(tmp_path, {}) as catalog:
        engine = catalog._engine
        with engine.connect() as connection:
            pragma = {
                name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")
            }
    assert pragma["journal_mode"] == "wal"
    assert pragma["foreign_keys"] == 1
    assert pragma["synchronous"] == 1  # NORMAL
    assert pragma["busy_timeout"] > 0


# --- record_documents: many versions a transaction, the same semantics -------------------


def test_bulk_recording_finds_what_one_at_a_time_finds(catalog: Catalog) -> None:
    assert catalog.record_documents(ALL, actor="clerk:lan", batch=3) == len(ALL)
    assert catalog.count() == len(ALL)
    for document in ALL:
        assert catalog.document(document.document_id) == document
        assert [v.sha256 for v in catalog.versions(document.document_id)] == [document.sha256]
    assert set(_ids(catalog.search("nguyen thi hong nhung"))[:2]) == {
        BIRTH.document_id,
        MARRIAGE.document_id,
    }
    assert set(_ids(catalog.search(NHUNG_ID))) == {BIRTH.document_id, MARRIAGE.document_id}
    assert _ids(catalog.search(f"{DOSSIER_A} do thi thu ha")) == [RESIDENCE.document_id]
    trail = catalog.audit_trail(BIRTH.document_id)
    assert [(e.action, e.actor, e.detail) for e in trail] == [
        ("stored", "clerk:lan", {"version": 1, "sha256": BIRTH.sha256})
    ]


def test_bulk_recording_is_idempotent_and_refuses_another_pdf(catalog: Catalog) -> None:
    assert catalog.record_documents(ALL[:4]) == 4
    assert catalog.record_documents([*ALL, *ALL], batch=5) == len(ALL) - 4
    assert catalog.count() == len(ALL)
    assert len(catalog.audit_trail(BIRTH.document_id)) == 1
    with pytest.raises(CatalogConflict):
        catalog.record_documents([replace(BIRTH, sha256="0" * 64)])
    with pytest.raises(CatalogConflict):  # the same version twice in one batch
        late = replace(BIRTH, document_id="doc-new")
        catalog.record_documents([late, replace(late, sha256="1" * 64)])
    assert catalog.document("doc-new") is None  # the batch rolled back
    assert catalog.record_documents([]) == 0


def test_bulk_recording_makes_the_newest_version_current(catalog: Catalog) -> None:
    fields = {**BIRTH.fields, "mother_name": "TRẦN THỊ HOA"}
    v2 = record(BIRTH.document_id, BIRTH.doc_type, fields, BIRTH.text, version=2, minute=9)
    # both versions in one batch, the newer first (a rebuild meets them in any order)
    assert catalog.record_documents([v2, BIRTH], action="rebuilt", actor="admin") == 2
    assert catalog.document(BIRTH.document_id) == v2
    assert [v.version for v in catalog.versions(BIRTH.document_id)] == [1, 2]
    assert _ids(catalog.search("tran thi hoa")) == [BIRTH.document_id]
    trail = catalog.audit_trail(BIRTH.document_id)
    assert sorted((e.action, e.detail["version"]) for e in trail) == [
        ("rebuilt", 1),
        ("rebuilt", 2),
    ]
    # a correction of a document already catalogued, in a later batch
    v3 = record(BIRTH.document_id, BIRTH.doc_type, BIRTH.fields, BIRTH.text, version=3, minute=10)
    assert catalog.record_documents([v3, ALL[1]]) == 2
    assert catalog.document(BIRTH.document_id) == v3
    assert catalog.audit_trail(BIRTH.document_id)[-1].action == "corrected"
    assert catalog.search("tran thi lan", doc_type="birth_certificate")[0].document_id == (
        BIRTH.document_id
    )


def test_record_document_takes_the_audit_action(catalog: Catalog) -> None:
    assert catalog.record_document(BIRTH, actor="admin", action="rebuilt")
    assert [(e.action, e.actor) for e in catalog.audit_trail(BIRTH.document_id)] == [
        ("rebuilt", "admin")
    ]
    with pytest.raises(ValueError, match="unknown audit action"):
        catalog.record_document(ALL[1], action="deleted")
    with pytest.raises(ValueError, match="unknown audit action"):
        catalog.record_documents(ALL[1:], action="deleted")
    assert catalog.count() == 1


def test_ranking_is_bounded(searchable: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only ``search.RANKED`` matches are ranked; on SQLite the newest ones."""
    from sohoa.storage.catalog import search

    every = _ids(searchable.search("nhung", limit=100))
    assert len(every) == 3
    monkeypatch.setattr(search, "RANKED", 2)
    bounded = _ids(searchable.search("nhung", limit=100))
    assert len(bounded) == 2 and set(bounded) <= set(every)
    if searchable.dialect == "sqlite":  # the two catalogued last
        assert set(bounded) == {APPLICATION.document_id, MARRIAGE.document_id}
    assert searchable.search("nhung", limit=10, offset=2) == []
    # filters still apply within the bound (SQLite walks the matches, then checks)
    assert _ids(searchable.search("nhung", doc_type="birth_certificate")) == [BIRTH.document_id]
