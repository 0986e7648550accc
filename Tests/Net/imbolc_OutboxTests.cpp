#include <catch2/catch.hpp>
#include <imbolc_net/imbolc_net.h>

using namespace imbolc;
using net::FrameKind;
using net::Outbox;
using net::SharedFrame;

namespace
{
/** A frame whose every byte says which frame it is (tag) and where in it the byte sits, so a byte that
    comes out of the wrong frame or at the wrong offset shows. */
SharedFrame makeFrame (std::uint8_t tag, std::size_t size)
{
    protocol::Bytes bytes (size);
    for (std::size_t i = 0; i < size; ++i)
        bytes[i] = static_cast<std::uint8_t> (i == 0 ? tag : (tag * 31u + i) & 0xffu);
    return std::make_shared<const protocol::Bytes> (std::move (bytes));
}

/** Writes the outbox dry in chunks of at most `chunk` bytes, the way the writer thread drains a socket
    that accepts only part of what it is offered; returns the frames that came out, split at the frame
    boundaries the outbox reported. */
std::vector<protocol::Bytes> drain (Outbox& box, std::size_t chunk = 1u << 20)
{
    std::vector<protocol::Bytes> frames;
    protocol::Bytes current;
    while (box.hasData())
    {
        const auto pending = box.pending();
        REQUIRE_FALSE (pending.empty());
        const auto count = std::min (chunk, pending.size());
        current.insert (current.end(), pending.begin(), pending.begin() + static_cast<std::ptrdiff_t> (count));
        const auto framesBefore = box.frameCount();
        box.consumed (count);
        if (box.frameCount() != framesBefore)
            frames.push_back (std::exchange (current, {}));
    }
    CHECK (current.empty());
    CHECK (box.unsentBytes() == 0);
    return frames;
}

/** What is left of a frame once its first `written` bytes went out. */
protocol::Bytes remainder (const SharedFrame& frame, std::size_t written) { return protocol::Bytes (frame->begin() + static_cast<std::ptrdiff_t> (written), frame->end()); }

std::vector<protocol::Bytes> contents (std::initializer_list<SharedFrame> frames)
{
    std::vector<protocol::Bytes> out;
    for (const auto& f : frames)
        out.push_back (*f);
    return out;
}
} // namespace

TEST_CASE ("Outbox hands out the queued bytes in order and in chunks", "[net][outbox]")
{
    Outbox box;
    CHECK_FALSE (box.hasData());
    CHECK (box.pending().empty());

    const auto a = makeFrame (1, 100);
    const auto b = makeFrame (2, 7);
    CHECK (box.push (FrameKind::control, a));
    CHECK (box.push (FrameKind::patch, b));
    CHECK (box.frameCount() == 2);
    CHECK (box.unsentBytes() == 107);

    // pending() is the head frame only: its bytes, starting where the last write stopped.
    REQUIRE (box.pending().size() == 100);
    CHECK (std::equal (box.pending().begin(), box.pending().end(), a->begin()));
    box.consumed (30);
    REQUIRE (box.pending().size() == 70);
    CHECK (std::equal (box.pending().begin(), box.pending().end(), a->begin() + 30));
    CHECK (box.unsentBytes() == 77);

    const auto frames = drain (box, 13);
    REQUIRE (frames.size() == 2);
    CHECK (frames[0] == remainder (a, 30));
    CHECK (frames[1] == *b);
    CHECK (box.droppedCount() == 0);
}

TEST_CASE ("Outbox consumed crosses frame boundaries", "[net][outbox]")
{
    Outbox box;
    const auto a = makeFrame (1, 10);
    const auto b = makeFrame (2, 20);
    const auto c = makeFrame (3, 30);
    box.push (FrameKind::control, a);
    box.push (FrameKind::control, b);
    box.push (FrameKind::control, c);

    // One write that finished a, all of b and 5 bytes of c (as a writev would).
    box.consumed (35);
    CHECK (box.frameCount() == 1);
    CHECK (box.unsentBytes() == 25);
    REQUIRE (box.pending().size() == 25);
    CHECK (std::equal (box.pending().begin(), box.pending().end(), c->begin() + 5));

    // Exactly to the end of the last frame empties the box.
    box.consumed (25);
    CHECK_FALSE (box.hasData());
    CHECK (box.frameCount() == 0);
    CHECK (box.unsentBytes() == 0);
    CHECK (box.pending().empty());
}

