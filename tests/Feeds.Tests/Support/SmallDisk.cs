using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Feeds.Tests.Support;

/// <summary>
/// A tmpfs of a few megabytes mounted for one test, to fill up under a live database. Mounting needs
/// root, as the tests have in CI; elsewhere <see cref="TryMount"/> answers null and the test says it did not run.
/// </summary>
public sealed class SmallDisk : IDisposable
{
    private SmallDisk(string path) => Path = path;

    public string Path { get; }

    private string Filler => File("filler");

    public static SmallDisk? TryMount(int megabytes)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "feeds-disk-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(path);
        if (Run("mount", "-t", "tmpfs", "-o", $"size={megabytes.ToString(CultureInfo.InvariantCulture)}m", "tmpfs", path) == 0)
            return new SmallDisk(path);
        Directory.Delete(path);
        return null;
    }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Takes every free byte, as a runaway log file would.</summary>
    public void Fill()
    {
        var chunk = new byte[64 * 1024];
        using var filler = new FileStream(Filler, FileMode.Append);
        try
        {
            while (true)
                filler.Write(chunk);
        }
        catch (IOException)
        {
            // No space left on device: full.
        }
    }

    /// <summary>The operator frees the space again.</summary>
    public void Free() => System.IO.File.Delete(Filler);

    /// <summary>
    /// The file system turns read-only under the service (a read-only bind mount over the disk, which Linux allows
    /// while files are open). Pooled connections keep their writable handles, so they are cleared: every new one
    /// opens the database through the read-only mount.
    /// </summary>
    public void MakeReadOnly()
    {
        if (Run("mount", "--bind", Path, Path) != 0 || Run("mount", "-o", "remount,bind,ro", Path) != 0)
            throw new InvalidOperationException($"could not mount {Path} read-only");
        SqliteConnection.ClearAllPools();
    }

    /// <summary>The operator makes it writable again; the service must notice by itself.</summary>
    public void MakeWritable()
    {
        // Remounted, not unmounted: the database files are open through the bind mount, so umount would say busy.
        if (Run("mount", "-o", "remount,bind,rw", Path) != 0)
            throw new InvalidOperationException($"could not make {Path} writable again");
    }

    private static int Run(string command, params string[] args)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(command, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1; // no mount command
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        // Lazy: a handle a finishing background task still holds must not keep the mount.
        Run("umount", "-l", Path);
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Still held; the OS temp cleaner takes it.
        }
    }
}
