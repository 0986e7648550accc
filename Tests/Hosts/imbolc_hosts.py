"""What the host tests share: a private JACK server, child processes that are always cleaned up, the
test session, WAV reading and note onsets, and the two state encodings hosts keep Imbolc's state in
(JUCE's LV2 StateString and the VST3 preset container). Standard library only."""

import base64
import fcntl
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

PLUGIN_URI = "http://imbolc.audio/plugins/imbolc"
STATE_KEY = PLUGIN_URI + ":StateString"  # JUCE's LV2 wrapper: the whole state as one string property
RATE = 48000
PERIOD = 256


class Failure(Exception):
    """A test failed; the message is the one sentence the test prints."""


def fail(sentence):
    raise Failure(sentence)


class Deadline(Exception):
    pass


def _on_signal(signum, _frame):
    # CTest's timeout (and Ctrl+C) ends the test through here, so the finally blocks stop the children.
    raise Failure("stopped by signal %d before finishing" % signum)


class Harness:
    """Runs a test body with a scratch directory and a list of children that are all stopped at the end,
    however the body ends (pass, failure, exception, SIGTERM, SIGINT)."""

    def __init__(self, name, deadline, keep_env="IMBOLC_KEEP_HOST_TEST"):
        self.name = name
        self.deadline = deadline  # seconds: the test fails (and cleans up) before CTest's timeout kills it
        self.children = []
        self.work = tempfile.mkdtemp(prefix="imbolc-%s-" % name)
        self.keep = bool(os.environ.get(keep_env))
        self.started = time.monotonic()

    def log(self, text):
        print("[%6.1f s] %s" % (time.monotonic() - self.started, text), flush=True)

    def path(self, *parts):
        return os.path.join(self.work, *parts)

    def spawn(self, args, name, env=None, stdin=subprocess.DEVNULL):
        """Starts a child in its own process group, its output in work/<name>.log."""
        out = open(self.path(name + ".log"), "wb")
        proc = subprocess.Popen(args, stdin=stdin, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        proc.log_path = self.path(name + ".log")
        proc.label = name
        proc.grace = 20.0 if name.startswith("jackd") else 5.0
        out.close()
        self.children.append(proc)
        return proc

    def output(self, proc):
        with open(proc.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, proc, sig=signal.SIGTERM, grace=5.0):
        """Stops a child's whole process group: sig, then SIGKILL after grace seconds."""
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                pass
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
        else:
            # The leader is gone; anything it left in its group goes too.
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def run(self, body):
        signal.signal(signal.SIGTERM, _on_signal)
        signal.signal(signal.SIGINT, _on_signal)
        signal.signal(signal.SIGALRM, lambda *_: fail("the test took longer than its %d s" % self.deadline))
        signal.alarm(self.deadline)
        code = 0
        try:
            body(self)
            self.log("PASSED: %s" % self.name)
        except Failure as e:
            code = 1
            print("FAILED: %s" % e, flush=True)
        except Exception as e:  # a bug in the test is a failure too, with its trace
            import traceback
            traceback.print_exc()
            code = 1
            print("FAILED: the test itself raised %s: %s" % (type(e).__name__, e), flush=True)
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            # Clients first, the JACK server last (it was started first).
            for proc in reversed(self.children):
                self.stop(proc, grace=proc.grace)
            if code != 0 or self.keep:
                for proc in self.children:
                    self.dump_log(proc)
            if self.keep or code != 0:
                # What the hosts wrote (sessions, exports, states, logs) stays for a failure to be read.
                print("kept %s" % self.work)
            else:
                shutil.rmtree(self.work, ignore_errors=True)
        return code

    NOISE = re.compile(r"XRun|already connected|^(Copyright|jackdmp comes|This is free|under certain)")

    def dump_log(self, proc, limit=4000):
        text = "\n".join(l for l in self.output(proc).splitlines() if not self.NOISE.search(l))
        if len(text) > limit:
            text = "...\n" + text[-limit:]
        print("--- %s (exit %s):\n%s" % (proc.label, proc.returncode, text.rstrip()), flush=True)


def need_program(name):
    path = shutil.which(name)
    if path is None:
        fail("%s is not installed (it comes with the Debian packages in .ci/debian-packages.txt)" % name)
    return path


def wait_for(predicate, seconds, what):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.05)
    fail("%s did not happen within %g s" % (what, seconds))


