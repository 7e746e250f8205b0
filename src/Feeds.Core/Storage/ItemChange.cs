using System.Globalization;

namespace Feeds.Core.Storage;

/// <summary>
/// A point in the order in which items were stored or last changed: the (last changed time, row id) of an item. What
/// changed after it is what a poll added or edited since (<see cref="IPublishingStore.GetStoriesChangedAfterAsync"/>).
/// </summary>
public readonly record struct ItemChange(long ChangedMs, long ItemId)
{
    /// <summary>Before every item.</summary>
    public static readonly ItemChange None = new(0, 0);

    /// <summary>The form kept in a job's data: "1732790000000.42".</summary>
    public override string ToString() => ChangedMs.ToString(CultureInfo.InvariantCulture) + "." + ItemId.ToString(CultureInfo.InvariantCulture);

    /// <summary>Reads back <see cref="ToString"/>; false for anything else.</summary>
    public static bool TryParse(string? text, out ItemChange change)
    {
        change = None;
        var dot = text?.IndexOf('.') ?? -1;
        if (dot <= 0
            || !long.TryParse(text.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var changedMs)
            || !long.TryParse(text.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var itemId))
            return false;
        change = new ItemChange(changedMs, itemId);
        return true;
    }
}
