using System.Diagnostics;

namespace Feeds.Tests.Support;

/// <summary>Runs the built <c>feeds</c> executable as a user would, capturing its exit code and output.</summary>
public static class FeedsProcess
{
    /// <summary>Far beyond what any command of the tests takes: a hung command fails its test instead of hanging the run.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    public static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string>(), args);

    /// <summary>As <see cref="RunAsync(string[])"/>, with these variables added to the command's environment.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = TestFiles.Root };
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        start.ArgumentList.Add(Path.Combine(TestFiles.Root, "feeds.dll"));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(Deadline);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"feeds {string.Join(' ', args)} was still running after {Deadline.TotalSeconds:0} s, and was killed");
        }
        return (process.ExitCode, await output, await error);
    }
}