# ---------------------------------------------------------------------------------------------------
# JACK

JACKD_BANNER = re.compile(r"\s*(jackdmp \d|Copyright|jackdmp comes|This is free|under certain|JACK server starting|self-connect-mode)")


class Jack:
    """A private JACK server on the dummy backend (no sound card); clients find it through
    JACK_DEFAULT_SERVER in env().

    Its name comes from a small pool (imbolc-test-0 .. imbolc-test-<NAME_POOL - 1>), each held with
    an flock for the server's life, so parallel tests never share one. Not a fresh name per run: JACK
    keeps its servers in a registry of 8 entries in /dev/shm and frees a dead server's entry only
    when a server of the same name starts, so a jackd that had to be killed (it can hang on a client
    that crashed) would hold its entry for good, and after eight of them no JACK server would start
    on the machine at all ("Too many servers already active")."""

    NAME_POOL = 5

    def __init__(self, harness, rate=RATE, period=PERIOD, label="jackd", sync=False):
        need_program("jackd")
        self.h = harness
        self.label = label
        self.rate = rate
        self.period = period
        self.lock = None
        self.proc = None
        skipped = []  # locks of names whose server outlived its test: held until this one is up
        failures = 0
        end = time.monotonic() + 120
        while True:
            self.name = self._claim_name()
            if self.name is not None:
                # -S (sync): the server waits for every client each cycle, so a client late on a
                # loaded machine delays the cycle rather than losing it and sample counts stay exact;
                # -t: a generous client timeout, for the same reason.
                args = ["jackd"] + (["-S"] if sync else []) + ["-t", "5000", "-n", self.name, "-d", "dummy", "-r", str(rate), "-p", str(period)]
                self.proc = harness.spawn(args, label)
                if JackClient.wait_for_server(self.name, self.proc, 15) and self.proc.poll() is None:
                    break
                said = self.log_text()
                lock, self.lock = self.lock, None
                self.stop()
                if "already active" not in said:
                    lock.close()
                    # JACK's registry is contended when several servers start at once (the SuperCollider
                    # tests start theirs too): the loser fails at once, and a try a moment later succeeds.
                    failures += 1
                    why = next((l.strip() for l in said.splitlines() if l.strip() and not JACKD_BANNER.match(l)), "no output")
                    if failures >= 3:
                        fail("jackd did not start on the dummy backend (server %s): %s" % (self.name, why))
                    harness.log("jackd did not start (%s); trying again" % why)
                    time.sleep(0.5 * failures)
                    continue
                # A server of this name outlived the test that held the name (killed with it): another name.
                harness.log("a JACK server named %s is still running; trying another name" % self.name)
                skipped.append(lock)
                continue
            if time.monotonic() > end:
                for lock in skipped:
                    lock.close()
                fail("no JACK server name of the %d the host tests use came free within 120 s" % self.NAME_POOL)
            time.sleep(0.25)
        for lock in skipped:
            lock.close()
        harness.log("jackd%s -n %s -d dummy -r %d -p %d is up" % (" -S" if sync else "", self.name, rate, period))

    def _claim_name(self):
        for slot in range(self.NAME_POOL):
            f = open(os.path.join(tempfile.gettempdir(), "imbolc-jack-%d-%d.lock" % (os.getuid(), slot)), "a")
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                f.close()
                continue
            self.lock = f
            return "imbolc-test-%d" % slot
        return None

    def stop(self):
        """Stops the server (SIGTERM; SIGKILL only after 20 s) and frees its name."""
        if self.proc is not None:
            self.h.stop(self.proc, grace=20.0)
        if self.lock is not None:
            self.lock.close()
            self.lock = None

    def log_text(self):
        return self.h.output(self.proc)

    def env(self, **extra):
        e = dict(os.environ, JACK_DEFAULT_SERVER=self.name, JACK_NO_START_SERVER="1")
        e.update(extra)
        return e

    def ports(self):
        with JackClient(self.name) as c:
            return c.ports()

    def connect(self, a, b):
        with JackClient(self.name) as c:
            c.connect(a, b)

    def check_alive(self):
        if self.proc.poll() is not None:
            fail("jackd exited while the test ran (exit %s)" % self.proc.returncode)


