using System.Text.Json;
using Feeds.Core.Publishing;
using Feeds.Core.Sources;
using Feeds.Core.Status;
using Feeds.Service.Pages;
using Feeds.Service.Scheduling;

namespace Feeds.Service.Endpoints;

/// <summary>
/// The status pages (<c>/status</c> as HTML and as JSON) as documents of a render cache of their own, sent as the feeds and
/// the pages are: each filter and page is rendered once per <see cref="StatusSnapshot"/> (and, on a cluster, once per change
/// of the nodes' records), with the last day of its own hundred sources read at the render, so a render costs its page and
/// an unchanged page costs nothing but the lookup.
/// </summary>
/// <remarks>
/// <para>How stale: a snapshot is rebuilt at most once per <see cref="StatusViews.MinRebuildInterval"/> and half the time,
/// so a poll shows within the longer of a second and two builds, plus a build (a few milliseconds for a few hundred sources,
/// two seconds at 20,000) and the page's render; the activity a page shows is read at its render, so it is never older than
/// the snapshot it is sliced from, and a newer poll or the hour turning makes a newer snapshot (a poll raises the change
/// count; a snapshot stands for <see cref="StatusViews.MaxAge"/> at most). A page of a newer snapshot is rendered as
/// every kept document is (<see cref="RenderCache"/>): readers get the kept page meanwhile.</para>
/// <para>Who sees them: the endpoint runs past <see cref="OperatorAccess"/>'s gate, which answers a refused request
/// before any lookup, so kept bytes never reach it. Nothing on a page depends on who asks (the token, the address), so
/// one entry serves every operator; they are sent <c>private</c>, so no shared cache keeps them for anyone else.</para>
/// <para>How many: the cache keeps <see cref="KeptPages"/> documents of each form (a page of 100 busy sources is 160 KB of HTML or
/// 230 KB of JSON, and a third more with its compressed forms: under 30 MB for both), and this cache is not the
/// feeds': a walk over every filter never pushes the feeds out. They go with the snapshot when nobody asked for
/// <see cref="StatusLifetime.IdleRelease"/>.</para>
/// </remarks>
/// <param name="services">The application's services, not a request's: a render is shared by every reader waiting for
/// it and may outlive the request that started it.</param>
internal sealed class CachedStatusPages(StatusViews views, DayActivity dayActivity, RenderFaults faults, IServiceProvider services, TimeProvider clock)
{
    /// <summary>Documents kept per cache: the states, the sections and their pages, and a few searches.</summary>
    public const int KeptPages = 64;

    /// <summary>
    /// A status page links to itself relatively (<c>/status?state=failing</c>), so it shows the same whatever host it is
    /// asked at: it is kept once per canonical query, under its form's origin, however its query was spelt.
    /// </summary>
    private static readonly Uri HtmlOrigin = new("http://html.status.invalid/"), JsonOrigin = new("http://json.status.invalid/");

    /// <summary>The HTML and JSON pages, let go with the snapshot they were sliced from when nobody asked for a while.</summary>
    private readonly RenderCache _pages = ReleasedWith(views, new RenderCache(faults, clock, 2 * KeptPages));

    /// <summary>The cluster's nodes (PostgreSQL); null on SQLite, which is one node.</summary>
    private readonly ClusterMembership? _membership = services.GetService<ClusterMembership>();

    private readonly Lock _clusterLock = new();
    private SeenCluster? _cluster;

    /// <summary>The HTML page of the sources <paramref name="filter"/> picks, page <paramref name="page"/>.</summary>
    public Task<RenderedDocument> HtmlAsync(FeedsConfig config, StatusFilter filter, int page, CancellationToken cancellationToken) =>
        GetAsync(HtmlOrigin, config, filter, page, async (snapshot, listing, cluster) => new RenderedDocument(
            await HtmlPage.RenderBytesAsync<StatusPage>(services, new Dictionary<string, object?>
            {
                [nameof(StatusPage.Snapshot)] = snapshot,
                [nameof(StatusPage.Listing)] = listing,
                [nameof(StatusPage.Cluster)] = cluster,
            }),
            HtmlPage.ContentType, clock.GetUtcNow()), cancellationToken);

