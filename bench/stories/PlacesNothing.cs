using System.Data.Common;
using Feeds.Core.Storage;

// Shared with bench/ingest and bench/fetch, which link this file: each measures with story placement switched off.
/// <summary>The baseline: a store that places no item in a story, as before stories (bench/stories' "off", bench/ingest's save, bench/fetch's ingest without clustering).</summary>
internal sealed class PlacesNothing : DbStoryIndex
{
    public override Task PlaceAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<WrittenItem> added,
        IReadOnlyList<WrittenItem> changed, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    protected override Task SaveReportsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<StoryReport> reports, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    protected override Task IndexTermsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<(string Term, long PublishedMs, long ItemId)> postings, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    protected override string Values(string listParameter) => throw new NotSupportedException();

    protected override string LookUpEach(string listParameter, string table, string condition) => throw new NotSupportedException();

    protected override string IsIn(string column, string listParameter) => throw new NotSupportedException();

    protected override string EarliestPerKey(string keyColumn, string keysParameter, string condition) => throw new NotSupportedException();

    protected override object List<T>(IReadOnlyCollection<T> values) => throw new NotSupportedException();
}
