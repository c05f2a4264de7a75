"""The ledger on SQLite and PostgreSQL: intake is idempotent, and every tampering is caught."""

import itertools
import json

import pytest
from conftest import case_code, kit_code, page_with_codes
from sqlalchemy import text

from models.events import GENESIS, EventType
from models.images import sha256_of
from models.store import StoreError
from scanpipe.domain.payload import PayloadKind
from scanpipe.reading.pipeline import process_file


def take_in(store, campaign, data, name, station="s1", operator="ana", results=None):
    sha = store.images.put(data)
    results = process_file(data, campaign) if results is None else results
    return store.record_file(source_name=name, sha256=sha, media_type="jpeg", size=len(data),
                             pages=[(r.page, r.decision) for r in results],
                             station=station, operator=operator)


@pytest.fixture(scope="module")
def decided(campaign):
    """A kit envelope, three coded pieces and a foreign code, decided once for the module (the
    pipeline's answer does not depend on the ledger it is recorded in)."""
    pages = [page_with_codes((kit_code(campaign, 1), 100, 100)),
             page_with_codes((case_code(campaign, PayloadKind.LETTER, "CAAL"), 1300, 100)),
             page_with_codes((case_code(campaign, PayloadKind.LETTER, "ZHANG"), 1300, 100)),
             page_with_codes((case_code(campaign, PayloadKind.POSTCARD, "WENDY"), 200, 200)),
             page_with_codes(("https://example.org/", 200, 200))]
    return [(data, process_file(data, campaign)) for data in pages]


@pytest.fixture
def filled(loaded_store, campaign, decided):
    """A ledger with a kit envelope, three routed pieces and one in review."""
    for n, (data, results) in enumerate(decided):
        take_in(loaded_store, campaign, data, f"{n:02d}.jpg", results=results)
    return loaded_store


def test_chain_links_every_event(filled):
    events = filled.events()
    assert events[0].type == EventType.CAMPAIGN_LOADED and events[0].prev_hash == GENESIS
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    assert filled.audit().ok


def test_the_same_image_twice_is_one_piece(filled, campaign):
    before = len(filled.items())
    data = page_with_codes((case_code(campaign, PayloadKind.LETTER, "CAAL"), 1300, 100))
    [outcome] = take_in(filled, campaign, data, "again-with-another-name.jpg")
    assert outcome.duplicate
    assert len(filled.items()) == before
    assert filled.events()[-1].type == EventType.ITEM_DUPLICATE
    [waiting] = [p for p in filled.pending() if p.destination == "embassy:GT"]
    assert (waiting.letters, waiting.pieces) == (1, 1)
    assert filled.audit().ok


def test_kit_envelope_opens_a_batch_for_its_kit(filled):
    items = filled.items()
    assert items[0].kind == "kit_envelope"
    assert len({i.batch_id for i in items}) == 1
    from sqlmodel import Session, select

    from models.store.tables import Batch
    with Session(filled.engine) as session:
        batch = session.exec(select(Batch)).one()
    assert batch.kit_serial == 1


def test_a_second_campaign_is_added_beside_the_first(loaded_store, campaign_text):
    _, added = loaded_store.load_campaign(campaign_text.replace('id = "MDL2021"', 'id = "OTHER"'),
                                          actor="x", station="y")
    assert added and loaded_store.campaigns() == ["OTHER", "MDL2021"]
    assert loaded_store.campaign().id == "OTHER"  # the store works for the one just loaded
    _, changed = loaded_store.load_campaign(campaign_text, actor="x", station="y")
    assert not changed and loaded_store.campaign().id == "MDL2021"


def _exec(store, sql, **params):
    with store.engine.begin() as connection:
        connection.execute(text(sql), params)


def _failure(store):
    result = store.audit()
    assert not result.ok, "the audit did not notice"
    return result.problem


def test_altered_event_is_caught(filled):
    victim = next(e for e in filled.events() if e.type == EventType.ITEM_ROUTED)
    payload = json.loads(victim.payload)
    payload["destination"] = "embassy:CN"
    _exec(filled, "UPDATE event SET payload = :p WHERE seq = :s", p=json.dumps(payload), s=victim.seq)
    problem = _failure(filled)
    assert problem.where == f"event {victim.seq}" and "altered" in problem.message


