"""A pure-Python client for docdbd, DocDB's server.

It speaks the wire protocol of docs/protocol.md over the server's Unix socket and gives
each database the calls of the C++ client's ``docdb::DB`` (docs/client.md)::

    import docdb

    with docdb.connect("./data/docdb.sock") as client:
        db = client.database("app")
        version = db.put("users", "alice", '{"name":"Alice"}')
        doc = db.get("users", "alice")  # Document(id='alice', json='{"name":"Alice"}', ...)

Document bodies travel as raw JSON text: a ``str`` is sent as it is and a read returns
the stored text unchanged, never parsed and re-encoded, so that whitespace and number
spellings (``10.50``) survive. A ``dict`` or ``list`` is accepted too and serialised
compactly.

Every status other than ok is raised as a :class:`DocDBError` subclass carrying the
server's code, errno and message; a lost connection raises :class:`UnavailableError`.

A :class:`Client` is safe to share between threads: each call holds the connection for
its request and response, so calls from several threads run one after another.
"""

from __future__ import annotations

import json as _json
import select
import socket
import struct
import threading
import time
from typing import Any, Callable, NamedTuple, Sequence

__all__ = [
    "AbortedError",
    "AlreadyExistsError",
    "BusyError",
    "Client",
    "CollectionInfo",
    "ConflictError",
    "CorruptionError",
    "Database",
    "DatabaseInfo",
    "DocDBError",
    "Document",
    "FailedPreconditionError",
    "InternalError",
    "IoError",
    "InvalidArgumentError",
    "NoSpaceError",
    "NotFoundError",
    "NotSupportedError",
    "OpResult",
    "Operation",
    "Pending",
    "PermissionDeniedError",
    "Pipeline",
    "ServerInfo",
    "UnavailableError",
    "connect",
    "crc32c",
    "encode_frame",
]

PROTOCOL_VERSION = 1
CLIENT_NAME = "docdb-python"

# ---------------------------------------------------------------------------------------
# CRC32C (Castagnoli), the checksum of a frame header.
# ---------------------------------------------------------------------------------------


def _crc32c_table() -> tuple[int, ...]:
    """The 256 entries of the byte-at-a-time table for the reflected polynomial."""
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_CRC32C_TABLE = _crc32c_table()


