using Feeds.Core.Publishing;
using Feeds.Core.Storage;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace Feeds.Service.Pages.Shared;

/// <summary>
/// The last wall of a page around one entry: an entry that cannot be rendered (the store's guard should have made that
/// impossible) is left out and named in <see cref="LeftOut"/>, and the rest of the page is served. The page is kept
/// with that list, as a feed is, and <see cref="RenderCache"/> reports it to <see cref="RenderFaults"/> on every serve.
/// The renderer discards the failed entry's whole subtree, so a page never holds half an entry.
/// </summary>
/// <remarks>The entry's markup must be a child component: a boundary catches the faults of its descendants.</remarks>
public sealed class LeftOutOnFault : ErrorBoundaryBase
{
    /// <summary>The item the entry shows, named in the report.</summary>
    [Parameter, EditorRequired]
    public StoredItem Item { get; set; } = null!;

    /// <summary>The page's list of entries left out.</summary>
    [Parameter, EditorRequired]
    public ICollection<LeftOutItem> LeftOut { get; set; } = null!;

    protected override Task OnErrorAsync(Exception exception)
    {
        LeftOut.Add(new LeftOutItem(Item.SourceId, Item.ItemKey, Item.Id, $"{exception.GetType().Name}: {exception.Message}"));
        return Task.CompletedTask;
    }

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        if (CurrentException is null)
            builder.AddContent(0, ChildContent);
    }
}