    /// <summary>The same page as JSON, for tools.</summary>
    public Task<RenderedDocument> JsonAsync(FeedsConfig config, StatusFilter filter, int page, CancellationToken cancellationToken) =>
        GetAsync(JsonOrigin, config, filter, page, (snapshot, listing, cluster) => Task.FromResult(new RenderedDocument(
            JsonSerializer.SerializeToUtf8Bytes(JsonPage(snapshot, listing, cluster), StatusApi.Json), StatusApi.JsonContentType, clock.GetUtcNow())),
            cancellationToken);

    /// <summary>The page kept under <paramref name="origin"/>, or rendered from the current snapshot with its sources' last day.</summary>
    private async Task<RenderedDocument> GetAsync(Uri origin, FeedsConfig config, StatusFilter filter, int page,
        Func<StatusSnapshot, StatusListing, ClusterView?, Task<RenderedDocument>> render, CancellationToken cancellationToken)
    {
        var (snapshot, cluster, version) = await CurrentAsync(cancellationToken);
        return await _pages.GetAsync(new Uri(origin, filter.Link(page)), config, version, async () =>
        {
            // The page's sources with their last day, read for them alone: a render costs its hundred sources, not the catalogue.
            var listing = await dayActivity.AddToAsync(snapshot.Page(filter, page), CancellationToken.None);
            return await render(snapshot, listing, cluster);
        }, cancellationToken);
    }

    private static RenderCache ReleasedWith(StatusViews views, RenderCache cache)
    {
        views.Released += cache.Clear;
        return cache;
    }

    /// <summary>
    /// The snapshot and cluster a page shows now, and their version: the sum of the snapshot's and the cluster's, which both
    /// only grow, so it changes when either does.
    /// </summary>
    private async Task<(StatusSnapshot Snapshot, ClusterView? Cluster, long Version)> CurrentAsync(CancellationToken cancellationToken)
    {
        var snapshot = await views.GetAsync(cancellationToken);
        var cluster = await ClusterAsync(cancellationToken);
        return (snapshot, cluster?.View, snapshot.Version + (cluster?.Version ?? 0));
    }

    /// <summary>The nodes, read live (one small table), numbered by change: each check-in moves a node's time, every three seconds.</summary>
    private async Task<SeenCluster?> ClusterAsync(CancellationToken cancellationToken)
    {
        if (_membership is null)
            return null;
        var view = await _membership.ViewAsync(cancellationToken);
        lock (_clusterLock)
        {
            if (_cluster is null || _cluster.View.ConfigsDiffer != view.ConfigsDiffer || !_cluster.View.Nodes.SequenceEqual(view.Nodes))
                _cluster = new SeenCluster(view, (_cluster?.Version ?? 0) + 1);
            return _cluster;
        }
    }

    private static object JsonPage(StatusSnapshot snapshot, StatusListing listing, ClusterView? cluster) => new
    {
        snapshot.Report.GeneratedAt,
        snapshot.Summary,
        Filter = new { State = listing.Filter.State is { } state ? StatusFilter.Name(state) : null, listing.Filter.Section, Q = listing.Filter.Text },
        listing.Page,
        StatusListing.PageSize,
        listing.Pages,
        listing.Matching,
        Links = new
        {
            Self = listing.Filter.Link(listing.Page),
            First = listing.Filter.Link(1),
            Previous = listing.HasPrevious ? listing.Filter.Link(Math.Min(listing.Page, listing.Pages + 1) - 1) : null,
            Next = listing.HasNext ? listing.Filter.Link(listing.Page + 1) : null,
            Last = listing.Filter.Link(listing.Pages),
        },
        listing.Sources,
        snapshot.Report.Sections,
        snapshot.Report.RejectedConfig,
        Cluster = cluster,
    };

    /// <summary>A view of the cluster and the number it was given when it was first seen.</summary>
    private sealed record SeenCluster(ClusterView View, long Version);
}
