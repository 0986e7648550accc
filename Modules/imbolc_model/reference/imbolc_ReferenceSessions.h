#pragma once

namespace imbolc::model
{

enum class ReferenceSize
{
    small,
    large
};

/** Builds a reference session, the same every time (fixed seed).

    small: the demo song: every built-in source, filter type, the EQ and every built-in effect, a bus
    with sends, automation lanes and an arrangement.
    large: the benchmark session: 64 instruments with 4 chain stages each, 10,000 notes, 64 automation
    lanes of 1,000 points, 8 buses.

    Any thread (it touches only the session it returns).
*/
Session makeReferenceSession (ReferenceSize);

} // namespace imbolc::model
