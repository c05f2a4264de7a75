"""The tables. Events are the truth; the other tables are what the events say, kept
for fast queries, and `audit verify` checks that they agree with the events.

Only portable types and constraints: the same schema runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class CampaignVersion(SQLModel, table=True):
    """Every campaign file ever loaded into this ledger; the newest is in force."""

    __tablename__ = "campaign_version"

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: str = Field(index=True, max_length=24)
    name: str
    deadline: date
    sha256: str = Field(max_length=64)
    toml: str = Field(sa_column=Column(Text, nullable=False))
    loaded_at: datetime


class CaseRow(SQLModel, table=True):
    __tablename__ = "case_"  # "case" is a reserved word in SQL

    campaign_id: str = Field(primary_key=True, max_length=24)  # a code is a case of one campaign
    code: str = Field(primary_key=True, max_length=24)
    person: str
    country: str
    embassy: str = Field(max_length=24)
    letter_destination: str
    postcard_destination: str


class EmbassyRow(SQLModel, table=True):
    __tablename__ = "embassy"

    campaign_id: str = Field(primary_key=True, max_length=24)
    code: str = Field(primary_key=True, max_length=24)
    country: str
    name: str
    address: str


class Batch(SQLModel, table=True):
    """The content of one envelope (or of an anonymous run) at one station."""

    __tablename__ = "batch"

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: str = Field(max_length=24, index=True)  # the campaign the station worked for
    station: str
    operator: str
    kit_serial: int | None = None
    opened_at: datetime
    closed_at: datetime | None = None


class Bundle(SQLModel, table=True):
    """Pieces for one destination, handed over together with a delivery sheet.

    The pieces point at their bundle (`Item.bundle_id`), so a piece is in one bundle
    at most; voiding a bundle releases them.
    """

    __tablename__ = "bundle"

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: str = Field(max_length=24, index=True)  # its pieces are all of this campaign
    destination: str = Field(max_length=80, index=True)
    state: str = Field(max_length=16, index=True)
    pieces: int
    late: int = 0  # pieces that arrived after the campaign's deadline
    created_at: datetime
    created_by: str
    changed_at: datetime
    method: str | None = Field(default=None, max_length=16)   # hand or post
    tracking: str | None = Field(default=None, max_length=80)  # the post's tracking number
    received_by: str | None = None
    received_on: date | None = None
    receipt_item_id: int | None = None  # the scanned signed sheet, when it came back
    note: str | None = Field(default=None, sa_column=Column(Text))  # why refused, returned, voided


class Item(SQLModel, table=True):
    """One piece of paper: a page of a scanned file."""

    __tablename__ = "item"
    __table_args__ = (UniqueConstraint("image_sha256", "page", name="uq_item_image_page"),
                      Index("ix_item_station_scanned", "station", "scanned_at"),
                      # The review queue and every count are one campaign's pieces of one status:
                      # found in this index alone (a campaign_id index alone would make the
                      # database walk the whole season of a one-campaign ledger).
                      Index("ix_item_campaign_status", "campaign_id", "status"))

    id: int | None = Field(default=None, primary_key=True)
    # Its batch's campaign, kept here too: every count and list of pieces is one campaign's.
    campaign_id: str = Field(max_length=24)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    image_sha256: str = Field(max_length=64)
    page: int
    source_name: str
    kind: str = Field(max_length=24)
    status: str = Field(max_length=16, index=True)
    case_code: str | None = Field(default=None, max_length=24, index=True)
    destination: str | None = Field(default=None, index=True)
    method: str | None = Field(default=None, max_length=16)
    confidence: float = 0.0
    reasons: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    signatures: int | None = None  # signed rows of a petition sheet, as counted
    bundle_id: int | None = Field(default=None, foreign_key="bundle.id", index=True)
    station: str
    operator: str
    scanned_at: datetime


class StoredImage(SQLModel, table=True):
    """A file in the content-addressed image store."""

    __tablename__ = "stored_image"

    sha256: str = Field(primary_key=True, max_length=64)
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    media_type: str = Field(max_length=16)
    stored_at: datetime
    purged_at: datetime | None = None  # removed from disk by a privacy purge; the hash stays


class EvidenceText(SQLModel, table=True):
    """Words read on a piece (OCR), kept beside the ledger so a privacy purge can remove them.

    The state event carries only `digest`, a salted SHA-256 of these words, so the chain
    still verifies once they are gone, and while they are here they cannot be changed
    unseen. The salt keeps a short text from being guessed back out of its hash.
    """

    __tablename__ = "evidence_text"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(index=True)
    digest: str = Field(max_length=64, index=True)
    salt: str = Field(max_length=32)
    words: str = Field(sa_column=Column(Text, nullable=False))  # JSON list, in payload order


class Checkpoint(SQLModel, table=True):
    """The office's signature over the ledger's head at one moment (append-only).

    Verifying needs only the office's public key: a history rewritten after a
    checkpoint no longer gives the hash it signed.
    """

    __tablename__ = "checkpoint"

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: str = Field(max_length=24)
    seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    hash: str = Field(max_length=64)
    signed_at: str = Field(max_length=40)  # ISO 8601 UTC, exactly as signed
    key_id: str = Field(max_length=64)     # the public key's fingerprint
    signature: str = Field(max_length=128)  # Ed25519, hex


class Event(SQLModel, table=True):
    """One line of the append-only, hash-chained ledger."""

    __tablename__ = "event"

    seq: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    at: str = Field(max_length=40)  # ISO 8601 UTC, exactly as hashed
    actor: str
    station: str
    type: str = Field(max_length=40, index=True)
    subject: str = Field(index=True)
    payload: str = Field(sa_column=Column(Text, nullable=False))  # canonical JSON, exactly as hashed
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)


class Person(SQLModel, table=True):
    """Someone who signs in at a station; the role says what they may see and do."""

    __tablename__ = "person"

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=60, unique=True)  # the name, folded: how people sign in
    name: str = Field(max_length=60)
    role: str = Field(max_length=16)
    password_hash: str = Field(sa_column=Column(Text, nullable=False))
    active: bool = True
    created_at: datetime


class Tray(SQLModel, table=True):
    """Where the pieces of one destination go at the sorting table."""

    __tablename__ = "tray"

    destination: str = Field(primary_key=True, max_length=80)
    label: str = Field(max_length=8)


class WebSession(SQLModel, table=True):
    """One browser's sign-in at a station app. The cookie carries only the random token; the
    table keeps its SHA-256, so a copy of the database opens no session. Never deleted: a
    session ends by being revoked (sign-out, PIN, role or access change) or by its time."""

    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    station: str = Field(max_length=80)
    created_at: datetime
    last_seen: datetime
    expires_at: datetime
    revoked_at: datetime | None = None


class AlarmAck(SQLModel, table=True):
    """A quarantined file someone at a station has seen: its alarm stops showing. Not a ledger
    event (the file's `file.quarantined` or `item.rejected` event is); who and when, kept once."""

    __tablename__ = "alarm_ack"
    __table_args__ = (UniqueConstraint("station", "name", "quarantined_at", name="uq_alarm_ack"),)

    id: int | None = Field(default=None, primary_key=True)
    station: str = Field(max_length=80)
    name: str = Field(sa_column=Column(Text, nullable=False))  # as stored in quarantine/
    quarantined_at: str = Field(max_length=40)  # when the file went there (ISO 8601)
    acked_by: str = Field(max_length=60)
    acked_at: str = Field(max_length=40)  # ISO 8601 UTC


class OnlineSignatures(SQLModel, table=True):
    """Signatures an online petition export gave one case from one source (`signatures.imported`:
    one row per case and source of the import). Never changed but for `voided`, which mirrors a
    `signatures.voided` event; no name or e-mail of a signer is ever kept."""

    __tablename__ = "online_signatures"

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: str = Field(max_length=24, index=True)
    import_seq: int = Field(index=True)  # the import's number (event subject `signatures:N`)
    case_code: str = Field(max_length=24)
    source: str = Field(max_length=80)
    count: int = Field(sa_column=Column(BigInteger, nullable=False))
    first_date: date
    last_date: date
    file_sha256: str = Field(max_length=64, index=True)
    voided: bool = False


class CaseOutcomeRow(SQLModel, table=True):
    """One `case.outcome` event: what became of a case. Its id is the outcome's number (event
    subject `outcome:N`); a correction is a new row that names the one it corrects."""

    __tablename__ = "case_outcome"

    id: int = Field(primary_key=True)
    campaign_id: str = Field(max_length=24, index=True)
    case_code: str = Field(max_length=24)
    outcome: str = Field(max_length=24)
    outcome_date: date
    source: str = Field(sa_column=Column(Text, nullable=False))
    note: str | None = Field(default=None, sa_column=Column(Text))
    corrects: int | None = None
    recorded_at: str = Field(max_length=40)  # ISO 8601 UTC, the event's time
    recorded_by: str


class KitOrder(SQLModel, table=True):
    """A school, group or person who ordered kits for a campaign (`orders.imported` events).
    Its kits' serials are in the `kits.printed` events that name its reference."""

    __tablename__ = "kit_order"
    __table_args__ = (UniqueConstraint("campaign_id", "reference", name="uq_kit_order_reference"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: str = Field(max_length=24, index=True)
    reference: str = Field(max_length=40)  # the order's own id, unique in its campaign
    kind: str = Field(max_length=16)       # school, group or person
    name: str = Field(sa_column=Column(Text, nullable=False))
    contact: str = Field(sa_column=Column(Text, nullable=False))
    email: str | None = Field(default=None, sa_column=Column(Text))
    address: str = Field(sa_column=Column(Text, nullable=False))  # lines joined by "\n"
    language: str = Field(max_length=2)
    kits: int
    imported_at: datetime
    import_seq: int = Field(sa_column=Column(BigInteger, nullable=False))  # its orders.imported event
