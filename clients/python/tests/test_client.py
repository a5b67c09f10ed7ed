"""The Python client against a docdbd that each test starts and stops.

The server binary comes from the DOCDBD environment variable. Readiness is the
``READY=1`` datagram docdbd sends to NOTIFY_SOCKET, so no test sleeps or polls.
"""

import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import unittest

import docdb


class ServerTestCase(unittest.TestCase):
    """Starts docdbd in a fresh data directory for each test, and checks it stops cleanly."""

    server_settings: tuple[str, ...] = ()

    def setUp(self):
        binary = os.environ.get("DOCDBD")
        if not binary:
            self.fail("DOCDBD must name the docdbd binary")
        # A short directory under /tmp: a Unix socket path must be under 108 bytes.
        self.dir = tempfile.mkdtemp(prefix="ddpy", dir="/tmp")
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)
        self.socket_path = os.path.join(self.dir, "s.sock")
        notify_path = os.path.join(self.dir, "notify")
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.addCleanup(notify.close)
        notify.bind(notify_path)
        notify.settimeout(30)
        command = [
            binary,
            "--data-dir", os.path.join(self.dir, "data"),
            "--socket", self.socket_path,
            "--set", "log.level=warning",
            "--set", 'server.metrics_listen=""',  # tests run side by side: no fixed port
        ]
        for setting in self.server_settings:
            command += ["--set", setting]
        self.server = subprocess.Popen(command, env=dict(os.environ, NOTIFY_SOCKET=notify_path))
        # Should the test fail before tearDown, the server must not outlive it.
        self.addCleanup(self._kill_if_running)
        while True:
            try:
                message = notify.recv(4096)
            except socket.timeout:
                self.fail("docdbd did not report READY=1 within 30 s")
            if b"READY=1" in message.split(b"\n"):
                break

    def tearDown(self):
        self.server.send_signal(signal.SIGTERM)
        self.assertEqual(self.server.wait(timeout=60), 0)

    def _kill_if_running(self):
        if self.server.poll() is None:
            self.server.kill()
            self.server.wait()

    def connect(self):
        client = docdb.connect(self.socket_path, timeout=30)
        self.addCleanup(client.close)
        return client


class Crc32cTest(unittest.TestCase):
    def test_check_value(self):
        self.assertEqual(docdb.crc32c(b"123456789"), 0xE3069283)
        self.assertEqual(docdb.crc32c(b""), 0)


