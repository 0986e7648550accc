namespace imbolc::model
{

void Track::insert (const Note& note)
{
    notes.insert (std::upper_bound (notes.begin(), notes.end(), note, noteOrder), note);
}

std::optional<Note> Track::remove (NoteId id)
{
    auto it = std::find_if (notes.begin(), notes.end(), [id] (const Note& n)
                            { return n.id == id; });
    if (it == notes.end())
        return std::nullopt;
    auto removed = *it;
    notes.erase (it);
    return removed;
}

const Note* Track::find (NoteId id) const noexcept
{
    auto it = std::find_if (notes.begin(), notes.end(), [id] (const Note& n)
                            { return n.id == id; });
    return it == notes.end() ? nullptr : &*it;
}

bool Track::isSorted() const noexcept
{
    return std::is_sorted (notes.begin(), notes.end(), noteOrder);
}

std::size_t Track::firstAtOrAfter (Tick t) const noexcept
{
    auto it = std::lower_bound (notes.begin(), notes.end(), t, [] (const Note& n, Tick v)
                                { return n.tick < v; });
    return (std::size_t) (it - notes.begin());
}

//==============================================================================
namespace
{
    auto pointLowerBound (const std::vector<Point>& points, Tick t)
    {
        return std::lower_bound (points.begin(), points.end(), t, [] (const Point& p, Tick v)
                                 { return p.tick < v; });
    }
} // namespace

bool PointList::set (const Point& p)
{
    auto it = std::lower_bound (points.begin(), points.end(), p.tick, [] (const Point& q, Tick v)
                                { return q.tick < v; });
    if (it != points.end() && it->tick == p.tick)
    {
        *it = p;
        return true;
    }
    points.insert (it, p);
    return false;
}

std::optional<Point> PointList::remove (Tick t)
{
    auto it = std::lower_bound (points.begin(), points.end(), t, [] (const Point& q, Tick v)
                                { return q.tick < v; });
    if (it == points.end() || it->tick != t)
        return std::nullopt;
    auto removed = *it;
    points.erase (it);
    return removed;
}

const Point* PointList::find (Tick t) const noexcept
{
    auto it = pointLowerBound (points, t);
    return (it != points.end() && it->tick == t) ? &*it : nullptr;
}

bool PointList::isSorted() const noexcept
{
    return std::adjacent_find (points.begin(), points.end(), [] (const Point& a, const Point& b)
                               { return a.tick >= b.tick; })
           == points.end();
}

double shapeSegment (CurveType curve, int shape, double x) noexcept
{
    x = std::clamp (x, 0.0, 1.0);
    const auto bend = (double) std::clamp (shape, -Point::maxShape, Point::maxShape) / (double) Point::maxShape;
    switch (curve)
    {
        case CurveType::step:
            return 0.0;
        case CurveType::linear:
        case CurveType::exponential:
        {
            // The exponential curve is x^3 (slow start, fast finish, like a fader move in dB); the shape
            // scales the power by up to 8x either way, so a linear segment bends both ways as well.
            const auto power = (curve == CurveType::exponential ? 3.0 : 1.0) * std::exp2 (-3.0 * bend);
            return bend == 0.0 && curve == CurveType::linear ? x : std::pow (x, power);
        }
        case CurveType::sCurve:
        {
            const auto smooth = x * x * (3.0 - 2.0 * x);
            if (bend == 0.0)
                return smooth;
            // Blends towards a symmetric power S (steeper middle for positive shapes, flatter for
            // negative): both are monotonic, so every blend is, and 0 stays the plain smoothstep.
            const auto q = bend > 0.0 ? 6.0 : 0.5;
            const auto a = std::pow (x, q), b = std::pow (1.0 - x, q);
            const auto power = a / (a + b);
            return smooth + (power - smooth) * std::abs (bend);
        }
    }
    return x;
}

std::optional<float> PointList::valueAtTick (double t) const noexcept
{
    if (points.empty())
        return std::nullopt;

    auto it = std::upper_bound (points.begin(), points.end(), t, [] (double v, const Point& p)
                                { return v < (double) p.tick; });
    if (it == points.begin())
        return points.front().value;
    if (it == points.end())
        return points.back().value;

    const auto& a = *(it - 1);
    const auto& b = *it;
    const auto x = (t - (double) a.tick) / (double) (b.tick - a.tick);

    const auto shaped = shapeSegment (a.curve, a.shape, x);
    return (float) (a.value + (b.value - a.value) * shaped);
}

//==============================================================================
const Stage* findStage (const std::vector<Stage>& chain, StageId id) noexcept
{
    auto it = std::find_if (chain.begin(), chain.end(), [id] (const Stage& s)
                            { return s.id == id; });
    return it == chain.end() ? nullptr : &*it;
}

Stage* findStage (std::vector<Stage>& chain, StageId id) noexcept
{
    auto it = std::find_if (chain.begin(), chain.end(), [id] (const Stage& s)
                            { return s.id == id; });
    return it == chain.end() ? nullptr : &*it;
}

const Stage* Instrument::findStage (StageId s) const noexcept { return model::findStage (chain, s); }
Stage* Instrument::findStage (StageId s) noexcept { return model::findStage (chain, s); }

} // namespace imbolc::model
