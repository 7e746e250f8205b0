using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Feeds.Tests.Support;

/// <summary>
/// A tmpfs of a few megabytes mounted for one test, to fill up under a live database. Mounting needs root, which
/// the tests have in CI (<c>.ci/run</c> runs as root on a bare Debian machine, whose util-linux has <c>mount</c>):
/// there the fault tests must run, so a disk that cannot be mounted fails the test with the reason, never lets it pass
/// unrun. Run the suite as root (or in a container with CAP_SYS_ADMIN) to run them elsewhere.
/// </summary>
public sealed class SmallDisk : IDisposable
{
    private SmallDisk(string path) => Path = path;

    public string Path { get; }

    private string Filler => File("filler");

    /// <summary>Mounts a tmpfs of <paramref name="megabytes"/>; throws, saying why and what would fix it, when it cannot.</summary>
    public static SmallDisk Mount(int megabytes)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "feeds-disk-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(path);
        var (exitCode, error) = Run("mount", "-t", "tmpfs", "-o", $"size={megabytes.ToString(CultureInfo.InvariantCulture)}m", "tmpfs", path);
        if (exitCode == 0)
            return new SmallDisk(path);
        Directory.Delete(path);
        throw new InvalidOperationException(
            $"this test needs a {megabytes} MB tmpfs and could not mount one at {path} (mount: {error.Trim()}); "
            + "mounting needs root, as CI has: run the tests as root, or in a container with CAP_SYS_ADMIN");
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
        if (Run("mount", "--bind", Path, Path) is not (0, _) || Run("mount", "-o", "remount,bind,ro", Path) is not (0, _))
            throw new InvalidOperationException($"could not mount {Path} read-only");
        SqliteConnection.ClearAllPools();
    }

    /// <summary>The operator makes it writable again; the service must notice by itself.</summary>
    public void MakeWritable()
    {
        // Remounted, not unmounted: the database files are open through the bind mount, so umount would say busy.
        if (Run("mount", "-o", "remount,bind,rw", Path) is not (0, _))
            throw new InvalidOperationException($"could not make {Path} writable again");
    }

    /// <summary>The exit code and standard error of <paramref name="command"/>; -1 when there is no such command.</summary>
    private static (int ExitCode, string Error) Run(string command, params string[] args)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(command, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            var error = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, error.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, $"cannot run {command}: {e.Message}");
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