class ClientTest(ServerTestCase):
    def test_hello_and_databases(self):
        client = self.connect()
        self.assertEqual(client.server_info.protocol_version, 1)
        self.assertGreater(client.server_info.max_frame_body_bytes, 0)
        self.assertGreater(client.server_info.max_document_bytes, 0)
        self.assertTrue(client.server_info.server_version)

        client.database("app")
        self.assertIn(docdb.DatabaseInfo("app", True), client.list_databases())
        client.close_database("app")
        self.assertIn(docdb.DatabaseInfo("app", False), client.list_databases())
        with self.assertRaises(docdb.NotFoundError) as e:
            client.close_database("app")
        self.assertEqual(e.exception.code, "not_found")
        client.drop_database("app")
        self.assertNotIn("app", [d.name for d in client.list_databases()])

    def test_every_database_method_round_trips(self):
        db = self.connect().database()
        db.create_collection("users")
        v1 = db.put("users", "alice", '{"name":"Alice"}')
        self.assertEqual(db.get("users", "alice"), docdb.Document("alice", '{"name":"Alice"}', v1))
        self.assertTrue(db.exists("users", "alice"))
        self.assertFalse(db.exists("users", "nobody"))

        v2 = db.put("users", "alice", {"name": "Alice", "age": 30}, expected_version=v1)
        self.assertGreater(v2, v1)
        self.assertEqual(db.get("users", "alice").json, '{"name":"Alice","age":30}')

        v_bob = db.insert("users", "bob", '{"name":"Bob"}')
        v_bob2 = db.update("users", "bob", '{"name":"Robert"}', expected_version=v_bob)
        self.assertEqual(db.get("users", "bob"), docdb.Document("bob", '{"name":"Robert"}', v_bob2))

        db.patch("users", "bob", [{"op": "add", "path": "/age", "value": 41}])
        self.assertEqual(db.get("users", "bob").json, '{"name":"Robert","age":41}')
        db.merge_patch("users", "bob", '{"age":null,"city":"Oslo"}')
        self.assertEqual(db.get("users", "bob").json, '{"name":"Robert","city":"Oslo"}')

        new_id, new_version = db.insert_new("users", '{"name":"Carol"}')
        self.assertTrue(new_id)
        self.assertEqual(db.get("users", new_id), docdb.Document(new_id, '{"name":"Carol"}', new_version))

        self.assertEqual(db.count("users"), 3)
        self.assertEqual([d.id for d in db.scan("users", prefix="b")], ["bob"])
        self.assertEqual([d.id for d in db.scan("users", start="alice", end="bob")], ["alice"])
        self.assertIn(docdb.CollectionInfo("users", 3), db.list_collections())

        db.delete("users", new_id)
        self.assertFalse(db.exists("users", new_id))
        db.checkpoint()
        stats = db.stats()
        self.assertEqual(stats["documents"], 2)
        self.assertGreaterEqual(stats["checkpoints"], 1)
        self.assertIsInstance(stats["io_backend"], str)
        self.assertIn("records_replayed", stats["recovery"])
        db.compact()
        db.trim_wal()
        stats = db.stats()
        self.assertEqual(stats["checkpoint_failures"], 0)
        self.assertFalse(stats["read_only"])
        self.assertEqual(stats["writes_revoked"], 0)
        self.assertIn("records_revoked", stats["recovery"])
        self.assertFalse(db.heal("users", "alice"), "healthy")
        report = db.heal_all()
        self.assertEqual(report["documents_checked"], 2)
        self.assertEqual(report["healed"], [])
        self.assertEqual(db.healing_stats()["total_scans"], 1)
        verified = db.verify()
        self.assertEqual((verified["damaged"], verified["problems"]), ([], []))
        self.assertEqual(verified["documents_checked"], 2)
        self.assertGreater(db.stats()["memory_bytes"], 0)
        metrics = db.metrics()
        self.assertIn("# TYPE docdb_operations_total counter", metrics)
        self.assertIn('docdb_operations_total{db="default",operation="verify",status="ok"} 1',
                      metrics)
        self.assertGreaterEqual(stats["data_bytes"], stats["live_bytes"])
        self.assertGreater(stats["live_bytes"], 0)

        with self.assertRaises(docdb.DocDBError):
            db.drop_collection("users")  # not empty
        db.drop_collection("users", force=True)
        self.assertNotIn("users", [c.name for c in db.list_collections()])

    def test_errors_carry_their_codes(self):
        db = self.connect().database()
        with self.assertRaises(docdb.NotFoundError) as e:
            db.count("no_such_collection")
        db.create_collection("c")
        with self.assertRaises(docdb.NotFoundError) as e:
            db.get("c", "missing")
        self.assertEqual(e.exception.code, "not_found")
        self.assertTrue(e.exception.message)

        version = db.insert("c", "a", "{}")
        with self.assertRaises(docdb.AlreadyExistsError) as e:
            db.insert("c", "a", "{}")
        self.assertEqual(e.exception.code, "already_exists")

        db.put("c", "a", '{"x":1}', expected_version=version)
        with self.assertRaises(docdb.ConflictError) as e:
            db.put("c", "a", '{"x":2}', expected_version=version)
        self.assertEqual(e.exception.code, "conflict")
        self.assertEqual(db.get("c", "a").json, '{"x":1}')

        with self.assertRaises(docdb.InvalidArgumentError) as e:
            db.put("c", "b", '{"x":')
        self.assertEqual(e.exception.code, "invalid_argument")
        self.assertIsInstance(e.exception, docdb.DocDBError)

        with self.assertRaises(docdb.NotFoundError):
            db.update("c", "missing", "{}")
        with self.assertRaises(docdb.NotFoundError):
            db.delete("c", "missing")

    def test_json_text_is_kept_exactly(self):
        db = self.connect().database()
        db.create_collection("c")
        text = '{"note":"  two  spaces\\tand a tab ","price":10.50,"big":1.0e+3,"list":[ 1 , 2 ]}'
        db.put("c", "exact", text)
        stored = db.get("c", "exact").json
        self.assertIn('"  two  spaces\\tand a tab "', stored)
        self.assertIn("10.50", stored)
        self.assertIn("1.0e+3", stored)
        self.assertEqual([d.json for d in db.scan("c")], [stored])

    def test_scan_pages_through_2500_documents(self):
        db = self.connect().database()
        db.create_collection("many")
        ids = [f"doc{i:05d}" for i in range(2500)]
        for start in range(0, len(ids), 500):
            db.write([docdb.Operation("put", "many", i, f'{{"n":{int(i[3:])}}}') for i in ids[start : start + 500]])
        docs = db.scan("many")
        self.assertEqual([d.id for d in docs], ids)
        self.assertEqual(docs[1234].json, '{"n":1234}')
        self.assertEqual([d.id for d in db.scan("many", limit=1500)], ids[:1500])
        self.assertEqual([d.id for d in db.scan("many", start="doc01000", limit=1200)], ids[1000:2200])
        self.assertEqual(len(db.scan("many", prefix="doc01")), 1000)
        self.assertEqual(db.count("many"), 2500)

    def test_write(self):
        db = self.connect().database()
        db.create_collection("w")
        results = db.write(
            [
                docdb.Operation("create", "w", "a", '{"a":1}'),
                docdb.Operation("put", "w", "b", {"b": 2}),
                docdb.Operation("create", "w", "", '{"generated":true}'),
            ]
        )
        self.assertEqual(len(results), 3)
        self.assertTrue(all(r.ok for r in results))
        generated = results[2].id
        self.assertTrue(generated)
        self.assertEqual(db.get("w", generated).json, '{"generated":true}')
        self.assertEqual(db.write([]), [])

        # An atomic batch with one failing operation applies none of them.
        with self.assertRaises(docdb.AlreadyExistsError) as e:
            db.write(
                [
                    docdb.Operation("put", "w", "c", '{"c":3}'),
                    docdb.Operation("create", "w", "a", '{"again":1}'),
                    docdb.Operation("delete", "w", "b"),
                ]
            )
        self.assertEqual(len(e.exception.results), 3)
        self.assertFalse(db.exists("w", "c"))
        self.assertTrue(db.exists("w", "b"))
        self.assertEqual(db.get("w", "a").json, '{"a":1}')

        # A read is no write: refused in an atomic batch.
        with self.assertRaises(docdb.InvalidArgumentError):
            db.write([docdb.Operation("read", "w", "a")])

        # Without atomic, operations run in order and each has its own outcome.
        results = db.write(
            [
                docdb.Operation("read", "w", "a"),
                docdb.Operation("read", "w", "missing"),
                docdb.Operation("put", "w", "d", '{"d":4}'),
            ],
            atomic=False,
        )
        self.assertEqual(results[0].json, '{"a":1}')
        self.assertIsInstance(results[1].error, docdb.NotFoundError)
        self.assertTrue(results[2].ok)
        self.assertTrue(db.exists("w", "d"))

        with self.assertRaises(ValueError):
            db.write([docdb.Operation("upsert", "w", "x", "{}")])

    def test_bad_header_checksum_gets_request_id_zero_and_close(self):
        raw = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.addCleanup(raw.close)
        raw.settimeout(30)
        raw.connect(self.socket_path)
        frame = bytearray(docdb.encode_frame(13, 7, struct.pack("<HI", 1, 0)))
        frame[20] ^= 0xFF  # the header checksum
        raw.sendall(frame)

        header = self._recv_exactly(raw, 24)
        magic, version, flags, command, request_id, body_length = struct.unpack_from("<IBBHQI", header)
        self.assertEqual(magic, 0x50424444)
        self.assertEqual(struct.unpack_from("<I", header, 20)[0], docdb.crc32c(header[:20]))
        self.assertEqual((version, flags, command, request_id), (1, 0x01, 0, 0))
        body = self._recv_exactly(raw, body_length)
        code, _errno, message_length = struct.unpack_from("<HII", body)
        self.assertEqual(code, 3)  # invalid_argument
        self.assertIn(b"checksum", body[10 : 10 + message_length])
        self.assertEqual(raw.recv(1), b"")  # closed by the server

    def test_closed_and_missing_servers_are_unavailable(self):
        client = self.connect()
        db = client.database()
        client.close()
        with self.assertRaises(docdb.UnavailableError) as e:
            db.get("c", "a")
        self.assertEqual(e.exception.code, "unavailable")
        with self.assertRaises(docdb.UnavailableError):
            docdb.connect(os.path.join(self.dir, "nothing.sock"))

    @staticmethod
    def _recv_exactly(sock, n):
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise AssertionError(f"connection closed after {len(data)} of {n} bytes")
            data += chunk
        return data