def crc32c(data: bytes) -> int:
    """The CRC32C of ``data``; ``crc32c(b"123456789") == 0xE3069283``."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _CRC32C_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


# ---------------------------------------------------------------------------------------
# Errors.
# ---------------------------------------------------------------------------------------


class DocDBError(Exception):
    """A failed DocDB status.

    ``code`` is the status code's name ("not_found", docs/protocol.md), ``errno`` the
    system error behind it (0 when none) and ``message`` the server's explanation.
    Each code has its own subclass, so ``except docdb.NotFoundError`` works as well as
    comparing ``e.code``. An error raised by :meth:`Database.write` also has
    ``results``, the per-operation :class:`OpResult` list the server sent.
    """

    code = "unknown"

    def __init__(self, message: str, errno: int = 0):
        super().__init__(message)
        self.message = message
        self.errno = errno

    def __str__(self) -> str:
        text = f"{self.code}: {self.message}"
        return f"{text} (errno {self.errno})" if self.errno else text


class NotFoundError(DocDBError):
    code = "not_found"


class AlreadyExistsError(DocDBError):
    code = "already_exists"


class InvalidArgumentError(DocDBError):
    code = "invalid_argument"


class CorruptionError(DocDBError):
    code = "corruption"


class IoError(DocDBError):
    """io_error (named apart from Python's builtin IOError)."""

    code = "io_error"


class NoSpaceError(DocDBError):
    code = "no_space"


class BusyError(DocDBError):
    code = "busy"


class ConflictError(DocDBError):
    code = "conflict"


class FailedPreconditionError(DocDBError):
    code = "failed_precondition"


class PermissionDeniedError(DocDBError):
    code = "permission_denied"


class NotSupportedError(DocDBError):
    code = "not_supported"


class AbortedError(DocDBError):
    code = "aborted"


class InternalError(DocDBError):
    code = "internal"


class UnavailableError(DocDBError):
    """The server cannot be reached, or the connection to it was lost."""

    code = "unavailable"


# Indexed by DocDB's numeric StatusCode; 0 is ok and has no exception.
_ERRORS_BY_CODE: tuple[type[DocDBError] | None, ...] = (
    None,
    NotFoundError,
    AlreadyExistsError,
    InvalidArgumentError,
    CorruptionError,
    IoError,
    NoSpaceError,
    BusyError,
    ConflictError,
    FailedPreconditionError,
    PermissionDeniedError,
    NotSupportedError,
    AbortedError,
    InternalError,
    UnavailableError,
)

# ---------------------------------------------------------------------------------------
# Results.
# ---------------------------------------------------------------------------------------


class Document(NamedTuple):
    """A stored document: its id, its JSON text exactly as stored, and its version."""

    id: str
    json: str
    version: int


class CollectionInfo(NamedTuple):
    name: str
    documents: int


class DatabaseInfo(NamedTuple):
    name: str
    open: bool


class ServerInfo(NamedTuple):
    """What the server said in its hello."""

    server_version: str
    protocol_version: int
    max_frame_body_bytes: int
    max_in_flight_per_connection: int
    max_document_bytes: int


class Operation(NamedTuple):
    """One operation of :meth:`Database.write`.

    ``kind`` is one of "create" (an empty id gets a generated one), "read", "update",
    "delete", "patch" (JSON Patch), "put" (create or replace) and "merge_patch".
    ``json`` is the document or patch (empty for read and delete).
    """

    kind: str
    collection: str
    id: str = ""
    json: Any = ""
    expected_version: int | None = None


class OpResult(NamedTuple):
    """The outcome of one operation of :meth:`Database.write`.

    ``error`` is None when the operation succeeded, else the :class:`DocDBError` it
    failed with. ``version`` is the document's version for a read and the new version
    for a write; ``id`` is set for a read and for a create with a generated id; ``json``
    holds a read's document.
    """

    error: DocDBError | None
    version: int
    id: str
    json: str
    exists: bool

    @property
    def ok(self) -> bool:
        return self.error is None


# ---------------------------------------------------------------------------------------
# Body coding (docs/protocol.md, "Body fields").
# ---------------------------------------------------------------------------------------

_HEADER = struct.Struct("<IBBHQI")  # bytes 0-19; the CRC follows as a u32
_HEADER_BYTES = 24
_MAGIC = 0x50424444  # the bytes "DDBP"
_FLAG_RESPONSE = 0x01
_FLAG_ATOMIC = 0x02
_CONNECTION_REQUEST_ID = 0

_CMD_OPEN_DB = 1
_CMD_CLOSE_DB = 2
_CMD_EXECUTE = 3
_CMD_STATS = 4
_CMD_CREATE_COLLECTION = 5
_CMD_DELETE_COLLECTION = 6
_CMD_LIST_COLLECTIONS = 7
_CMD_LIST_DBS = 8
_CMD_HEAL = 9
_CMD_HEAL_ALL = 10
_CMD_HEAL_STATS = 11
_CMD_METRICS = 12
_CMD_HELLO = 13
_CMD_GET = 14
_CMD_PUT = 15
_CMD_INSERT = 16
_CMD_INSERT_NEW = 17
_CMD_UPDATE = 18
_CMD_DELETE = 19
_CMD_PATCH = 20
_CMD_MERGE_PATCH = 21
_CMD_SCAN = 22
_CMD_COUNT = 23
_CMD_CHECKPOINT = 24
_CMD_TRIM = 25
_CMD_COMPACT = 26
_CMD_VERIFY = 27
_CMD_BACKUP = 28
_CMD_DROP_DB = 29
_CMD_EXISTS = 30

_OP_TYPES = {
    "create": 1,
    "read": 2,
    "update": 3,
    "delete": 4,
    "patch": 7,
    "put": 8,
    "merge_patch": 9,
}

_STATS_FIELDS = (
    "documents",
    "collections",
    "last_lsn",
    "checkpoint_lsn",
    "checkpoints",
    "checkpoint_max_wait_us",
    "overlay_entries",
    "wal_bytes",
    "wal_syncs",
    "wal_group_commits",
)
# After the recovery report; servers before them end there (docs/protocol.md, "Stats").
_LIFECYCLE_FIELDS = (
    "checkpoint_failures",
    "wal_segments",
    "wal_disk_bytes",
    "wal_segments_trimmed",
    "data_segments",
    "data_bytes",
    "live_bytes",
    "compactions",
    "compaction_bytes_copied",
    "compaction_bytes_reclaimed",
)

_RELIABILITY_FIELDS = (
    "writes_revoked",
    "errors_transient",
    "errors_permanent",
    "errors_critical",
    "errors_validation",
    "retries",
)
_HEALING_FIELDS = (
    "total_scans",
    "documents_healed",
    "documents_corrupted",
    "on_demand_healings",
    "background_healings",
    "last_scan_time_us",
    "last_healing_time_us",
    "documents_unrecoverable",
)
_RECOVERY_FIELDS = (
    "records_replayed",
    "first_lsn",
    "last_lsn",
    "torn_tail_segment",
    "torn_tail_offset",
    "torn_tail_lsn",
    "dropped_bytes",
    "dropped_records",
    "salvaged_regions",
)


def encode_frame(command: int, request_id: int, body: bytes, flags: int = 0) -> bytes:
    """A whole frame: the 24-byte header, whose last u32 is the CRC32C of the rest, then the body."""
    head = _HEADER.pack(_MAGIC, PROTOCOL_VERSION, flags, command, request_id, len(body))
    return head + struct.pack("<I", crc32c(head)) + body


def _text(value: str | bytes) -> bytes:
    """Names and ids travel as UTF-8."""
    return value if isinstance(value, bytes) else value.encode("utf-8")


def _json_text(value: Any) -> bytes:
    """A document or patch as the raw JSON text to send.

    A str or bytes is sent unchanged, so that the server stores exactly what the caller
    wrote; a dict or list is serialised compactly.
    """
    if isinstance(value, (str, bytes)):
        return _text(value)
    if isinstance(value, (dict, list)):
        return _json.dumps(value, separators=(",", ":")).encode("utf-8")
    raise TypeError(f"a JSON body must be str, bytes, dict or list, not {type(value).__name__}")


class _Writer:
    """Appends body fields in wire order."""

    def __init__(self) -> None:
        self._out = bytearray()

    def u8(self, v: int) -> _Writer:
        self._out += struct.pack("<B", v)
        return self

    def u16(self, v: int) -> _Writer:
        self._out += struct.pack("<H", v)
        return self

    def u32(self, v: int) -> _Writer:
        self._out += struct.pack("<I", v)
        return self

    def u64(self, v: int) -> _Writer:
        self._out += struct.pack("<Q", v)
        return self

    def boolean(self, v: bool) -> _Writer:
        return self.u8(1 if v else 0)

    def bytes(self, v: bytes) -> _Writer:
        self.u32(len(v))
        self._out += v
        return self

    def opt_u64(self, v: int | None) -> _Writer:
        return self.boolean(v is not None).u64(0 if v is None else v)

    def operation_fields(
        self, collection: str, id: str, json: bytes, expected_version: int | None
    ) -> _Writer:
        """An ``op`` after its type byte, the body of the single-document commands."""
        return self.bytes(_text(collection)).bytes(_text(id)).bytes(json).opt_u64(expected_version)

    def done(self) -> bytes:
        return bytes(self._out)


class _MalformedResponse(Exception):
    """A response body that does not decode; turned into an InvalidArgumentError."""


class _Reader:
    """Reads body fields from the front; a field that does not fit is malformed.

    Bytes left after the last known field are allowed: a newer server may append fields
    (docs/protocol.md, "Versioning").
    """

    def __init__(self, body: bytes) -> None:
        self._body = memoryview(body)
        self._pos = 0

    def _take(self, n: int, field: str) -> memoryview:
        if len(self._body) - self._pos < n:
            raise _MalformedResponse(
                f"{field} is truncated ({n} bytes needed, {len(self._body) - self._pos} left)"
            )
        chunk = self._body[self._pos : self._pos + n]
        self._pos += n
        return chunk

    def at_end(self) -> bool:
        return self._pos == len(self._body)

    def u8(self, field: str) -> int:
        return self._take(1, field)[0]

    def u16(self, field: str) -> int:
        return struct.unpack("<H", self._take(2, field))[0]

    def u32(self, field: str) -> int:
        return struct.unpack("<I", self._take(4, field))[0]

    def u64(self, field: str) -> int:
        return struct.unpack("<Q", self._take(8, field))[0]

    def boolean(self, field: str) -> bool:
        v = self.u8(field)
        if v > 1:
            raise _MalformedResponse(f"{field} is {v}")
        return v == 1

    def bytes(self, field: str) -> bytes:
        return bytes(self._take(self.u32(field), field))

    def text(self, field: str) -> str:
        return self.bytes(field).decode("utf-8")

    def count(self, field: str, min_item_bytes: int) -> int:
        """An item count, never more than the rest of the body could hold."""
        n = self.u32(field)
        left = len(self._body) - self._pos
        if n > left // min_item_bytes:
            raise _MalformedResponse(f"{field} of {n} cannot fit in the {left} bytes left")
        return n

    def status(self, field: str) -> DocDBError | None:
        """A ``status`` field: None for ok, else the error it names."""
        code = self.u16(field)
        errno = self.u32(field)
        message = self.text(field)
        if code >= len(_ERRORS_BY_CODE):
            raise _MalformedResponse(f"{field} has unknown status code {code}")
        error_class = _ERRORS_BY_CODE[code]
        return None if error_class is None else error_class(message, errno)

    def op_result(self, error: DocDBError | None = None) -> OpResult:
        return OpResult(
            error=error,
            version=self.u64("version"),
            id=self.text("id"),
            json=self.text("json"),
            exists=self.boolean("exists"),
        )


# The smallest encoded (status, op_result) of an Execute response.
_MIN_OP_RESULT_BYTES = 2 + 4 + 4 + 8 + 4 + 4 + 1

# ---------------------------------------------------------------------------------------
# The connection.
# ---------------------------------------------------------------------------------------


class _Connection:
    """One Unix-socket connection to docdbd, used by one call or one pipeline at a time.

    A call sends its frames and reads responses, matching them by request id (they may
    come out of order), while it still sends: the server stops reading a connection
    whose replies are not read, so sending everything first could wait for ever. Since a
    lock is held from the first send to the last response, no other call's response can
    be in flight: any other id is a fault, and so is a call that times out, because a
    later response could no longer be told from a stale one. Both close the connection,
    as does a response with request id 0, the server's reason for closing it.
    """

    def __init__(self, socket_path: str, timeout: float | None) -> None:
        # 0 means "wait for ever", as the C++ client's request_timeout_ms does; Python's
        # socket timeout 0 would mean non-blocking instead.
        self._timeout = timeout or None
        self._lock = threading.Lock()
        self._next_id = 1
        self._broken: DocDBError | None = None
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.settimeout(self._timeout)
        try:
            self._sock.connect(socket_path)
        except OSError as e:
            self._sock.close()
            raise UnavailableError(
                f"cannot connect to docdbd at {socket_path}: {e.strerror or e}", e.errno or 0
            ) from e

    def close(self) -> None:
        with self._lock:
            self._break(UnavailableError("the connection was closed by this client"))

    def _break(self, why: DocDBError) -> None:
        """Closes the socket; every later call fails with unavailable naming ``why``."""
        if self._broken is None:
            self._broken = why
            self._sock.close()

    def call(self, command: int, body: bytes, flags: int = 0) -> tuple[DocDBError | None, _Reader]:
        """Sends one request; returns the response's status and a reader at its payload.

        Raises UnavailableError when the connection fails, and the server's status when it
        closes the connection with one (request id 0).
        """
        return self.call_many([(command, body, flags)])[0]

    def call_many(
        self, requests: Sequence[tuple[int, bytes, int]]
    ) -> list[tuple[DocDBError | None, _Reader]]:
        """Sends every (command, body, flags) request; returns each response's status and
        a reader at its payload, in the order of ``requests``.

        The timeout bounds the wait for each next response. Raises as :meth:`call` does.
        """
        with self._lock:
            if self._broken is not None:
                raise UnavailableError(
                    f"the connection to docdbd is closed: {self._broken}", self._broken.errno
                )
            first_id = self._next_id
            self._next_id += len(requests)
            waiting = {first_id + i: command for i, (command, _, _) in enumerate(requests)}
            out = b"".join(
                encode_frame(command, first_id + i, body, flags)
                for i, (command, body, flags) in enumerate(requests)
            )
            try:
                bodies = self._exchange(out, waiting)
            except socket.timeout:
                self._break(UnavailableError(f"docdbd did not answer within {self._timeout} s"))
                raise self._broken from None
            except OSError as e:
                self._break(UnavailableError(f"connection to docdbd lost: {e}", e.errno or 0))
                raise self._broken from e
            except DocDBError as e:
                self._break(e)
                raise
        return [_status_and_reader(bodies[first_id + i]) for i in range(len(requests))]

    def _exchange(self, out: bytes, waiting: dict[int, int]) -> dict[int, bytes]:
        """Writes ``out`` while reading responses until every id in ``waiting`` (request
        id -> command) is answered; returns the bodies by request id."""
        bodies: dict[int, bytes] = {}
        inbox = bytearray()
        sent = 0
        deadline = self._deadline()
        while waiting:
            wait = None if deadline is None else deadline - time.monotonic()
            if wait is not None and wait <= 0:
                raise socket.timeout()
            readable, writable, _ = select.select(
                [self._sock], [self._sock] if sent < len(out) else [], [], wait
            )
            if writable:
                try:
                    sent += self._sock.send(out[sent : sent + (1 << 20)], socket.MSG_DONTWAIT)
                except BlockingIOError:
                    pass
                except (BrokenPipeError, ConnectionResetError):
                    # The server may have closed the connection with a reason (a refusal
                    # of a full server is sent at once), which is still there to read.
                    sent = len(out)
            if not readable:
                continue
            try:
                chunk = self._sock.recv(1 << 20, socket.MSG_DONTWAIT)
            except BlockingIOError:
                continue
            if not chunk:
                raise UnavailableError("docdbd closed the connection")
            inbox += chunk
            while (frame := _take_frame(inbox)) is not None:
                response_id, response_command, body = frame
                if response_id == _CONNECTION_REQUEST_ID:
                    # The server's word on the whole connection, just before it closes it.
                    try:
                        why = _Reader(body).status("status")
                    except _MalformedResponse:
                        why = None
                    raise why or UnavailableError("docdbd closed the connection")
                if waiting.get(response_id) != response_command:
                    raise UnavailableError(
                        f"docdbd answered request {response_id} (command {response_command}), "
                        "which is not waiting"
                    )
                del waiting[response_id]
                bodies[response_id] = body
                deadline = self._deadline()
        return bodies

    def _deadline(self) -> float | None:
        return None if self._timeout is None else time.monotonic() + self._timeout


def _take_frame(inbox: bytearray) -> tuple[int, int, bytes] | None:
    """Removes the first whole response frame from ``inbox``: (request id, command, body);
    None until one has arrived. A header that fails its checks raises UnavailableError."""
    if len(inbox) < _HEADER_BYTES:
        return None
    response_id, response_command, body_length = _check_header(bytes(inbox[:_HEADER_BYTES]))
    if len(inbox) < _HEADER_BYTES + body_length:
        return None
    body = bytes(inbox[_HEADER_BYTES : _HEADER_BYTES + body_length])
    del inbox[: _HEADER_BYTES + body_length]
    return response_id, response_command, body


def _status_and_reader(body: bytes) -> tuple[DocDBError | None, _Reader]:
    """A response's status and a reader at its payload. A status that does not decode is
    InvalidArgument: the frame was sound, so the connection goes on, as with any other
    body that does not decode."""
    reader = _Reader(body)
    try:
        return reader.status("status"), reader
    except _MalformedResponse as e:
        return InvalidArgumentError(f"docdbd sent a malformed response status: {e}"), reader


def _damaged(r: _Reader) -> list[dict[str, Any]]:
    """A damaged-document list (docs/protocol.md, "Healing")."""
    return [
        {
            "collection": r.text("damaged collection"),
            "id": r.text("damaged id"),
            "version": r.u64("damaged version"),
            "problem": r.text("damaged problem"),
        }
        for _ in range(r.count("damaged documents", 4 + 4 + 8 + 4))
    ]


def _check_header(header: bytes) -> tuple[int, int, int]:
    """The request id, command and body length of a response header, once checked.

    The same checks as the server's, in the same order (docs/protocol.md, "Frames"); a
    header that fails one cannot be trusted, so the connection ends.
    """
    magic, version, flags, command, request_id, body_length = _HEADER.unpack_from(header)
    (stored_crc,) = struct.unpack_from("<I", header, 20)
    if magic != _MAGIC:
        raise UnavailableError('docdbd sent a frame that does not start with "DDBP"')
    if stored_crc != crc32c(header[:20]):
        raise UnavailableError("docdbd sent a frame whose header checksum does not match")
    if version != PROTOCOL_VERSION:
        raise UnavailableError(f"docdbd sent a frame of protocol version {version}")
    if flags != _FLAG_RESPONSE:
        raise UnavailableError(f"docdbd sent a frame with flags {flags}, not a response's")
    return request_id, command, body_length


def _decode(what: str, reader: _Reader, decode):
    """Runs ``decode(reader)``; a body that does not decode is InvalidArgument, as in the C++ client."""
    try:
        return decode(reader)
    except (_MalformedResponse, UnicodeDecodeError) as e:
        raise InvalidArgumentError(f"docdbd sent a malformed {what} response: {e}") from None


# ---------------------------------------------------------------------------------------
# The client and its databases.
# ---------------------------------------------------------------------------------------


class Client:
    """A connection to docdbd. Use :func:`connect` to make one.

    Closing the client (or leaving its ``with`` block) closes the connection; the
    databases stay open in the server, for other clients: :meth:`close_database` closes
    one there.
    """

    def __init__(self, connection: _Connection) -> None:
        self._connection = connection
        body = _Writer().u16(PROTOCOL_VERSION).bytes(CLIENT_NAME.encode()).done()
        try:
            reader = self._call(_CMD_HELLO, body)
        except DocDBError:
            connection.close()
            raise
        self.server_info: ServerInfo = _decode(
            "hello",
            reader,
            lambda r: ServerInfo(
                server_version=r.text("server version"),
                protocol_version=r.u8("protocol version"),
                max_frame_body_bytes=r.u32("max frame body bytes"),
                max_in_flight_per_connection=r.u32("max in flight"),
                max_document_bytes=r.u32("max document bytes"),
            ),
        )
        if self.server_info.protocol_version != PROTOCOL_VERSION:
            connection.close()
            raise NotSupportedError(
                f"docdbd speaks protocol version {self.server_info.protocol_version}, "
                f"this client {PROTOCOL_VERSION}"
            )

    def _call(self, command: int, body: bytes, flags: int = 0) -> _Reader:
        """One request whose failed status is raised; returns a reader at its payload."""
        status, reader = self._connection.call(command, body, flags)
        if status is not None:
            raise status
        return reader

    def _call_db(self, command: int, db: str) -> _Reader:
        return self._call(command, _Writer().bytes(_text(db)).done())

    def database(self, name: str = "default") -> Database:
        """The database ``name``, opened (or created) in the server."""
        self._call_db(_CMD_OPEN_DB, name)
        return Database(self, name)

    def list_databases(self) -> list[DatabaseInfo]:
        """The server's databases, open or not."""
        reader = self._call(_CMD_LIST_DBS, b"")

        def decode(r: _Reader) -> list[DatabaseInfo]:
            n = r.count("database count", 4 + 1)
            return [DatabaseInfo(r.text("database name"), r.boolean("open")) for _ in range(n)]

        return _decode("list_dbs", reader, decode)

    def close_database(self, name: str) -> None:
        """Closes ``name`` in the server (for every client); NotFoundError when not open."""
        self._call_db(_CMD_CLOSE_DB, name)

    def drop_database(self, name: str) -> None:
        """Closes ``name`` and deletes its files."""
        self._call_db(_CMD_DROP_DB, name)

    def close(self) -> None:
        """Closes the connection; later calls raise UnavailableError."""
        self._connection.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def connect(socket_path: str = "./data/docdb.sock", timeout: float | None = 60.0) -> Client:
    """Connects to the docdbd listening at ``socket_path`` and exchanges hello.

    ``timeout`` (seconds) bounds each call; a call that runs out of it raises
    UnavailableError and closes the connection. 0 or None waits for ever. Raises
    UnavailableError when nothing answers at the path, and BusyError when the server
    has all the connections it takes.
    """
    return Client(_Connection(socket_path, timeout))


class Database:
    """A database in docdbd, with the calls of the C++ ``docdb::DB``.

    Made by :meth:`Client.database`; it uses its client's connection. JSON arguments are
    raw JSON text (``str``) sent unchanged, or a ``dict``/``list`` serialised compactly.
    Failures raise :class:`DocDBError` subclasses.
    """

    def __init__(self, client: Client, name: str) -> None:
        self._client = client
        self.name = name

    def _body(self) -> _Writer:
        return _Writer().bytes(_text(self.name))

    def _request(
        self,
        command: int,
        body: bytes,
        finish: Callable[[DocDBError | None, _Reader], Any],
        flags: int = 0,
    ) -> Any:
        """Sends one request and returns ``finish(status, reader)``; a :class:`Pipeline`
        queues it instead."""
        status, reader = self._client._connection.call(command, body, flags)
        return finish(status, reader)

    def _call(
        self, command: int, what: str, body: bytes, decode: Callable[[_Reader], Any] | None = None
    ) -> Any:
        """A request whose failed status is raised and whose payload ``decode`` reads."""

        def finish(status: DocDBError | None, reader: _Reader) -> Any:
            if status is not None:
                raise status
            return None if decode is None else _decode(what, reader, decode)

        return self._request(command, body, finish)

    def _one(
        self,
        command: int,
        what: str,
        collection: str,
        id: str,
        pick: Callable[[OpResult], Any],
        json: bytes = b"",
        expected_version: int | None = None,
    ) -> Any:
        """A single-document command: one operation whose status is the response's, and
        ``pick`` of its result."""
        body = self._body().operation_fields(collection, id, json, expected_version).done()
        return self._call(command, what, body, lambda r: pick(r.op_result()))

    def pipeline(self) -> Pipeline:
        """A :class:`Pipeline` on this database: calls queued and sent together."""
        return Pipeline(self._client, self.name)

    def get(self, collection: str, id: str) -> Document:
        """The document; NotFoundError when there is none."""
        return self._one(
            _CMD_GET, "get", collection, id, lambda r: Document(r.id, r.json, r.version)
        )

    def exists(self, collection: str, id: str) -> bool:
        return self._one(_CMD_EXISTS, "exists", collection, id, lambda r: r.exists)

    def put(
        self, collection: str, id: str, json: Any, expected_version: int | None = None
    ) -> int:
        """Creates or replaces the document; returns its new version.

        With ``expected_version``, ConflictError unless the stored version is that one.
        """
        return self._one(
            _CMD_PUT, "put", collection, id, _version, _json_text(json), expected_version
        )

    def insert(self, collection: str, id: str, json: Any) -> int:
        """Creates the document; AlreadyExistsError when it exists. Returns its version."""
        return self._one(_CMD_INSERT, "insert", collection, id, _version, _json_text(json))

    def insert_new(self, collection: str, json: Any) -> tuple[str, int]:
        """Creates a document under a generated, time-ordered id; returns (id, version)."""
        return self._one(
            _CMD_INSERT_NEW, "insert_new", collection, "", lambda r: (r.id, r.version), _json_text(json)
        )

    def update(
        self, collection: str, id: str, json: Any, expected_version: int | None = None
    ) -> int:
        """Replaces the document; NotFoundError when it is missing. Returns its new version."""
        return self._one(
            _CMD_UPDATE, "update", collection, id, _version, _json_text(json), expected_version
        )

    def delete(self, collection: str, id: str, expected_version: int | None = None) -> int:
        """Deletes the document; NotFoundError when it is missing."""
        return self._one(_CMD_DELETE, "delete", collection, id, _version, b"", expected_version)

    def patch(
        self, collection: str, id: str, patch: Any, expected_version: int | None = None
    ) -> int:
        """Applies a JSON Patch (an array of operations, docs/patch.md); returns the new version."""
        return self._one(
            _CMD_PATCH, "patch", collection, id, _version, _json_text(patch), expected_version
        )

    def merge_patch(
        self, collection: str, id: str, patch: Any, expected_version: int | None = None
    ) -> int:
        """Applies a JSON Merge Patch; returns the new version."""
        return self._one(
            _CMD_MERGE_PATCH,
            "merge_patch",
            collection,
            id,
            _version,
            _json_text(patch),
            expected_version,
        )

    def scan(
        self, collection: str, start: str = "", end: str = "", prefix: str = "", limit: int = 0
    ) -> list[Document]:
        """The documents with ids in [start, end) (an empty end: to the last) that begin
        with ``prefix``, in id order, at most ``limit`` of them (0: all).

        A response holds one page; the next starts just after the last id received.
        """
        out: list[Document] = []
        page_start = _text(start)

        def decode(r: _Reader) -> tuple[bool, list[Document]]:
            more = r.boolean("more")
            n = r.count("document count", 4 + 8 + 4)
            page = []
            for _ in range(n):
                id = r.text("document id")
                version = r.u64("document version")
                page.append(Document(id, r.text("document json"), version))
            return more, page

        while True:
            page_limit = limit - len(out) if limit else 0
            body = (
                self._body()
                .bytes(_text(collection))
                .bytes(page_start)
                .bytes(_text(end))
                .bytes(_text(prefix))
                .u64(page_limit)
                .done()
            )
            more, page = _decode("scan", self._client._call(_CMD_SCAN, body), decode)
            out.extend(page)
            if not more or not page or (limit and len(out) >= limit):
                return out
            # The id with a NUL byte appended is the first one that sorts after it.
            page_start = _text(out[-1].id) + b"\0"

    def count(self, collection: str) -> int:
        """The number of documents in the collection."""
        body = self._body().bytes(_text(collection)).done()
        return self._call(_CMD_COUNT, "count", body, lambda r: r.u64("count"))

    def create_collection(self, name: str) -> None:
        self._call(_CMD_CREATE_COLLECTION, "create_collection", self._body().bytes(_text(name)).done())

    def drop_collection(self, name: str, force: bool = False) -> None:
        """Drops the collection; without ``force``, only when it is empty."""
        body = self._body().bytes(_text(name)).boolean(force).done()
        self._call(_CMD_DELETE_COLLECTION, "drop_collection", body)

    def list_collections(self) -> list[CollectionInfo]:
        def decode(r: _Reader) -> list[CollectionInfo]:
            n = r.count("collection count", 4 + 8)
            return [
                CollectionInfo(r.text("collection name"), r.u64("document count"))
                for _ in range(n)
            ]

        return self._call(_CMD_LIST_COLLECTIONS, "list_collections", self._body().done(), decode)

    def write(self, ops: Sequence[Operation], atomic: bool = True) -> list[OpResult]:
        """Runs the operations as one Execute and returns one OpResult per operation.

        ``atomic`` (the default) commits them as one batch, all or none, as the C++
        ``DB::Write`` does: every operation must be a write, and a failure raises the
        batch's error (with ``results`` attached). Without it they run in order, each
        seeing the ones before; each result carries its own ``error`` and nothing is
        raised for them, so check ``result.ok``.
        """
        if not ops:
            return []
        body = self._body().u32(len(ops))
        for op in ops:
            if op.kind not in _OP_TYPES:
                raise ValueError(f"unknown operation kind {op.kind!r}; one of {sorted(_OP_TYPES)}")
            body.u8(_OP_TYPES[op.kind]).operation_fields(
                op.collection, op.id, _json_text(op.json), op.expected_version
            )

        def decode(r: _Reader) -> list[OpResult]:
            n = r.count("result count", _MIN_OP_RESULT_BYTES)
            return [r.op_result(r.status("operation status")) for _ in range(n)]

        # Execute carries its per-operation results even when it fails, so its status is
        # looked at only after they are read.
        def finish(status: DocDBError | None, reader: _Reader) -> list[OpResult]:
            try:
                results = _decode("execute", reader, decode)
            except InvalidArgumentError:
                if status is None:
                    raise
                raise status from None  # the server's own reason comes first
            if status is not None and (atomic or len(results) != len(ops)):
                # A batch that failed as a whole, or an Execute the server refused before it
                # ran the operations (e.g. a malformed one): never a success.
                status.results = results
                raise status
            return results

        return self._request(_CMD_EXECUTE, body.done(), finish, _FLAG_ATOMIC if atomic else 0)

    def checkpoint(self) -> None:
        """Writes a checkpoint and waits for it."""
        self._call(_CMD_CHECKPOINT, "checkpoint", self._body().done())

    def trim_wal(self) -> None:
        """Deletes the WAL segments the last checkpoint made unnecessary (docs/lifecycle.md)."""
        self._call(_CMD_TRIM, "trim", self._body().done())

    def compact(self) -> None:
        """Reclaims the dead space of the data segments, then checkpoints (docs/lifecycle.md)."""
        self._call(_CMD_COMPACT, "compact", self._body().done())

    def stats(self) -> dict[str, Any]:
        """The database's counters (``docdb::Stats``, docs/recovery.md), with the last
        open's recovery report under "recovery"."""

        def decode(r: _Reader) -> dict[str, Any]:
            stats: dict[str, Any] = {field: r.u64("stats") for field in _STATS_FIELDS}
            stats["io_backend"] = r.text("io backend")
            recovery: dict[str, Any] = {field: r.u64("recovery") for field in _RECOVERY_FIELDS}
            recovery["first_salvaged"] = r.text("first salvaged")
            recovery["detail"] = r.text("recovery detail")
            stats["recovery"] = recovery
            if not r.at_end():
                stats.update({field: r.u64("lifecycle stats") for field in _LIFECYCLE_FIELDS})
                stats["last_checkpoint_error"] = r.text("last checkpoint error")
            if not r.at_end():
                stats.update({field: r.u64("reliability stats") for field in _RELIABILITY_FIELDS})
                recovery["records_revoked"] = r.u64("records revoked")
                stats["read_only"] = r.boolean("read only")
                stats["read_only_reason"] = r.text("read only reason")
            if not r.at_end():
                stats["memory_bytes"] = r.u64("memory bytes")
                stats["dead_bytes"] = r.u64("dead bytes")
                stats["last_checkpoint_time_us"] = r.u64("last checkpoint time")
                recovery["duration_us"] = r.u64("recovery duration")
            if not r.at_end():
                stats["wal_direct_io"] = r.boolean("wal direct io")
            return stats

        return self._call(_CMD_STATS, "stats", self._body().done(), decode)

    def metrics(self) -> str:
        """The server's metrics in the Prometheus text format, as its /metrics serves them
        (docs/observability.md)."""
        return self._call(_CMD_METRICS, "metrics", self._body().done(), lambda r: r.text("metrics text"))

    def heal(self, collection: str, doc_id: str) -> bool:
        """Checks one document and rebuilds it from the WAL if its record is damaged
        (docs/healing.md): True when it was healed, False when it was healthy."""
        body = self._body().bytes(_text(collection))
        body.operation_fields(collection, doc_id, b"", None)
        return self._call(_CMD_HEAL, "heal", body.done(), lambda r: r.boolean("healed"))

    def heal_all(self) -> dict[str, Any]:
        """Checks every live document and heals the damaged ones: the documents checked,
        and the healed and unrecoverable ones (collection, id, version, problem)."""

        def decode(r: _Reader) -> dict[str, Any]:
            return {
                "documents_checked": r.u64("documents checked"),
                "healed": _damaged(r),
                "unrecoverable": _damaged(r),
            }

        return self._call(_CMD_HEAL_ALL, "heal all", self._body().done(), decode)

    def healing_stats(self) -> dict[str, Any]:
        """The healing counters since the database opened (``docdb::HealingStats``)."""

        def decode(r: _Reader) -> dict[str, Any]:
            stats: dict[str, Any] = {field: r.u64("healing stats") for field in _HEALING_FIELDS}
            stats["unrecoverable"] = _damaged(r)
            return stats

        return self._call(_CMD_HEAL_STATS, "healing stats", self._body().done(), decode)

    def verify(self) -> dict[str, Any]:
        """Checks every document and index entry, changing nothing (docs/admin.md)."""

        def decode(r: _Reader) -> dict[str, Any]:
            report: dict[str, Any] = {
                "documents_checked": r.u64("documents checked"),
                "segments_checked": r.u64("segments checked"),
                "damaged": _damaged(r),
            }
            report["problems"] = [r.text("problem") for _ in range(r.count("problems", 4))]
            return report

        return self._call(_CMD_VERIFY, "verify", self._body().done(), decode)

    def backup(self, destination_dir: str) -> None:
        """Writes a consistent copy of the database to a new or empty directory, an
        absolute path on the server's machine (docs/admin.md, "Backup")."""
        self._call(_CMD_BACKUP, "backup", self._body().bytes(_text(destination_dir)).done())


def _version(result: OpResult) -> int:
    return result.version


class Pending:
    """The result of one call queued on a :class:`Pipeline`."""

    def __init__(self, pipeline: Pipeline) -> None:
        self._pipeline = pipeline
        self._done = False
        self._value: Any = None
        self._error: DocDBError | None = None

    def done(self) -> bool:
        """Whether the response has arrived."""
        return self._done

    def result(self) -> Any:
        """What the call would have returned, or raises what it would have raised. Runs
        the pipeline first when it has not run yet."""
        if not self._done:
            self._pipeline.execute()
        if self._error is not None:
            raise self._error
        return self._value

    def _resolve(self, value: Any = None, error: DocDBError | None = None) -> None:
        self._done, self._value, self._error = True, value, error


class Pipeline(Database):
    """Calls on one database queued and sent to docdbd together (docs/python.md,
    "Pipelining").

    Each call of :class:`Database` (except :meth:`scan`, which pages through several
    requests) returns a :class:`Pending` instead of its result. :meth:`execute` sends
    every queued request in one go and reads the responses as they come, which lets the
    server commit many writes with one WAL sync; leaving a ``with`` block executes
    what is queued (unless the block raised). Each request is answered on its own: a
    failure is raised by its own ``result()`` and does not stop the others (use
    :meth:`Database.write` for all-or-nothing). The pipeline holds its client's
    connection while it runs, so other threads' calls wait.
    """

    def __init__(self, client: Client, name: str) -> None:
        super().__init__(client, name)
        self._queued: list[tuple[int, bytes, int, Callable[..., Any], Pending]] = []

    def _request(
        self,
        command: int,
        body: bytes,
        finish: Callable[[DocDBError | None, _Reader], Any],
        flags: int = 0,
    ) -> Pending:
        pending = Pending(self)
        self._queued.append((command, body, flags, finish, pending))
        return pending

    def scan(self, *args: Any, **kwargs: Any) -> list[Document]:
        raise NotSupportedError("scan pages through several requests: call it on the Database")

    def execute(self) -> list[Pending]:
        """Sends what is queued and waits for every response; returns the calls' Pending
        results in the order they were queued. Raises UnavailableError (and so does each
        of those results) when the connection is lost."""
        queued, self._queued = self._queued, []
        if not queued:
            return []
        try:
            responses = self._client._connection.call_many(
                [(command, body, flags) for command, body, flags, _, _ in queued]
            )
        except DocDBError as e:
            for *_, pending in queued:
                pending._resolve(error=e)
            raise
        for (_, _, _, finish, pending), (status, reader) in zip(queued, responses):
            try:
                pending._resolve(finish(status, reader))
            except DocDBError as e:
                pending._resolve(error=e)
        return [pending for *_, pending in queued]

    def __enter__(self) -> Pipeline:
        return self

    def __exit__(self, exc_type: object, *exc_info: object) -> None:
        if exc_type is None:
            self.execute()
        else:
            self._queued = []