TEST_CASE ("Metering keeps only the latest unstarted frame", "[net][outbox]")
{
    Outbox box;
    const auto control = makeFrame (1, 5);
    const auto m1 = makeFrame (2, 40);
    const auto m2 = makeFrame (3, 41);
    const auto m3 = makeFrame (4, 42);

    box.push (FrameKind::metering, m1);
    box.push (FrameKind::control, control);
    box.push (FrameKind::metering, m2);
    box.push (FrameKind::metering, m3);

    CHECK (box.droppedCount() == 2);
    CHECK (box.frameCount() == 2);
    CHECK (box.unsentBytes() == 5 + 42);
    CHECK_FALSE (box.needsFullSync()); // metering is not a delta
    CHECK (drain (box) == contents ({ control, m3 }));
}

TEST_CASE ("A started frame of any kind is never dropped and is finished byte for byte", "[net][outbox]")
{
    // For each kind: start writing a frame, push what would drop it if it were unstarted, and check the
    // started frame still comes out whole, in its place.
    struct Case
    {
        FrameKind started, pushed;
        const char* name;
    };
    const Case cases[] = {
        { FrameKind::metering, FrameKind::metering, "metering behind metering" },
        { FrameKind::patch, FrameKind::patch, "patch behind patch" },
        { FrameKind::patch, FrameKind::fullSync, "full sync behind patch" },
        { FrameKind::fullSync, FrameKind::fullSync, "full sync behind full sync" },
        { FrameKind::control, FrameKind::fullSync, "full sync behind control" },
    };

    for (const auto& c : cases)
    {
        INFO (c.name);
        Outbox box;
        const auto first = makeFrame (1, 64);
        const auto second = makeFrame (2, 32);
        box.push (c.started, first);
        box.consumed (10);

        CHECK (box.push (c.pushed, second));
        CHECK (box.droppedCount() == 0);
        CHECK (box.frameCount() == 2);
        CHECK (box.unsentBytes() == 54 + 32);
        CHECK_FALSE (box.needsFullSync()); // nothing was lost

        // After the 10 bytes already written comes exactly the rest of the frame.
        const auto frames = drain (box, 7);
        REQUIRE (frames.size() == 2);
        CHECK (frames[0] == remainder (first, 10));
        CHECK (frames[1] == *second);
    }
}

TEST_CASE ("A full sync drops unstarted patches and older full syncs but keeps the rest", "[net][outbox]")
{
    Outbox box;
    const auto startedPatch = makeFrame (1, 20);
    const auto control = makeFrame (2, 6);
    const auto oldSync = makeFrame (3, 300);
    const auto patch1 = makeFrame (4, 21);
    const auto meter = makeFrame (5, 9);
    const auto patch2 = makeFrame (6, 22);
    const auto newSync = makeFrame (7, 310);

    box.push (FrameKind::patch, startedPatch);
    box.consumed (1);
    box.push (FrameKind::control, control);
    box.push (FrameKind::fullSync, oldSync);
    box.push (FrameKind::patch, patch1);
    box.push (FrameKind::metering, meter);
    box.push (FrameKind::patch, patch2); // drops patch1 and raises needsFullSync
    REQUIRE (box.droppedCount() == 1);
    REQUIRE (box.needsFullSync());
    box.clearNeedsFullSync(); // the server answers with newSync
    CHECK_FALSE (box.needsFullSync());

    box.push (FrameKind::fullSync, newSync);
    CHECK (box.droppedCount() == 3); // patch1, then oldSync and patch2
    CHECK_FALSE (box.needsFullSync()); // a full sync is the catch-up, not a loss
    CHECK (box.unsentBytes() == 19 + 6 + 9 + 310);

    auto frames = drain (box);
    REQUIRE (frames.size() == 4);
    CHECK (frames[0] == remainder (startedPatch, 1));
    CHECK (frames[1] == *control);
    CHECK (frames[2] == *meter);
    CHECK (frames[3] == *newSync);
}

