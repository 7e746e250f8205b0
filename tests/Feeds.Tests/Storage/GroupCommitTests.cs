using Dapper;
using Feeds.Core.Composition;
using Feeds.Core.Normalization;
using Feeds.Core.Refreshing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Feeds.Core.Storage.Sqlite;
using Feeds.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Feeds.Tests.Storage;

/// <summary>
/// SQLite's group commit (<see cref="SqlitePollStore"/>): polls that wait for the writer together are saved in one
/// transaction, a savepoint each; one poll's failure is its own, a lost commit loses no poll, and every caller is answered
/// only once its poll is committed. Each test holds the writer's turn while the polls queue behind it, so they form one
/// group when it lets go. The failures are the database's own: triggers the test adds refuse a row at once
/// (<c>RAISE</c>), or at commit (a deferred foreign key that only a partner poll's row satisfies).
/// </summary>
public sealed class GroupCommitTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
    private LoopbackSourceServer _server = null!;
    private ServiceProvider _services = null!;

    private string DatabasePath => _folder.File("feeds.db");

    private SqlitePollStore Polls => (SqlitePollStore)_services.GetRequiredService<IPollStore>();

    public async Task InitializeAsync()
    {
        _server = await LoopbackSourceServer.StartAsync();
        _services = new ServiceCollection()
            .AddSingleton<TimeProvider>(_clock)
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            .AddFeedsCore(DatabasePath, TestFetching.Loopback)
            .BuildServiceProvider();
        await _services.GetRequiredService<ISchemaStore>().MigrateAsync(None);
        await ExecuteAsync("""
            CREATE TRIGGER test_refuse BEFORE INSERT ON items WHEN NEW.title = 'Refuse me'
            BEGIN SELECT RAISE(ABORT, 'the test refuses this item'); END;
            CREATE TABLE test_partner (key TEXT PRIMARY KEY);
            CREATE TABLE test_needs_partner (key TEXT REFERENCES test_partner (key) DEFERRABLE INITIALLY DEFERRED);
            CREATE TRIGGER test_needs_partner AFTER INSERT ON items WHEN NEW.title = 'Needs its partner'
            BEGIN INSERT INTO test_needs_partner VALUES ('x'); END;
            CREATE TRIGGER test_partner AFTER INSERT ON items WHEN NEW.title = 'The partner'
            BEGIN INSERT INTO test_partner VALUES ('x'); END;
            """);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _server.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task OnePollRefusedInAGroupFailsAloneAndItsSourceSaysWhyWhileTheOthersAreStored()
    {
        var sources = new[] { Serve("alpha", "First", "Second"), Serve("bravo", "Fine", "Refuse me"), Serve("charlie", "Third") };
        var refresher = _services.GetRequiredService<SourceRefresher>();

        var results = await InOneGroupAsync(sources.Length, () => sources.Select(s => refresher.RefreshAsync(s, PollReason.Manual, None)));

        Assert.Equal(2, Assert.IsType<RefreshResult.Updated>(results[0]).Added);
        var refused = Assert.IsType<RefreshResult.Failed>(results[1]);
        Assert.Equal(SourceRefresher.InternalFailure, refused.Category);
        Assert.Equal(1, Assert.IsType<RefreshResult.Updated>(results[2]).Added);
        var state = (await Polls.GetSourceStateAsync("bravo", None))!;
        Assert.Equal(PollOutcome.Failed, state.LastOutcome);
        Assert.Contains("the test refuses this item", state.LastError);
        Assert.Equal(PollOutcome.Updated, (await Polls.GetSourceStateAsync("alpha", None))!.LastOutcome);
        Assert.Equal(["First", "Second"], await TitlesAsync("alpha"));
        Assert.Empty(await TitlesAsync("bravo")); // all of its poll or none: "Fine" went with "Refuse me"
        Assert.Equal(["Third"], await TitlesAsync("charlie"));
        Assert.Null(Polls.WriteFault); // a refused row is not a fault of the machine
    }

    [Fact]
    public async Task PollsWaitingTogetherAreCommittedInOneTransaction()
    {
        // Alone, the poll whose row needs its partner's fails at its commit...
        await Assert.ThrowsAsync<SqliteException>(() => Polls.SavePollAsync(State("bravo"), [Item("b0", "Needs its partner")], None));

        // ...and in one group with the partner's poll, the constraint is met when the group commits.
        var results = await InOneGroupAsync<SaveResult>(2, () =>
        [
            Polls.SavePollAsync(State("bravo"), [Item("b1", "Needs its partner")], None),
            Polls.SavePollAsync(State("charlie"), [Item("c1", "The partner")], None),
        ]);

        Assert.All(results, result => Assert.Equal(new SaveResult(1, 0), result));
        Assert.Equal(["Needs its partner"], await TitlesAsync("bravo"));
        Assert.Equal(["The partner"], await TitlesAsync("charlie"));
    }

    [Fact]
    public async Task ALostGroupCommitSavesEachPollAloneAndOnlyTheCulpritFails()
    {
        // Bravo's row passes its statement but fails the group's commit: nothing of the group is committed then, so the
        // others must be saved again, each in its own transaction, and be answered only once that one has committed.
        var committedWhenAnswered = new Dictionary<string, Task<string[]>>();
        var saves = new Dictionary<string, Task<SaveResult>>();
        await InOneGroupAsync<SaveResult>(3, () =>
        {
            foreach (var (source, title) in new[] { ("alpha", "First"), ("bravo", "Needs its partner"), ("charlie", "Third") })
            {
                saves[source] = Polls.SavePollAsync(State(source), [Item(source + "-1", title), Item(source + "-2", title + " again")], None);
                committedWhenAnswered[source] = saves[source].ContinueWith(_ => TitlesAsync(source), TaskContinuationOptions.ExecuteSynchronously).Unwrap();
            }
            return saves.Values;
        }, allSucceed: false);

        Assert.Equal(new SaveResult(2, 0), await saves["alpha"]);
        Assert.Equal(new SaveResult(2, 0), await saves["charlie"]);
        var error = await Assert.ThrowsAsync<SqliteException>(() => saves["bravo"]);
        Assert.Contains("FOREIGN KEY", error.Message);
        Assert.Equal(["First", "First again"], await committedWhenAnswered["alpha"]);
        Assert.Equal(["Third", "Third again"], await committedWhenAnswered["charlie"]);
        Assert.Empty(await TitlesAsync("bravo"));
        Assert.Equal(["alpha", "charlie"], await SourcesStoredAsync());
    }

    [Fact]
    public async Task APollCancelledWhileWaitingForTheWriterIsNotSaved()
    {
        using var cancel = new CancellationTokenSource();
        var database = _services.GetRequiredService<SqliteDatabase>();
        Task<SaveResult> save;
        using (await database.TakeWriterTurnAsync(None))
        {
            save = Polls.SavePollAsync(State("alpha"), [Item("a1", "First")], cancel.Token);
            Assert.Equal(1, Polls.WaitingPolls);
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => save);
            Assert.Equal(0, Polls.WaitingPolls);
        }

        Assert.Equal(new SaveResult(1, 0), await Polls.SavePollAsync(State("bravo"), [Item("b1", "Second")], None));
        Assert.Equal(["bravo"], await SourcesStoredAsync());
    }

    /// <summary>
    /// Holds the writer's turn while <paramref name="start"/> starts the polls, until all <paramref name="count"/> wait
    /// behind it, then lets go: the first of them to take the turn saves them all as one group. The polls' answers, in order.
    /// </summary>
    private async Task<T[]> InOneGroupAsync<T>(int count, Func<IEnumerable<Task<T>>> start, bool allSucceed = true)
    {
        var database = _services.GetRequiredService<SqliteDatabase>();
        List<Task<T>> polls;
        using (await database.TakeWriterTurnAsync(None))
        {
            polls = start().ToList();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (Polls.WaitingPolls < count && DateTime.UtcNow < deadline)
                await Task.Delay(10);
            Assert.Equal(count, Polls.WaitingPolls);
            Assert.All(polls, poll => Assert.False(poll.IsCompleted, "no poll is answered while the writer is held"));
        }
        if (!allSucceed)
        {
            await Task.WhenAll(polls.Select(poll => poll.ContinueWith(_ => { }, TaskScheduler.Default)));
            return [];
        }
        return await Task.WhenAll(polls);
    }

    private Source Serve(string id, params string[] titles)
    {
        var items = string.Concat(titles.Select((title, i) => $"<item><title>{title}</title><guid>{id}-{i}</guid><link>https://{id}.example.com/{i}</link></item>"));
        var url = _server.Serve($"/{id}.rss", System.Text.Encoding.UTF8.GetBytes(
            $"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{id}</title><link>https://{id}.example.com/</link>{items}</channel></rss>"));
        return new Source(id, id, SourceLocation.ForUrl(url), ["all"], TimeSpan.FromMinutes(15));
    }

    private static SourceState State(string sourceId) => new() { SourceId = sourceId, Url = $"https://{sourceId}.example.com/rss", LastOutcome = PollOutcome.Updated };

    private static NormalizedItem Item(string key, string title) => new()
    {
        Key = key,
        ContentHash = "h1",
        Title = title,
        Link = $"https://example.com/{key}",
        Published = new DateTimeOffset(2026, 11, 28, 11, 0, 0, TimeSpan.Zero),
    };

    /// <summary>The source's stored titles, read through a connection of the test's own: what is committed.</summary>
    private async Task<string[]> TitlesAsync(string sourceId)
    {
        await using var connection = await OpenAsync();
        return (await connection.QueryAsync<string>("SELECT title FROM items WHERE source_id = @sourceId ORDER BY title", new { sourceId })).ToArray();
    }

    private async Task<string[]> SourcesStoredAsync()
    {
        await using var connection = await OpenAsync();
        return (await connection.QueryAsync<string>("SELECT DISTINCT source_id FROM items ORDER BY source_id")).ToArray();
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await connection.ExecuteAsync(sql);
    }

    private async Task<SqliteConnection> OpenAsync()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        return connection;
    }
}
