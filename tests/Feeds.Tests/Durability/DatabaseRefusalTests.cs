using Dapper;
using Feeds.Core.Composition;
using Feeds.Core.Storage;
using Feeds.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Feeds.Tests.Durability;

/// <summary>A file that is not a usable Feeds database is refused at start, with its path and what is wrong, and left as it was.</summary>
public sealed class DatabaseRefusalTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task ServeRefusesAFileThatIsNotADatabaseWithExitCode1()
    {
        var path = _folder.File("notes.db");
        await File.WriteAllTextAsync(path, "Shopping list: eggs, milk, and a great deal more text than an SQLite header would hold.");

        var (exitCode, _, error) = await FeedsProcess.RunAsync("serve", "--config", TestFiles.Root + "/config/feeds.json", "--db", path, "--urls", "http://127.0.0.1:0");

        Assert.Equal(1, exitCode);
        Assert.Contains(path, error);
        Assert.Contains("not an SQLite database", error);
        Assert.StartsWith("Shopping list", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task AnotherProgramsDatabaseIsRefusedAndNotMigrated()
    {
        var path = _folder.File("other.db");
        await ExecuteAsync(path, "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); CREATE TABLE customers (id INTEGER PRIMARY KEY);");

        var refused = await Assert.ThrowsAsync<DatabaseRefusedException>(() => MigrateAsync(path));

        Assert.Contains(path, refused.Message);
        Assert.Contains("another program (tables: customers, invoices)", refused.Message);
        Assert.Equal(0, await ScalarAsync(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'items'"));
    }

    [Fact]
    public async Task ADatabaseFromANewerFeedsIsRefused()
    {
        var path = _folder.File("newer.db");
        await MigrateAsync(path);
        await ExecuteAsync(path, "PRAGMA user_version = 999;");

        var refused = await Assert.ThrowsAsync<DatabaseRefusedException>(() => MigrateAsync(path));

        Assert.Contains("newer Feeds (schema version 999", refused.Message);
    }

    [Fact]
    public async Task ADamagedDatabaseIsRefused()
    {
        var path = _folder.File("damaged.db");
        await MigrateAsync(path);
        await ExecuteAsync(path, "PRAGMA journal_mode = DELETE; CREATE TABLE filler (x TEXT); INSERT INTO filler SELECT hex(randomblob(2000)) FROM generate_series(1, 200);");
        // Overwrite pages in the middle of the file, as a bad sector or a stray write would.
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            file.Position = file.Length / 2;
            file.Write(Enumerable.Repeat((byte)0xA5, 3 * 4096).ToArray());
        }

        var refused = await Assert.ThrowsAsync<DatabaseRefusedException>(() => MigrateAsync(path));

        Assert.Contains("it is damaged", refused.Message);
        Assert.Contains("feeds backup", refused.Message);
    }

    [Fact]
    public async Task AnEmptyFileIsANewDatabase()
    {
        var path = _folder.File("empty.db");
        await File.WriteAllBytesAsync(path, []);

        await MigrateAsync(path);

        Assert.Equal(1, await ScalarAsync(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'items'"));
    }

    [Fact]
    public async Task AFolderWhereTheDatabaseShouldBeIsRefusedWithItsPath()
    {
        var path = _folder.File("feeds.db");
        Directory.CreateDirectory(path);

        var refused = await Assert.ThrowsAsync<DatabaseRefusedException>(() => MigrateAsync(path));

        Assert.Contains(path, refused.Message);
        Assert.Contains("it cannot be opened as a Feeds database", refused.Message);
    }

    private static async Task MigrateAsync(string path)
    {
        await using (var store = new ServiceCollection().AddSingleton(TimeProvider.System).AddFeedsStore(path).BuildServiceProvider())
            await store.GetRequiredService<ISchemaStore>().MigrateAsync(CancellationToken.None);
        // Close the store's pooled connections: the tests then change the file from outside.
        SqliteConnection.ClearAllPools();
    }

    private static async Task ExecuteAsync(string path, string sql)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await connection.ExecuteAsync(sql);
    }

    private static async Task<long> ScalarAsync(string path, string sql)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        return await connection.ExecuteScalarAsync<long>(sql);
    }
}