class PipelineTest(ServerTestCase):
    """Pipelined calls against a server that reads at most 4 requests of a connection
    ahead and holds at most 64 KiB of its replies: a pipeline far beyond both completes
    only because the client reads responses while it still sends."""

    server_settings = (
        "server.max_in_flight_per_connection=4",
        "server.max_output_bytes_per_connection=65536",
    )

    def test_results_come_back_in_order_each_with_its_own_error(self):
        db = self.connect().database()
        db.create_collection("p")
        big = '{"pad":"' + "x" * 100_000 + '"}'
        with db.pipeline() as p:
            puts = [p.put("p", f"d{i}", big if i % 10 == 0 else f'{{"i":{i}}}') for i in range(300)]
            missing = p.get("p", "nobody")
            gets = [p.get("p", f"d{i}") for i in range(300)]
            count = p.count("p")
            self.assertFalse(count.done(), "nothing is sent before the block ends")
        versions = [put.result() for put in puts]
        self.assertEqual(versions, sorted(versions))
        self.assertEqual(len(set(versions)), 300)
        with self.assertRaises(docdb.NotFoundError):
            missing.result()
        for i, get in enumerate(gets):
            doc = get.result()
            self.assertEqual((doc.id, doc.version), (f"d{i}", versions[i]))
            self.assertEqual(doc.json, big if i % 10 == 0 else f'{{"i":{i}}}')
        self.assertEqual(count.result(), 300)

    def test_result_runs_the_pipeline_and_a_raising_block_sends_nothing(self):
        db = self.connect().database()
        p = db.pipeline()
        version = p.put("default", "a", "1")
        self.assertEqual(p.get("default", "a").result().version, version.result())
        with self.assertRaises(KeyError):
            with db.pipeline() as q:
                q.put("default", "b", "2")
                raise KeyError("stop")
        self.assertFalse(db.exists("default", "b"))
        with self.assertRaises(docdb.NotSupportedError):
            db.pipeline().scan("default")
        self.assertEqual(db.pipeline().execute(), [])

    def test_a_lost_connection_fails_every_pending_call(self):
        client = self.connect()
        p = client.database().pipeline()
        calls = [p.put("default", f"k{i}", "1") for i in range(3)]
        client.close()
        with self.assertRaises(docdb.UnavailableError):
            p.execute()
        for call in calls:
            with self.assertRaises(docdb.UnavailableError):
                call.result()


class DocsExampleTest(ServerTestCase):
    """The examples of docs/python.md, run in order against the server."""

    def test_examples_run(self):
        docs = os.path.join(os.path.dirname(__file__), "..", "..", "..", "docs", "python.md")
        with open(docs, encoding="utf-8") as f:
            blocks = re.findall(r"```python\n(.*?)```", f.read(), re.DOTALL)
        self.assertGreaterEqual(len(blocks), 3)
        for block in blocks:
            namespace = {"docdb": docdb, "db": self.connect().database("app")}
            exec(block.replace("./data/docdb.sock", self.socket_path), namespace)


class FullServerTest(ServerTestCase):
    """A connection beyond max_connections is refused with busy on request id 0."""

    server_settings = ("server.max_connections=1",)

    def test_refused_connection_raises_busy(self):
        first = self.connect()
        with self.assertRaises(docdb.BusyError) as e:
            docdb.connect(self.socket_path, timeout=30)
        self.assertEqual(e.exception.code, "busy")
        self.assertEqual(first.database().count("default"), 0)  # the first connection goes on


if __name__ == "__main__":
    unittest.main()
