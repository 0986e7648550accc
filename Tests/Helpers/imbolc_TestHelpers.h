#pragma once

#include <catch2/catch.hpp>
#include <imbolc_model/imbolc_model.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace imbolc::test
{

/** Waits (polling) until `condition` holds or `timeoutMs` passes; returns whether it held. */
inline bool eventually (const std::function<bool()>& condition, int timeoutMs = 5000)
{
    const auto deadline = juce::Time::getMillisecondCounter() + (juce::uint32) timeoutMs;
    while (! condition())
    {
        if (juce::Time::getMillisecondCounter() > deadline)
            return condition();
        juce::Thread::sleep (2);
    }
    return true;
}

/** Makes a named pipe (FIFO) at `f`; false if it could not. */
inline bool makeNamedPipe (const juce::File& f)
{
    return ::mkfifo (f.getFullPathName().toRawUTF8(), 0644) == 0;
}

/** Makes a unix socket at `f`: bound, then closed, so the socket file stays with nobody listening. */
inline bool makeSocketFile (const juce::File& f)
{
    sockaddr_un address {};
    address.sun_family = AF_UNIX;
    const auto path = f.getFullPathName().toStdString();
    if (path.size() >= sizeof (address.sun_path))
        return false;
    std::copy (path.begin(), path.end(), address.sun_path);
    const int fd = ::socket (AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0)
        return false;
    const auto bound = ::bind (fd, (const sockaddr*) &address, sizeof (address)) == 0;
    ::close (fd);
    return bound;
}

/** The file type bits (S_IFREG, S_IFDIR, S_IFIFO, S_IFSOCK, S_IFLNK ...) of what is at `f`, links not
    followed; 0 when nothing is there. */
inline mode_t fileTypeOf (const juce::File& f)
{
    struct stat info
    {
    };
    return ::lstat (f.getFullPathName().toRawUTF8(), &info) == 0 ? (info.st_mode & S_IFMT) : 0;
}

/** A clock the test moves by hand, for undo coalescing. */
struct FakeClock
{
    std::int64_t now = 1000;
    model::UndoHistory::Clock function()
    {
        return [this]
        { return now; };
    }
};

/** Applies an action that the test expects to succeed; fails the test with the reason otherwise. */
inline model::ApplyResult applyOk (model::Dispatcher& d, const model::Action& a)
{
    auto r = d.apply (a);
    INFO (model::actionName (a) << ": " << r.error);
    REQUIRE (r.ok());
    return r;
}

/** A valid session of `count` saw instruments named "Instrument <id>". Made directly rather than
    through a dispatcher, so a session at or beyond Session::maxInstruments costs no undo snapshots. */
inline model::Session sessionWithInstruments (std::size_t count)
{
    model::Session session;
    for (std::size_t i = 0; i < count; ++i)
    {
        model::Instrument inst;
        inst.id = session.allocateId<model::InstrumentId>();
        inst.name = "Instrument " + std::to_string (inst.id.value);
        inst.source.params = model::makeParameters (inst.source.builtIn);
        session.pianoRoll.add (model::Track { inst.id, {} });
        session.instruments.add (std::move (inst));
    }
    return session;
}

/** A session with one instrument (id returned) holding a low-pass filter stage. */
struct Fixture
{
    FakeClock clock;
    model::Session session;
    model::UndoHistory history { clock.function() };
    model::Dispatcher dispatcher { session, history };

    model::InstrumentId addInstrument (model::BuiltInSource source = model::BuiltInSource::saw)
    {
        model::Source s;
        s.builtIn = source;
        model::Stage filter;
        filter.kind = model::StageKind::filter;
        return model::InstrumentId { applyOk (dispatcher, model::action::AddInstrument { "synth", s, model::Backend::internal, { filter } }).createdId };
    }

    model::StageId firstStage (model::InstrumentId id) { return session.instruments.find (id)->chain.at (0).id; }
};

} // namespace imbolc::test