TEST_CASE ("A patch behind an unstarted patch drops the older and needs a full sync", "[net][outbox]")
{
    Outbox box;
    const auto p1 = makeFrame (1, 10);
    const auto p2 = makeFrame (2, 11);
    const auto p3 = makeFrame (3, 12);

    box.push (FrameKind::patch, p1);
    CHECK_FALSE (box.needsFullSync()); // one patch waiting is normal
    box.push (FrameKind::patch, p2);
    CHECK (box.needsFullSync());
    CHECK (box.droppedCount() == 1);
    box.push (FrameKind::patch, p3);
    CHECK (box.droppedCount() == 2);
    CHECK (box.frameCount() == 1);
    CHECK (box.unsentBytes() == 12);
    CHECK (drain (box) == contents ({ p3 }));
    CHECK (box.needsFullSync()); // stays raised until the server clears it
}

TEST_CASE ("Control frames are never dropped and keep their order", "[net][outbox]")
{
    Outbox box ({ 64, 1u << 20 });
    std::vector<SharedFrame> controls;
    for (std::uint8_t i = 0; i < 6; ++i)
        controls.push_back (makeFrame (static_cast<std::uint8_t> (0x10 + i), 8u + i));

    const auto sync = makeFrame (0x30, 50);
    const auto meter = makeFrame (0x40, 9);
    const auto patchA = makeFrame (0x20, 15);
    const auto patchB = makeFrame (0x21, 16);

    box.push (FrameKind::control, controls[0]);
    box.push (FrameKind::patch, makeFrame (0x22, 14));
    box.push (FrameKind::control, controls[1]);
    box.push (FrameKind::metering, makeFrame (0x41, 9));
    box.push (FrameKind::control, controls[2]);
    box.push (FrameKind::patch, patchA);
    box.push (FrameKind::control, controls[3]);
    box.push (FrameKind::fullSync, sync);
    box.push (FrameKind::control, controls[4]);
    box.push (FrameKind::metering, meter);
    box.push (FrameKind::patch, patchB);
    box.push (FrameKind::control, controls[5]);

    CHECK (drain (box, 5) == contents ({ controls[0], controls[1], controls[2], controls[3], sync, controls[4], meter, patchB, controls[5] }));
}

TEST_CASE ("Outbox reports overflow beyond maxFrames and maxBytes but queues the frame", "[net][outbox]")
{
    SECTION ("frames")
    {
        Outbox box ({ 3, 1u << 20 });
        CHECK (box.push (FrameKind::control, makeFrame (1, 4)));
        CHECK (box.push (FrameKind::control, makeFrame (2, 4)));
        CHECK (box.push (FrameKind::control, makeFrame (3, 4))); // exactly at the limit is fine
        CHECK_FALSE (box.push (FrameKind::control, makeFrame (4, 4)));
        CHECK (box.frameCount() == 4);
        CHECK_FALSE (box.push (FrameKind::control, makeFrame (5, 4)));
        CHECK (drain (box).size() == 5);
    }

    SECTION ("bytes")
    {
        Outbox box ({ 100, 100 });
        CHECK (box.push (FrameKind::control, makeFrame (1, 60)));
        CHECK (box.push (FrameKind::control, makeFrame (2, 40))); // 100 bytes: at the limit
        const auto big = makeFrame (3, 1);
        CHECK_FALSE (box.push (FrameKind::control, big));
        CHECK (box.unsentBytes() == 101);

        // Writing some out brings it back under the limit for the next push.
        box.consumed (30);
        CHECK (box.push (FrameKind::control, makeFrame (4, 2)));
    }

    SECTION ("the default limits are eight frames")
    {
        Outbox box;
        for (std::uint8_t i = 0; i < 8; ++i)
            CHECK (box.push (FrameKind::control, makeFrame (i, 3)));
        CHECK_FALSE (box.push (FrameKind::control, makeFrame (8, 3)));
    }

    SECTION ("a drop can keep a push within the limits")
    {
        Outbox box ({ 2, 1u << 20 });
        CHECK (box.push (FrameKind::control, makeFrame (1, 4)));
        CHECK (box.push (FrameKind::metering, makeFrame (2, 4)));
        CHECK (box.push (FrameKind::metering, makeFrame (3, 4))); // replaces the older meter
        CHECK (box.frameCount() == 2);
    }
}