def test_altered_actor_is_caught(filled):
    _exec(filled, "UPDATE event SET actor = 'mallory' WHERE seq = 3")
    assert _failure(filled).where == "event 3"


def test_removed_event_is_caught(filled):
    _exec(filled, "DELETE FROM event WHERE seq = 4")
    problem = _failure(filled)
    assert problem.where == "event 4" and "missing" in problem.message


def test_removed_last_event_is_caught_through_its_item(filled):
    last = filled.events()[-1]
    _exec(filled, "DELETE FROM event WHERE seq = :s", s=last.seq)
    problem = _failure(filled)
    assert problem.where.startswith("item ") and "no routing event" in problem.message


def test_reordered_events_are_caught(filled):
    """Two events trade places in the sequence."""
    _exec(filled, "UPDATE event SET seq = -1 WHERE seq = 4")
    _exec(filled, "UPDATE event SET seq = 4 WHERE seq = 5")
    _exec(filled, "UPDATE event SET seq = 5 WHERE seq = -1")
    assert _failure(filled).where == "event 4"


def test_rechained_forgery_is_caught_by_the_items(filled):
    """An item row changed directly in the table disagrees with the ledger."""
    _exec(filled, "UPDATE item SET destination = 'embassy:CN', case_code = 'ZHANG' "
                  "WHERE case_code = 'CAAL'")
    problem = _failure(filled)
    assert problem.where.startswith("item ") and "ledger says" in problem.message


def test_item_row_added_outside_the_ledger_is_caught(filled):
    item = filled.items()[1]
    _exec(filled, "INSERT INTO item (campaign_id, batch_id, image_sha256, page, source_name, kind, "
                  "status, case_code, destination, method, confidence, reasons, station, operator, "
                  "scanned_at) VALUES ('MDL2021', :b, :sha, 2, 'x.jpg', 'letter', 'routed', 'CAAL', "
                  "'embassy:GT', 'qr', 1, '[]', 's1', 'ana', :at)",
          b=item.batch_id, sha=item.image_sha256, at=item.scanned_at)
    assert "no item.scanned event" in _failure(filled).message


def test_changed_image_is_caught(filled):
    item = filled.items()[2]
    path = filled.images.path_for(item.image_sha256)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    problem = _failure(filled)
    assert problem.where == f"image {item.image_sha256}" and "changed" in problem.message


def test_missing_image_is_caught(filled):
    item = filled.items()[3]
    filled.images.path_for(item.image_sha256).unlink()
    assert "missing" in _failure(filled).message


def test_image_store_keeps_one_copy(tmp_path):
    from models.images import ImageStore
    store = ImageStore(tmp_path)
    assert store.put(b"abc") == store.put(b"abc") == sha256_of(b"abc")
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 1
    with pytest.raises(ValueError):
        store.path_for("../../etc/passwd")


def test_a_ledger_from_an_older_schema_is_refused_with_advice(tmp_path):
    from sqlalchemy import create_engine

    from models.store import Store
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    Store.open(url, tmp_path / "images").close()
    with create_engine(url).begin() as connection:  # made before migrations, without the column
        connection.execute(text("DROP TABLE alembic_version"))
        connection.execute(text("ALTER TABLE item DROP COLUMN source_name"))
    with pytest.raises(StoreError, match=r"item lacks source_name.*older scanpipe"):
        Store.open(url, tmp_path / "images")


def test_a_column_that_may_be_empty_is_added_to_an_older_ledger(tmp_path):
    from sqlalchemy import create_engine, inspect

    from models.store import Store
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    Store.open(url, tmp_path / "images").close()
    engine = create_engine(url)
    with engine.begin() as connection:  # made before migrations, without the column
        connection.execute(text("DROP TABLE alembic_version"))
        connection.execute(text("ALTER TABLE item DROP COLUMN signatures"))
    Store.open(url, tmp_path / "images").close()
    assert "signatures" in {c["name"] for c in inspect(engine).get_columns("item")}
