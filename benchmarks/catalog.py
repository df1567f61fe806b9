"""The catalog at scale (issue #5): load N synthetic documents, then time searches.

Generates ``--rows`` documents (default 1,000,000) reproducibly from ``--seed`` with
``sohoa.synth.people`` and ``sohoa.synth.places``: birth certificates, ID cards, CT07
residence confirmations, marriage certificates, household registers and application
forms, with realistic Vietnamese names (the skewed family-name distribution: Nguyễn
~38 %), addresses, 12- and 9-digit ID numbers, dossier codes (1-5 documents a dossier),
dates and a few hundred characters of OCR-like text each. Loads them with
``Catalog.record_documents`` into SQLite (``WORKDIR/catalog.sqlite``) and PostgreSQL
(database ``sohoa_bench``, recreated), or reuses an earlier load (``--reuse``).

Then, per database, times ``Catalog.search`` (limit 20) over ``--queries`` queries a
kind, drawn from the loaded documents (known-present targets), and checks that the
target is among the hits (recall@20): by ID number, by dossier code, by full name
folded, by free text (an address phrase; a name and a place), family name + given-name
prefix, name + doc_type + key-date range, and one common word. Prints a markdown table
(p50 / p95 / max, recall), the load rate and the sizes on disk.

    python benchmarks/catalog.py --rows 1000000 --seed 5 --workdir /tmp/catbench
    python benchmarks/catalog.py --reuse --workdir /tmp/catbench      # queries only
    python benchmarks/catalog.py --rows 100000 --dialects sqlite --load-only
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from sohoa.pipeline.vntext import fold
from sohoa.storage.catalog import Catalog, DocumentRecord
from sohoa.synth.people import Person, dossier_code, old_id_number, random_household, random_person
from sohoa.synth.places import random_address

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
PG_DATABASE = "sohoa_bench"
T0 = datetime(2024, 1, 2, 7, 30, tzinfo=UTC)
#: document types and how often a dossier holds each
TYPES = {
    "birth_certificate": 25,
    "citizen_id_card": 25,
    "residence_confirmation": 20,
    "marriage_certificate": 10,
    "household_register": 10,
    "application_form": 10,
}
HEADER = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc"


# --- generation -------------------------------------------------------------------------


def upper(person: Person) -> str:
    return person.full_name.upper()


def iso(day: date) -> str:
    return day.isoformat()


def dmy(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def registration(rng: random.Random, after: date) -> tuple[str, date]:
    day = after + timedelta(days=rng.randrange(3, 60))
    return f"{rng.randrange(1, 400)}/{day.year}", day


def birth_certificate(rng: random.Random) -> tuple[dict[str, Any], str]:
    child = random_person(rng)
    mother = random_person(rng, sex="Nữ")
    father = random_person(rng, sex="Nam", family=child.family)
    number, reg = registration(rng, child.date_of_birth)
    place = child.origin.text(short=True)
    fields = {
        "full_name": upper(child),
        "date_of_birth": iso(child.date_of_birth),
        "sex": child.sex,
        "ethnicity": child.ethnicity,
        "nationality": "Việt Nam",
        "place_of_birth": f"Trạm y tế {child.residence.ward}",
        "place_of_origin": place,
        "personal_id": child.id_number,
        "mother_name": upper(mother),
        "father_name": upper(father),
        "registration_number": number,
        "registration_date": iso(reg),
    }
    body = (
        f"{HEADER} GIẤY KHAI SINH Họ, chữ đệm, tên: {upper(child)} "
        f"Ngày, tháng, năm sinh: {dmy(child.date_of_birth)} Giới tính: {child.sex} "
        f"Dân tộc: {child.ethnicity} Quốc tịch: Việt Nam Nơi sinh: {fields['place_of_birth']} "
        f"Quê quán: {place} Số định danh cá nhân: {child.id_number} "
        f"Họ, chữ đệm, tên người mẹ: {upper(mother)} Họ, chữ đệm, tên người cha: "
        f"{upper(father)} Nơi đăng ký khai sinh: UBND {child.residence.ward}, "
        f"{child.residence.district} Ngày, tháng, năm đăng ký: {dmy(reg)} Số: {number}"
    )
    return fields, body


def citizen_id_card(rng: random.Random) -> tuple[dict[str, Any], str]:
    person = random_person(rng)
    expiry = date(min(person.date_of_birth.year + 60, 2099), person.date_of_birth.month, 1)
    home = person.residence.text()
    fields = {
        "id_number": person.id_number,
        "full_name": upper(person),
        "date_of_birth": iso(person.date_of_birth),
        "sex": person.sex,
        "nationality": "Việt Nam",
        "place_of_origin": person.origin.text(short=True),
        "place_of_residence": home,
        "expiry_date": iso(expiry),
    }
    body = (
        f"{HEADER} CĂN CƯỚC CÔNG DÂN Citizen Identity Card Số / No.: {person.id_number} "
        f"Họ và tên / Full name: {upper(person)} Ngày sinh / Date of birth: "
        f"{dmy(person.date_of_birth)} Giới tính / Sex: {person.sex} Quốc tịch / "
        f"Nationality: Việt Nam Quê quán / Place of origin: {fields['place_of_origin']} "
        f"Nơi thường trú / Place of residence: {home} Có giá trị đến / Date of expiry: "
        f"{dmy(expiry)}"
    )
    return fields, body


def residence_confirmation(rng: random.Random) -> tuple[dict[str, Any], str]:
    person = random_person(rng)
    head = random_person(rng, family=person.family, residence=person.residence)
    home = person.residence.text()
    fields = {
        "full_name": upper(person),
        "date_of_birth": iso(person.date_of_birth),
        "sex": person.sex,
        "personal_id": person.id_number,
        "permanent_residence": home,
        "current_residence": home if rng.random() < 0.7 else random_address(rng).text(),
        "household_head_name": upper(head),
        "relationship_to_head": rng.choice(["Con", "Vợ", "Chồng", "Cháu", "Chủ hộ"]),
    }
    body = (
        f"{HEADER} XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ Mẫu CT07 Họ, chữ đệm và tên: {upper(person)} "
        f"Ngày, tháng, năm sinh: {dmy(person.date_of_birth)} Giới tính: {person.sex} "
        f"Số định danh cá nhân: {person.id_number} Nơi thường trú: {home} "
        f"Nơi ở hiện tại: {fields['current_residence']} Họ, chữ đệm và tên chủ hộ: "
        f"{upper(head)} Quan hệ với chủ hộ: {fields['relationship_to_head']}"
    )
    return fields, body


def marriage_certificate(rng: random.Random) -> tuple[dict[str, Any], str]:
    husband = random_person(rng, sex="Nam")
    wife = random_person(rng, sex="Nữ")
    number, reg = registration(
        rng, max(husband.date_of_birth, wife.date_of_birth) + timedelta(days=365 * 20)
    )
    fields = {
        "husband_name": upper(husband),
        "husband_date_of_birth": iso(husband.date_of_birth),
        "husband_id_number": husband.id_number,
        "wife_name": upper(wife),
        "wife_date_of_birth": iso(wife.date_of_birth),
        "wife_id_number": wife.id_number,
        "registration_number": number,
        "registration_date": iso(reg),
    }
    body = (
        f"{HEADER} GIẤY CHỨNG NHẬN KẾT HÔN Họ, chữ đệm, tên chồng: {upper(husband)} "
        f"Ngày sinh: {dmy(husband.date_of_birth)} Số định danh: {husband.id_number} "
        f"Nơi cư trú: {husband.residence.text()} Họ, chữ đệm, tên vợ: {upper(wife)} "
        f"Ngày sinh: {dmy(wife.date_of_birth)} Số định danh: {wife.id_number} "
        f"Nơi cư trú: {wife.residence.text()} Nơi đăng ký: UBND {wife.residence.ward} "
        f"Ngày đăng ký: {dmy(reg)} Số: {number}"
    )
    return fields, body


def household_register(rng: random.Random) -> tuple[dict[str, Any], str]:
    members = random_household(rng)
    head = members[0].person
    home = head.residence.text()
    fields = {
        "register_number": f"{rng.randrange(10**7):07d}",
        "household_head_name": upper(head),
        "permanent_address": home,
        "members": [
            {
                "full_name": upper(m.person),
                "date_of_birth": iso(m.person.date_of_birth),
                "relationship": m.relationship,
            }
            for m in members
        ],
    }
    rows = " ".join(
        f"{upper(m.person)} {dmy(m.person.date_of_birth)} {m.relationship}" for m in members
    )
    body = (
        f"SỔ HỘ KHẨU Số: {fields['register_number']} Họ và tên chủ hộ: {upper(head)} "
        f"Nơi thường trú: {home} Họ và tên Ngày sinh Quan hệ với chủ hộ {rows}"
    )
    return fields, body


def application_form(rng: random.Random) -> tuple[dict[str, Any], str]:
    applicant = random_person(rng)
    witness = random_person(rng)
    number = applicant.old_id or old_id_number(rng)
    title = rng.choice(["TỜ KHAI ĐĂNG KÝ KHAI SINH", "TỜ KHAI THAY ĐỔI THÔNG TIN CƯ TRÚ"])
    fields = {
        "form_title": title,
        "applicant_name": upper(applicant),
        "applicant_id_number": number,
    }
    body = (
        f"{HEADER} {title} Kính gửi: UBND {applicant.residence.ward}. Người yêu cầu: "
        f"{upper(applicant)} Giấy tờ tùy thân: CMND số {number} Nơi cư trú: "
        f"{applicant.residence.text()} Người làm chứng: {upper(witness)}, cư trú tại "
        f"{witness.residence.text()}. Tôi cam đoan những nội dung khai trên đây là đúng "
        "sự thật và chịu trách nhiệm trước pháp luật về cam đoan của mình."
    )
    return fields, body


MAKERS: dict[str, Callable[[random.Random], tuple[dict[str, Any], str]]] = {
    "birth_certificate": birth_certificate,
    "citizen_id_card": citizen_id_card,
    "residence_confirmation": residence_confirmation,
    "marriage_certificate": marriage_certificate,
    "household_register": household_register,
    "application_form": application_form,
}


def documents(rows: int, seed: int) -> Iterator[DocumentRecord]:
    """``rows`` documents in dossiers of 1-5, stored over two years, from ``seed``."""
    rng = random.Random(seed)
    kinds, weights = list(TYPES), list(TYPES.values())
    made = 0
    serials: dict[date, int] = {}
    while made < rows:
        at = T0 + timedelta(seconds=made * 60)  # a million documents over ~two years
        serial = serials[at.date()] = serials.get(at.date(), 0) + 1
        code = dossier_code(rng, at.date(), serial)
        for _ in range(min(rng.randint(1, 5), rows - made)):
            kind = rng.choices(kinds, weights)[0]
            fields, body = MAKERS[kind](rng)
            doc_id = f"doc-{made:07d}"
            digest = hashlib.sha256(f"{seed}/{doc_id}".encode()).hexdigest()
            yield DocumentRecord(
                document_id=doc_id,
                version=1,
                dossier_code=code,
                doc_type=kind,
                source=f"scan/{code}/{doc_id}.tif",
                pages=[1, 2] if kind == "household_register" else [1],
                fields=fields,
                field_confidence={name: round(rng.uniform(0.8, 1.0), 3) for name in fields},
                needs_review=rng.random() < 0.08,
                text=body,
                sha256=digest,
                storage_key=f"documents/{doc_id}/v1.pdf",
                storage_version="1",
                size=rng.randrange(40_000, 400_000),
                stored_at=at + timedelta(seconds=rng.randrange(60)),
            )
            made += 1


# --- loading ----------------------------------------------------------------------------


def urls(workdir: Path, pg_url: str) -> dict[str, str]:
    return {"sqlite": f"sqlite:///{workdir}/catalog.sqlite", "postgresql": pg_url}


def recreate(dialect: str, workdir: Path, pg_url: str) -> None:
    if dialect == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{workdir}/catalog.sqlite{suffix}").unlink(missing_ok=True)
        return
    server, name = pg_url.rsplit("/", 1)
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()


def load(catalog: Catalog, rows: int, seed: int, batch: int, start: int = 0) -> tuple[float, float]:
    """Loads the documents from the ``start``-th on (those before it were loaded by an
    earlier run: generated again, in order, and passed over); (seconds inside
    record_documents, seconds generating)."""
    spent = generating = 0.0
    stream = documents(rows, seed)
    for _ in zip(range(start), stream, strict=False):
        pass
    done = start
    while done < rows:
        t0 = time.perf_counter()
        chunk = [record for _, record in zip(range(10 * batch), stream, strict=False)]
        t1 = time.perf_counter()
        catalog.record_documents(chunk, actor="benchmark", batch=batch)
        t2 = time.perf_counter()
        generating += t1 - t0
        spent += t2 - t1
        done += len(chunk)
        if done % 100_000 < len(chunk):
            print(
                f"  {catalog.dialect}: {done:,} loaded, {(done - start) / spent:,.0f} documents/s",
                file=sys.stderr,
                flush=True,
            )
    return spent, generating


def size_on_disk(catalog: Catalog, workdir: Path) -> int:
    if catalog.dialect == "sqlite":
        return sum(
            os.path.getsize(p)
            for p in (f"{workdir}/catalog.sqlite{s}" for s in ("", "-wal"))
            if os.path.exists(p)
        )
    with catalog._engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_database_size(current_database())")).scalar())


def settle(catalog: Catalog) -> None:
    """After a load: statistics for the planner (and a WAL checkpoint on SQLite)."""
    with catalog._engine.connect() as connection:
        if catalog.dialect == "sqlite":
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.exec_driver_sql("ANALYZE")
        else:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM ANALYZE"
            )


# --- queries ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    text: str
    target: str | None  # the document that must be among the hits (None: any will do)
    options: dict[str, Any]
    #: how hits must match for a full page without the target to count as an answer:
    #: "name" -- 20 documents of people of that name (exactly, or that family name and
    #: given-name start); "text" too -- 20 documents holding every word, the target one
    #: of more than a page of equal matches
    page_of: tuple[str, ...] = ("name",)


NAME_KEYS = ("full_name", "husband_name", "wife_name", "household_head_name", "applicant_name")
ADDRESS_KEYS = ("place_of_residence", "permanent_residence", "permanent_address")
ID_KEYS = (
    "id_number",
    "personal_id",
    "husband_id_number",
    "wife_id_number",
    "applicant_id_number",
)


def first(fields: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    return next((fields[k] for k in keys if fields.get(k)), None)


def address_phrase(address: str) -> str:
    """A clerk's address search: the street (or hamlet) and the district, folded,
    without house numbers or the words phường/quận: "pho hue hai ba trung"."""
    parts = [fold(p) for p in address.split(", ")]
    street = next((p for p in parts if p.startswith(("pho ", "duong ", "thon ", "ap "))), parts[0])
    district = next((p for p in parts if p.startswith(("quan ", "huyen ", "thanh pho "))), "")
    for word in ("quan ", "huyen ", "thanh pho "):
        district = district.removeprefix(word)
    return " ".join(w for w in f"{street} {district}".split() if not w[0].isdigit())


def queries(catalog: Catalog, rows: int, count: int, seed: int) -> dict[str, list[Query]]:
    """``count`` queries a kind, from documents drawn at random among the loaded ones."""
    rng = random.Random(seed * 7919 + 1)
    kinds: dict[str, list[Query]] = {
        "ID number (12 or 9 digits)": [],
        "dossier code": [],
        "full name, folded lower case": [],
        "free text: address phrase": [],
        "free text: name + place": [],
        "family name + given-name prefix": [],
        "name + doc_type + key-date year": [],
        "one common word (`nguyen`)": [],
    }
    while min(len(v) for v in kinds.values()) < count:
        doc = catalog.document(f"doc-{rng.randrange(rows):07d}")
        if doc is None:
            continue
        f = doc.fields
        name = first(f, NAME_KEYS)
        number = first(f, ID_KEYS)
        home = first(f, ADDRESS_KEYS)
        if number:
            kinds["ID number (12 or 9 digits)"].append(Query(number, doc.document_id, {}))
        kinds["dossier code"].append(Query(doc.dossier_code or "", doc.document_id, {}))
        if name:
            folded = fold(name)
            words = folded.split()
            kinds["full name, folded lower case"].append(Query(folded, doc.document_id, {}))
            kinds["family name + given-name prefix"].append(
                Query(f"{words[0]} {words[-1][:3]}", doc.document_id, {})
            )
            when = f.get("registration_date") or f.get("date_of_birth")
            if when:
                day = date.fromisoformat(when)
                span = {
                    "doc_type": doc.doc_type,
                    "date_from": date(day.year, 1, 1),
                    "date_to": date(day.year, 12, 31),
                }
                kinds["name + doc_type + key-date year"].append(
                    Query(folded, doc.document_id, span)
                )
        if home:
            kinds["free text: address phrase"].append(
                Query(address_phrase(home), doc.document_id, {}, ("name", "text"))
            )
            if name:
                province = fold(home.split(", ")[-1]).removeprefix("tinh ")
                province = province.removeprefix("thanh pho ")
                kinds["free text: name + place"].append(
                    Query(f"{fold(name)} {province}", doc.document_id, {}, ("name", "text"))
                )
        kinds["one common word (`nguyen`)"].append(Query("nguyen", None, {}))
    return {kind: qs[:count] for kind, qs in kinds.items()}


@dataclass(frozen=True)
class Timing:
    p50: float
    p95: float
    worst: float
    recall: float | None
    hits: float
    #: found, or the page is 20 documents as good as the target (``Query.page_of``:
    #: people of the searched name, or documents holding every word): there are more
    #: than a page holds, and the clerk adds a word, a date or a type
    answered: float | None = None


def measure(catalog: Catalog, qs: list[Query]) -> Timing:
    times, found, answered, sizes = [], [], [], []
    for q in qs[: min(5, len(qs))]:  # warm the caches a little
        catalog.search(q.text, **q.options)
    for q in qs:
        t0 = time.perf_counter()
        hits = catalog.search(q.text, limit=20, **q.options)
        times.append((time.perf_counter() - t0) * 1000)
        sizes.append(len(hits))
        if q.target is not None:
            found.append(any(h.document_id == q.target for h in hits))
            full_page = len(hits) == 20 and all(h.match in q.page_of for h in hits)
            answered.append(found[-1] or full_page)
    times.sort()
    return Timing(
        p50=statistics.median(times),
        p95=times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
        worst=times[-1],
        recall=sum(found) / len(found) if found else None,
        hits=statistics.mean(sizes),
        answered=sum(answered) / len(answered) if answered else None,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--queries", type=int, default=200, help="queries a kind")
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/sohoa-catalog-bench"))
    parser.add_argument("--pg-url", default=f"{PG_SERVER}/{PG_DATABASE}")
    parser.add_argument("--dialects", default="sqlite,postgresql")
    parser.add_argument("--reuse", action="store_true", help="query an earlier load")
    parser.add_argument("--load-only", action="store_true")
    parser.add_argument(
        "--resume", action="store_true", help="load on from where an earlier load stopped"
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    dialects = [d.strip() for d in args.dialects.split(",") if d.strip()]
    results: dict[str, dict[str, Timing]] = {}
    notes: list[str] = []
    for dialect in dialects:
        url = urls(args.workdir, args.pg_url)[dialect]
        if not (args.reuse or args.resume):
            recreate(dialect, args.workdir, args.pg_url)
        with Catalog.open(url) as catalog:
            if not args.reuse:
                start = catalog.count() if args.resume else 0
                spent, generating = load(catalog, args.rows, args.seed, args.batch, start)
                t0 = time.perf_counter()
                settle(catalog)
                notes.append(
                    f"{dialect}: loaded {args.rows:,} documents in {spent:.0f} s inside "
                    f"record_documents = {(args.rows - start) / spent:,.0f} documents/s (batch "
                    f"{args.batch}; generating them took another {generating:.0f} s; "
                    f"checkpoint/ANALYZE {time.perf_counter() - t0:.0f} s)"
                )
            rows = catalog.count()
            size = size_on_disk(catalog, args.workdir)
            notes.append(
                f"{dialect}: {rows:,} documents, {size / 2**30:.2f} GiB on disk "
                f"({size / max(rows, 1) / 1024:.1f} KiB a document)"
            )
            print(notes[-1], file=sys.stderr, flush=True)
            if args.load_only:
                continue
            results[dialect] = {}
            for kind, qs in queries(catalog, rows, args.queries, args.seed).items():
                timing = measure(catalog, qs)
                results[dialect][kind] = timing
                print(f"  {dialect} {kind}: {timing}", file=sys.stderr, flush=True)
    print_table(results, notes)


def cell(t: Timing | None) -> str:
    if t is None:
        return "–"
    recall = "n/a" if t.recall is None else f"{100 * t.recall:.0f} %"
    if t.answered is not None and t.answered != t.recall:
        recall += f" ({100 * t.answered:.0f} % with a full page of equals)"
    return f"{t.p50:.1f} / {t.p95:.1f} / {t.worst:.0f} ms, {recall}"


def print_table(results: dict[str, dict[str, Timing]], notes: list[str]) -> None:
    for note in notes:
        print(f"- {note}")
    if not results:
        return
    dialects = list(results)
    print()
    print(
        "| query kind | " + " | ".join(f"{d} p50 / p95 / max, recall@20" for d in dialects) + " |"
    )
    print("|---|" + "---|" * len(dialects))
    kinds = list(next(iter(results.values())))
    for kind in kinds:
        print(f"| {kind} | " + " | ".join(cell(results[d].get(kind)) for d in dialects) + " |")


if __name__ == "__main__":
    main()