class JackClient:
    """A JACK client of this test (libjack through ctypes) for what jack_wait, jack_lsp and
    jack_connect do, under a name no other test uses. Those tools' clients are always named "wait",
    "lsp" and "connect", and JACK puts a client's notification socket at /dev/shm/jack_<client>_<uid>_0
    whatever its server: two of them at once, on two tests' servers, take each other's socket and
    one server then cannot reach its client ("Cannot connect to client name = wait")."""

    _lib = None
    _count = 0

    @classmethod
    def lib(cls):
        if cls._lib is None:
            import ctypes
            try:
                lib = ctypes.CDLL("libjack.so.0")
            except OSError:
                fail("libjack.so.0 is not installed (package libjack-jackd2-0, with jackd2)")
            lib.jack_client_open.restype = ctypes.c_void_p
            lib.jack_client_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.c_char_p]
            lib.jack_client_close.argtypes = [ctypes.c_void_p]
            lib.jack_get_ports.restype = ctypes.POINTER(ctypes.c_char_p)
            lib.jack_get_ports.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong]
            lib.jack_free.argtypes = [ctypes.c_void_p]
            lib.jack_connect.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
            # libjack prints every failed connection attempt while a server starts: quiet.
            cls._quiet = ctypes.CFUNCTYPE(None, ctypes.c_char_p)(lambda _message: None)
            lib.jack_set_error_function(cls._quiet)
            lib.jack_set_info_function(cls._quiet)
            cls._lib = lib
        return cls._lib

    @classmethod
    def open(cls, server):
        """The client handle, or None when the server does not answer."""
        import ctypes
        lib = cls.lib()
        cls._count += 1
        name = ("imbolc-t%d-%d" % (os.getpid(), cls._count)).encode()
        status = ctypes.c_int(0)
        # JackNoStartServer (0x01) | JackUseExactName (0x02) | JackServerName (0x04)
        return lib.jack_client_open(name, 0x07, ctypes.byref(status), server.encode())

    @classmethod
    def wait_for_server(cls, server, proc, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end and proc.poll() is None:
            c = cls.open(server)
            if c:
                cls.lib().jack_client_close(c)
                return True
            time.sleep(0.1)
        return False

    def __init__(self, server):
        self.server = server
        self.client = None

    def __enter__(self):
        self.client = self.open(self.server)
        if not self.client:
            fail("could not open a JACK client on the server %s" % self.server)
        return self

    def __exit__(self, *_):
        self.lib().jack_client_close(self.client)

    def ports(self):
        lib = self.lib()
        found = lib.jack_get_ports(self.client, None, None, 0)
        names = []
        if found:
            i = 0
            while found[i] is not None:
                names.append(found[i].decode())
                i += 1
            lib.jack_free(found)
        return names

    def connect(self, a, b):
        r = self.lib().jack_connect(self.client, a.encode(), b.encode())
        if r != 0 and r != 17:  # 17: EEXIST, already connected
            fail("JACK could not connect %s to %s (error %d)" % (a, b, r))


# ---------------------------------------------------------------------------------------------------
# The test session: one saw with a short envelope and notes at known ticks, no effects, no swing, no loop.

TEST_BPM = 125.0  # a beat is 23040 samples at 48 kHz
TEST_NOTES = [0, 480, 960, 1680, 1920, 2880, 3120, 3840]  # ticks (480 a beat): uneven gaps
TEST_NOTE_TICKS = 120
TICKS_PER_BEAT = 480


def tick_to_sample(tick, bpm=TEST_BPM, rate=RATE):
    return tick / TICKS_PER_BEAT * 60.0 / bpm * rate


def make_test_session(imbolc, directory):
    """Writes test.imbolc: the CLI's small demo reduced (through dump and load-json) to one saw
    instrument playing TEST_NOTES, so every onset is clean and its tick is known."""
    demo = os.path.join(directory, "demo.imbolc")
    run_checked([imbolc, "demo", "-o", demo, "--size", "small"], "imbolc demo")
    data = json.loads(run_checked([imbolc, "dump", demo], "imbolc dump"))
    s = data["session"]
    inst = next(i for i in s["instruments"] if i["source"]["kind"] == "BuiltIn" and i["source"]["built_in"] == "Saw")
    inst["name"] = "Test saw"
    inst["chain"] = []
    inst["lfo"]["enabled"] = False
    inst["amp"] = {"attack": 0.005, "decay": 0.05, "sustain": 0.7, "release": 0.01}
    inst["strip"] = dict(inst["strip"], sends=[], level=0.8, pan=0.0)
    s["instruments"] = [inst]
    first = s["next_id"]
    s["piano_roll"] = [{"instrument": inst["id"], "notes": [
        {"id": first + i, "pitch": 69, "velocity": 100, "probability": 1.0, "tick": t, "duration": TEST_NOTE_TICKS}
        for i, t in enumerate(TEST_NOTES)]}]
    s["next_id"] = first + len(TEST_NOTES)
    s["arrangement"] = {"mode": "Pattern", "clips": [], "placements": []}
    s["automation"] = []
    s["mixer"]["buses"] = []
    s["mixer"]["master"]["chain"] = []
    s["settings"].update(name="Imbolc host test", bpm=TEST_BPM, swing=0.0, loop={"enabled": False, "start": 0, "end": 7680})
    js = os.path.join(directory, "test.json")
    with open(js, "w") as f:
        json.dump(data, f)
    out = os.path.join(directory, "test.imbolc")
    run_checked([imbolc, "load-json", js, "-o", out], "imbolc load-json")
    with open(out, "rb") as f:
        return out, f.read()


def run_checked(args, what, timeout=120, env=None):
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout, env=env)
    if r.returncode != 0:
        fail("%s failed (exit %d): %s" % (what, r.returncode, r.stderr.decode("utf-8", "replace").strip()[-500:]))
    return r.stdout.decode("utf-8", "replace")


