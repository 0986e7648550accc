#pragma once

namespace imbolc::model
{

/** An ordered list of items that also finds an item by its id in O(1).

    Order is the user's order (instruments in the rack, buses in the mixer), so it is a vector; the
    hash index maps id -> position and is rebuilt from the changed position on insert and erase, which
    are rare edits. Lookups, the hot operation for the dispatcher and the network, are O(1).

    Any thread may read a const IdMap; writers need exclusive access (in practice, the message thread).
*/
template <typename IdType, typename T, auto KeyMember>
class IdMap
{
public:
    using value_type = T;

    std::size_t size() const noexcept { return items.size(); }
    bool empty() const noexcept { return items.empty(); }

    auto begin() noexcept { return items.begin(); }
    auto end() noexcept { return items.end(); }
    auto begin() const noexcept { return items.begin(); }
    auto end() const noexcept { return items.end(); }

    T& operator[] (std::size_t i) { return items[i]; }
    const T& operator[] (std::size_t i) const { return items[i]; }

    const std::vector<T>& asVector() const noexcept { return items; }

    T* find (IdType id) noexcept
    {
        auto it = index.find (id);
        return it == index.end() ? nullptr : &items[it->second];
    }

    const T* find (IdType id) const noexcept
    {
        auto it = index.find (id);
        return it == index.end() ? nullptr : &items[it->second];
    }

    bool contains (IdType id) const noexcept { return index.count (id) != 0; }

    /** Position of the item, or -1. */
    int indexOf (IdType id) const noexcept
    {
        auto it = index.find (id);
        return it == index.end() ? -1 : (int) it->second;
    }

    /** Appends an item; returns false (and changes nothing) if its id is already present. */
    bool add (T item) { return insert (items.size(), std::move (item)); }

    /** Inserts at a position (clamped to the end); returns false if the id is already present. */
    bool insert (std::size_t position, T item)
    {
        const auto id = item.*KeyMember;
        if (contains (id))
            return false;

        position = std::min (position, items.size());
        items.insert (items.begin() + (std::ptrdiff_t) position, std::move (item));
        reindexFrom (position);
        return true;
    }

    /** Removes the item with this id; returns false if there was none. */
    bool erase (IdType id)
    {
        auto it = index.find (id);
        if (it == index.end())
            return false;

        const auto position = it->second;
        index.erase (it);
        items.erase (items.begin() + (std::ptrdiff_t) position);
        reindexFrom (position);
        return true;
    }

    /** Moves an item to a new position (clamped); returns false if there is no such id. */
    bool move (IdType id, std::size_t newPosition)
    {
        const auto from = indexOf (id);
        if (from < 0)
            return false;

        newPosition = std::min (newPosition, items.size() - 1);
        auto item = std::move (items[(std::size_t) from]);
        items.erase (items.begin() + from);
        items.insert (items.begin() + (std::ptrdiff_t) newPosition, std::move (item));
        reindexFrom (std::min ((std::size_t) from, newPosition));
        return true;
    }

    /** Replaces the item that has the same id; returns false if there is none. */
    bool replace (T item)
    {
        auto* existing = find (item.*KeyMember);
        if (existing == nullptr)
            return false;
        *existing = std::move (item);
        return true;
    }

    void clear() noexcept
    {
        items.clear();
        index.clear();
    }

    /** True when every id is unique and the index agrees with the vector. */
    bool isConsistent() const
    {
        if (index.size() != items.size())
            return false;
        for (std::size_t i = 0; i < items.size(); ++i)
        {
            auto it = index.find (items[i].*KeyMember);
            if (it == index.end() || it->second != i)
                return false;
        }
        return true;
    }

    bool operator== (const IdMap& other) const { return items == other.items; }

private:
    void reindexFrom (std::size_t position)
    {
        for (auto i = position; i < items.size(); ++i)
            index[items[i].*KeyMember] = i;
    }

    std::vector<T> items;
    std::unordered_map<IdType, std::size_t> index;
};

} // namespace imbolc::model
