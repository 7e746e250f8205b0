using System.Diagnostics;
using Npgsql;

namespace Feeds.Core.Storage.Postgres;

/// <summary>PostgreSQL's own programs (pg_dump, pg_restore): where they are, and running one against a database.</summary>
internal static class PostgresTools
{
    /// <summary>Where Debian and Ubuntu install each major version's programs, which are not all on PATH.</summary>
    public const string DebianFolders = "/usr/lib/postgresql/*/bin";

    /// <summary>The program on PATH, else in the newest version's folder under /usr/lib/postgresql; null when neither has it.</summary>
    public static string? Find(string program)
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, program))
            .FirstOrDefault(File.Exists);
        if (onPath is not null)
            return onPath;
        const string versions = "/usr/lib/postgresql";
        if (!Directory.Exists(versions))
            return null;
        return Directory.EnumerateDirectories(versions)
            .Select(folder => (Version: int.TryParse(Path.GetFileName(folder), out var major) ? major : -1, Program: Path.Combine(folder, "bin", program)))
            .Where(candidate => File.Exists(candidate.Program))
            .OrderByDescending(candidate => candidate.Version)
            .Select(candidate => candidate.Program)
            .FirstOrDefault();
    }

    /// <summary>
    /// Runs <paramref name="program"/> against the database of <paramref name="connection"/>, which it is given through the
    /// libpq environment variables, so the password never shows in a process list.
    /// </summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string program, IEnumerable<string> arguments,
        NpgsqlConnectionStringBuilder connection, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment["PGHOST"] = connection.Host;
        start.Environment["PGPORT"] = connection.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["PGDATABASE"] = connection.Database;
        start.Environment["PGUSER"] = connection.Username;
        start.Environment["PGPASSWORD"] = connection.Password;
        start.Environment["PGSSLMODE"] = connection.SslMode switch
        {
            SslMode.Disable => "disable",
            SslMode.Allow => "allow",
            SslMode.Require => "require",
            SslMode.VerifyCA => "verify-ca",
            SslMode.VerifyFull => "verify-full",
            _ => "prefer",
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await output, (await errors).Trim());
    }
}
