using System.Diagnostics;

namespace Feeds.Tests.Support;

/// <summary>Runs the built <c>feeds</c> executable as a user would, capturing its exit code and output.</summary>
public static class FeedsProcess
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = TestFiles.Root };
        start.ArgumentList.Add(Path.Combine(TestFiles.Root, "feeds.dll"));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
