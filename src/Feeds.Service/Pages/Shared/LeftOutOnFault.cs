using Feeds.Core.Publishing;
using Feeds.Core.Storage;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace Feeds.Service.Pages.Shared;

/// <summary>
/// The last wall of a page around one entry: an entry that cannot be rendered (the store's guard should have made that
/// impossible) is left out and reported to <see cref="RenderFaults"/>, which logs it once, and the rest of the page is
/// served. The renderer discards the failed entry's whole subtree, so a page never holds half an entry.
/// </summary>
/// <remarks>The entry's markup must be a child component: a boundary catches the faults of its descendants.</remarks>
public sealed class LeftOutOnFault : ErrorBoundaryBase
{
    [Inject]
    private RenderFaults Faults { get; set; } = null!;

    /// <summary>The item the entry shows, named in the report.</summary>
    [Parameter, EditorRequired]
    public StoredItem Item { get; set; } = null!;

    /// <summary>The page the entry is on, as <see cref="RenderFaults"/> reports it.</summary>
    [Parameter, EditorRequired]
    public string Page { get; set; } = "";

    protected override Task OnErrorAsync(Exception exception)
    {
        Faults.NoteLeftOut(Page, new LeftOutItem(Item.SourceId, Item.ItemKey, Item.Id, $"{exception.GetType().Name}: {exception.Message}"));
        return Task.CompletedTask;
    }

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        if (CurrentException is null)
            builder.AddContent(0, ChildContent);
    }
}
