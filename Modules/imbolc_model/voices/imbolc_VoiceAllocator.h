#pragma once

namespace imbolc::model
{

/** Which voice slot each note gets, under a voice cap, with a fixed-capacity pool.

    The pool holds maxVoices (the largest cap a model::Instrument may have) plus a few extra slots for
    stolen voices that are still fading out, so a new note never waits for a fade. Nothing allocates
    after construction; every operation is O(slots in use) at worst.

    A slot is free, held (note on), released (note off, sounding its release) or stolen (fading out
    over a few milliseconds, then free). Held and released voices are the active ones the cap counts.

    Who gives way (stealing), in order:
      1. a voice already on the same pitch (it is retriggered: the old one fades, the new starts);
      2. only when the cap is reached: the released voice whose release began first;
      3. then among held voices the oldest, ties (notes started on the same sample) going to the
         quietest (current envelope level times velocity).
    The caller fades a stolen voice out (no click) and frees it when the fade ends.

    Shared by both renderers, so a voice cap means the same thing on the internal engine and on
    scsynth. Any single thread at a time (the engine's audio thread; the SuperCollider backend's
    sender); nothing allocates or locks.
*/
class VoiceAllocator
{
public:
    static constexpr int maxVoices = Instrument::maxVoiceCap;
    static constexpr int fadingSlots = 32;
    static constexpr int capacity = maxVoices + fadingSlots;

    enum class State : std::uint8_t
    {
        free,
        held,
        released,
        stolen
    };

    struct Slot
    {
        State state = State::free;
        std::int16_t note = -1;
        std::int64_t onTime = 0, offTime = 0; ///< sample times of the note on and off
        std::uint64_t order = 0; ///< note-on order, the last tie-break
    };

    explicit VoiceAllocator (int limit = Instrument::defaultVoiceCap);

    /** Frees every slot. */
    void reset() noexcept;

    /** The cap on active voices, clamped to 1..maxVoices. Lowering it does not steal by itself: call
        chooseVictimOverLimit until it returns -1 and fade those voices out. */
    void setLimit (int) noexcept;
    int getLimit() const noexcept { return limit; }

    /** The voice a note-on for `note` must take over: a voice on the same pitch, else (only when the
        cap is reached) the policy's choice; -1 when none has to give way. `levels` holds each slot's
        current loudness, indexed by slot. */
    int chooseVictim (int note, const float* levels) const noexcept;

    /** While more voices are active than the cap allows: the next one to steal; else -1. */
    int chooseVictimOverLimit (const float* levels) const noexcept;

    /** A free slot, or -1 when every slot (active or fading) is taken. */
    int acquire() noexcept;

    /** The stolen voice closest to silence (to cut short when no slot is free), or -1. */
    int quietestStolen (const float* levels) const noexcept;

    void start (int slot, int note, std::int64_t time) noexcept;
    void release (int slot, std::int64_t time) noexcept;
    void steal (int slot) noexcept;
    void free (int slot) noexcept;

    const Slot& operator[] (int slot) const noexcept { return slots[(std::size_t) slot]; }

    int getNumActive() const noexcept { return numActive; }
    int getNumStolen() const noexcept { return numUsed - numActive; }

    /** Slots in use (active or stolen), for iterating: used()[0 .. getNumUsed()). Freeing a slot moves
        the last entry into its place, so iterate backwards when freeing while iterating. */
    int getNumUsed() const noexcept { return numUsed; }
    const int* used() const noexcept { return usedList.data(); }

private:
    int pickPolicy (const float* levels) const noexcept;

    std::array<Slot, (std::size_t) capacity> slots {};
    std::array<int, (std::size_t) capacity> usedList {}, usedIndex {}, freeStack {};
    int numUsed = 0, numFree = 0, numActive = 0, limit = Instrument::defaultVoiceCap;
    std::uint64_t orderCounter = 0;
};

} // namespace imbolc::model