def session_json(imbolc, data, directory, name):
    """The session in bytes `data` as the CLI's JSON (to say how two states differ, when they do)."""
    p = os.path.join(directory, name + ".imbolc")
    with open(p, "wb") as f:
        f.write(data)
    return json.loads(run_checked([imbolc, "dump", p], "imbolc dump of " + name))


def describe_difference(a, b, path="session"):
    """The first place two JSON values differ, as a short sentence fragment."""
    if type(a) != type(b):
        return "%s: %r vs %r" % (path, a, b)
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return "%s.%s present in only one" % (path, k)
            d = describe_difference(a[k], b[k], path + "." + k)
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return "%s: %d vs %d items" % (path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = describe_difference(x, y, "%s[%d]" % (path, i))
            if d:
                return d
        return None
    return None if a == b else "%s: %r vs %r" % (path, a, b)


# ---------------------------------------------------------------------------------------------------
# JUCE's MemoryBlock::toBase64Encoding: "<size>." then 6-bit groups, least significant bits first, in
# its own alphabet (not RFC 4648). Its LV2 wrapper stores getStateInformation this way.

_JUCE_B64 = ".ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+"
_JUCE_B64_INDEX = {c: i for i, c in enumerate(_JUCE_B64)}


def juce_base64_encode(data):
    n = (len(data) * 8 + 5) // 6
    padded = data + b"\0\0\0"
    out = []
    for i in range(0, len(data), 3):
        v = padded[i] | (padded[i + 1] << 8) | (padded[i + 2] << 16)
        out.extend(_JUCE_B64[(v >> s) & 63] for s in (0, 6, 12, 18))
    return "%d.%s" % (len(data), "".join(out[:n]))


def juce_base64_decode(text):
    size, _, chars = text.partition(".")
    size = int(size)
    values = [_JUCE_B64_INDEX[c] for c in chars if c in _JUCE_B64_INDEX]
    values += [0] * (-len(values) % 4)
    out = bytearray()
    for i in range(0, len(values), 4):
        v = values[i] | (values[i + 1] << 6) | (values[i + 2] << 12) | (values[i + 3] << 18)
        out += bytes((v & 255, (v >> 8) & 255, (v >> 16) & 255))
    if len(out) < size:
        fail("a JUCE base64 state is shorter (%d bytes) than it says (%d)" % (len(out), size))
    return bytes(out[:size])


# ---------------------------------------------------------------------------------------------------
# LV2 state: a preset (or state.ttl) holding the StateString property.

LV2_PREFIXES = """@prefix atom: <http://lv2plug.in/ns/ext/atom#> .
@prefix lv2: <http://lv2plug.in/ns/lv2core#> .
@prefix pset: <http://lv2plug.in/ns/ext/presets#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix state: <http://lv2plug.in/ns/ext/state#> .
"""


def write_lv2_preset_bundle(directory, label, state_bytes):
    """A preset bundle as lilv writes them (manifest + one preset file whose subject is the file), the
    state as JUCE's StateString (an atom:String, which a plain Turtle literal is)."""
    os.makedirs(directory, exist_ok=True)
    fname = re.sub(r"[^A-Za-z0-9]+", "_", label) + ".ttl"
    with open(os.path.join(directory, "manifest.ttl"), "w") as f:
        f.write(LV2_PREFIXES + "\n<%s>\n\ta pset:Preset ;\n\tlv2:appliesTo <%s> ;\n\trdfs:seeAlso <%s> .\n" % (fname, PLUGIN_URI, fname))
    with open(os.path.join(directory, fname), "w") as f:
        f.write(LV2_PREFIXES + "\n<>\n\ta pset:Preset ;\n\tlv2:appliesTo <%s> ;\n\trdfs:label \"%s\" ;\n\tstate:state [\n\t\t<%s> \"%s\"\n\t] .\n"
                % (PLUGIN_URI, label, STATE_KEY, juce_base64_encode(state_bytes)))
    return os.path.join(directory, fname)


def read_lv2_state(ttl_path):
    """The Imbolc state bytes in a state.ttl or preset: the StateString property, decoded."""
    with open(ttl_path, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"<%s>\s+\"([^\"]*)\"" % re.escape(STATE_KEY), text)
    if not m:
        fail("%s has no %s property" % (ttl_path, STATE_KEY))
    return juce_base64_decode(m.group(1))


# ---------------------------------------------------------------------------------------------------
# VST3: the preset container (Steinberg's vstpresetfile layout, which Ardour also uses for the state
# it keeps in the session) and JUCE's trailer on the component state.

def vst3_preset(class_id, component_state):
    """A .vstpreset: 'VST3', version 1, the class id as 32 hex characters, the chunk list's offset,
    the component state ('Comp'), then the list."""
    if not re.fullmatch(r"[0-9A-F]{32}", class_id):
        fail("%r is not a VST3 class id" % class_id)
    header = b"VST3" + struct.pack("<i", 1) + class_id.encode() + b"\0" * 8
    comp_offset = len(header)
    list_offset = comp_offset + len(component_state)
    chunk_list = b"List" + struct.pack("<i", 1) + b"Comp" + struct.pack("<qq", comp_offset, len(component_state))
    data = bytearray(header + component_state + chunk_list)
    data[40:48] = struct.pack("<q", list_offset)
    return bytes(data)


def vst3_chunks(data):
    """{chunk id: bytes} of a VST3 preset container, and its class id."""
    if len(data) < 48 or data[:4] != b"VST3":
        fail("a VST3 state is not a preset container (it starts %r)" % data[:8])
    class_id = data[8:40].decode("ascii", "replace")
    (list_offset,) = struct.unpack_from("<q", data, 40)
    if data[list_offset:list_offset + 4] != b"List":
        fail("a VST3 state has no chunk list at offset %d" % list_offset)
    (count,) = struct.unpack_from("<i", data, list_offset + 4)
    chunks = {}
    for i in range(count):
        cid = data[list_offset + 8 + 20 * i:list_offset + 12 + 20 * i].decode("ascii", "replace")
        off, size = struct.unpack_from("<qq", data, list_offset + 12 + 20 * i)
        chunks[cid] = data[off:off + size]
    return class_id, chunks


JUCE_PRIVATE = b"JUCEPrivateData"


def strip_juce_vst3_trailer(component_state):
    """JUCE's VST3 wrapper appends to getStateInformation's bytes: 8 zero bytes, a ValueTree
    (JUCEPrivateData: the bypass), its size as int64, and 'JUCEPrivateData'. Returns (plugin bytes,
    trailer or b'')."""
    if not component_state.endswith(JUCE_PRIVATE) or len(component_state) < len(JUCE_PRIVATE) + 16:
        return component_state, b""
    (private_size,) = struct.unpack_from("<q", component_state, len(component_state) - len(JUCE_PRIVATE) - 8)
    cut = len(component_state) - len(JUCE_PRIVATE) - 8 - private_size - 8
    if cut < 0:
        fail("JUCE's VST3 state trailer says %d private bytes, more than the state holds" % private_size)
    return component_state[:cut], component_state[cut:]


# ---------------------------------------------------------------------------------------------------
# WAV and onsets

def read_wav(path):
    """(rate, channels, frames as lists of floats per channel) of a PCM 16/24/32 or float 32 WAV,
    skipping chunks it does not need (BWF's bext, JUNK, LIST)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        fail("%s is not a WAV file" % path)
    pos, fmt, pcm = 12, None, None
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        body = data[pos + 8:pos + 8 + size]
        if cid == b"fmt ":
            fmt = struct.unpack_from("<HHIIHH", body)
            if fmt[0] == 0xFFFE:  # WAVE_FORMAT_EXTENSIBLE: the real format is the subformat GUID's first two bytes
                fmt = (struct.unpack_from("<H", body, 24)[0],) + fmt[1:]
        elif cid == b"data":
            pcm = body
        pos += 8 + size + (size & 1)
    if fmt is None or pcm is None:
        fail("%s has no fmt or data chunk" % path)
    tag, channels, rate, _, align, bits = fmt
    width = bits // 8
    n = len(pcm) // align
    if tag == 3 and bits == 32:
        values = struct.unpack("<%df" % (n * channels), pcm[:n * align])
    elif tag == 1 and bits == 16:
        values = [v / 32768.0 for v in struct.unpack("<%dh" % (n * channels), pcm[:n * align])]
    elif tag == 1 and bits == 32:
        values = [v / 2147483648.0 for v in struct.unpack("<%di" % (n * channels), pcm[:n * align])]
    elif tag == 1 and bits == 24:
        values = []
        for i in range(0, n * align, 3):
            v = pcm[i] | (pcm[i + 1] << 8) | (pcm[i + 2] << 16)
            values.append((v - (1 << 24) if v & 0x800000 else v) / 8388608.0)
    else:
        fail("%s is a WAV format this test does not read (tag %d, %d bits)" % (path, tag, bits))
    return rate, [list(values[c::channels]) for c in range(channels)]


def onsets(samples, threshold, quiet):
    """Where the signal first reaches `threshold` (absolute) after at least `quiet` samples below it."""
    found = []
    last_loud = -quiet - 1
    for i, v in enumerate(samples):
        if v >= threshold or -v >= threshold:
            if i - last_loud > quiet:
                found.append(i)
            last_loud = i
    return found


def peak(samples):
    return max((abs(v) for v in samples), default=0.0)


# ---------------------------------------------------------------------------------------------------
# Ardour headless

ARDOUR_LUA = "ardour7-lua"


def ardour_env(home, lv2_path, vst3_path=None):
    """Ardour with a home of its own (config, caches, VST3 presets) and plugins from the build tree
    (the JACK server's name is added per run). Ardour reads VST3_PATH only into a config it creates (first run). DISPLAY
    is the test's own (imbolc_with_xvfb.sh): JUCE in the plugin opens ":0.0" when DISPLAY is unset,
    which on a test machine can be another test's Xvfb whose exit then kills Ardour through Xlib."""
    env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=os.path.join(home, ".config"), XDG_CACHE_HOME=os.path.join(home, ".cache"),
                   XDG_DATA_HOME=os.path.join(home, ".local", "share"), LV2_PATH=lv2_path)
    if vst3_path:
        env["VST3_PATH"] = vst3_path
    return env
