namespace Feeds.Tests.Support;

/// <summary>Paths of files copied beside the test assembly, and scratch folders that clean up after themselves.</summary>
public static class TestFiles
{
    public static string Root => AppContext.BaseDirectory;

    /// <summary>The shipped offline sample feeds (config/samples), copied into the test output.</summary>
    public static string Sample(string name) => Path.Combine(Root, "config", "samples", name);

    public static byte[] SampleBytes(string name) => File.ReadAllBytes(Sample(name));

    public static string TestData(string relativePath) => Path.Combine(Root, "TestData", relativePath);

    public static byte[] TestDataBytes(string relativePath) => File.ReadAllBytes(TestData(relativePath));
}

/// <summary>A fresh folder under the temp directory, deleted on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "feeds-tests-" + Guid.NewGuid().ToString("N")[..12]);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a finishing background task; the OS temp cleaner takes it.
        }
    }
}
